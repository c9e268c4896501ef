"""Writing a crawl's captures and articles into the catalog, from inside the crawl process."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import select

from crawler.catalog.db import Catalog
from crawler.catalog.models import Article, ArticleVersion, Capture
from crawler.items import CaptureInfo, PreviousCapture

logger = logging.getLogger(__name__)

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


def capture_row(info: CaptureInfo, outlet: str, run_id: str | None) -> Capture:
    return Capture(
        run_id=run_id,
        outlet_id=outlet,
        url=info.url,
        captured_at=info.captured_at,
        status=info.status,
        content_type=(info.content_type or "")[:200] or None,
        record_type=info.record_type,
        warc_file=info.warc_file,
        warc_offset=info.warc_offset,
        warc_length=info.warc_length,
        payload_digest=info.payload_digest,
        warc_record_id=info.record_id,
        etag=info.etag,
        last_modified=info.last_modified,
    )


def version_row(
    data: dict[str, Any],
    article_id: int,
    version: int,
    capture_id: int | None,
    fetched_url: str,
    seen_at: datetime,
) -> ArticleVersion:
    return ArticleVersion(
        article_id=article_id,
        version=version,
        capture_id=capture_id,
        captured_at=seen_at,
        fetched_url=fetched_url,
        title=data.get("title"),
        author=data.get("author"),
        published=data.get("published"),
        published_source=data.get("published_source"),
        description=data.get("description"),
        text=data["text"],
        text_digest=data["text_digest"],
        language=data.get("language"),
        language_confidence=data.get("language_confidence"),
        languages=data.get("languages") or {},
        html_lang=data.get("html_lang"),
        encoding=data.get("encoding"),
    )


class ArticleInput(NamedTuple):
    """One extracted article to record: its data, capture row id, fetched URL, time seen."""

    data: dict[str, Any]
    capture_id: int | None
    fetched_url: str
    seen_at: datetime


def upsert_article(
    session: Any,
    outlet: str,
    data: dict[str, Any],
    capture_id: int | None,
    fetched_url: str,
    seen_at: datetime,
) -> str:
    """Add an article or a new version of it; returns new | changed | unchanged."""
    entry = ArticleInput(data, capture_id, fetched_url, seen_at)
    return upsert_articles(session, outlet, [entry])[0]


def upsert_articles(session: Any, outlet: str, entries: Sequence[ArticleInput]) -> list[str]:
    """Add articles or new versions of them, in order, as many calls of :func:`upsert_article`
    would, but with two queries and one flush for the lot. Returns each one's outcome."""
    urls = {entry.data["canonical_url"] for entry in entries}
    articles: dict[str, Article] = {}
    digests: dict[str, str | None] = {}
    if urls:
        for url_chunk in _chunks(sorted(urls), 500):
            for article in session.scalars(select(Article).where(Article.url.in_(url_chunk))):
                articles[article.url] = article
                digests[article.url] = None
            rows = session.execute(
                select(Article.url, ArticleVersion.text_digest)
                .join(ArticleVersion, ArticleVersion.article_id == Article.id)
                .where(
                    Article.url.in_(url_chunk), ArticleVersion.version == Article.latest_version
                )
            )
            for url, digest in rows:
                digests[url] = digest
    outcomes: list[str] = []
    versions: list[tuple[Article, int, ArticleInput]] = []
    for entry in entries:
        data = entry.data
        url = data["canonical_url"]
        article = articles.get(url)
        if article is None:
            article = Article(
                outlet_id=outlet,
                url=url,
                first_seen=entry.seen_at,
                last_seen=entry.seen_at,
                latest_version=1,
                language=data.get("language"),
                published=data.get("published"),
            )
            session.add(article)
            articles[url] = article
            outcomes.append(NEW)
        else:
            article.last_seen = entry.seen_at
            if url in digests and digests[url] == data["text_digest"]:
                outcomes.append(UNCHANGED)
                continue
            article.latest_version += 1
            article.language = data.get("language")
            article.published = data.get("published")
            outcomes.append(CHANGED)
        digests[url] = data["text_digest"]
        versions.append((article, article.latest_version, entry))
    if versions:
        session.flush()  # ids for the new articles
        session.add_all(
            version_row(e.data, article.id, number, e.capture_id, e.fetched_url, e.seen_at)
            for article, number, e in versions
        )
    return outcomes


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


#: Called once per article written: (the article's data, or None for a revisit, the capture,
#: the outcome: new | changed | unchanged).
ArticleCallback = Callable[[dict[str, Any] | None, CaptureInfo | None, str], None]


@dataclass
class _PendingArticle:
    data: dict[str, Any]
    capture: CaptureInfo | None
    fetched_url: str
    seen_at: datetime


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
        self._articles: list[_PendingArticle | CaptureInfo] = []  # CaptureInfo: a revisit
        self._oldest: float | None = None
        # Row ids of captures written, by WARC record id, until their article claims them;
        # bounded: an id that fell out is looked up in the database.
        self._ids: OrderedDict[str, int] = OrderedDict()
        self._max_ids = 4 * batch_size + 1000

    def add_capture(self, info: CaptureInfo) -> None:
        self._captures.append(info)
        self._added()

    def add_article(
        self, data: dict[str, Any], capture: CaptureInfo | None, fetched_url: str, seen_at: datetime
    ) -> None:
        """Queue an extracted article; its outcome is reported when its batch is written."""
        self._articles.append(_PendingArticle(data, capture, fetched_url, seen_at))
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
            batch_ids, outcomes = self._write(captures, articles)
        except Exception:
            # Rolled back: nothing of the batch is in the catalog. It is not retried (the same
            # rows would fail again and hold up every later batch); the WARC files have it all
            # and `akhbar reindex` can rebuild the catalog from them.
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
            for data, capture, outcome in outcomes:
                self.on_article(data, capture, outcome)

    def _write(
        self, captures: list[CaptureInfo], articles: list[_PendingArticle | CaptureInfo]
    ) -> tuple[dict[str, int], list[tuple[dict[str, Any] | None, CaptureInfo | None, str]]]:
        outcomes: list[tuple[dict[str, Any] | None, CaptureInfo | None, str]] = []
        batch_ids: dict[str, int] = {}
        with self.catalog.session() as session:
            if captures:
                rows = [capture_row(info, self.outlet, self.run_id) for info in captures]
                session.add_all(rows)
                session.flush()
                batch_ids = {row.warc_record_id: row.id for row in rows}
            # Revisits and articles in the order they came; runs of articles go in together.
            run: list[_PendingArticle] = []
            for entry in [*articles, None]:
                if isinstance(entry, _PendingArticle):
                    run.append(entry)
                    continue
                if run:
                    inputs = [
                        ArticleInput(
                            a.data,
                            self._capture_id(session, a.capture, batch_ids),
                            a.fetched_url,
                            a.seen_at,
                        )
                        for a in run
                    ]
                    results = upsert_articles(session, self.outlet, inputs)
                    outcomes.extend(
                        (a.data, a.capture, outcome)
                        for a, outcome in zip(run, results, strict=True)
                    )
                    run = []
                if entry is not None:
                    assert entry.refers_to is not None
                    if touch_unchanged(session, entry.refers_to, entry.captured_at):
                        outcomes.append((None, entry, UNCHANGED))
        return batch_ids, outcomes

    def _capture_id(
        self, session: Any, capture: CaptureInfo | None, batch_ids: dict[str, int]
    ) -> int | None:
        """The row id of an article's capture; claimed ids are forgotten."""
        if capture is None:
            return None
        found = batch_ids.pop(capture.record_id, None) or self._ids.pop(capture.record_id, None)
        if found is not None:
            return found
        return session.scalar(select(Capture.id).where(Capture.warc_record_id == capture.record_id))

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.catalog.dispose()


def _aware(dt: datetime) -> datetime:
    # SQLite returns naive datetimes; everything akhbar stores is UTC.
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def load_previous_captures(catalog: Catalog, outlet: str) -> dict[str, PreviousCapture]:
    """The latest full 200 capture of each URL of an outlet: what a recrawl compares with."""
    stmt = (
        select(
            Capture.url,
            Capture.warc_record_id,
            Capture.captured_at,
            Capture.payload_digest,
            Capture.etag,
            Capture.last_modified,
        )
        .where(
            Capture.outlet_id == outlet, Capture.status == 200, Capture.record_type == "response"
        )
        .order_by(Capture.captured_at)
    )
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
            for row in session.execute(stmt)
        }


def touch_unchanged(session: Any, refers_to: PreviousCapture, seen_at: datetime) -> bool:
    """Mark the article extracted from `refers_to` as seen again; False if there is none."""
    article = session.scalars(
        select(Article)
        .join(ArticleVersion, ArticleVersion.article_id == Article.id)
        .join(Capture, Capture.id == ArticleVersion.capture_id)
        .where(Capture.warc_record_id == refers_to.record_id)
    ).first()
    if article is None:
        return False
    article.last_seen = seen_at
    return True
