"""Researchers' routes (articles, versions, captures, raw payloads) and ops' /metrics, each
parameter bounded."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import PlainTextResponse

from crawler import service
from crawler.api.archive_api import archive_router
from crawler.api.search import search_router
from crawler.auth.guard import Guard
from crawler.auth.roles import Permission
from crawler.context import AkhbarContext
from crawler.errors import InvalidParameter
from crawler.service import cdx
from crawler.service.metrics import CONTENT_TYPE, metrics_text

#: Bounds of the parameters: a longer or larger value is a 422 naming the parameter.
MAX_QUERY = 200
MAX_URL = 4096
MAX_ID = 100
MAX_TIME = 40
MAX_FILTERS = 10
MAX_CAPTURES = 100_000


def _since(value: str | None) -> datetime | None:
    try:
        return service.parse_since(value)
    except ValueError as exc:
        raise InvalidParameter("since", str(exc)) from exc


def research_router(ctx: AkhbarContext, guard: Guard) -> APIRouter:
    router = APIRouter(dependencies=[Depends(guard.require(Permission.ARCHIVE_READ))])
    open_router = APIRouter()

    @router.get("/articles")
    def articles(outlet: str | None = Query(None, max_length=MAX_ID),
                 lang: str | None = Query(None, max_length=16),
                 since: str | None = Query(None, max_length=MAX_TIME),
                 q: str | None = Query(None, max_length=MAX_QUERY),
                 limit: int = Query(50, ge=1, le=1000),
                 text: bool = False) -> list[dict[str, Any]]:
        """Latest versions, filtered like `akhbar export`; `q` matches title or text."""
        query = service.ArticleQuery(outlet=outlet, lang=lang, since=_since(since), text=q,
                                     limit=limit)
        out = []
        for rec in service.iter_articles(ctx, query):
            if not text:
                rec.pop("text", None)
            out.append(rec)
        return out

    @router.get("/articles/by-url")
    def article(url: str = Query(max_length=MAX_URL)) -> dict[str, Any]:
        """One article: its latest version and the list of its versions."""
        return service.article_history(ctx, url)

    @router.get("/articles/diff")
    def diff(url: str = Query(max_length=MAX_URL),
             old: int | None = Query(None, ge=1, le=1_000_000),
             new: int | None = Query(None, ge=1, le=1_000_000)) -> dict[str, Any]:
        """What changed between two versions of an article's text (default: the latest two)."""
        return service.diff_versions(ctx, url, old, new).to_dict()

    @router.get("/captures", response_model=None)
    def captures(url: str = Query(max_length=MAX_URL),
                 match: Literal["exact", "prefix", "host", "domain"] | None = None,
                 matchType: Literal["exact", "prefix", "host", "domain"] | None = None,  # noqa: N803
                 from_: str | None = Query(None, alias="from", max_length=MAX_TIME),
                 to: str | None = Query(None, max_length=MAX_TIME),
                 closest: str | None = Query(None, max_length=MAX_TIME),
                 limit: int | None = Query(None, ge=-MAX_CAPTURES, le=MAX_CAPTURES),
                 filter: list[str] = Query(default_factory=list),
                 sort: Literal["reverse", "closest"] | None = None,
                 fl: str | None = Query(None, max_length=200),
                 collapse: str | None = Query(None, max_length=40),
                 output: Literal["json", "cdxj", "text"] = "json",
                 ) -> list[dict[str, Any]] | Response:
        """Every capture of a URL (or of many, with matchType=prefix|host|domain or
        ``host/*``): the CDX server API's parameters, as ``/cdx``; a JSON list by default.
        A ``filter`` regex runs on RE2 (linear time, no backreferences or lookaround)."""
        if len(filter) > MAX_FILTERS:
            raise InvalidParameter("filter", f"{len(filter)} filters; at most {MAX_FILTERS}")
        req = cdx.CdxRequest.parse(
            url, matchType or match, from_=from_, to=to, limit=limit, sort=sort,
            closest=closest, fl=fl, filters=filter, collapse=collapse,
            output=None if output == "json" else output)
        if output != "json":
            return PlainTextResponse("".join(cdx.cdx_lines(ctx, req)))
        return cdx.capture_records(ctx, req)

    @router.get("/captures/raw")
    def raw(request: Request, url: str = Query(max_length=MAX_URL),
            at: str | None = Query(None, max_length=MAX_TIME)) -> Response:
        """The archived HTTP payload, byte for byte as received (a revisit resolves to the
        payload it repeats); the original headers come back as X-Archive-Orig-*, Memento's
        as Memento-Datetime and Link."""
        shown = service.show_capture(ctx, url, at)
        headers = {**cdx.memento_headers(shown.capture.url or url, shown.capture.timestamp,
                                         str(request.base_url)),
                   "X-Archive-Timestamp": shown.capture.timestamp,
                   "X-Archive-Record-Id": shown.payload_record.record_id or "",
                   "X-Archive-Warc-File": shown.payload_capture.filename}
        http = shown.payload_record.http_headers
        if http is not None:
            for name in ("Content-Type", "Content-Encoding"):
                value = http.get_header(name)
                if value:
                    headers[f"X-Archive-Orig-{name}"] = value
        return Response(shown.raw_payload, media_type="application/octet-stream",
                        headers=headers)

    @open_router.get("/metrics", dependencies=[Depends(guard.require(Permission.METRICS_READ))])
    def metrics() -> Response:
        """Prometheus text format (crawler.service.metrics)."""
        return Response(metrics_text(ctx), media_type=CONTENT_TYPE)

    router.include_router(search_router(ctx))  # /search, /export
    router.include_router(archive_router(ctx))  # /cdx, /timemap, /timegate, /memento
    open_router.include_router(router)
    return open_router


__all__ = ["research_router"]
