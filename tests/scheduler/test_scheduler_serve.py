"""`akhbar serve` as ops run it: a child process with its HTTP API, stopped and restarted
while a crawl runs and another waits; SIGHUP reloads; the CLI talks to it."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demosite import DemoSite
from crawler.runs import pid_alive
from tests.scheduler.helpers import Service, SlowSite, free_port, outlet_yaml, wait_for
from tests.support import write_demo_config

AKHBAR = Path(sys.executable).with_name("akhbar")


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    svc = Service(tmp_path, free_port())
    yield svc
    svc.close()


def test_restart_neither_loses_nor_doubles_a_run(tmp_path: Path, service: Service) -> None:
    config = tmp_path / "config"
    with DemoSite(port=0) as demo, SlowSite(delay=0.5, pages=12) as slow:
        write_demo_config(config, demo.base_url, ["demo_en"])
        (config / "akhbar.yaml").write_text(
            f"max_concurrent_crawls: 1\napi_port: {service.port}\n", encoding="utf-8")
        (config / "outlets" / "slow.yaml").write_text(outlet_yaml("slow", slow.base_url))
        service.start()

        queued = service.cli("crawl", "slow", "demo_en", "--via-service")
        assert queued.returncode == 0, queued.stdout + queued.stderr
        assert queued.stdout.count("queued") == 2
        assert wait_for(lambda: any(r["status"] == "running" for r in service.runs().values()),
                        20)
        before = service.runs()
        (slow_run,) = [r for r in before.values() if r["outlet"] == "slow"]
        (waiting,) = [r for r in before.values() if r["outlet"] == "demo_en"]
        assert slow_run["status"] == "running" and waiting["status"] == "queued"  # cap of 1

        assert service.stop() == 0  # the service goes down; the crawl does not
        assert pid_alive(slow_run["pid"])
        service.start()  # adopts the crawl, then starts the queued run when the slot frees
        assert wait_for(lambda: all(r["status"] not in ("queued", "running")
                                    for r in service.runs().values()), 60, 0.3)
        after = service.runs()
        assert set(after) == set(before)  # nothing lost, nothing doubled
        assert after[slow_run["id"]]["status"] == "succeeded", after[slow_run["id"]]
        assert after[slow_run["id"]]["pid"] == slow_run["pid"]  # not started again
        assert f"adopted run {slow_run['id']}" in service.log.read_text()
        assert after[waiting["id"]]["status"] == "succeeded", after[waiting["id"]]
        assert after[waiting["id"]]["started_at"] >= after[slow_run["id"]]["ended_at"]

        # SIGHUP reloads the outlet files; `akhbar schedule list` shows the result.
        (config / "outlets" / "demo_en.yaml").write_text(
            (config / "outlets" / "demo_en.yaml").read_text().replace(
                '"0 */6 * * *"', '"15 4 * * *"'))
        assert service.proc is not None
        service.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: {s["outlet"]: s["cron"] for s in service.get("/schedules")}
                        .get("demo_en") == "15 4 * * *", 10)
        listed = service.cli("schedule", "list")
        line = next(x for x in listed.stdout.splitlines() if x.startswith("demo_en"))
        assert "15 4 * * *" in line and "succeeded" in line

        # `akhbar runs cancel` reaches the running service, which stops the crawl.
        again = service.cli("crawl", "slow", "--via-service")
        run_id = again.stdout.split()[-1]
        assert wait_for(lambda: service.runs()[run_id]["status"] == "running", 20)
        time.sleep(1.0)
        cancelled = service.cli("runs", "cancel", run_id)
        assert cancelled.returncode == 0 and f"{run_id}: cancelled" in cancelled.stdout, (
            cancelled.stdout + cancelled.stderr)
        assert service.stop() == 0
    assert not list((tmp_path / "data" / "warcs" / "slow").rglob("*.open"))


def test_via_service_without_a_service_says_how_to_start_one(tmp_path: Path,
                                                              service: Service) -> None:
    config = tmp_path / "config"
    (config / "outlets").mkdir(parents=True)
    (config / "akhbar.yaml").write_text(f"api_port: {service.port}\n", encoding="utf-8")
    result = service.cli("crawl", "demo_en", "--via-service")
    assert result.returncode == 2
    assert "no `akhbar serve` runs with" in result.stderr and "start it with" in result.stderr
