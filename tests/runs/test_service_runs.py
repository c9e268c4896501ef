"""`akhbar serve` and its runs as ops meet them: found by the CLI on whatever port it was given,
killed or stopped with runs in flight, and cancelling a run a foreground crawl owns."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import verify_file
from crawler.runs import pid_alive
from tests.scheduler.helpers import (
    AKHBAR,
    Service,
    SlowSite,
    free_port,
    outlet_yaml,
    release_once_closing,
    wait_for,
)


@pytest.fixture
def site() -> Iterator[SlowSite]:
    # Three article pages, then the site holds the next until the test releases it: a run
    # is still running when the test acts on it, however slow the machine.
    with SlowSite(delay=0.4, pages=15, held_after=3) as slow:
        yield slow


def make_service(tmp: Path, site: SlowSite, *args: str) -> Service:
    config = tmp / "config"
    (config / "outlets").mkdir(parents=True, exist_ok=True)
    # The configured port is not the one it listens on: the CLI must find it anyway.
    (config / "akhbar.yaml").write_text("max_concurrent_crawls: 2\napi_port: 9\n")
    (config / "outlets" / "slow.yaml").write_text(outlet_yaml("slow", site.base_url))
    port = free_port()
    return Service(tmp, port, "--port", str(port), *args)


@pytest.fixture
def service(tmp_path: Path, site: SlowSite) -> Iterator[Service]:
    svc = make_service(tmp_path, site)
    yield svc
    svc.close()


def queue_slow(service: Service) -> str:
    queued = service.cli("crawl", "slow", "--via-service")
    assert queued.returncode == 0, queued.stdout + queued.stderr
    assert f"through the service at http://127.0.0.1:{service.port}" in queued.stderr
    run_id = queued.stdout.split()[-1]
    assert wait_for(lambda: service.runs()[run_id]["status"] == "running"
                    and service.runs()[run_id]["pages"] >= 2, 180, 0.3)
    return run_id


def settled(service: Service) -> bool:
    return all(r["status"] not in ("queued", "running") for r in service.runs().values())


def adopted(service: Service, run_id: str) -> bool:
    return f"adopted run {run_id}" in service.log.read_text()


def warcs_whole(home: Path) -> None:
    assert not list(home.rglob("*.warc.gz.open"))
    for path in home.rglob("*.warc.gz"):
        assert verify_file(path) == [], path


def test_serve_on_another_port_is_found_by_the_cli(service: Service, tmp_path: Path,
                                                  site: SlowSite) -> None:
    service.start()
    # An outlet file added after the start can be crawled at once.
    (tmp_path / "config" / "outlets" / "late.yaml").write_text(
        outlet_yaml("late", site.base_url))
    queued = service.cli("crawl", "late", "--via-service")
    assert queued.returncode == 0 and "queued" in queued.stdout, queued.stdout + queued.stderr
    paused = service.cli("schedule", "pause", "slow")
    assert paused.returncode == 0, paused.stderr
    assert f"through the service at http://127.0.0.1:{service.port}" in paused.stderr
    entry = {e["outlet"]: e for e in service.get("/schedules")}["slow"]
    assert entry["paused"] is True  # the service's own scheduler, not the stored jobs
    service.stop()
    alone = service.cli("schedule", "resume", "slow")
    assert alone.returncode == 0 and "acting on the catalog directly" in alone.stderr


def test_a_killed_service_leaves_its_crawl_to_the_next_one(service: Service,
                                                            tmp_path: Path, site: SlowSite) -> None:
    service.start()
    run_id = queue_slow(service)
    crawl_pid = service.runs()[run_id]["pid"]
    assert service.stop(signal.SIGKILL) == -signal.SIGKILL
    assert pid_alive(crawl_pid)  # the crawl outlives its owner
    service.start()  # adopts it
    assert wait_for(lambda: adopted(service, run_id), 60, 0.3)
    site.release()
    assert wait_for(lambda: settled(service), 180, 0.5)
    done = service.runs()[run_id]
    assert done["status"] == "succeeded" and done["pid"] == crawl_pid, done
    again = service.call("POST", "/runs", {"outlet": "slow"})
    assert wait_for(lambda: service.runs()[again["id"]]["status"] == "succeeded", 180, 0.5)
    service.stop()
    warcs_whole(tmp_path / "data")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_service_stopped_with_stop_crawls_cancels_and_records_them(
        tmp_path: Path, site: SlowSite, sig: int) -> None:
    service = make_service(tmp_path, site, "--stop-crawls")
    try:
        service.start()
        run_id = queue_slow(service)
        crawl_pid = service.runs()[run_id]["pid"]
        assert service.proc is not None
        service.proc.send_signal(sig)
        release_once_closing(site, tmp_path / "data", run_id)
        assert service.proc.wait(120) == 0
        assert wait_for(lambda: not pid_alive(crawl_pid), 60)
        listed = service.cli("runs", "list", "--json")
        assert '"status": "cancelled"' in listed.stdout and run_id in listed.stdout
        assert '"running"' not in listed.stdout
        warcs_whole(tmp_path / "data")
        again = service.cli("crawl", "slow")  # the next run works, in the foreground
        assert again.returncode == 0, again.stdout + again.stderr
    finally:
        if service.proc is not None and service.proc.poll() is None:
            service.stop(signal.SIGKILL)


def test_the_api_cancels_a_run_a_foreground_crawl_owns(service: Service, tmp_path: Path,
                                                       site: SlowSite) -> None:
    service.start()
    crawl = subprocess.Popen([str(AKHBAR), "crawl", "slow"], env=service.env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: any(r["status"] == "running" and r["pages"] >= 2
                                    for r in service.runs().values()), 180, 0.3)
        (run,) = service.runs().values()
        assert run["trigger"] == "manual" and run["owner"] != service.get("/healthz")["owner"]
        service.call("POST", f"/runs/{run['id']}/cancel")
        release_once_closing(site, tmp_path / "data", run["id"])
        out, err = crawl.communicate(timeout=180)
        assert crawl.returncode == 1, out + err
        assert service.runs()[run["id"]]["status"] == "cancelled"
    finally:
        if crawl.poll() is None:
            crawl.kill()
    warcs_whole(tmp_path / "data")


def test_an_adopted_run_of_the_shared_process_is_cancelled_alone(tmp_path: Path) -> None:
    """Two runs in one shared crawl process, their service killed and restarted: the new
    owner cancels one (through the catalog, since the old pipe is gone), sees it end while
    the process goes on with the other, and the other still ends as it should."""
    with SlowSite(delay=0.4, pages=60, held_after=3) as site:
        service = make_service(tmp_path, site)
        (tmp_path / "config" / "outlets" / "other.yaml").write_text(
            outlet_yaml("other", site.base_url))
        try:
            service.start()
            first = service.call("POST", "/runs", {"outlet": "slow"})["id"]
            other = service.call("POST", "/runs", {"outlet": "other"})["id"]
            assert wait_for(lambda: all(service.runs()[r]["pages"] >= 2
                                        for r in (first, other)), 180, 0.3)
            host_pid = service.runs()[first]["pid"]
            assert service.runs()[other]["pid"] == host_pid  # one shared process
            assert service.stop(signal.SIGKILL) == -signal.SIGKILL
            service.start()  # adopts both
            assert wait_for(lambda: adopted(service, first) and adopted(service, other), 60)
            cancel = subprocess.Popen([str(AKHBAR), "runs", "cancel", first], env=service.env,
                                      text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            release_once_closing(site, tmp_path / "data", first, outlet="slow")
            said, why = cancel.communicate(timeout=180)
            assert cancel.returncode == 0, said + why
            assert wait_for(lambda: service.runs()[first]["status"] == "cancelled", 90, 0.3)
            assert service.runs()[other]["status"] == "running"  # held by the site
            assert pid_alive(host_pid)  # the process goes on with the other run
            site.release()
            assert wait_for(lambda: settled(service), 180, 0.5)
            done = service.runs()[other]
            assert done["status"] == "succeeded" and done["articles_new"] == 60, done
            assert service.runs()[first]["articles_new"] < 60
        finally:
            service.close()
    warcs_whole(tmp_path / "data")
