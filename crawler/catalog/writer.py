"""Writing a crawl's captures and articles into the catalog, from inside the crawl process."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

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


def upsert_article(
    session: Any,
    outlet: str,
    data: dict[str, Any],
    capture_id: int | None,
    fetched_url: str,
    seen_at: datetime,
) -> str:
    """Add an article or a new version of it; returns new | changed | unchanged."""
    url = data["canonical_url"]
    article = session.scalars(select(Article).where(Article.url == url)).one_or_none()
    if article is None:
        article = Article(
            outlet_id=outlet,
            url=url,
            first_seen=seen_at,
            last_seen=seen_at,
            latest_version=1,
            language=data.get("language"),
            published=data.get("published"),
        )
        session.add(article)
        session.flush()
        session.add(version_row(data, article.id, 1, capture_id, fetched_url, seen_at))
        return NEW
    latest = session.scalars(
        select(ArticleVersion).where(
            ArticleVersion.article_id == article.id,
            ArticleVersion.version == article.latest_version,
        )
    ).one_or_none()
    article.last_seen = seen_at
    if latest is not None and latest.text_digest == data["text_digest"]:
        return UNCHANGED
    article.latest_version += 1
    article.language = data.get("language")
    article.published = data.get("published")
    session.add(
        version_row(data, article.id, article.latest_version, capture_id, fetched_url, seen_at)
    )
    return CHANGED


class CatalogWriter:
    """Buffers captures and writes them in small transactions; articles are written at once,
    after the captures they point to."""

    def __init__(
        self, catalog: Catalog, *, outlet: str, run_id: str | None, batch_size: int = 50
    ) -> None:
        self.catalog = catalog
        self.outlet = outlet
        self.run_id = run_id
        self.batch_size = batch_size
        self._pending: list[CaptureInfo] = []
        self._ids: dict[str, int] = {}

    def add_capture(self, info: CaptureInfo) -> None:
        self._pending.append(info)
        if len(self._pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        rows = [capture_row(info, self.outlet, self.run_id) for info in self._pending]
        with self.catalog.session() as session:
            session.add_all(rows)
            session.flush()
            for row in rows:
                self._ids[row.warc_record_id] = row.id
        self._pending.clear()

    def add_article(
        self, data: dict[str, Any], capture: CaptureInfo | None, fetched_url: str, seen_at: datetime
    ) -> str:
        self.flush()
        capture_id = self._ids.pop(capture.record_id, None) if capture else None
        with self.catalog.session() as session:
            return upsert_article(session, self.outlet, data, capture_id, fetched_url, seen_at)

    def add_unchanged(self, capture: CaptureInfo) -> str | None:
        """A revisit of an article page: the article was seen again, unchanged."""
        self.flush()
        if capture.refers_to is None:
            return None
        with self.catalog.session() as session:
            found = touch_unchanged(session, capture.refers_to, capture.captured_at)
        return UNCHANGED if found else None

    def close(self) -> None:
        self.flush()
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
