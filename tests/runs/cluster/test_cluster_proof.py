"""The proof of the celery executor: `akhbar serve` and two workers in their own processes
(each under a host name of its own), several outlets crawled at once, one worker killed
mid-run with its crawls. Its runs are failed by heartbeat (a worker on another host cannot be
checked by pid), the outlets run again at their next trigger on the worker left, every outlet
ends archived, no run is lost or run twice, and `akhbar verify` passes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crawler.demosite import DemoSite, outlet_yaml
from tests.runs.cluster.harness import Cluster
from tests.scheduler.helpers import Service, SlowSite, free_port, wait_for
from tests.scheduler.helpers import outlet_yaml as slow_yaml

DEMO = ("demo_en", "demo_ar", "demo_fa")
SLOW = ("slow_a", "slow_b", "slow_c")
FINAL = ("succeeded", "failed", "cancelled", "timed_out")


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _articles(run: dict[str, Any]) -> int:
    """The articles a run saw: new, changed or already archived."""
    return int(run["articles_new"] + run["articles_changed"] + run["articles_unchanged"])


def test_a_worker_killed_mid_run_loses_and_doubles_no_run(redis_cluster: Cluster) -> None:
    cluster = redis_cluster
    with DemoSite() as demo, SlowSite(delay=0.3, pages=25) as slow:
        outlets = {o: outlet_yaml(o, demo.base_url) for o in DEMO}
        outlets |= {o: slow_yaml(o, slow.base_url) for o in SLOW}
        cluster.configure(outlets, cap=4, dead_after="6s", republish_after="5s")
        port = free_port()
        svc = Service(cluster.tmp, port, "--port", str(port))
        svc.env.update(cluster.env)
        try:
            svc.start()
            workers = {w.name: w for w in (cluster.start_worker("host-a"),
                                           cluster.start_worker("host-b"))}
            first = {o: svc.call("POST", "/runs", {"outlet": o})["id"] for o in outlets}

            def rows() -> dict[str, dict[str, Any]]:
                return {r["id"]: r for r in svc.get("/runs?limit=100")}

            # Kill the worker holding a slow run once that run has fetched a few pages.
            def victim() -> str | None:
                for run in rows().values():
                    if run["outlet"] in SLOW and run["status"] == "running" and \
                            run["pages"] >= 3:
                        return str(run["host"])
                return None

            assert wait_for(lambda: victim() is not None, 120, 0.2), \
                [w.text()[-2000:] for w in workers.values()]
            dead = workers[str(victim())]
            killed = {i for i, r in rows().items() if r["host"] == dead.name
                      and r["status"] == "running"}
            dead.kill()
            assert wait_for(lambda: all(rows()[i]["status"] in FINAL for i in first.values()),
                            120, 0.5), rows()
            after = rows()
            for run_id in killed:
                assert after[run_id]["status"] == "failed", after[run_id]
                assert "no heartbeat" in after[run_id]["reason"], after[run_id]
                # Its log (in the catalog too) ends with that, after the pages it fetched.
                last = svc.get(f"/runs/{run_id}/log")["entries"][-1]
                assert last["event"] == "run_ended" and "no heartbeat" in last["msg"], last
            # The outlets that did not succeed run again at their next trigger.
            again = {o: svc.call("POST", "/runs", {"outlet": o})["id"] for o, i in first.items()
                     if after[i]["status"] != "succeeded"}
            assert set(again) >= {after[i]["outlet"] for i in killed}
            assert wait_for(lambda: all(rows()[i]["status"] in FINAL for i in again.values()),
                            120, 0.5), rows()
            final = rows()
            # Every outlet archived; every run ended; none started twice, none overlapped.
            assert all(final[i]["status"] == "succeeded" for i in again.values()), final
            assert set(final) == set(first.values()) | set(again.values())
            survivor = next(w for w in workers.values() if w is not dead)
            took = dead.took() + survivor.took()
            assert sorted(took) == sorted(final), took
            for outlet in outlets:
                spans = sorted((_when(r["started_at"]), _when(r["ended_at"]))
                               for r in final.values() if r["outlet"] == outlet)
                assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), spans
                ok = [r for r in final.values() if r["outlet"] == outlet
                      and r["status"] == "succeeded"]
                # The outlet's articles are all in the catalog after its one success: found
                # new by it, or already there (the killed run commits every few seconds; on a
                # busy machine it may have stored every article before the kill).
                assert len(ok) == 1 and _articles(ok[0]) > 0, (outlet, final)
            assert {r["host"] for r in final.values()} == {"host-a", "host-b"}
            warcs = list((cluster.tmp / "data" / "warcs").rglob("*.warc.gz*"))
            # Each host's file names carry its name; no file is left open.
            assert {h for p in warcs for h in ("host-a", "host-b")
                    if p.name.endswith(f"-{h}.warc.gz")} == {"host-a", "host-b"}
            assert all(p.name.endswith(("-host-a.warc.gz", "-host-b.warc.gz")) for p in warcs)
            # The killed crawls' last records reached their WARC files but not the catalog
            # (it commits every few seconds): the WARC files are the record, and the repair
            # adds them, as after any crash. Then the archive and the catalog agree.
            repaired = svc.cli("verify", "--repair")
            assert repaired.returncode == 0, repaired.stdout + repaired.stderr
            verified = svc.cli("verify")
            assert verified.returncode == 0, verified.stdout + verified.stderr
        finally:
            svc.close()
