"""Replay inside akhbar (pywb at /replay/{timestamp}/{url}) in a real browser: Debian's
chromium driven by Playwright, against the crawled demo archive of tests/web/conftest.py
(crawled twice; edition 2 changes some articles, whose unchanged images the recrawl keeps
as revisits). The stylesheet (and what it imports) applies, the images come from the archive,
no script of the archived page runs, and the browser asks nothing of any other host."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, Response

from crawler import service
from crawler.auth import Role
from crawler.demosite.model import ExpectedArticle
from crawler.urls import canonicalize
from tests.auth.support import add_user
from tests.web.conftest import CHROMIUM, WebArchive
from tests.web.test_web_browser import log_in

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

#: Colours set by the demo's stylesheets (crawler/demosite/assets.py): theme.css, which
#: site.css @imports, colours the headline; site.css itself the page.
HEADLINE = "rgb(139, 26, 26)"
PAGE = "rgb(250, 248, 240)"


def image_url(web_archive: WebArchive, art: ExpectedArticle, suffix: str = "") -> str:
    slug = art.path.rstrip("/").rsplit("/", 1)[-1]
    return canonicalize(f"{web_archive.base_url}/{art.outlet}/images/{slug}{suffix}.png")


def content_frame(page: Page) -> Frame:
    frame = page.frame_locator("#replay_iframe")
    frame.locator("h1.headline").wait_for()
    found = next((f for f in page.frames if "mp_/" in f.url), None)
    assert found is not None, [f.url for f in page.frames]
    return found


def open_replay(page: Page, server: str, web_archive: WebArchive, url: str, stamp: str,
                ) -> tuple[Frame, list[str], list[Response]]:
    name, token = add_user(web_archive.ctx, Role.RESEARCHER)
    log_in(page, server, name, token)
    asked: list[str] = []
    answers: list[Response] = []
    page.on("request", lambda r: asked.append(r.url))
    page.on("requestfailed", lambda r: asked.append(r.url))
    page.on("response", lambda r: answers.append(r))
    page.goto(f"{server}/replay/{stamp}/{url}")
    frame = content_frame(page)
    page.wait_for_load_state("networkidle")
    return frame, asked, answers


def test_a_replayed_article_is_styled_with_archived_images_and_nothing_live(
        page: Page, server: str, web_archive: WebArchive) -> None:
    art = web_archive.revised("demo_fa")  # changed by the recrawl: a second full capture
    url = web_archive.url(art)
    latest = service.find_captures(web_archive.ctx, service.CaptureQuery(url))[-1]
    assert not latest.is_revisit
    lead = image_url(web_archive, art)
    image_captures = service.find_captures(web_archive.ctx, service.CaptureQuery(lead))
    assert [c.is_revisit for c in image_captures] == [False, True], (
        "the recrawl keeps the unchanged image as a revisit")

    frame, asked, answers = open_replay(page, server, web_archive, url, latest.timestamp)

    assert frame.locator("h1.headline").evaluate("e => getComputedStyle(e).color") == HEADLINE
    assert frame.locator("body").evaluate(
        "e => getComputedStyle(e).backgroundColor") == PAGE
    lead_img = frame.locator("figure.lead-image img")
    assert lead_img.evaluate("i => i.complete && i.naturalWidth") == 24, "the image loaded"
    shown = lead_img.evaluate("i => i.currentSrc")
    assert shown.startswith(f"{server}/replay/") and shown.endswith(f"/{lead}")
    image = next(r for r in answers if r.url == shown)
    assert image.status == 200 and image.headers["content-type"] == "image/png"
    # the image capture closest to the article's replays (the recrawl's revisit, resolved to
    # its original, unless both crawls fell within the same few seconds and tie)
    article_at = _at(latest.timestamp)
    gaps = [abs(_at(c.timestamp) - article_at) for c in image_captures]
    closest = {f"{_at(c.timestamp):%a, %d %b %Y %H:%M:%S} GMT"
               for c, gap in zip(image_captures, gaps, strict=True) if gap == min(gaps)}
    assert image.headers["memento-datetime"] in closest

    outside = [u for u in asked if not u.startswith((server + "/", "data:"))]
    assert not outside, f"the browser asked the live web for {outside}"
    assert any("ads.example.invalid" in u for u in asked), (
        "the page's link to an ad host was rewritten into the archive")
    csp = next(r for r in answers if "mp_/" in r.url).headers["content-security-policy"]
    assert "sandbox" in csp and "allow-scripts" not in csp


def test_an_article_that_answered_304_replays_at_its_own_date_with_its_images(
        page: Page, server: str, web_archive: WebArchive) -> None:
    """The recrawl's capture of an unchanged article is the 304 it got (a server-not-modified
    revisit), and no requisite was asked for it: its replay is the original page, at the
    revisit's date, with the first crawl's images and stylesheets."""
    art = web_archive.unchanged("demo_fa")
    url = web_archive.url(art)
    first, revisit = service.find_captures(web_archive.ctx, service.CaptureQuery(url))
    assert revisit.status == 304 and revisit.is_revisit and not first.is_revisit
    lead = image_url(web_archive, art)
    assert len(service.find_captures(web_archive.ctx, service.CaptureQuery(lead))) == 1

    frame, asked, answers = open_replay(page, server, web_archive, url, revisit.timestamp)

    archived = next(r for r in answers if "mp_/" in r.url and r.url.endswith(url))
    assert archived.status == 200
    assert archived.headers["memento-datetime"] == \
        f"{_at(revisit.timestamp):%a, %d %b %Y %H:%M:%S} GMT"
    assert art.title in frame.locator("h1.headline").inner_text()
    assert frame.locator("h1.headline").evaluate("e => getComputedStyle(e).color") == HEADLINE
    lead_img = frame.locator("figure.lead-image img")
    assert lead_img.evaluate("i => i.complete && i.naturalWidth") == 24, "the image loaded"
    assert lead_img.evaluate("i => i.currentSrc").endswith(f"/{lead}")
    outside = [u for u in asked if not u.startswith((server + "/", "data:"))]
    assert not outside, f"the browser asked the live web for {outside}"


def _at(timestamp: str) -> datetime:
    return datetime.strptime(timestamp, "%Y%m%d%H%M%S")


def test_the_capture_page_shows_the_replay_with_its_banner(
        page: Page, server: str, web_archive: WebArchive, tmp_path: Path) -> None:
    art = web_archive.unchanged("demo_fa")
    url = web_archive.url(art)
    name, token = add_user(web_archive.ctx, Role.RESEARCHER)
    log_in(page, server, name, token)
    page.goto(f"{server}/ui/capture?url={url}")
    outer = page.frame_locator("iframe.archived")
    inner = outer.frame_locator("#replay_iframe")
    assert inner.locator("h1.headline").evaluate(
        "e => getComputedStyle(e).color") == HEADLINE
    # pywb's banner: the capture's date, previous and next captures, the calendar
    banner = outer.locator(".app")
    banner.wait_for()
    shots = Path(os.environ.get("AKHBAR_SCREENSHOTS") or tmp_path)
    first = service.find_captures(web_archive.ctx, service.CaptureQuery(url))[0]
    page.goto(f"{server}/replay/{first.timestamp}/{url}")
    content_frame(page)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shots / "replay-fa.png"))  # docs/screenshots/replay-fa.png

