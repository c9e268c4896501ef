"""Articles: search and export queries over their versions, one article's history, export
records."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from crawler.catalog import Article, ArticleVersion, Capture, Outlet
from crawler.context import AkhbarContext
from crawler.errors import ArchiveLookupError
from crawler.search import ArticleQuery, SearchPage, matches_for, rebuild, search
from crawler.search.select import check_filters, parse_day, rows
from crawler.urls import canonicalize

__all__ = ["ArticleQuery", "ArticleRecord", "SearchPage", "article_history", "article_record",
           "iter_articles", "iter_records", "parse_day", "parse_since", "reindex_search",
           "search_articles"]

#: Rows fetched at a time when streaming an export (server-side cursor on PostgreSQL).
STREAM_BATCH = 500


@dataclass(frozen=True)
class ArticleRecord:
    """One article version as exported (JSON lines, CSV, Parquet): its fields in order."""

    url: str
    outlet: str
    language: str | None
    language_confidence: float | None
    languages: dict[str, Any]
    title: str | None
    author: str | None
    published: str | None
    published_source: str | None
    description: str | None
    modified: str | None
    authors: list[str]
    lead_image: str | None
    section: str | None
    keywords: list[str]
    tags: list[str]
    metadata_sources: dict[str, str]
    extractor: str | None
    text: str
    markdown: str | None
    boilerplate: list[str]
    captured_at: datetime | None
    first_seen: datetime
    last_seen: datetime
    fetched_url: str
    warc_file: str | None
    warc_offset: int | None
    warc_length: int | None
    version: int

    @classmethod
    def of(cls, article: Article, version: ArticleVersion,
           capture: Capture | None) -> ArticleRecord:
        return cls(
            url=article.url, outlet=article.outlet_id, language=version.language,
            language_confidence=version.language_confidence,
            languages=version.languages or {}, title=version.title, author=version.author,
            published=version.published, published_source=version.published_source,
            description=version.description, modified=version.modified,
            authors=list(version.authors or []), lead_image=version.lead_image,
            section=version.section, keywords=list(version.keywords or []),
            tags=list(version.tags or []), metadata_sources=dict(version.metadata_sources or {}),
            extractor=version.extractor, text=version.text, markdown=version.markdown,
            boilerplate=list(version.boilerplate or []),
            captured_at=version.captured_at, first_seen=article.first_seen,
            last_seen=article.last_seen, fetched_url=version.fetched_url,
            warc_file=capture.warc_file if capture else None,
            warc_offset=capture.warc_offset if capture else None,
            warc_length=capture.warc_length if capture else None, version=version.version)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: times as ISO 8601 text."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("captured_at", "first_seen", "last_seen"):
            out[name] = out[name].isoformat() if out[name] else None
        return out


def iter_records(ctx: AkhbarContext, query: ArticleQuery) -> Iterator[ArticleRecord]:
    """The versions matching the query (the latest of each article unless
    ``query.all_versions``), streamed: best match first when the query has a text (through
    the search index), else by outlet and URL. An unknown outlet or language raises
    QueryError."""
    _, matches = matches_for(ctx.catalog, query)
    with ctx.catalog.session() as session:
        check_filters(session, query)
        stmt = rows(query, matches).execution_options(yield_per=STREAM_BATCH)
        for article, version, capture, _score in session.execute(stmt):
            yield ArticleRecord.of(article, version, capture)


def iter_articles(ctx: AkhbarContext, query: ArticleQuery) -> Iterator[dict[str, Any]]:
    """:func:`iter_records` in their JSON shape."""
    return (record.to_dict() for record in iter_records(ctx, query))


def search_articles(ctx: AkhbarContext, query: ArticleQuery) -> SearchPage:
    """One ranked page of the versions matching ``query.text``, with snippets and the total."""
    return search(ctx.catalog, query)


def reindex_search(ctx: AkhbarContext) -> int:
    """Rebuild the full-text index from the stored texts; returns the versions indexed."""
    return rebuild(ctx.catalog)


def article_record(
    article: Article, version: ArticleVersion, capture: Capture | None
) -> dict[str, Any]:
    return ArticleRecord.of(article, version, capture).to_dict()


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
        outlet = session.get(Outlet, article.outlet_id)
        latest["outlet_languages"] = list(outlet.languages or []) if outlet else []
        latest["versions"] = [
            {"version": v.version, "captured_at": v.captured_at.isoformat(),
             "title": v.title, "language": v.language, "text_digest": v.text_digest,
             "warc_file": c.warc_file if c else None}
            for v, c in rows
        ]
        return latest
