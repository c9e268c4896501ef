"""One crawled archive for the web page tests: the demo's Persian and Arabic outlets crawled
twice (edition 2 changes some articles, so there are versions to compare), an outlet file
with a mistake in it, and a service over it whose dispatcher is not started."""

from __future__ import annotations

import random
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from crawler import service
from crawler.api import create_app
from crawler.catalog import Article, ArticleVersion
from crawler.context import AkhbarContext, open_context
from crawler.demosite import DemoSite, expected_articles
from crawler.demosite.model import ExpectedArticle
from crawler.scheduler.service import SchedulerService
from crawler.urls import canonicalize
from tests.auth.support import client_as
from tests.scheduler.helpers import manual_scheduler
from tests.support import write_demo_config

OUTLETS = ["demo_fa", "demo_ar"]
#: Crawled once, for its pages in windows-1256 that name their charset only in <meta>.
LEGACY = "demo_ar1256"
#: A title as a hostile or careless page could carry it; pages must show it as text.
HOSTILE_TITLE = '<script>alert("akhbar")</script> <b>عنوان</b> & "quotes"'
BROKEN_FILE = "broken_news.yaml"


@dataclass
class WebArchive:
    ctx: AkhbarContext
    scheduler: SchedulerService
    base_url: str

    def url(self, article: ExpectedArticle) -> str:
        return canonicalize(self.base_url + article.path)

    def revised(self, outlet: str) -> ExpectedArticle:
        """An article whose text changed in edition 2 (two versions)."""
        return next(a for a in expected_articles(2)
                    if a.outlet == outlet and a.since == 1 and a.revised == 2)

    def unchanged(self, outlet: str) -> ExpectedArticle:
        return next(a for a in expected_articles(2)
                    if a.outlet == outlet and a.since == 1 and a.revised == 1)

    def hostile(self) -> ExpectedArticle:
        """The article whose stored title was replaced by HOSTILE_TITLE."""
        return [a for a in expected_articles(2)
                if a.outlet == "demo_ar" and a.since == 1 and a.revised == 1][-1]


@pytest.fixture(scope="session")
def web_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebArchive]:
    root: Path = tmp_path_factory.mktemp("web")
    with DemoSite(port=0) as site:
        write_demo_config(root / "config", site.base_url, [*OUTLETS, LEGACY])
        ctx = open_context(root / "config", root / "data", env={})
        targets, _ = service.pick_outlets(ctx, [*OUTLETS, LEGACY])
        assert service.crawl(ctx, targets, max_parallel=3).ok
        site.set_edition(2)
        assert service.crawl(ctx, targets[:2], max_parallel=2).ok
        base = site.base_url
    (root / "config" / "outlets" / BROKEN_FILE).write_text(
        "id: broken_news\nname: Broken News\nhomepage: https://broken.example/\n"
        "languages: [fa]\nschedule: '0 */6 * * *'\n"
        "discovery: {feeds: [https://broken.example/feed/]}\n"
        "politeness: {delay: -3}\n", encoding="utf-8")
    archive = WebArchive(ctx, SchedulerService(ctx, scheduler=manual_scheduler(ctx)), base)
    with ctx.catalog.session() as session:
        version = session.scalars(
            select(ArticleVersion).join(Article)
            .where(Article.url == archive.url(archive.hostile()))).one()
        version.title = HOSTILE_TITLE
    archive.scheduler.start(dispatch=False)
    try:
        yield archive
    finally:
        archive.scheduler.stop()
        ctx.close()


@pytest.fixture(scope="session")
def client(web_archive: WebArchive) -> Iterator[TestClient]:
    with client_as(create_app(web_archive.scheduler), web_archive.ctx) as test_client:
        yield test_client


#: The ports tests may serve on (127.0.0.1 only).
PORTS = range(18400, 18500)


def bound_socket() -> socket.socket:
    """A socket of 127.0.0.1 bound to a free port of PORTS (held, so no one takes it)."""
    start = random.randrange(len(PORTS))
    for i in range(len(PORTS)):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", PORTS[(start + i) % len(PORTS)]))
        except OSError:
            sock.close()
            continue
        return sock
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1} on 127.0.0.1")


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """uvicorn serving ``app`` on 127.0.0.1 in a thread: its base URL."""
    sock = bound_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


@pytest.fixture(scope="session")
def server(web_archive: WebArchive) -> Iterator[str]:
    """The service's app on a real uvicorn (its base URL)."""
    with serving(create_app(web_archive.scheduler)) as base:
        yield base


#: Debian's chromium (never a downloaded one), for the browser tests.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: What a browser may take to show a page of the service, however busy the machine is.
PAGE_TIMEOUT_MS = 30_000


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's chromium under Playwright. While it is open, Playwright's sync API keeps an
    event loop running in this thread: asyncio.run() fails here until it closes."""
    assert CHROMIUM is not None
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM,
                                      args=["--no-sandbox", "--disable-gpu"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()
