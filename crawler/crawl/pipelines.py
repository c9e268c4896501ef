"""Item pipelines: extraction + language tagging, then the catalog."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from archive import CompressedBlock
from crawler.catalog import CRAWL_CACHE_KIB, CRAWL_STATEMENTS, Catalog
from crawler.catalog.outlets import recent_article_lines
from crawler.catalog.writer import CatalogWriter
from crawler.crawl import signals as akhbar_signals
from crawler.crawl.items import CaptureInfo, PageItem, TaggedArticle
from crawler.crawl.workers import WorkerError, WorkerPool, extraction_pool
from crawler.extraction import RepeatedLines, text_keys

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# Every this many pages the crawl process hands freed heap memory back to the OS. Bodies of
# 20-150 KB churn through glibc's heap between long-lived objects; without a trim the holes
# they leave made the crawl process's RSS grow ~1 KB per article.
TRIM_EVERY = 500
# An outlet's boilerplate is learned from its this many most recently seen articles in the
# catalog, and from the articles of the run as they are extracted.
RECENT_ARTICLES = 200


def _malloc_trim() -> Callable[[], object] | None:
    # The symbols the process has loaded, the C library's among them: ctypes.util's
    # find_library("c") runs `ldconfig -p` in a subprocess, 0.1-0.2 s of each run's start
    # (measured: bench/README.md, issue 11, round 4).
    try:
        import ctypes

        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    return lambda: trim(0)


class NoMainText(DropItem):
    """The page has no main text to extract."""


class NotAnArticle(DropItem):
    """The page matched the article rules but is a listing, home or tag page."""


class ExtractionFailed(DropItem):
    """Extraction raised; the page stays in the WARC and the crawl goes on."""


class ExtractionPipeline:
    """Runs :func:`crawler.crawl.processing.process_page` on each page in worker processes, so
    that the reactor thread keeps fetching (see :mod:`crawler.crawl.workers`).

    The pool is the one the crawl process started and passed in the ``AKHBAR_EXTRACT_POOL``
    setting (:mod:`crawler.crawl.crawlproc` for one run, :mod:`crawler.crawl.host` for all
    the runs of a shared process); the pipeline leaves it to its owner. Without one it starts
    its own of ``AKHBAR_EXTRACT_WORKERS`` processes and closes it when the spider closes; with
    0 workers, pages are processed on the reactor thread.

    It owns the outlet's learned boilerplate (:class:`crawler.extraction.RepeatedLines`):
    seeded from the outlet's recent articles in the catalog, fed every article of the run,
    and handed with each page to the worker, which removes the lines learned so far. The
    first articles of a new outlet, extracted before a line has repeated on enough of them,
    keep it.
    """

    def __init__(self, crawler: Crawler, pool: WorkerPool | None, *, owns_pool: bool,
                 repeats: RepeatedLines | None = None) -> None:
        self.crawler = crawler
        self.article_extracted = akhbar_signals.SignalSender(
            crawler, akhbar_signals.article_extracted)
        self.requisites_found = akhbar_signals.SignalSender(
            crawler, akhbar_signals.requisites_found)
        self.repeats = repeats if repeats is not None else RepeatedLines()
        # A body left gzipped is decoded in the worker, under the same limit as Scrapy's.
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE") or 2**62
        self._trim = _malloc_trim()
        self._pages = 0
        self.pool = pool
        self.owns_pool = owns_pool

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        given = settings.get("AKHBAR_EXTRACT_POOL")
        if isinstance(given, WorkerPool) and not given.closed:
            pipe = cls(crawler, given, owns_pool=False)
        else:
            # By name: the workers import crawler.crawl.processing (and trafilatura), this
            # process does not.
            own = extraction_pool(settings.getint("AKHBAR_EXTRACT_WORKERS"),
                                  settings.getint("AKHBAR_EXTRACT_NICE"))
            pipe = cls(crawler, own, owns_pool=own is not None)
        _seed(pipe.repeats, settings.get("AKHBAR_DATABASE_URL"), settings.get("AKHBAR_OUTLET"))
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, PageItem) or item.unchanged:
            return item
        try:
            metadata: CompressedBlock | None = None
            keys: frozenset[str] | None = None
            if self.pool is not None:
                try:
                    page = await self.pool.run(item.body, item.url, item.content_type,
                                               item.hints, self.max_size, self.repeats.learned,
                                               item.find_requisites)
                except Exception:
                    self._requisites_found(item, None)  # the spider reads the page itself
                    raise
                self._requisites_found(item, page.requisites)
                if page.error is not None:
                    raise WorkerError(page.error)
                result, metadata, keys = page.article, page.metadata, page.line_keys
            else:
                self._requisites_found(item, None)
                from crawler.crawl.processing import process_page

                result = process_page(item.body, item.url, item.content_type, item.hints,
                                      self.max_size, self.repeats.learned)
        except Exception as exc:
            logger.error(
                "extraction failed for %s: %r",
                item.url,
                exc,
                extra={"event": "extraction_failed", "url": item.url,
                       "spider": self.crawler.spider},
            )
            raise ExtractionFailed(f"extraction failed: {exc!r}") from exc
        item.body = b""  # the WARC has it; don't carry it through the rest of the pipeline
        self._pages += 1
        if self._trim is not None and self._pages % TRIM_EVERY == 0:
            self._trim()
        if result is None:
            raise NoMainText(f"no main text: {item.url}")
        if not result.is_article:
            raise NotAnArticle(f"not an article: {item.url}")
        self._learn(result, keys)
        item.extracted = result
        if item.capture is not None:
            self.article_extracted.send(article=result, capture=item.capture, metadata=metadata)
        return item

    def _learn(self, article: TaggedArticle, keys: frozenset[str] | None) -> None:
        known = len(self.repeats.learned)
        if keys is None:
            keys = text_keys(article.text, article.boilerplate)
        self.repeats.add_keys(article.canonical_url, keys)
        stats = self.crawler.stats
        if article.boilerplate and stats is not None:
            stats.inc_value("akhbar/boilerplate/lines_removed", len(article.boilerplate))
        if len(self.repeats.learned) > known:
            logger.info("%d line(s) the outlet repeats on its articles are now removed as "
                        "boilerplate (learned from %d articles)", len(self.repeats.learned),
                        self.repeats.pages, extra={"spider": self.crawler.spider})

    def _requisites_found(self, item: PageItem, urls: list[str] | None) -> None:
        if item.find_requisites:
            self.requisites_found.send(url=item.url, urls=urls, item=item)

    def spider_closed(self, spider: Any = None) -> None:
        if self.pool is not None and self.owns_pool:
            self.pool.close()


def _seed(repeats: RepeatedLines, database_url: str | None, outlet: str | None) -> None:
    """Count the lines of the outlet's recent articles in the catalog (none without one)."""
    if not database_url or not outlet:
        return
    try:
        catalog = Catalog(database_url, busy_timeout=2.0)
        try:
            recent = recent_article_lines(catalog, outlet, RECENT_ARTICLES)
        finally:
            catalog.dispose()
    except Exception as exc:  # noqa: BLE001 -- learned boilerplate must never stop a crawl
        logger.warning("could not read %s's recent articles to learn its boilerplate (%s); "
                       "starting from none", outlet, exc)
        return
    for url, lines in recent:
        repeats.add(url, lines)


class CatalogPipeline:
    """Records every capture and every extracted article in the catalog database.

    Rows are written in batches (see :class:`CatalogWriter`); an article's outcome (new,
    changed, unchanged) is counted and logged when its batch is committed.
    """

    def __init__(self, writer: CatalogWriter, crawler: Crawler) -> None:
        self.writer = writer
        self.crawler = crawler
        writer.on_article = self.on_article

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        url = settings.get("AKHBAR_DATABASE_URL")
        if not url:
            raise NotConfigured("AKHBAR_DATABASE_URL is not set")
        writer = CatalogWriter(
            # Brings the schema up to date if need be (one query when it is: WARC capture,
            # built before the pipelines, has usually done it; not in a crawl without a run).
            # A short SQLite lock wait: a longer lock is retried in words (CatalogWriter).
            Catalog(url, busy_timeout=2.0, cache_kib=CRAWL_CACHE_KIB,
                    statements=CRAWL_STATEMENTS),
            outlet=settings.get("AKHBAR_OUTLET") or "unknown",
            run_id=settings.get("AKHBAR_RUN_ID") or None,
            batch_size=settings.getint("AKHBAR_CATALOG_BATCH_SIZE", 100),
            max_delay=settings.getfloat("AKHBAR_CATALOG_BATCH_DELAY", 5.0),
        )
        pipe = cls(writer, crawler)
        crawler.signals.connect(pipe.on_capture, signal=akhbar_signals.capture_written)
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def on_capture(self, capture: CaptureInfo) -> None:
        self.writer.add_capture(capture)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, PageItem) and item.unchanged and item.capture is not None:
            self.writer.add_unchanged(item.capture)
            return item
        if not isinstance(item, PageItem) or item.extracted is None:
            return item
        self.writer.add_article(
            item.extracted,
            item.capture,
            item.url,
            seen_at=item.capture.captured_at if item.capture else datetime.now(UTC),
        )
        return item

    def on_article(
        self, article: TaggedArticle | None, capture: CaptureInfo | None, outcome: str
    ) -> None:
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(f"akhbar/articles/{outcome}")
        spider = self.crawler.spider
        if article is None:
            url = capture.url if capture is not None else None
            logger.info(
                "article unchanged: %s",
                url,
                extra={"event": "article", "outcome": outcome, "url": url, "spider": spider},
            )
            return
        logger.info(
            "article %s: %s [%s] %s",
            outcome,
            article.canonical_url,
            article.language,
            (article.title or "")[:80],
            extra={
                "event": "article",
                "outcome": outcome,
                "url": article.canonical_url,
                "language": article.language,
                "title": article.title,
                "spider": spider,
            },
        )

    def spider_closed(self, spider: Any = None) -> None:
        self.writer.close()
