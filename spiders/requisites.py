"""The outlet spider's part that asks for each page's requisites (its stylesheets, images,
fonts, scripts: :mod:`crawler.crawl.requisites` decides which) and counts them.

A mixin of :class:`spiders.outlet.OutletSpider`, which sets ``requisites`` (the crawl's
:class:`~crawler.crawl.requisites.RequisiteFetcher`), ``outlet`` and ``_url_length`` and
provides ``_stat``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.urllength import UrlLengthMiddleware
from twisted.python.failure import Failure

from crawler.crawl.failures import report_requisite_failure
from crawler.crawl.items import PageItem
from crawler.crawl.pagerefs import html_requisites
from crawler.crawl.requisites import gzipped_page_text

if TYPE_CHECKING:
    from crawler.crawl.requisites import RequisiteFetcher
    from crawler.outlets import OutletConfig


class PageRequisites:
    """Requisites of pages: asked for, counted, and parsed when they are stylesheets."""

    requisites: RequisiteFetcher
    outlet: OutletConfig
    crawler: Crawler
    _url_length: Any

    def _stat(self, key: str, n: int = 1, *, total: bool = False) -> None:
        raise NotImplementedError

    def _requisites_of(self, response: Response) -> list[Request]:
        requests = self.requisites.for_page(response, self.parse_requisite,
                                            self.on_requisite_error)
        return self._requisites_asked(requests)

    def on_requisites_found(self, url: str, urls: list[str] | None, item: PageItem) -> None:
        """An article's requisites, found by its extraction worker (None: it could not read
        the body, read here as before); scheduled as they would have been from its page.
        Only the spider middleware that acts on such a request without its response (the
        URL length limit) sees them: Scrapy's is used when it is there."""
        if urls is None:
            text = gzipped_page_text(item.content_type, item.body)
            urls = html_requisites(text, url) if text else []
        requests = self._requisites_asked(self.requisites.for_urls(
            url, urls, self.parse_requisite, self.on_requisite_error))
        if self._url_length is False:
            self._url_length = _url_length_filter(self.crawler)
        for request in requests:
            if self._url_length is None or self._url_length(request, None) is not None:
                self.crawler.engine.crawl(request)
            else:
                self.requisites.done(request.meta)

    def _requisites_asked(self, requests: list[Request]) -> list[Request]:
        self._stat("akhbar/requisites/requested", len(requests))
        # what the policy and the per-page caps left out
        self._stat("akhbar/requisites/over_caps", self.requisites.skipped, total=True)
        self._stat("akhbar/requisites/other_hosts", self.requisites.refused, total=True)
        return requests

    def parse_requisite(self, response: Response) -> Iterator[Request]:
        """A requisite is archived (by the WARC middleware) and never an article; a
        stylesheet's imports and url()s are asked for on its page's budget."""
        self._stat("akhbar/requisites/fetched")
        requests = self.requisites.for_stylesheet(response, self.parse_requisite,
                                                  self.on_requisite_error)
        self._stat("akhbar/requisites/requested", len(requests))
        self.requisites.done(response.meta)
        yield from requests

    def on_requisite_error(self, failure: Failure) -> None:
        report_requisite_failure(self.crawler, failure, self.outlet.limits.max_response_size,
                                 self.outlet.capture.max_page_bytes)
        request = getattr(failure, "request", None)
        if isinstance(request, Request):
            self.requisites.done(request.meta)
        self._stat("akhbar/requisites/over_caps", self.requisites.skipped, total=True)


def _url_length_filter(crawler: Crawler) -> Any:
    """Scrapy's ``UrlLengthMiddleware.get_processed_request`` of this crawl, if it is on."""
    scraper = getattr(crawler.engine, "scraper", None)
    for mw in getattr(getattr(scraper, "spidermw", None), "middlewares", ()):
        if isinstance(mw, UrlLengthMiddleware):
            return mw.get_processed_request
    return None
