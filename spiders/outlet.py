"""The one config-driven spider: `scrapy crawl outlet -a outlet=<id>`.

Discovery starts from the outlet's feeds, sitemaps and listing pages. Links that match the
outlet's article rules are fetched as articles; other same-site links are followed as listing
pages up to `limits.max_depth` hops from a start page.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any, Self

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from crawler.crawl import signals as akhbar_signals
from crawler.crawl.browser.spider import (
    enable_rendering,
    mark_for_rendering,
    rendered_page,
    report_stopped,
)
from crawler.crawl.credentials import give_credentials
from crawler.crawl.discovery import feed_links, read_sitemap
from crawler.crawl.failures import report_dropped, report_failure
from crawler.crawl.items import PageItem
from crawler.crawl.links import page_links
from crawler.crawl.middlewares import RAW_GZIP_OK
from crawler.crawl.outlet import find_outlet, outlet_settings
from crawler.crawl.refresh import head_bytes, left_gzipped
from crawler.crawl.requisites import RequisiteFetcher, RequisitePolicy
from crawler.crawl.seen import DigestSet, url_digest
from crawler.errors import ConfigError
from crawler.extraction import is_html
from crawler.ops.funnel import Stage, funnel_key
from crawler.outlets import OutletConfig, resolve_config_dir
from crawler.outlets.secrets import SecretSource, outlet_credentials
from crawler.urls import ArticleRules, canonicalize, same_site
from spiders.requisites import PageRequisites

logger = logging.getLogger(__name__)

FEED = "feed"
SITEMAP = "sitemap"
LISTING = "listing"
ARTICLE = "article"

# Articles in Scrapy's hands at a time: requested, and not yet through the item pipelines
# (an article fetched and waiting for an extraction worker holds its body, its response and
# its item, ~40 KB). A sitemap lists thousands of articles at once; as Request objects in the
# scheduler they cost ~1 KB each, as waiting (url, hops, referer) tuples ~0.2 KB, freed once
# requested. 64 keep 16 concurrent downloads and the extraction workers fed; without the
# pipelines in the window, fetching ran ahead of extraction by 150-250 articles a crawl, and
# a crawl process of 2 crawls grew by ~20 MB over outlets of 4,000 articles.
ARTICLE_WINDOW = 64

#: The pipeline whose extraction workers find an article's requisites (a body left gzipped).
EXTRACTION_PIPELINE = "crawler.crawl.pipelines.ExtractionPipeline"


class OutletSpider(PageRequisites, scrapy.Spider):
    name = "outlet"

    def __init__(self, outlet: OutletConfig, **kwargs: Any) -> None:
        super().__init__(name=self.name, **kwargs)
        self.outlet = outlet
        self.rules = ArticleRules(outlet.articles.allow, outlet.articles.deny)
        self.hosts = sorted(outlet.allowed_domains)
        self.allowed_domains = self.hosts
        self.max_depth = outlet.limits.max_depth
        self.max_articles = outlet.limits.max_articles
        self.articles_scheduled = 0
        # 8-byte digests of the URLs requested, in one array (crawler.crawl.seen): 16 B a URL.
        self._seen = DigestSet()
        # Articles discovered beyond the window: (url, hops, referer), fed as others finish.
        self._waiting: deque[tuple[str, int, str | None]] = deque()
        self._in_flight = 0
        # Child sitemaps of a sitemap index, fetched one at a time as the waiting articles
        # run low, so that a site of 100,000 articles is not all held in memory at once.
        self._sitemaps: deque[tuple[str, int]] = deque()
        self._sitemap_in_flight = False
        self.article_window = ARTICLE_WINDOW
        # A sitemap lists every article already; links read off article pages (related
        # stories, tag clouds) would only lead back to known pages, at a cost per article.
        self.follow_article_links = not outlet.discovery.sitemaps
        # What pages render with (capture: in the outlet file), each URL once per crawl.
        self.requisites = RequisiteFetcher(RequisitePolicy.of(outlet.capture, self.hosts),
                                           self._seen, outlet.limits.max_response_size)
        self.workers_find_requisites = False
        self._url_length: Any = False  # not looked up yet

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        outlet_id = kwargs.pop("outlet", None)
        if not outlet_id:
            raise ConfigError(problem="no outlet given", hint="scrapy crawl outlet -a outlet=<id>")
        config_dir = resolve_config_dir(
            kwargs.pop("config_dir", None) or crawler.settings.get("AKHBAR_CONFIG_DIR") or None
        )
        outlet = find_outlet(config_dir, outlet_id)
        # Settings are still mutable here: the crawler freezes them after creating the spider.
        for key, value in outlet_settings(outlet).items():
            crawler.settings.set(key, value, priority="spider")
        enable_rendering(crawler, outlet)
        secrets_file = crawler.settings.get("AKHBAR_SECRETS_FILE")
        source = SecretSource(os.environ, Path(secrets_file) if secrets_file else None)
        spider = cls(outlet, *args, **kwargs)
        give_credentials(spider, outlet_credentials(outlet, source))
        spider._set_crawler(crawler)
        crawler.signals.connect(spider.on_request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_extracted, signal=akhbar_signals.article_extracted)
        for done in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider.on_item_done, signal=done)
        crawler.signals.connect(spider.on_spider_error, signal=signals.spider_error)
        # The extraction workers decode an article's body anyway: they find its requisites
        # too, off the crawl's reactor thread (the pipeline says what they found).
        pipelines = crawler.settings.getwithbase("ITEM_PIPELINES")
        spider.workers_find_requisites = pipelines.get(EXTRACTION_PIPELINE) is not None
        crawler.signals.connect(spider.on_requisites_found,
                                signal=akhbar_signals.requisites_found)
        crawler.signals.connect(spider.requisites.on_bytes, signal=signals.bytes_received)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        self._count("matched", 0)  # a funnel of zeros is a funnel, not a crawl without one
        d = self.outlet.discovery
        for url in d.feeds:
            yield self._request(url, FEED, 0)
        for url in d.sitemaps:
            yield self._request(url, SITEMAP, 0)
        for url in d.listings:
            yield self._request(url, LISTING, 0)

    # -- requests -------------------------------------------------------------------------
    def _request(self, url: str, kind: str, hops: int, *, canonical: bool = False) -> Request:
        """A request for ``url`` (``canonical``: already in :func:`canonicalize` form)."""
        callback = {FEED: self.parse_feed, SITEMAP: self.parse_sitemap}.get(kind, self.parse_page)
        return Request(
            url if canonical else canonicalize(url),
            callback=callback,
            errback=self.on_error,
            meta={"akhbar_kind": kind, "akhbar_hops": hops},
            priority=10 if kind == ARTICLE else 0,
        )

    def _article_request(self, url: str, hops: int, referer: str | None) -> Request:
        self._in_flight += 1
        request = self._request(url, ARTICLE, hops + 1, canonical=True)
        if self.outlet.render == "browser":
            mark_for_rendering(request)
        elif not self.follow_article_links:
            request.meta[RAW_GZIP_OK] = True
        if referer:
            # What RefererMiddleware would have set had it come straight from the page.
            request.headers[b"Referer"] = referer
        return request

    def _request_done(self, request: Request | None) -> Iterator[Request]:
        """A request has finished or was dropped: if it was an article or a child sitemap,
        let waiting ones take its place."""
        self._forget(request)
        yield from self._release()

    def _forget(self, request: Request | None) -> None:
        meta = request.meta if request is not None else {}
        kind = meta.get("akhbar_kind")
        if kind == ARTICLE:
            self._in_flight = max(0, self._in_flight - 1)
        elif kind == SITEMAP and meta.get("akhbar_child"):
            self._sitemap_in_flight = False

    def _release(self) -> Iterator[Request]:
        while self._waiting and self._in_flight < self.article_window:
            yield self._article_request(*self._waiting.popleft())
        if (
            self._sitemaps
            and not self._sitemap_in_flight
            and len(self._waiting) < self.article_window
            and self.articles_scheduled < self.max_articles
        ):
            url, hops = self._sitemaps.popleft()
            self._sitemap_in_flight = True
            request = self._request(url, SITEMAP, hops)
            request.meta["akhbar_child"] = True
            yield request

    def on_request_dropped(self, request: Request, spider: Any = None) -> None:
        self._forget(request)
        report_dropped(self.crawler, request)

    def _count(self, stage: Stage, n: int = 1) -> None:
        """One step of the run's funnel (crawler.ops.funnel)."""
        try:
            stats = self.crawler.stats
        except RuntimeError:  # not crawling (a spider built for a unit test)
            return
        if stats is not None:
            stats.inc_value(funnel_key(stage), n)

    def on_extracted(self, article: Any, capture: Any = None) -> None:
        self._count("extracted")
        # A TaggedArticle (a plain dict from pipelines of before it).
        tagged = article.get("language") if isinstance(article, dict) else article.language
        if tagged:
            self._count("tagged")

    def on_idle(self, spider: Any = None) -> None:
        """Nothing left in Scrapy's hands, but articles or sitemaps still waiting: go on."""
        if not self._waiting and not self._sitemaps:
            return
        self._in_flight = 0
        self._sitemap_in_flight = False
        requests = list(self._release())
        if not requests:  # what waits can no longer be asked for (max_articles reached)
            self._waiting.clear()
            self._sitemaps.clear()
            return
        engine = self.crawler.engine
        assert engine is not None
        for request in requests:
            engine.crawl(request)
        raise DontCloseSpider

    def _links_to(
        self, urls: Iterable[str], hops: int, referer: str | None = None
    ) -> Iterator[Request]:
        """Requests for discovered URLs: articles always (up to max_articles), other pages
        of the site only while within max_depth. Beyond :attr:`article_window` articles in
        flight, articles wait (as strings) until earlier ones are done."""
        for raw in urls:
            # A link already in canonical form and requested before (most of a listing
            # page's links) is known by its digest alone: canonicalize() costs ~30 us.
            key = url_digest(raw)
            if key in self._seen:
                continue
            url = canonicalize(raw)
            if not url.startswith(("http://", "https://")) or not same_site(url, self.hosts):
                continue
            if url != raw:
                key = url_digest(url)
                if key in self._seen:
                    continue
            if self.rules.is_article(url) and self._is_article_path(url):
                if self.articles_scheduled >= self.max_articles:
                    continue
                self._seen.add(key)
                self.articles_scheduled += 1
                self._count("matched")
                if self._in_flight < self.article_window and not self._waiting:
                    yield self._article_request(url, hops, None)
                else:
                    self._waiting.append((url, hops, referer))
            elif hops < self.max_depth:
                self._seen.add(key)
                yield self._request(url, LISTING, hops + 1, canonical=True)

    def _is_article_path(self, url: str) -> bool:
        # With no allow rules every page is a candidate; keep the homepage out.
        return bool(self.outlet.articles.allow) or url.rstrip("/") != self.outlet.homepage.rstrip(
            "/"
        )

    # -- callbacks ------------------------------------------------------------------------
    def parse_feed(self, response: Response) -> Iterator[Request]:
        urls = feed_links(response)
        self._count("discovered/feed", len(urls))
        yield from self._links_to(urls, int(response.meta["akhbar_hops"]), response.url)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        sitemap = read_sitemap(response, self.outlet.limits.max_response_size)
        if sitemap is None:
            yield from self._request_done(response.request)
            return
        locs = [entry["loc"] for entry in sitemap if entry.get("loc")]
        hops = int(response.meta["akhbar_hops"])
        if sitemap.type == "sitemapindex":
            self._sitemaps.extend((loc, hops) for loc in locs if same_site(loc, self.hosts))
        else:
            self._count("discovered/sitemap", len(locs))
            yield from self._links_to(locs, hops, response.url)
        yield from self._request_done(response.request)

    def parse_page(self, response: Response) -> Iterator[Request | PageItem]:
        """A page's links and requisites, and an article's item. An article stays in the
        window until its item is through the pipelines (:meth:`on_item_done`), or until
        here when it yields none."""
        kind = response.meta["akhbar_kind"]
        if kind == ARTICLE:
            self._count("fetched")
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        capture = response.meta.get("akhbar_capture")
        rendered = rendered_page(response)
        if rendered is not None and rendered.stopped is not None:
            yield from self._request_done(response.request)
            report_stopped(self.crawler, response.url, rendered)
            return
        if kind == ARTICLE and capture is not None:
            self._count("archived")
        if rendered is not None:
            # What the browser fetched for the page is archived: no requisite asks for it.
            for ex in rendered.exchanges:
                self._seen.add(url_digest(canonicalize(ex.url)))
        elif kind == ARTICLE and capture is not None and capture.refers_to is not None:
            # Same as the last capture (304, or the same payload): nothing new to extract,
            # and nothing new to follow; the requisites of a page sent again are asked for
            # again (they become revisits when unchanged). Not so a rendered page: the
            # same HTML shell may be filled with a changed article.
            if response.status == 200 and self.requisites.wanted(kind):
                yield from self._requisites_of(response)
            yield PageItem(
                url=response.url,
                outlet=self.outlet.id,
                status=response.status,
                content_type=content_type,
                body=b"",
                capture=capture,
                unchanged=True,
            )
            return
        if not is_html(content_type, head_bytes(response, 512)):
            yield from self._request_done(response.request)
            logger.info(
                "not HTML (%s), not an article: %s",
                content_type,
                response.url,
                extra={"event": "not_html", "url": response.url},
            )
            return
        find_requisites = False
        if self.requisites.wanted(kind):
            if kind == ARTICLE and self.workers_find_requisites and left_gzipped(response):
                find_requisites = True  # with its extraction: on_requisites_found
            else:
                yield from self._requisites_of(response)
        hops = int(response.meta["akhbar_hops"])
        follow = kind != ARTICLE or self.follow_article_links
        if follow and hops <= self.max_depth and isinstance(response, TextResponse):
            # Links first: Scrapy hands a page's output on one at a time (CONCURRENT_ITEMS),
            # and the item waits for its extraction.
            links = page_links(response)
            self._count("discovered/listing", len(links))
            yield from self._links_to(links, hops, response.url)
        if kind == ARTICLE:
            yield PageItem(
                url=response.url,
                outlet=self.outlet.id,
                status=response.status,
                content_type=content_type,
                body=response.body,
                capture=capture,
                hints=tuple(self.outlet.languages),
                find_requisites=find_requisites,
            )

    def _stat(self, key: str, n: int = 1, *, total: bool = False) -> None:
        try:
            stats = self.crawler.stats
        except RuntimeError:  # not crawling (a spider built for a unit test)
            return
        if stats is not None and total:
            stats.set_value(key, n)
        elif stats is not None and n:
            stats.inc_value(key, n)

    def on_error(self, failure: Failure) -> list[Request]:
        """Log why a request failed, in words (crawler.crawl.failures), and let waiting
        requests take its place.

        Not a generator: Scrapy 2.13's Scraper calls an errback but never iterates what it
        returns, so the work is done here and the released requests go straight to the
        engine (returned only where there is none, as in unit tests)."""
        request = failure.request  # type: ignore[attr-defined]
        released = self._hand_over(list(self._request_done(request)))
        report_failure(self.crawler, failure, self.outlet.limits.max_response_size)
        return released

    def on_item_done(self, item: Any, response: Response | None = None,
                     **kwargs: Any) -> list[Request]:
        """An item is through the pipelines (scraped, dropped or failed): an article's leaves
        the window, and waiting articles take its place (returned where there is no engine,
        as in unit tests)."""
        return self._article_left(response) if isinstance(item, PageItem) else []

    def on_spider_error(self, failure: Failure, response: Response | None = None,
                        **kwargs: Any) -> list[Request]:
        """:meth:`parse_page` raised: an article whose item never came leaves the window."""
        return self._article_left(response)

    def _article_left(self, response: Response | None) -> list[Request]:
        if response is None or response.meta.get("akhbar_kind") != ARTICLE:
            return []
        return self._hand_over(list(self._request_done(response.request)))

    def _hand_over(self, requests: list[Request]) -> list[Request]:
        try:
            engine = self.crawler.engine
        except (AttributeError, RuntimeError):  # Scrapy 2.19 raises before the crawl starts
            engine = None
        if engine is None:
            return requests
        for request in requests:
            engine.crawl(request)
        return []
