"""Cancel from the run page, in a real browser (Playwright on Debian's chromium), of a run the
service started and of one a foreground `akhbar crawl` owns: an ops user logs in, opens the
run's page, presses Cancel, and the run's owner stops it and records it cancelled."""

from __future__ import annotations

import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.runs.test_service_runs import make_service, settled
from tests.scheduler.helpers import AKHBAR, Service, SlowSite, release_once_closing, wait_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed: "
                                "tests/ensure-services.sh installs it (apt-get install chromium)")


@pytest.fixture
def page() -> Iterator[Page]:
    assert CHROMIUM is not None
    with sync_playwright() as pw:
        browser: Browser = pw.chromium.launch(executable_path=CHROMIUM,
                                              args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(120_000)  # both cores may be busy
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Service, SlowSite]]:
    # Three article pages, then the site holds the next one: the run is still running when
    # its page is opened and Cancel pressed, however slow the machine.
    with SlowSite(delay=0.4, pages=15, held_after=3) as site:
        service = make_service(tmp_path, site)
        service.start()
        try:
            yield service, site
        finally:
            if service.proc is not None and service.proc.poll() is None:
                service.stop(signal.SIGKILL)


def data_dir(service: Service) -> Path:
    return Path(service.env["AKHBAR_HOME"])


def press_cancel(page: Page, service: Service, run_id: str) -> None:
    ops = service.cli("users", "add", "watcher", "--role", "ops")
    assert ops.returncode == 0, ops.stderr
    base = f"http://127.0.0.1:{service.port}"
    page.goto(f"{base}/ui/login")
    page.fill("input[name=name]", "watcher")
    page.fill("input[name=token]", ops.stdout.strip())
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(lambda url: "/ui/login" not in url)
    page.goto(f"{base}/ui/runs/{run_id}")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click(f"button[data-post='/runs/{run_id}/cancel']")


def test_cancel_button_stops_a_run_the_service_started(running: tuple[Service, SlowSite],
                                                       page: Page) -> None:
    service, site = running
    run = service.call("POST", "/runs", {"outlet": "slow"})
    assert wait_for(lambda: service.runs()[run["id"]]["pages"] >= 2, 180, 0.3)
    press_cancel(page, service, run["id"])
    release_once_closing(site, data_dir(service), run["id"])
    assert wait_for(lambda: settled(service), 120, 0.3)
    assert service.runs()[run["id"]]["status"] == "cancelled"


def test_cancel_button_stops_a_run_a_foreground_crawl_owns(running: tuple[Service, SlowSite],
                                                           page: Page) -> None:
    service, site = running
    crawl = subprocess.Popen([str(AKHBAR), "crawl", "slow"], env=service.env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: any(r["pages"] >= 2 for r in service.runs().values()),
                        180, 0.3)
        (run,) = service.runs().values()
        press_cancel(page, service, run["id"])
        release_once_closing(site, data_dir(service), run["id"])
        out, err = crawl.communicate(timeout=180)
        assert crawl.returncode == 1, out + err
        assert service.runs()[run["id"]]["status"] == "cancelled"
    finally:
        if crawl.poll() is None:
            crawl.kill()
