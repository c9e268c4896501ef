"""WACZ exports: any selection of the archive (outlets, a capture-time range, a search query)
packaged the way people share web archives, for ReplayWeb.page and pywb.

``pages/pages.jsonl`` carries each page's title and extracted text (so ReplayWeb.page's
full-text search works) and akhbar's metadata (outlet, language, author, published,
version); the WARC files are those holding the selected captures, which also hold their
page requisites, as a crawl writes them together.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from crawler.catalog import Capture
from crawler.context import AkhbarContext
from crawler.errors import ArchiveLookupError
from crawler.service.archive import parse_timestamp
from crawler.service.articles import ArticleQuery, ArticleRecord, iter_records

__all__ = ["WaczExport", "export_wacz"]


@dataclass(frozen=True)
class WaczExport:
    path: Path
    warc_files: list[str]
    pages: int


def _iso(dt: datetime) -> str:
    aware = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _stamp_in(dt: datetime | None, start: str | None, end: str | None) -> bool:
    if dt is None:
        return False
    ts = (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return not ((start and ts < start.ljust(14, "0")) or (end and ts[: len(end)] > end))


def _page(rec: ArticleRecord) -> dict[str, Any]:
    assert rec.captured_at is not None
    return {"url": rec.fetched_url, "ts": _iso(rec.captured_at), "title": rec.title or rec.url,
            "text": rec.text, "outlet": rec.outlet, "language": rec.language,
            "author": rec.author, "published": rec.published, "description": rec.description,
            "version": rec.version}


def _records(ctx: AkhbarContext, outlets: list[str], query: str | None, start: str | None,
             end: str | None) -> Iterator[ArticleRecord]:
    for outlet in outlets or [None]:  # type: ignore[list-item]
        for rec in iter_records(ctx, ArticleQuery(outlet=outlet, text=query,
                                                  all_versions=True)):
            if rec.warc_file and _stamp_in(rec.captured_at, start, end):
                yield rec


def _describe(outlets: list[str], query: str | None, start: str | None,
              end: str | None) -> str:
    parts = [f"captures of {', '.join(outlets) if outlets else 'every outlet'}"]
    if query:
        parts.append(f'matching the search "{query}"')
    if start and end:
        parts.append(f"from {start} to {end}")
    elif start:
        parts.append(f"from {start} on")
    elif end:
        parts.append(f"up to {end}")
    return " ".join(parts) + ", archived by akhbar"


def export_wacz(ctx: AkhbarContext, output: Path, *, outlets: list[str] | None = None,
                query: str | None = None, from_: str | None = None,
                to: str | None = None) -> WaczExport:
    """Package a selection as a WACZ file: every article version of ``outlets`` (all when
    none) matching ``query`` (a search, as `akhbar search`), captured between ``from_`` and
    ``to``, with the WARC files holding them (without a query: every WARC file holding a
    capture of those outlets in the range). An unknown outlet or a bad query is a
    QueryError naming it."""
    from archive.wacz import create_wacz

    chosen = list(dict.fromkeys(outlets or []))
    start, end = parse_timestamp(from_), parse_timestamp(to)
    pages = [_page(rec) for rec in _records(ctx, chosen, query, start, end)]
    files: set[str] = set()
    with ctx.catalog.session() as session:
        if query:
            files = {rec.warc_file for rec in _records(ctx, chosen, query, start, end)
                     if rec.warc_file}
        else:
            stmt = select(Capture.warc_file, Capture.captured_at)
            if chosen:
                stmt = stmt.where(Capture.outlet_id.in_(chosen))
            files = {f for f, at in session.execute(stmt) if _stamp_in(at, start, end)}
    if not files:
        what = f"outlet(s) {', '.join(chosen)}" if chosen else "any outlet"
        raise ArchiveLookupError(
            f"no captures of {what}{' matching the search' if query else ''} in that time "
            "range; `akhbar search` and `akhbar runs list` show what was archived")
    ordered = sorted(files)
    title = f"akhbar: {', '.join(chosen) if chosen else 'all outlets'}"
    if query:
        title += f" — {query}"
    create_wacz(output, [ctx.warcs_dir / f for f in ordered], pages, title=title,
                description=_describe(chosen, query, start, end))
    return WaczExport(output, ordered, len(pages))
