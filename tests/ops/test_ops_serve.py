"""`akhbar serve` watching a run that stalls on a slow host: the stalled alert is raised with
what the run waits on, seen by `akhbar alerts`, the API, /metrics and a webhook on
127.0.0.1 (once), and cleared when pages come again; /healthz reports the scheduler, the
database and the disk."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.ops.support import NewsSite, Receiver, free_port
from tests.scheduler.helpers import Service, outlet_yaml, wait_for


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    svc = Service(tmp_path, free_port())
    yield svc
    svc.close()


def samples(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """/metrics without a token (auth.open_metrics), parsed by prometheus_client."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        text = r.read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_a_stalled_run_is_told_and_cleared(tmp_path: Path, service: Service) -> None:
    config = tmp_path / "config"
    (config / "outlets").mkdir(parents=True)
    with NewsSite(pages=4, hang=120) as site, Receiver() as hook:
        (config / "akhbar.yaml").write_text(
            f"max_concurrent_crawls: 1\napi_port: {service.port}\n"
            "auth: {open_metrics: true}\n"
            f"alerts:\n  webhooks: [{hook.url}]\n  interval: 1s\n  stalled_after: 4s\n"
            "  disk_free_min: 1MB\n", encoding="utf-8")
        (config / "outlets" / "hang_en.yaml").write_text(outlet_yaml("hang_en", site.base_url))
        service.start()

        health = service.get("/healthz")
        assert health["status"] == "ok"
        assert {k: v["ok"] for k, v in health["checks"].items()} == {
            "scheduler": True, "database": True, "disk": True}
        assert health["checks"]["scheduler"]["alert_watcher"] is True

        run = service.call("POST", "/runs", {"outlet": "hang_en"})
        service.runs()

        def stalled() -> list[dict[str, object]]:
            return [a for a in service.get("/alerts") if a["kind"] == "stalled"]

        assert wait_for(lambda: bool(stalled()), 60, 0.5), service.log.read_text()[-3000:]
        (alert,) = stalled()
        assert alert["outlet"] == "hang_en" and alert["severity"] == "warning"
        assert run["id"] in str(alert["summary"]) and "waiting on" in str(alert["summary"])
        assert "last page fetched: " + site.base_url + "/hang_en/" in str(alert["summary"])

        listed = service.cli("alerts", "--json")
        assert listed.returncode == 0, listed.stderr
        assert [json.loads(line)["kind"] for line in listed.stdout.splitlines()] == ["stalled"]
        assert wait_for(lambda: hook.events().get(("stalled", "hang_en", "raised")) == 1, 30)

        seen = samples(service.port)
        key = ("akhbar_alert_open", (("kind", "stalled"), ("outlet", "hang_en"),
                                     ("severity", "warning")))
        assert seen[key] == 1
        assert seen[("akhbar_alerts_open", (("kind", "stalled"),))] == 1
        assert seen[("akhbar_runs_running", ())] == 1
        assert seen[("akhbar_last_success_timestamp_seconds", (("outlet", "hang_en"),))] == 0
        assert seen[("akhbar_outlet_ever_succeeded", (("outlet", "hang_en"),))] == 0

        # The host answers again: pages come, the run ends, the alert clears.
        site.stopping.set()
        assert wait_for(lambda: not stalled(), 60, 0.5), service.log.read_text()[-3000:]
        assert wait_for(lambda: service.runs()[run["id"]]["status"] == "succeeded", 60, 0.5)
        assert wait_for(lambda: hook.events().get(("stalled", "hang_en", "cleared")) == 1, 30)
        past = [a for a in service.get("/alerts?open=false") if a["kind"] == "stalled"]
        assert len(past) == 1 and past[0]["cleared_at"] is not None

        seen = samples(service.port)
        assert seen[("akhbar_alerts_open", (("kind", "stalled"),))] == 0
        assert seen[("akhbar_runs_running", ())] == 0
        assert seen[("akhbar_outlet_ever_succeeded", (("outlet", "hang_en"),))] == 1
        assert seen[("akhbar_run_duration_seconds_count", (("outlet", "hang_en"),))] == 1
        assert seen[("akhbar_runs_total", (("outlet", "hang_en"), ("status", "succeeded")))] == 1
        assert hook.events()[("stalled", "hang_en", "raised")] == 1  # never sent twice
        funnel = service.get(f"/runs/{run['id']}/funnel")
        assert (funnel["discovered_listing"], funnel["matched"], funnel["fetched"]) == (4, 4, 4)
        assert funnel["counted"] and funnel["articles_seen"] == 4
