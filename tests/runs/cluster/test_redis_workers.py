"""The celery executor over Redis, with real `akhbar worker` processes: runs go through the
broker and are recorded in the catalog (their logs too), a cancel reaches the worker, the
global cap holds, a message delivered twice starts nothing twice, a broker restart loses no
queued run, and a SQLite catalog is refused."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from crawler.context import AkhbarContext
from crawler.errors import ConfigError
from crawler.runs import FINAL_STATES
from crawler.runs.cluster import Publisher, RunDispatcher
from crawler.runs.logstore import read_shipped
from tests.runs.cluster.brokers import RedisServer, clean_redis
from tests.runs.cluster.harness import AKHBAR, Cluster
from tests.scheduler.helpers import SlowSite, make_ctx, outlet_yaml, runs_of, wait_for


def _ended(ctx: AkhbarContext, ids: list[str]) -> bool:
    rows = {r.id: r for r in runs_of(ctx)}
    return all(rows[i].status in FINAL_STATES for i in ids)


def test_runs_go_through_a_worker_under_the_cap_and_a_cancel_reaches_it(
        redis_cluster: Cluster) -> None:
    with SlowSite(delay=0.1, pages=6) as site, SlowSite(delay=1.0, pages=60) as slow:
        redis_cluster.configure({"alpha": outlet_yaml("alpha", site.base_url),
                                 "long_one": outlet_yaml("long_one", slow.base_url)}, cap=1)
        ctx = redis_cluster.context()
        dispatcher = RunDispatcher(ctx)
        try:
            worker = redis_cluster.start_worker("host-a", slots=2)
            long = dispatcher.enqueue("long_one", "service")
            alpha = dispatcher.enqueue("alpha", "service")
            # The cap (1 across every worker): the hanging run holds the one slot, and the
            # other run waits in the catalog, unpublished.
            assert wait_for(lambda: {r.id: r for r in runs_of(ctx)}[long.id].pages >= 2,
                            90, 0.2, dispatcher.tick), worker.text()[-3000:]
            # The running crawl's log reaches the catalog as it goes (a host that does not
            # see the worker's files follows it there).
            assert wait_for(lambda: b'"event": "fetched"' in (
                read_shipped(ctx.catalog.engine, long.id) or (b"", 0))[0], 60, 0.2)
            for _ in range(5):
                dispatcher.tick()
            assert {r.id: r for r in runs_of(ctx)}[alpha.id].status == "queued"
            assert alpha.id not in dispatcher.published
            # A cancel is one write to the catalog; the worker polls it and stops the crawl.
            dispatcher.book.request_cancel(long.id)
            assert wait_for(lambda: _ended(ctx, [long.id, alpha.id]), 90, 0.2,
                            dispatcher.tick), worker.text()[-3000:]
            rows = {r.id: r for r in runs_of(ctx)}
            assert rows[long.id].status == "cancelled", rows[long.id].reason
            assert rows[alpha.id].status == "succeeded", rows[alpha.id].reason
            assert rows[alpha.id].host == rows[long.id].host == "host-a"
            assert rows[alpha.id].owner.startswith("host-a:")
            assert rows[alpha.id].articles_new == 6 and rows[alpha.id].stats
            # The catalog's figures reach every reader (the CLI on another host too).
            listed = redis_cluster.cli("runs", "list")
            assert listed.returncode == 0 and alpha.id in listed.stdout
            # Its log too, whole, from the catalog: as on a host that does not see the
            # worker's run logs (moved away here), to its last line (how the run ended).
            files = redis_cluster.tmp / "data" / "runs"
            whole = (files / f"{alpha.id}.log").read_text("utf-8").splitlines()
            (files / f"{alpha.id}.log").rename(redis_cluster.tmp / "moved.log")
            logged = redis_cluster.cli("runs", "log", alpha.id, "--raw")
            assert logged.returncode == 0, logged.stderr
            assert [json.loads(line) for line in logged.stdout.splitlines()] == \
                [json.loads(line) for line in whole], logged.stdout[-2000:]
            assert '"event": "run_ended"' in whole[-1] and "fetched 200" in logged.stdout
            # The same message again (a broker that delivered it twice): nothing starts.
            dispatcher.publisher.publish(alpha.id)
            assert wait_for(lambda: "not taken: it is succeeded" in worker.text(), 30, 0.1)
            assert worker.took().count(alpha.id) == 1
            assert len(runs_of(ctx)) == 2
            files = sorted(p.name for p in (ctx.warcs_dir / "alpha").rglob("*.warc.gz"))
            assert files and all(name.endswith("-host-a.warc.gz") for name in files)
            assert {o.run_id for o in dispatcher.outcomes} == {alpha.id, long.id}
        finally:
            dispatcher.stop()
            ctx.close()


def test_a_broker_restart_loses_no_queued_run(tmp_path: Path, pg_url: str) -> None:
    if not RedisServer.available():
        pytest.skip("redis-server is not installed (tests/ensure-services.sh installs it)")
    server = RedisServer(tmp_path / "redis").start()
    cluster = Cluster(tmp_path, pg_url, server.url, "akhbar.test.restart")
    try:
        with SlowSite(delay=0.05, pages=4) as site:
            cluster.configure({o: outlet_yaml(o, site.base_url) for o in ("one", "two")})
            ctx = cluster.context()
            dispatcher = RunDispatcher(ctx)
            try:
                runs = [dispatcher.enqueue(o, "service") for o in ("one", "two")]
                dispatcher.tick()
                assert set(dispatcher.published) == {r.id for r in runs}
                assert dispatcher.publisher.waiting() == 2
                server.restart()  # nothing on disk: both messages are gone
                assert dispatcher.publisher.waiting() == 0
                worker = cluster.start_worker("host-a")
                assert wait_for(lambda: _ended(ctx, [r.id for r in runs]), 90, 0.2,
                                dispatcher.tick), worker.text()[-3000:]
                assert [r.status for r in runs_of(ctx)] == ["succeeded", "succeeded"]
                assert sorted(worker.took()) == sorted(r.id for r in runs)
            finally:
                dispatcher.stop()
                ctx.close()
    finally:
        cluster.close()
        clean_redis(server.url, cluster.queue)
        server.stop()


def test_a_sqlite_catalog_is_refused_in_words(tmp_path: Path) -> None:
    (tmp_path / "config" / "outlets").mkdir(parents=True)
    (tmp_path / "config" / "akhbar.yaml").write_text("executor: celery\n", encoding="utf-8")
    ctx = make_ctx(tmp_path)
    try:
        with pytest.raises(ConfigError, match="PostgreSQL"):
            RunDispatcher(ctx, Publisher.of(ctx))
    finally:
        ctx.close()
    cluster = Cluster(tmp_path, "", "redis://127.0.0.1:6379/11", "unused")
    env = {k: v for k, v in cluster.env.items() if k != "AKHBAR_DATABASE_URL"}
    done = subprocess.run([str(AKHBAR), "worker"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "needs the catalog in PostgreSQL" in done.stderr
    assert "Traceback" not in done.stderr
