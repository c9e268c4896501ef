"""Researchers' search and export routes: ``GET /search`` (a ranked page with snippets) and
``GET /export`` (JSON lines, CSV or Parquet, with the same filters)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from crawler import service
from crawler.context import AkhbarContext
from crawler.errors import QueryError

__all__ = ["search_router"]

#: An export is written to a spooled file (memory up to this size, then disk) and streamed
#: from there: memory stays flat, and a bad filter is still a 422 before any byte is sent.
SPOOL_BYTES = 8 * 1024 * 1024
CHUNK = 64 * 1024

#: Bounds of the parameters (a longer value is a 422 naming it), as in crawler.api.research.
MAX_QUERY = 200
MAX_ID = 100
MAX_TIME = 40

_MEDIA = {"jsonl": "application/x-ndjson; charset=utf-8", "csv": "text/csv; charset=utf-8",
          "parquet": "application/vnd.apache.parquet"}


def _time(parameter: str, value: str | None) -> datetime | None:
    try:
        return service.parse_since(value)
    except ValueError as exc:
        raise QueryError(parameter, str(exc)) from exc


def _query(q: str | None, outlet: str | None, lang: str | None, since: str | None,
           from_: str | None, to: str | None, captured_from: str | None,
           captured_to: str | None, all_versions: bool, exact: bool,
           **more: Any) -> service.ArticleQuery:
    return service.ArticleQuery(
        text=q, outlet=outlet, lang=lang, since=_time("since", since),
        published_from=service.parse_day("from", from_), published_to=service.parse_day("to", to),
        captured_from=_time("captured_from", captured_from),
        captured_to=_time("captured_to", captured_to), all_versions=all_versions,
        exact=exact, **more)


def search_router(ctx: AkhbarContext) -> APIRouter:
    """The routes; the caller includes them under its access guard. A QueryError (bad query,
    unknown outlet or language) is answered 422 with its message by the app's handler."""
    router = APIRouter()

    @router.get("/search")
    def search(q: str = Query(max_length=MAX_QUERY),
               outlet: str | None = Query(None, max_length=MAX_ID),
               lang: str | None = Query(None, max_length=16),
               since: str | None = Query(None, max_length=MAX_TIME),
               from_: str | None = Query(None, alias="from", max_length=MAX_TIME),
               to: str | None = Query(None, max_length=MAX_TIME),
               captured_from: str | None = Query(None, max_length=MAX_TIME),
               captured_to: str | None = Query(None, max_length=MAX_TIME),
               sort: Literal["rank", "date"] = "rank",
               limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0),
               all_versions: bool = False, exact: bool = False) -> dict[str, Any]:
        """Full-text search. ``q``: words (all must match), "phrases", OR, -word, prefix*;
        Arabic and Persian spellings are folded. ``from``/``to``: published (ISO dates);
        ``since``: seen since; ``captured_from``/``captured_to``: when the version was
        captured. Hits best first (``sort=date``: newest published first), with ``total`` and
        ``next_offset``."""
        query = _query(q, outlet, lang, since, from_, to, captured_from, captured_to,
                       all_versions, exact, sort=sort, limit=limit, offset=offset)
        return service.search_articles(ctx, query).to_dict()

    @router.get("/export")
    def export(format: Literal["jsonl", "csv", "parquet"] = "jsonl", excel: bool = False,
               q: str | None = Query(None, max_length=MAX_QUERY),
               outlet: str | None = Query(None, max_length=MAX_ID),
               lang: str | None = Query(None, max_length=16),
               since: str | None = Query(None, max_length=MAX_TIME),
               from_: str | None = Query(None, alias="from", max_length=MAX_TIME),
               to: str | None = Query(None, max_length=MAX_TIME),
               captured_from: str | None = Query(None, max_length=MAX_TIME),
               captured_to: str | None = Query(None, max_length=MAX_TIME),
               all_versions: bool = False,
               exact: bool = False) -> StreamingResponse:
        """Every matching article (latest versions, or all): JSON lines, CSV with every field
        including the text (``excel``: with a UTF-8 byte-order mark) or Parquet."""
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        try:
            query = _query(q, outlet, lang, since, from_, to, captured_from, captured_to,
                           all_versions, exact)
            count = service.export_articles(ctx, query, format, spool, excel=excel)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        name = f"akhbar-articles.{format}"
        return StreamingResponse(
            _chunks(spool), media_type=_MEDIA[format],
            headers={"Content-Disposition": f'attachment; filename="{name}"',
                     "X-Akhbar-Count": str(count)})

    return router


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(CHUNK):
            yield chunk
