"""Articles: queries over the latest versions, one article's history, export records."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from crawler.catalog import Article, ArticleVersion, Capture
from crawler.context import AkhbarContext
from crawler.errors import ArchiveLookupError
from crawler.urls import canonicalize


@dataclass
class ArticleQuery:
    outlet: str | None = None
    lang: str | None = None
    since: datetime | None = None
    text: str | None = None
    limit: int | None = None


def iter_articles(ctx: AkhbarContext, query: ArticleQuery) -> Iterator[dict[str, Any]]:
    """The latest version of each article matching the query, as export records."""
    with ctx.catalog.session() as session:
        stmt = (
            select(Article, ArticleVersion, Capture)
            .join(
                ArticleVersion,
                (ArticleVersion.article_id == Article.id)
                & (ArticleVersion.version == Article.latest_version),
            )
            .outerjoin(Capture, Capture.id == ArticleVersion.capture_id)
            .order_by(Article.outlet_id, Article.url)
        )
        if query.outlet:
            stmt = stmt.where(Article.outlet_id == query.outlet)
        if query.lang:
            stmt = stmt.where(Article.language == query.lang)
        if query.since:
            stmt = stmt.where(Article.last_seen >= query.since)
        if query.text:
            like = f"%{query.text}%"
            stmt = stmt.where(ArticleVersion.text.like(like) | ArticleVersion.title.like(like))
        if query.limit:
            stmt = stmt.limit(query.limit)
        for article, version, capture in session.execute(stmt):
            yield article_record(article, version, capture)


def article_record(
    article: Article, version: ArticleVersion, capture: Capture | None
) -> dict[str, Any]:
    return {
        "url": article.url,
        "outlet": article.outlet_id,
        "language": version.language,
        "language_confidence": version.language_confidence,
        "languages": version.languages,
        "title": version.title,
        "author": version.author,
        "published": version.published,
        "published_source": version.published_source,
        "description": version.description,
        "text": version.text,
        "captured_at": version.captured_at.isoformat() if version.captured_at else None,
        "first_seen": article.first_seen.isoformat(),
        "last_seen": article.last_seen.isoformat(),
        "fetched_url": version.fetched_url,
        "warc_file": capture.warc_file if capture else None,
        "warc_offset": capture.warc_offset if capture else None,
        "warc_length": capture.warc_length if capture else None,
        "version": version.version,
    }




def parse_since(value: str | None) -> datetime | None:
    """An ISO date or date-time (UTC unless it says otherwise); ValueError names the value."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an ISO date (2026-11-29 or 2026-11-29T12:00)") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def article_history(ctx: AkhbarContext, url: str) -> dict[str, Any]:
    """An article's latest version (as exported) and the list of its versions."""
    with ctx.catalog.session() as session:
        article = session.scalars(
            select(Article).where(Article.url.in_([url, canonicalize(url)]))
        ).first()
        if article is None:
            raise ArchiveLookupError(f"no article {url} in the catalog; `akhbar search` finds "
                                     "articles by words")
        rows = session.execute(
            select(ArticleVersion, Capture)
            .outerjoin(Capture, Capture.id == ArticleVersion.capture_id)
            .where(ArticleVersion.article_id == article.id)
            .order_by(ArticleVersion.version)
        ).all()
        latest = article_record(article, rows[-1][0], rows[-1][1])
        latest["versions"] = [
            {"version": v.version, "captured_at": v.captured_at.isoformat(),
             "title": v.title, "language": v.language, "text_digest": v.text_digest,
             "warc_file": c.warc_file if c else None}
            for v, c in rows
        ]
        return latest
