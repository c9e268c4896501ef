"""`akhbar serve` as ops run it: a child process with its HTTP API, stopped and restarted
while a crawl runs and another waits; SIGHUP reloads; the CLI talks to it."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demosite import DemoSite
from crawler.runs import pid_alive
from tests.scheduler.helpers import (
    Service,
    SlowSite,
    free_port,
    outlet_yaml,
    release_once_closing,
    wait_for,
)
from tests.support import write_demo_config

AKHBAR = Path(sys.executable).with_name("akhbar")


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    svc = Service(tmp_path, free_port())
    yield svc
    svc.close()


def test_restart_neither_loses_nor_doubles_a_run(tmp_path: Path, service: Service) -> None:
    config = tmp_path / "config"
    # The slow site answers three article pages, then holds the next until the test releases
    # it: the slow run is provably running while the service restarts, and when cancelled.
    with DemoSite(port=0) as demo, SlowSite(delay=0.5, pages=12, held_after=3) as slow:
        write_demo_config(config, demo.base_url, ["demo_en"])
        (config / "akhbar.yaml").write_text(
            f"max_concurrent_crawls: 1\napi_port: {service.port}\n", encoding="utf-8")
        (config / "outlets" / "slow.yaml").write_text(outlet_yaml("slow", slow.base_url))
        service.start()

        queued = service.cli("crawl", "slow", "demo_en", "--via-service")
        assert queued.returncode == 0, queued.stdout + queued.stderr
        assert queued.stdout.count("queued") == 2
        assert wait_for(lambda: any(r["status"] == "running" for r in service.runs().values()),
                        120)
        before = service.runs()
        (slow_run,) = [r for r in before.values() if r["outlet"] == "slow"]
        (waiting,) = [r for r in before.values() if r["outlet"] == "demo_en"]
        assert slow_run["status"] == "running" and waiting["status"] == "queued"  # cap of 1

        assert service.stop() == 0  # the service goes down; the crawl does not
        assert pid_alive(slow_run["pid"])
        service.start()  # adopts the crawl, then starts the queued run when the slot frees
        assert wait_for(lambda: f"adopted run {slow_run['id']}" in service.log.read_text(), 60)
        slow.release()
        assert wait_for(lambda: all(r["status"] not in ("queued", "running")
                                    for r in service.runs().values()), 240, 0.3)
        after = service.runs()
        assert set(after) == set(before)  # nothing lost, nothing doubled
        assert after[slow_run["id"]]["status"] == "succeeded", after[slow_run["id"]]
        assert after[slow_run["id"]]["pid"] == slow_run["pid"]  # not started again
        assert after[waiting["id"]]["status"] == "succeeded", after[waiting["id"]]
        assert after[waiting["id"]]["started_at"] >= after[slow_run["id"]]["ended_at"]

        # SIGHUP reloads the outlet files; `akhbar schedule list` shows the result.
        (config / "outlets" / "demo_en.yaml").write_text(
            (config / "outlets" / "demo_en.yaml").read_text().replace(
                '"0 */6 * * *"', '"15 4 * * *"'))
        assert service.proc is not None
        service.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: {s["outlet"]: s["cron"] for s in service.get("/schedules")}
                        .get("demo_en") == "15 4 * * *", 60)
        listed = service.cli("schedule", "list")
        line = next(x for x in listed.stdout.splitlines() if x.startswith("demo_en"))
        assert "15 4 * * *" in line and "succeeded" in line

        # `akhbar runs cancel` reaches the running service, which stops the crawl.
        slow.hold(after=2)
        again = service.cli("crawl", "slow", "--via-service")
        run_id = again.stdout.split()[-1]
        assert wait_for(lambda: service.runs()[run_id]["status"] == "running"
                        and slow.held == 1, 120)
        cancel = subprocess.Popen([str(AKHBAR), "runs", "cancel", run_id], env=service.env,
                                  text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        release_once_closing(slow, tmp_path / "data", run_id)
        said, why = cancel.communicate(timeout=180)
        assert cancel.returncode == 0 and f"{run_id}: cancelled" in said, said + why
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
