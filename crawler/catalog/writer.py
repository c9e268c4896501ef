"""Writing a crawl's captures and articles into the catalog, from inside the crawl process.

The crawl process is single-threaded: every millisecond spent here delays fetching. Rows go in
as plain dicts through SQLAlchemy Core executemany (see :mod:`crawler.catalog.upsert`), a few
statements per batch, never ORM objects.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from crawler.catalog.archived import ArticleVersion, Capture
from crawler.catalog.db import Catalog
from crawler.catalog.records import CaptureInfo, PreviousCapture, TaggedArticle
from crawler.catalog.transient import retrying
from crawler.catalog.upsert import (
    CHANGED,
    INSERT_CAPTURES,
    NEW,
    UNCHANGED,
    ArticleBatch,
    ArticleInput,
    capture_ids,
    capture_values,
    touch_unchanged,
    upsert_article,
    upsert_articles,
)

__all__ = [
    "CHANGED",
    "NEW",
    "UNCHANGED",
    "ArticleCallback",
    "ArticleInput",
    "CatalogWriter",
    "load_previous_captures",
    "touch_unchanged",
    "upsert_article",
    "upsert_articles",
]

logger = logging.getLogger(__name__)


#: Called once per article written: (the article, or None for a revisit, the capture, the
#: outcome: new | changed | unchanged).
ArticleCallback = Callable[[TaggedArticle | None, CaptureInfo | None, str], None]


#: An article queued: the article, its capture, the URL fetched, when it was seen.
_Pending = tuple[TaggedArticle, CaptureInfo | None, str, datetime]
_Outcome = tuple[TaggedArticle | None, CaptureInfo | None, str]


class CatalogWriter:
    """Buffers captures and articles and writes them in batches, one transaction each.

    A batch is written when it holds ``batch_size`` captures or articles, when its oldest entry
    has waited ``max_delay`` seconds, and at :meth:`close`. Each batch commits whole or not at
    all, so a crawl killed mid-way leaves the catalog as of its last batch, never half an
    article; `akhbar reindex` rebuilds the rest from the WARC files. Outcomes (new, changed,
    unchanged) are reported to ``on_article`` as each batch is written.
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        outlet: str,
        run_id: str | None,
        batch_size: int = 100,
        max_delay: float = 5.0,
        on_article: ArticleCallback | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.catalog = catalog
        self.outlet = outlet
        self.run_id = run_id
        self.batch_size = batch_size
        self.max_delay = max_delay
        self.on_article = on_article
        self._clock = clock
        self._captures: list[CaptureInfo] = []
        self._articles: list[_Pending | CaptureInfo] = []  # CaptureInfo: a revisit
        self._oldest: float | None = None
        # Row ids of captures written, by WARC record id, until their article claims them;
        # bounded: an id that fell out is looked up in the database.
        self._ids: OrderedDict[str, int] = OrderedDict()
        self._max_ids = 4 * batch_size + 1000

    def add_capture(self, info: CaptureInfo) -> None:
        self._captures.append(info)
        self._added()

    def add_article(
        self, article: TaggedArticle, capture: CaptureInfo | None, fetched_url: str,
        seen_at: datetime
    ) -> None:
        """Queue an extracted article; its outcome is reported when its batch is written."""
        self._articles.append((article, capture, fetched_url, seen_at))
        self._added()

    def add_unchanged(self, capture: CaptureInfo) -> None:
        """Queue a revisit of an article page: the article was seen again, unchanged. Reported
        (as unchanged) only when the capture it repeats has an article."""
        if capture.refers_to is not None:
            self._articles.append(capture)
            self._added()

    def _added(self) -> None:
        now = self._clock()
        if self._oldest is None:
            self._oldest = now
        if (
            len(self._captures) >= self.batch_size
            or len(self._articles) >= self.batch_size
            or now - self._oldest >= self.max_delay
        ):
            self.flush()

    def flush(self) -> None:
        """Write everything queued, in one transaction."""
        if not self._captures and not self._articles:
            return
        captures, articles = self._captures, self._articles
        self._captures, self._articles, self._oldest = [], [], None
        try:
            # A locked or lost database is waited out (each wait logged in words).
            batch_ids, outcomes = retrying(
                f"catalog batch of {len(captures)} capture(s) and {len(articles)} article(s)",
                lambda: self._write(captures, articles))
        except Exception:
            # Rolled back: nothing of the batch is in the catalog. Any other error is not
            # retried (the same rows would fail again and hold up every later batch); the WARC
            # files have it all and `akhbar verify --repair` adds it back from them.
            logger.exception(
                "catalog batch of %d capture(s) and %d article(s) not written",
                len(captures),
                len(articles),
                extra={"event": "catalog_failed"},
            )
            raise
        self._ids.update(batch_ids)
        while len(self._ids) > self._max_ids:
            self._ids.popitem(last=False)
        if self.on_article is not None:
            for article, capture, outcome in outcomes:
                self.on_article(article, capture, outcome)

    def _write(
        self, captures: list[CaptureInfo], entries: list[_Pending | CaptureInfo]
    ) -> tuple[dict[str, int], list[_Outcome]]:
        outcomes: list[_Outcome] = []
        batch_ids: dict[str, int] = {}
        with self.catalog.engine.begin() as conn:
            if captures:
                outlet, run_id = self.outlet, self.run_id
                batch_ids = dict(conn.execute(
                    INSERT_CAPTURES, [capture_values(info, outlet, run_id) for info in captures]
                ).all())
            if entries:
                outcomes = self._write_articles(conn, entries, batch_ids)
        return batch_ids, outcomes

    def _write_articles(
        self, conn: Connection, entries: list[_Pending | CaptureInfo], batch_ids: dict[str, int]
    ) -> list[_Outcome]:
        """Articles and revisits, applied in the order they came."""
        # Each article's capture row id; claimed ids are forgotten, ids no longer held
        # (written long ago, or claimed twice) are looked up in the database.
        ids = self._ids
        capture_id: dict[str, int | None] = {}
        urls: list[str] = []
        refers: list[str] = []
        for entry in entries:
            if type(entry) is tuple:
                urls.append(entry[0].canonical_url)
                capture = entry[1]
                if capture is not None:
                    rid = capture.record_id
                    capture_id[rid] = batch_ids.pop(rid, None) or ids.pop(rid, None)
            else:
                assert isinstance(entry, CaptureInfo) and entry.refers_to is not None
                refers.append(entry.refers_to.record_id)
        missing = [rid for rid, id_ in capture_id.items() if id_ is None]
        if missing:
            capture_id.update(capture_ids(conn, missing))
        batch = ArticleBatch(self.outlet)
        batch.load(conn, urls, refers)
        outcomes: list[_Outcome] = []
        for entry in entries:
            if type(entry) is tuple:
                article, capture, fetched_url, seen_at = entry
                if capture is None:
                    outcome = batch.add(article, None, fetched_url, seen_at)
                else:
                    rid = capture.record_id
                    outcome = batch.add(article, capture_id[rid], fetched_url, seen_at, rid)
                outcomes.append((article, capture, outcome))
            else:
                assert isinstance(entry, CaptureInfo) and entry.refers_to is not None
                if batch.touch(entry.refers_to.record_id, entry.captured_at):
                    outcomes.append((None, entry, UNCHANGED))
        batch.write(conn)
        return outcomes

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.catalog.dispose()


def _aware(dt: datetime) -> datetime:
    # SQLite returns naive datetimes; everything akhbar stores is UTC.
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def load_previous_captures(catalog: Catalog, outlet: str, *, requisites: bool = False,
                           resources: bool = False) -> dict[str, PreviousCapture]:
    """The latest full 200 capture of each article URL of an outlet: what a recrawl compares
    with. ``requisites``: of the other URLs instead (pages' images, stylesheets, fonts);
    ``resources``: the latest rendered DOM and screenshot of each browser-rendered page."""
    columns = (Capture.url, Capture.warc_record_id, Capture.captured_at,
               Capture.payload_digest, Capture.etag, Capture.last_modified)
    if resources:
        stmt = select(*columns).where(Capture.outlet_id == outlet,
                                      Capture.record_type == "resource")
    else:
        full = (Capture.outlet_id == outlet, Capture.status == 200,
                Capture.record_type == "response")
        articles = select(ArticleVersion.fetched_url)
        # Only a capture whose article is in the catalog: one whose article row was lost (its
        # crawl killed between the two batches) is fetched again in full and extracted,
        # instead of a 304 that would keep the article missing for ever.
        which = Capture.url.not_in(articles) if requisites else Capture.url.in_(articles)
        stmt = select(*columns).where(*full, which)
    with catalog.session() as session:
        return {
            row.url: PreviousCapture(
                row.url,
                row.warc_record_id,
                _aware(row.captured_at),
                row.payload_digest or "",
                row.etag,
                row.last_modified,
            )
            for row in session.execute(stmt.order_by(Capture.captured_at))
        }
