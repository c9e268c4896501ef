"""No Chromium outlives its run: a browser-rendered crawl (demo_js, its JSON endpoint slowed
so that pages are in the browser when it happens) cancelled from another terminal with
`akhbar runs cancel`, or whose crawl process is killed with SIGKILL, leaves no browser
process behind, and the run is recorded with what became of it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from crawler.catalog import Run
from crawler.context import open_context
from crawler.demosite import DemoSite, js_outlet_yaml
from tests.scheduler.helpers import wait_for

AKHBAR = Path(sys.executable).with_name("akhbar")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed: tests/ensure-services.sh installs it "
    "(apt-get install chromium)")


class BrowserCrawl:
    """`akhbar crawl demo_js` in a child process, as a person would start it."""

    def __init__(self, tmp: Path, site: DemoSite) -> None:
        self.config, self.home = tmp / "config", tmp / "data"
        (self.config / "outlets").mkdir(parents=True)
        (self.config / "outlets" / "demo_js.yaml").write_text(js_outlet_yaml(site.base_url))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
        self.env.update(AKHBAR_HOME=str(self.home), AKHBAR_CONFIG=str(self.config))
        self.ctx = open_context(self.config, self.home, env={})
        self.proc = subprocess.Popen([str(AKHBAR), "crawl", "demo_js"], env=self.env,
                                     text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def run(self) -> Run | None:
        with self.ctx.catalog.session() as session:
            return session.query(Run).one_or_none()

    def browser(self) -> list[psutil.Process]:
        """The run's Chromium: the process started with ``--akhbar-run=<run id>`` and every
        process under it."""
        run = self.run()
        if run is None:
            return []
        mark = f"--akhbar-run={run.id}"
        for proc in psutil.process_iter(["cmdline"]):
            if mark in (proc.info["cmdline"] or []):
                try:
                    return [proc, *proc.children(recursive=True)]
                except psutil.NoSuchProcess:
                    return []
        return []

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate(timeout=30)


@pytest.fixture
def slow_site() -> Iterator[DemoSite]:
    with DemoSite(port=0) as site:
        site.js_api_delay = 60.0  # pages wait for their article until the run is stopped
        yield site


def browser_up(crawl: BrowserCrawl) -> list[psutil.Process]:
    found: list[psutil.Process] = []

    def started() -> bool:
        found[:] = crawl.browser()
        return len(found) > 1  # the browser and at least one of its helpers
    assert wait_for(started, 90, step=0.05), "the run's browser never started"
    return found


def all_gone(procs: list[psutil.Process]) -> bool:
    return not [p for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_a_cancelled_run_leaves_no_browser(tmp_path: Path, slow_site: DemoSite) -> None:
    crawl = BrowserCrawl(tmp_path, slow_site)
    try:
        procs = browser_up(crawl)
        run = crawl.run()
        assert run is not None
        cancel = subprocess.run([str(AKHBAR), "runs", "cancel", run.id], env=crawl.env,
                                capture_output=True, text=True, timeout=120)
        assert cancel.returncode == 0, cancel.stdout + cancel.stderr
        crawl.proc.communicate(timeout=120)
        done = crawl.run()
        assert done is not None and done.status == "cancelled", done
        assert wait_for(lambda: all_gone(procs), 30), [p.pid for p in procs if p.is_running()]
    finally:
        crawl.close()


def test_a_killed_crawl_process_leaves_no_browser(tmp_path: Path, slow_site: DemoSite) -> None:
    crawl = BrowserCrawl(tmp_path, slow_site)
    try:
        procs = browser_up(crawl)
        run = crawl.run()
        assert run is not None and run.pid is not None
        os.kill(run.pid, signal.SIGKILL)  # the crawl process, with Playwright's driver in it
        crawl.proc.communicate(timeout=120)
        assert wait_for(lambda: all_gone(procs), 30), [p.pid for p in procs if p.is_running()]
        done = crawl.run()
        assert done is not None and done.status == "failed", done
    finally:
        crawl.close()
