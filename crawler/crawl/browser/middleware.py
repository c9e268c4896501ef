"""The downloader middleware that renders an outlet's article pages in Chromium
(``render: browser``).

A request the spider marks ``akhbar_render: browser`` never reaches Scrapy's downloader: the
page is loaded in the run's browser (:class:`.session.BrowserSession`) and Scrapy gets back a
response whose body is the rendered DOM, for the spider and extraction, with the
:class:`.page.RenderedPage` in ``request.meta[RENDERED]``. The WARC capture middleware writes
that page's DOM and screenshot (:mod:`crawler.crawl.warccapture`); each request the page
made went through the crawl's downloader (:mod:`.fetch`) and was archived as it came.
robots.txt and the crawl's time limit apply first (their middlewares come before this one).

Not enabled (``NotConfigured``) for outlets with ``render: http``: their crawls never import
Playwright.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request, Response

from crawler.crawl.browser.chromium import BrowserUnavailable
from crawler.crawl.browser.fetch import ScrapyFetcher
from crawler.crawl.browser.page import RENDER, RENDERED, PageLimits, RenderedPage
from crawler.crawl.browser.session import BrowserSession
from crawler.outlets.browser import BrowserSettings

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RenderFailed(IgnoreRequest):
    """The page could not be rendered at all (no browser, or no document came); the message
    says why in words."""


class BrowserRenderMiddleware:
    def __init__(self, crawler: Crawler, session: BrowserSession, limits: PageLimits) -> None:
        self.crawler = crawler
        self.session = session
        self.limits = limits
        self.fetcher = ScrapyFetcher(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if settings.get("AKHBAR_RENDER") != "browser":
            raise NotConfigured("the outlet's pages are fetched as they are (render: http)")
        browser = settings.get("AKHBAR_BROWSER")
        if not isinstance(browser, BrowserSettings):
            browser = BrowserSettings()
        limits = PageLimits.of(browser, settings.getlist("AKHBAR_OUTLET_HOSTS"))
        extra = tuple(settings.getlist("AKHBAR_BROWSER_ARGS"))
        session = BrowserSession(
            run_id=settings.get("AKHBAR_RUN_ID") or "norun",
            user_agent=settings.get("USER_AGENT") or "",
            concurrency=settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2),
            executable=settings.get("AKHBAR_BROWSER_EXECUTABLE") or "",
            extra_args=extra,
        )
        mw = cls(crawler, session, limits)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    async def process_request(self, request: Request, spider: Any = None) -> Response | None:
        if request.meta.get(RENDER) != "browser":
            return None
        try:
            page = await self.session.render(request.url, self.limits, self.fetcher.fetch,
                                             self._stopping)
        except BrowserUnavailable as exc:
            raise RenderFailed(str(exc)) from exc
        request.meta[RENDERED] = page
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("akhbar/browser/pages")
            stats.inc_value("akhbar/browser/requests", len(page.exchanges))
            stats.inc_value("akhbar/browser/blocked", len(page.blocked))
            stats.inc_value("akhbar/browser/refused", len(page.refused))
            stats.inc_value("akhbar/browser/bytes", page.bytes_fetched)
            if page.stopped:
                stats.inc_value("akhbar/browser/stopped")
        self._report(request.url, page)
        doc = page.document
        if doc is None:
            if page.exchanges:
                # Its exchanges still go to the WARC: hand them on in an empty response.
                return HtmlResponse(url=request.url, status=200, body=b"", request=request,
                                    flags=["browser"])
            raise RenderFailed(page.stopped or "the browser got no document for the page")
        # The DOM is text Chromium serialised, in UTF-8 whatever the page was sent in.
        headers = [(k, v) for k, v in doc.headers if k.lower() != "content-type"]
        headers.append(("Content-Type", "text/html; charset=utf-8"))
        return HtmlResponse(url=page.final_url, status=doc.status, headers=headers,
                            body=page.dom or b"", request=request, encoding="utf-8",
                            flags=["browser"])

    def _report(self, url: str, page: RenderedPage) -> None:
        """What the page asked for and did not get, in words, in the run's log (``spider``
        names the run: the route handler runs outside its context)."""
        if page.blocked:
            logger.info("not fetched for %s (hosts the outlet does not allow): %s",
                        url, ", ".join(page.blocked[:5]),
                        extra={"event": "browser_blocked", "url": url,
                               "blocked": page.blocked, "spider": self.crawler.spider})
        for event, words, found in (("browser_refused", "not fetched", page.refused),
                                    ("browser_request_failed", "failed", page.failed)):
            for asked, reason in found:
                logger.info("%s for %s: %s (%s)", words, url, asked, reason,
                            extra={"event": event, "url": asked, "page": url,
                                   "reason": reason, "spider": self.crawler.spider})

    def _stopping(self) -> bool:
        """Is the run being stopped (cancelled, Ctrl-C, SIGTERM)? ``Crawler.stop`` clears
        ``crawling`` first; a page in the browser is then stopped at once instead of being
        waited for."""
        return not self.crawler.crawling

    async def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        await self.session.close()
