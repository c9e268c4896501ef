"""The outlet spider's side of ``render: browser``: the settings and the middleware a
browser-rendered outlet's crawl gets, its article requests marked for the browser, and pages
the browser stopped at a limit reported in words.

No Playwright here: the spider of every outlet imports this module, and only a crawl of a
browser-rendered outlet loads the render middleware (:mod:`.middleware`), which does.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from crawler.crawl.browser.page import (
    RENDER,
    RENDER_MIDDLEWARE,
    RENDER_MIDDLEWARE_ORDER,
    RENDERED,
    RenderedPage,
)
from crawler.outlets import OutletConfig

logger = logging.getLogger(__name__)


def render_settings(outlet: OutletConfig) -> dict[str, Any]:
    """The Scrapy settings of a browser-rendered outlet (none for ``render: http``)."""
    if outlet.render != "browser":
        return {}
    return {
        "AKHBAR_RENDER": "browser",
        "AKHBAR_BROWSER": outlet.browser_settings,
        "AKHBAR_OUTLET_HOSTS": outlet.allowed_domains,
    }


def enable_rendering(crawler: Crawler, outlet: OutletConfig) -> None:
    """Add the render middleware to the crawl of a browser-rendered outlet; other crawls
    never import Playwright. The settings are still mutable here (the crawler freezes them
    after creating the spider)."""
    if outlet.render != "browser":
        return
    middlewares = dict(crawler.settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares[RENDER_MIDDLEWARE] = RENDER_MIDDLEWARE_ORDER
    crawler.settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="spider")


def mark_for_rendering(request: Request) -> None:
    request.meta[RENDER] = "browser"


def rendered_page(response: Response) -> RenderedPage | None:
    """What the browser made of the page, if it rendered it."""
    page = response.meta.get(RENDERED)
    return page if isinstance(page, RenderedPage) else None


def report_stopped(crawler: Crawler, url: str, page: RenderedPage) -> None:
    """A page the browser stopped at one of its limits: archived as far as it got,
    neither extracted nor counted as an article."""
    stats = crawler.stats
    if stats is not None:
        stats.inc_value("akhbar/requests_failed")
        stats.inc_value("akhbar/articles/failed")
    logger.warning(
        "stopped rendering %s: %s (its %d exchanges are archived)",
        url, page.stopped, len(page.exchanges),
        extra={"event": "render_stopped", "url": url, "reason": page.stopped,
               "spider": crawler.spider},
    )
