"""An outlet with ``render: browser``, end to end: the demo outlet whose articles JavaScript
builds from a JSON endpoint (demo_js) is crawled by a real crawl process driving Debian's
chromium against the demo site on 127.0.0.1 (SQLite; the limit test on PostgreSQL). Its articles are
archived, extracted and tagged; the WARC holds every exchange the browser made, the rendered
DOM and a screenshot; the tracker on another host is never fetched; a page over its request
limit is stopped with the reason in words."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import lxml.html
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from crawler import service
from crawler.api import create_app
from crawler.auth import Role
from crawler.catalog import Capture
from crawler.context import AkhbarContext, open_context
from crawler.demosite import DemoSite, js_outlet_yaml, load_js_outlet
from crawler.scheduler.service import SchedulerService
from tests.auth.support import add_user, client_as
from tests.scheduler.helpers import free_port, manual_scheduler
from tests.web.conftest import chromium, serving
from tests.web.conftest import page as chromium_page  # noqa: F401 (a fixture)
from tests.web.test_web_browser import log_in

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed: tests/ensure-services.sh installs it "
    "(apt-get install chromium)")

OUTLET = load_js_outlet()
PERSIAN = next(a for a in OUTLET.articles if a.lang == "fa")


@dataclass
class Record:
    type: str
    uri: str
    id: str
    concurrent_to: str | None
    content_type: str | None
    status: str | None
    body: bytes


@dataclass
class Crawled:
    ctx: AkhbarContext
    report: service.CrawlReport
    requests: list[tuple[str, str, dict[str, str]]]
    base_url: str

    def records(self) -> list[Record]:
        out = []
        for path in sorted(self.ctx.warcs_dir.rglob("*.warc.gz")):
            with path.open("rb") as fh:
                for rec in ArchiveIterator(fh):
                    h = rec.rec_headers
                    out.append(Record(
                        rec.rec_type, h.get_header("WARC-Target-URI") or "",
                        h.get_header("WARC-Record-ID"), h.get_header("WARC-Concurrent-To"),
                        h.get_header("Content-Type"),
                        rec.http_headers.get_statuscode() if rec.http_headers else None,
                        rec.content_stream().read()))
        return out

    def log(self) -> list[dict[str, object]]:
        run_id = self.report.outcomes[0].run_id
        lines = (self.ctx.data_dir / "runs" / f"{run_id}.log").read_text(encoding="utf-8")
        return [json.loads(line) for line in lines.splitlines() if line.strip()]


def crawl_js(root: Path, db_url: str, limits: str = "", port: int = 0) -> Crawled:
    """Crawl demo_js; ``limits`` (e.g. ``"max_requests: 2"``) replace its browser section's.
    Again with the same ``root`` and ``port``: a recrawl."""
    with DemoSite(port=port) as site:
        (root / "config" / "outlets").mkdir(parents=True, exist_ok=True)
        text = js_outlet_yaml(site.base_url)
        if limits:
            text = text.replace("max_requests: 50", limits)
        (root / "config" / "outlets" / "demo_js.yaml").write_text(text, encoding="utf-8")
        ctx = open_context(root / "config", root / "data", database_url=db_url, env={})
        targets, errors = service.pick_outlets(ctx, ["demo_js"])
        assert not errors, errors
        report = service.crawl(ctx, targets, trigger="test")
        return Crawled(ctx, report, list(site.requests), site.base_url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """This module's own chromium, closed with the module: the web tests' lives for the whole
    session, and its running event loop broke asyncio.run() in the tests after this module
    (tests/crawl/test_workers.py)."""
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    root = tmp_path_factory.mktemp("js-sqlite")
    return crawl_js(root, f"sqlite:///{root / 'catalog.sqlite'}", port=free_port())


def test_a_plain_fetch_sees_no_article_text() -> None:
    with DemoSite(port=0) as site:
        shell = httpx.get(site.base_url + PERSIAN.path).text
        api = httpx.get(f"{site.base_url}/demo_js/api/articles/{PERSIAN.slug}.json").json()
    assert PERSIAN.paragraphs[0] not in shell and PERSIAN.title not in shell
    assert api["paragraphs"] == list(PERSIAN.paragraphs)


def test_js_articles_are_archived_extracted_and_tagged(crawled: Crawled) -> None:
    outcome = crawled.report.outcomes[0]
    assert outcome.status == "succeeded", outcome
    articles = {urlsplit(r["url"]).path: r
                for r in service.iter_articles(crawled.ctx, service.ArticleQuery())}
    assert set(articles) == {a.path for a in OUTLET.articles}
    for article in OUTLET.articles:
        got = articles[article.path]
        assert got["language"] == article.lang, got
        assert got["title"] == article.title
        for paragraph in article.paragraphs:
            assert paragraph in got["text"]
    persian = articles[PERSIAN.path]
    assert "کم‌سابقه" in persian["title"], "the zero-width non-joiner is kept"


def test_the_warc_holds_the_browsers_exchanges_dom_and_screenshot(crawled: Crawled) -> None:
    records = crawled.records()
    page = crawled.base_url + PERSIAN.path
    responses = {r.uri: r for r in records if r.type == "response"}
    requests = {r.uri for r in records if r.type == "request"}
    api = f"{crawled.base_url}/demo_js/api/articles/{PERSIAN.slug}.json"
    for url in (page, api, f"{crawled.base_url}/demo_js/static/app.js",
                f"{crawled.base_url}/demo_js/static/site.css"):
        assert url in responses and url in requests, url
        assert responses[url].status == "200"
    assert json.loads(responses[api].body)["title"] == PERSIAN.title
    assert PERSIAN.paragraphs[0] not in responses[page].body.decode("utf-8")
    dom = next(r for r in records if r.type == "resource" and r.uri == "urn:dom:" + page)
    assert dom.content_type == "text/html; charset=utf-8"
    assert PERSIAN.paragraphs[0] in dom.body.decode("utf-8")
    shot = next(r for r in records if r.type == "resource" and r.uri == "urn:view:" + page)
    assert shot.content_type == "image/png" and shot.body.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(shot.body) > 10_000, "a blank page compresses to almost nothing"
    assert dom.concurrent_to == shot.concurrent_to == responses[page].id


def test_the_catalog_points_at_the_pages_response(crawled: Crawled) -> None:
    got = next(r for r in service.iter_articles(crawled.ctx, service.ArticleQuery())
               if r["url"].endswith(PERSIAN.path))
    assert got["fetched_url"] == crawled.base_url + PERSIAN.path
    assert got["warc_file"] and got["warc_length"] > 0


def test_the_tracker_on_another_host_is_never_fetched(crawled: Crawled) -> None:
    paths = [path for _, path, _ in crawled.requests]
    assert "/tracker.js" not in paths
    assert any(p.startswith("/demo_js/api/") for p in paths)
    blocked = [e for e in crawled.log() if e.get("event") == "browser_blocked"]
    assert len(blocked) == len(OUTLET.articles)
    assert all("http://localhost:" in str(e["blocked"]) for e in blocked)
    uris = {r.uri for r in crawled.records() if r.type in ("request", "response")}
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in uris), uris


def test_a_recrawl_keeps_unchanged_pages_as_revisits_and_verify_is_clean(
        crawled: Crawled) -> None:
    first = set(crawled.ctx.warcs_dir.rglob("*.warc.gz"))
    port = urlsplit(crawled.base_url).port
    again = crawl_js(crawled.ctx.config_dir.parent, crawled.ctx.database_url, port=port)
    outcome = again.report.outcomes[0]
    assert outcome.status == "succeeded", outcome
    # The text (from the DOM) is what is compared: the same text, no new version.
    assert outcome.stats.get("akhbar/articles/unchanged") == len(OUTLET.articles), outcome.stats
    assert not outcome.stats.get("akhbar/articles/new")
    assert not outcome.stats.get("akhbar/articles/changed")
    # What the browser fetched again, unchanged, is a revisit: the page, its script, its
    # stylesheet, its article's JSON; the rendered DOM and the screenshot too when the same.
    records = [r for r in again.records() if r.type in ("response", "revisit", "resource")
               and not any(r.id in {x.id for x in _records_of(path)} for path in first)]
    by_uri = {r.uri: r.type for r in records}
    page = crawled.base_url + PERSIAN.path
    for url in (page, f"{crawled.base_url}/demo_js/static/app.js",
                f"{crawled.base_url}/demo_js/static/site.css",
                f"{crawled.base_url}/demo_js/api/articles/{PERSIAN.slug}.json",
                "urn:dom:" + page):
        assert by_uri.get(url) == "revisit", (url, by_uri.get(url))
    # The catalog knows the DOM and the screenshot (of both crawls), and matches the WARCs.
    with again.ctx.catalog.session() as session:
        rows = sorted(tuple(row) for row in session.execute(
            select(Capture.record_type, Capture.content_type)
            .where(Capture.url == "urn:dom:" + page)))
    assert rows == [("resource", "text/html; charset=utf-8"),
                    ("revisit", "text/html; charset=utf-8")], rows
    report = service.verify(again.ctx)
    assert report.ok, [str(p) for p in report.problems]
    # ...and the catalog the WARCs rebuild is the same, revisits of DOMs included.
    rebuilt = service.reindex(again.ctx, replace=True)
    assert not rebuilt.problems and rebuilt.articles == len(OUTLET.articles), rebuilt
    report = service.verify(again.ctx)
    assert report.ok, [str(p) for p in report.problems]


def test_the_archived_page_view_replays_the_rendered_page(crawled: Crawled) -> None:
    """After the recrawl above: the page's latest capture and its DOM are revisits. The
    view replays the DOM (pywb) with its stylesheet from the archive; the DOM alone and the
    screenshot are linked."""
    page = crawled.base_url + PERSIAN.path
    sched = SchedulerService(crawled.ctx, scheduler=manual_scheduler(crawled.ctx))
    sched.start(dispatch=False)
    try:
        with client_as(create_app(sched), crawled.ctx) as client:
            view = client.get("/ui/capture", params={"url": page})
            assert view.status_code == 200, view.text
            doc = lxml.html.fromstring(view.text)
            frame = doc.xpath("//iframe[@class='archived']/@src")[0]
            stamp = frame.split("/")[2]
            assert frame == f"/replay/{stamp}/urn:dom:{page}", frame
            replayed = client.get(f"/replay/{stamp}mp_/urn:dom:{page}")
            css = lxml.html.fromstring(replayed.text).xpath("//link[@rel='stylesheet']/@href")
            style = client.get(css[0])
            links = {a.text: a.get("href") for a in doc.xpath("//section//a")}
            dom = client.get(links["rendered HTML alone"])
            shot = client.get(links["screenshot"])
    finally:
        sched.stop()
    assert replayed.status_code == 200 and PERSIAN.paragraphs[0] in replayed.text
    assert css[0].endswith(f"/{crawled.base_url}/demo_js/static/site.css"), css
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    assert dom.status_code == 200 and PERSIAN.paragraphs[0] in dom.text
    assert "default-src 'none'" in dom.headers["content-security-policy"]  # no script runs
    assert shot.status_code == 200 and shot.headers["content-type"] == "image/png"
    assert shot.content.startswith(b"\x89PNG")


def test_the_rendered_article_replays_in_chromium_from_the_archive_alone(
        crawled: Crawled, chromium_page: Page) -> None:  # noqa: F811 (the fixture)
    """The archived-page view in Debian's chromium: its frame replays the rendered page
    (/replay/.../urn:dom:...) with the article's text, and the browser asks nothing of any
    host but akhbar (no script of the archived page runs: docs/replay.md)."""
    url = crawled.base_url + PERSIAN.path
    page = chromium_page
    sched = SchedulerService(crawled.ctx, scheduler=manual_scheduler(crawled.ctx))
    sched.start(dispatch=False)
    try:
        with serving(create_app(sched)) as server:
            name, token = add_user(crawled.ctx, Role.RESEARCHER)
            log_in(page, server, name, token)
            asked: list[str] = []
            page.on("request", lambda r: asked.append(r.url))
            page.goto(f"{server}/ui/capture?url={url}")
            src = page.locator("iframe.archived").get_attribute("src") or ""
            assert src.startswith("/replay/") and src.endswith(f"/urn:dom:{url}"), src
            inner = page.frame_locator("iframe.archived").frame_locator("#replay_iframe")
            expect(inner.locator("body")).to_contain_text(PERSIAN.paragraphs[0])
            expect(inner.locator("body")).to_contain_text(PERSIAN.title)
            page.wait_for_load_state("networkidle")
    finally:
        sched.stop()
    outside = [u for u in asked if not u.startswith((server + "/", "data:"))]
    assert not outside, f"the browser asked the live web for {outside}"
    assert any("/demo_js/static/site.css" in u for u in asked), "its stylesheet, archived"


def _records_of(path: Path) -> list[Record]:
    with path.open("rb") as fh:
        return [Record(rec.rec_type, "", rec.rec_headers.get_header("WARC-Record-ID"), None,
                       None, None, b"") for rec in ArchiveIterator(fh)]


@pytest.mark.postgres
def test_a_page_over_its_request_limit_is_stopped_with_a_reason(tmp_path: Path,
                                                                 pg_url: str) -> None:
    crawled = crawl_js(tmp_path, pg_url, limits="max_requests: 2")
    stopped = [e for e in crawled.log() if e.get("event") == "render_stopped"]
    assert len(stopped) == len(OUTLET.articles)
    for event in stopped:
        assert event["reason"] == ("the page asked for more than 2 requests "
                                   "(browser.max_requests)"), event
        assert "stopped rendering" in str(event["msg"])
    assert not list(service.iter_articles(crawled.ctx, service.ArticleQuery()))
    outcome = crawled.report.outcomes[0]
    assert outcome.status == "failed", outcome  # every article failed: not a success
    # What the pages did fetch is archived; no DOM or screenshot of a stopped page.
    records = crawled.records()
    pages = {crawled.base_url + a.path for a in OUTLET.articles}
    assert pages <= {r.uri for r in records if r.type == "response"}
    assert not [r for r in records if r.type == "resource"]
