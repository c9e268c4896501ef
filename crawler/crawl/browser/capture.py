"""Render one page in a Chromium page and capture every exchange it makes.

Every request of the page goes through one route handler (Playwright's ``page.route``), as
Browsertrix intercepts every request over CDP: a request to a host the outlet does not allow
is aborted before it leaves; an allowed one is fetched by Playwright (``route.fetch``), its
bytes kept as an :class:`archive.HttpExchange`, and only then handed to the page
(``route.fulfill``). So the page's limits (requests, bytes, time) are checked before the page
sees anything, and the WARC holds exactly what the page was given.

Bodies reach us decoded (Playwright's fetch undoes gzip and br), so a ``Content-Encoding`` of
the response is kept as ``X-Archive-Orig-Content-Encoding`` (and ``Content-Length`` likewise),
as pywb and warcprox name headers that no longer describe the stored body.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from playwright.async_api import Browser, Page, Route
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Request as PlaywrightRequest

from archive import HttpExchange
from crawler.crawl.browser.page import PageBudget, PageLimits, RenderedPage

logger = logging.getLogger(__name__)

VIEWPORT = {"width": 1280, "height": 900}
#: Seconds between two looks at whether the run is being stopped, while a page loads.
CANCEL_CHECK = 0.25
_STALE_HEADERS = ("content-encoding", "content-length")


def _response_headers(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers as received, less those that describe an encoding the body no longer has."""
    decoded = any(name.lower() == "content-encoding" and value.strip().lower() != "identity"
                  for name, value in pairs)
    if not decoded:
        return pairs
    return [(f"X-Archive-Orig-{name}" if name.lower() in _STALE_HEADERS else name, value)
            for name, value in pairs]


class _PageCapture:
    """The route handler of one page and what it has seen."""

    def __init__(self, url: str, limits: PageLimits, user_agent: str) -> None:
        self.page = RenderedPage(url=url, final_url=url)
        self.limits = limits
        self.budget = PageBudget(limits)
        self.user_agent = user_agent
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
        fetched_at = datetime.now(UTC)
        remaining_ms = max(1.0, (self.deadline - time.monotonic()) * 1000)
        try:
            headers = await request.all_headers()
            response = await route.fetch(max_redirects=0, timeout=remaining_ms)
            body = await response.body()
        except PlaywrightError as exc:
            logger.info("browser request failed: %s (%s)", url, exc.message.splitlines()[0])
            await _quietly(route.abort("failed"))
            return
        exchange = HttpExchange(
            url=url,
            method=request.method,
            request_headers=[(k, v) for k, v in headers.items() if not k.startswith(":")],
            request_body=request.post_data_buffer or b"",
            status=response.status,
            reason=response.status_text,
            protocol="HTTP/1.1",
            response_headers=_response_headers(
                [(h["name"], h["value"]) for h in response.headers_array]),
            body=body,
            fetched_at=fetched_at,
        )
        self.page.exchanges.append(exchange)
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self.page.document = exchange
        if not self.budget.took(len(body)):
            await route.abort("blockedbyclient")
            return
        await _quietly(route.fulfill(response=response, body=body))


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
        capture.page.dom = (await page.content()).encode("utf-8")
        if limits.screenshot:
            capture.page.screenshot = await page.screenshot(type="png")


async def render_page(browser: Browser, url: str, limits: PageLimits, user_agent: str,
                      cancelled: Callable[[], bool] = lambda: False) -> RenderedPage:
    """Render ``url`` in a fresh browser context. A page that passes a limit, or whose run
    is stopped meanwhile (``cancelled()``, asked every quarter second), is stopped: the
    exchanges so far are kept, with the reason in ``stopped``."""
    started = time.monotonic()
    capture = _PageCapture(url, limits, user_agent)
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
