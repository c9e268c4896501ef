"""The archive's standard APIs, so existing tools work against akhbar: a pywb-compatible CDX
server at ``/cdx`` and Memento (RFC 7089): TimeMaps at ``/timemap/link|json/{url}``, a TimeGate
at ``/timegate/{url}`` and the mementos at ``/memento/{timestamp}/{url}``. The answers are
made by :mod:`crawler.service.cdx`; this module only reads requests and sends them."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from crawler import service
from crawler.context import AkhbarContext
from crawler.errors import InvalidParameter
from crawler.service import cdx
from crawler.web.research import ARCHIVED_BODY_CSP

__all__ = ["archive_router"]

MAX_URL = 4096
MAX_TIME = 40
MAX_FILTERS = 10
MAX_LINES = 100_000

_SCHEME_SLASH = re.compile(r"^(https?):/(?!/)")


def _target(request: Request, path_url: str) -> str:
    """The original URL in a Memento path: the rest of the path and the query string (which
    belongs to it); a single slash after the scheme (merged by some proxies) restored."""
    url = _SCHEME_SLASH.sub(r"\1://", path_url)
    return f"{url}?{request.url.query}" if request.url.query else url


def _links(request: Request) -> cdx.Links:
    return cdx.Links(str(request.base_url).rstrip("/"))


def archive_router(ctx: AkhbarContext) -> APIRouter:
    """The routes; the caller includes them under its access guard."""
    router = APIRouter()

    @router.get("/cdx")
    def cdx_server(url: str = Query(max_length=MAX_URL),
                   matchType: str | None = Query(None, max_length=10),  # noqa: N803 (pywb's name)
                   from_: str | None = Query(None, alias="from", max_length=MAX_TIME),
                   to: str | None = Query(None, max_length=MAX_TIME),
                   limit: int | None = Query(None, ge=-MAX_LINES, le=MAX_LINES),
                   sort: str | None = Query(None, max_length=10),
                   closest: str | None = Query(None, max_length=MAX_TIME),
                   fl: str | None = Query(None, max_length=200),
                   filter: list[str] = Query(default_factory=list),
                   collapse: str | None = Query(None, max_length=40),
                   output: str | None = Query(None, max_length=10)) -> StreamingResponse:
        """pywb's CDX server API: ``url`` (``host/*``: prefix, ``*.host``: domain),
        ``matchType`` (exact, prefix, host, domain), ``from``, ``to``, ``limit``, ``sort``
        (reverse, closest), ``closest``, ``fl``, ``filter`` (``[!][~|=]field:value``, RE2),
        ``collapse`` (``field`` or ``field:N``), ``output=json`` (one object per line)."""
        if len(filter) > MAX_FILTERS:
            raise InvalidParameter("filter", f"{len(filter)} filters; at most {MAX_FILTERS}")
        req = cdx.CdxRequest.parse(url, matchType, from_=from_, to=to, limit=limit, sort=sort,
                                   closest=closest, fl=fl, filters=filter, collapse=collapse,
                                   output=output)
        media = "application/x-ndjson" if req.output == "json" else "text/plain"
        lines = list(cdx.cdx_lines(ctx, req))  # errors (a bad filter) before the status line
        return StreamingResponse(iter(lines), media_type=f"{media}; charset=utf-8")

    @router.get("/timemap/link/{url:path}", response_class=PlainTextResponse)
    def timemap_link(url: str, request: Request) -> Response:
        """Every memento of the URL, as an application/link-format TimeMap."""
        target = _target(request, url)
        body = cdx.timemap_link(target, cdx.mementos(ctx, target), _links(request))
        return Response(body, media_type="application/link-format")

    @router.get("/timemap/json/{url:path}")
    def timemap_json(url: str, request: Request) -> dict[str, Any]:
        """The same TimeMap as JSON (original, timegate, first, last and every memento)."""
        target = _target(request, url)
        return cdx.timemap_json(target, cdx.mementos(ctx, target), _links(request))

    @router.get("/timegate/{url:path}")
    def timegate(url: str, request: Request) -> Response:
        """Redirects (302) to the memento closest to ``Accept-Datetime`` (the latest
        without one)."""
        target = _target(request, url)
        found = cdx.mementos(ctx, target)
        header = request.headers.get("accept-datetime")
        when = cdx.parse_accept_datetime(header) if header else None
        chosen = cdx.timegate(found, when)
        links = _links(request)
        return Response(status_code=302, headers={
            "Location": links.memento(chosen), "Vary": "accept-datetime",
            "Link": cdx.memento_links(target, chosen, links)})

    @router.get("/memento/{timestamp}/{url:path}")
    def memento(timestamp: str, url: str, request: Request) -> Response:
        """The archived page as captured at ``timestamp`` (the closest capture), its
        Content-Encoding undone, under its original Content-Type, sandboxed; with
        Memento-Datetime and Link headers."""
        target = _target(request, url)
        shown = service.show_capture(ctx, target, timestamp[:14])
        chosen = cdx.Memento(shown.capture.timestamp, shown.capture.url or target)
        if chosen.timestamp != timestamp:  # another capture is the closest: go there
            return Response(status_code=302, headers={"Location": _links(request).memento(
                chosen)})
        http = shown.payload_record.http_headers
        media = (http.get_header("Content-Type") if http else None) or "application/octet-stream"
        return Response(shown.payload_record.decoded_payload(), headers={
            "Content-Type": media, "Content-Security-Policy": ARCHIVED_BODY_CSP,
            "X-Content-Type-Options": "nosniff", "X-Robots-Tag": "noindex",
            **cdx.memento_headers(target, chosen.timestamp, str(request.base_url))})

    return router
