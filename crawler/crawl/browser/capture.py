"""Render one page in a Chromium page, every request of it made by the crawl.

Every request of the page goes through one route handler (Playwright's ``page.route``), as
Browsertrix intercepts every request over CDP: a request to a host the outlet does not allow
is aborted before it leaves; an allowed one is handed to the crawl's downloader
(:mod:`.fetch`: robots.txt, politeness, credentials, the WARC capture) and its answer, once
archived, handed to the page (``route.fulfill``). So the page's limits (requests, bytes,
time) are checked before the page sees anything, and the WARC holds what the page was given.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from playwright.async_api import Browser, Page, Route
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Request as PlaywrightRequest
from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

from crawler.crawl.browser.fetch import BrowserRequest, Fetched
from crawler.crawl.browser.page import PageBudget, PageLimits, RenderedPage
from crawler.crawl.reasons import failure_reason

VIEWPORT = {"width": 1280, "height": 900}
#: Seconds between two looks at whether the run is being stopped, while a page loads.
CANCEL_CHECK = 0.25
_ADD_BASE = """url => {
  if (document.head && !document.querySelector("base[href]")) {
    const base = document.createElement("base");
    base.href = url;
    document.head.prepend(base);
  }
}"""
#: How a page's request is made: by the crawl's downloader (:class:`.fetch.ScrapyFetcher`).
Fetch = Callable[[BrowserRequest], Awaitable[Fetched]]


def _fulfil_headers(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Headers for ``route.fulfill``: one value a name (Playwright takes several
    ``Set-Cookie`` values joined by newlines)."""
    out: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        if key in out:
            out[key] += ("\n" if key == "set-cookie" else ", ") + value
        else:
            out[key] = value
    return out


class _PageCapture:
    """The route handler of one page and what it has seen."""

    def __init__(self, url: str, limits: PageLimits, fetch: Fetch) -> None:
        self.page = RenderedPage(url=url, final_url=url)
        self.limits = limits
        self.budget = PageBudget(limits)
        self.fetch = fetch
        self.deadline = time.monotonic() + limits.max_seconds

    async def handle(self, route: Route, request: PlaywrightRequest) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            await route.continue_()
            return
        if not self.limits.allows(url):
            self.page.blocked.append(url)
            await route.abort("blockedbyclient")
            return
        if not self.budget.admit():
            await route.abort("blockedbyclient")
            return
        document = request.is_navigation_request() and request.frame.parent_frame is None
        timeout = self.deadline - time.monotonic()
        try:
            ask = BrowserRequest(
                url=url, method=request.method, headers=await request.all_headers(),
                body=request.post_data_buffer or b"", page=self.page.url, document=document,
                timeout=timeout)
            got = await self.fetch(ask)
        except IgnoreRequest as exc:  # robots.txt, or the crawl's deadline
            self.page.refused.append((url, str(exc)))
            await _quietly(route.abort("blockedbyclient"))
            return
        except Exception as exc:  # a download error: said in words
            self.page.failed.append((url, failure_reason(
                Failure(exc), max_size=self.limits.max_bytes, timeout=timeout)))
            await _quietly(route.abort("failed"))
            return
        self.page.exchanges.append(got)
        if document:
            self.page.document = got
        if not self.budget.took(got.size):
            await _quietly(route.abort("blockedbyclient"))
            return
        body, got.body = got.body, b""  # archived; the page has it once fulfilled
        await _quietly(route.fulfill(status=got.status, headers=_fulfil_headers(got.headers),
                                     body=body))


async def _quietly(step: object) -> None:
    """A route step on a page already closed (the page was stopped) raises; that is fine."""
    try:
        await step  # type: ignore[misc]
    except PlaywrightError:
        pass


async def _load(page: Page, capture: _PageCapture, limits: PageLimits) -> None:
    """Load the page, wait until it settles (no request for half a second: the script that
    fills it in has had its answers), then take its DOM and a screenshot."""
    await page.goto(capture.page.url, wait_until="load")
    await page.wait_for_load_state("networkidle")
    if capture.budget.reason is None:
        capture.page.final_url = page.url
        if limits.screenshot:
            capture.page.screenshot = await page.screenshot(type="png")
        # The DOM is archived under urn:dom:<url>: a <base> keeps its relative links the
        # page's, so a replay (pywb) finds its stylesheets and images in the archive.
        await page.evaluate(_ADD_BASE, page.url)
        capture.page.dom = (await page.content()).encode("utf-8")


async def render_page(browser: Browser, url: str, limits: PageLimits, user_agent: str,
                      fetch: Fetch,
                      cancelled: Callable[[], bool] = lambda: False) -> RenderedPage:
    """Render ``url`` in a fresh browser context. A page that passes a limit, or whose run
    is stopped meanwhile (``cancelled()``, asked every quarter second), is stopped: the
    exchanges so far are kept, with the reason in ``stopped``."""
    started = time.monotonic()
    capture = _PageCapture(url, limits, fetch)
    context = await browser.new_context(
        user_agent=user_agent, viewport=VIEWPORT,  # type: ignore[arg-type]
        service_workers="block", accept_downloads=False)
    try:
        page = await context.new_page()
        await page.route("**/*", capture.handle)
        work = asyncio.ensure_future(asyncio.wait_for(_load(page, capture, limits),
                                                      limits.max_seconds))
        while not work.done():
            await asyncio.wait({work}, timeout=CANCEL_CHECK)
            if not work.done() and cancelled():
                work.cancel()
                capture.page.stopped = "the run was stopped while the page was loading"
        try:
            await work
        except asyncio.CancelledError:
            if capture.page.stopped is None:
                raise
        except TimeoutError:
            capture.page.stopped = (f"the page took more than {limits.max_seconds:g} s to "
                                    "load and settle (browser.max_time)")
        except PlaywrightError as exc:
            if capture.budget.reason is None:
                capture.page.stopped = ("the browser could not load the page: "
                                        + exc.message.splitlines()[0])
    finally:
        await _quietly(context.close())
    if capture.budget.reason is not None:
        capture.page.stopped = capture.budget.reason
    if capture.page.stopped is not None:
        capture.page.dom = capture.page.screenshot = None
    capture.page.seconds = time.monotonic() - started
    return capture.page
