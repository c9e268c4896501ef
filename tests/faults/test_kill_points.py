"""Kill a crawl at many points and check that nothing is lost (`make test-faults`).

For each kill point, a fresh archive: `akhbar crawl demo_en` is killed once it has fetched N
pages — the crawl process, the `akhbar crawl` parent, or the whole tree, in turn — or the
`akhbar serve` that owns the run is killed. Then `akhbar verify --repair` must leave the
archive clean (every WARC whole, the catalog and index agreeing with the files), and the
next normal crawl must leave exactly the articles of an uninterrupted crawl, each once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler import service
from crawler.catalog import Article, Run
from crawler.context import open_context
from crawler.demosite import DemoSite
from crawler.runs import pid_alive
from tests.scheduler.helpers import Service, free_port, wait_for
from tests.support import write_demo_config

pytestmark = pytest.mark.faults

AKHBAR = Path(sys.executable).with_name("akhbar")
# A delay so that the kill points fall inside the crawl, not after it; the crawls after a
# kill (the reference, the recrawl) need none.
SLOW = "politeness: {obey_robots: true, delay: 0.15, concurrency: 1}"
FAST = "politeness: {obey_robots: true, delay: 0, concurrency: 1}"


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(port=0) as demo:
        yield demo


class Archive:
    def __init__(self, root: Path, base_url: str) -> None:
        self.config, self.home = root / "config", root / "data"
        write_demo_config(self.config, base_url, ["demo_en"])
        self.pace(SLOW)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
        self.env.update(AKHBAR_HOME=str(self.home), AKHBAR_CONFIG=str(self.config))
        self.database_url: str | None = None  # the default: a SQLite file in the data dir

    def pace(self, politeness: str) -> None:
        path = self.config / "outlets" / "demo_en.yaml"
        text = path.read_text()
        path.write_text(text[: text.index("politeness:")] + politeness + "\n")

    def akhbar(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(AKHBAR), *args], env=self.env, capture_output=True,
                              text=True, timeout=300)

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([str(AKHBAR), *args], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def fetched(self) -> int:
        logs = list((self.home / "runs").glob("*.log")) if (self.home / "runs").exists() else []
        return sum(p.read_text(errors="replace").count('"event": "fetched"') for p in logs)

    def crawl_pids(self) -> list[int]:
        ctx = open_context(self.config, self.home, database_url=self.database_url, env={})
        try:
            with ctx.catalog.session() as session:
                return [p for p in session.scalars(select(Run.pid)) if p]
        finally:
            ctx.close()

    def articles(self) -> tuple[list[str], int]:
        ctx = open_context(self.config, self.home, database_url=self.database_url, env={})
        try:
            with ctx.catalog.session() as session:
                urls = sorted(session.scalars(select(Article.url)))
                rows = session.scalar(select(func.count()).select_from(Article)) or 0
            return urls, rows
        finally:
            ctx.close()

    def verify(self) -> list[str]:
        """`akhbar verify`'s problems (called in this process: one start of akhbar fewer)."""
        ctx = open_context(self.config, self.home, database_url=self.database_url, env={})
        try:
            return [str(p) for p in service.verify(ctx).problems]
        finally:
            ctx.close()


@pytest.fixture(scope="module")
def reference(site: DemoSite, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    archive = Archive(tmp_path_factory.mktemp("reference"), site.base_url)
    archive.pace(FAST)
    done = archive.akhbar("crawl", "demo_en")
    assert done.returncode == 0, done.stdout + done.stderr
    urls, rows = archive.articles()
    assert urls and rows == len(urls)
    return urls


def settle_and_check(archive: Archive, reference: list[str]) -> None:
    for pid in archive.crawl_pids():  # a crawl whose parent alone was killed goes on
        assert wait_for(lambda pid=pid: not pid_alive(pid), 120), pid
    repaired = archive.akhbar("verify", "--repair")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "no problem(s)" in repaired.stdout, repaired.stdout
    assert not list(archive.home.rglob("*.warc.gz.open"))
    archive.pace(FAST)
    again = archive.akhbar("crawl", "demo_en")
    assert again.returncode == 0, again.stdout + again.stderr
    urls, rows = archive.articles()
    assert urls == reference and rows == len(reference)
    assert archive.verify() == []


# 18 points of a foreground crawl and 3 of the service: from the first fetch (robots.txt)
# to the articles (demo_en fetches 27 pages).
CRAWL_POINTS = [(n, how) for n in (1, 3, 6, 9, 13, 17) for how in ("child", "parent", "tree")]


@pytest.mark.parametrize(("pages", "how"), CRAWL_POINTS,
                         ids=[f"{how}-after-{n}" for n, how in CRAWL_POINTS])
def test_a_killed_crawl_loses_nothing(site: DemoSite, reference: list[str], tmp_path: Path,
                                      pages: int, how: str) -> None:
    archive = Archive(tmp_path, site.base_url)
    parent = archive.start("crawl", "demo_en")
    reached = wait_for(lambda: archive.fetched() >= pages or parent.poll() is not None, 120,
                       0.02)
    assert reached
    children = archive.crawl_pids()
    if how in ("parent", "tree"):
        parent.kill()
    if how in ("child", "tree"):
        for pid in children:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
    parent.wait(120)
    settle_and_check(archive, reference)


@pytest.mark.parametrize("pages", [2, 6, 12])
def test_a_killed_service_loses_nothing(site: DemoSite, reference: list[str], tmp_path: Path,
                                        pages: int) -> None:
    archive = Archive(tmp_path, site.base_url)
    service = Service(tmp_path, free_port())
    service.args = ("--port", str(service.port))
    service.env.update(archive.env)
    service.start()
    try:
        service.call("POST", "/runs", {"outlet": "demo_en"})
        assert wait_for(lambda: archive.fetched() >= pages or not any(
            r["status"] in ("queued", "running") for r in service.runs().values()), 120, 0.05)
        children = archive.crawl_pids()
        service.stop(signal.SIGKILL)
        for pid in children:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
    finally:
        if service.proc is not None and service.proc.poll() is None:
            service.stop(signal.SIGKILL)
    settle_and_check(archive, reference)
