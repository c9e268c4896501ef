"""``/replay/{timestamp}/{url}``: the archive replayed by pywb, behind the service's access
rules (``archive:read``, like every other read of the archive).

Requests are forwarded to the service's pywb (:class:`crawler.replay.server.PywbServer`) with
the service's Host, so pywb's rewritten links stay on this service. What comes back gets the
service's own headers, and which depends on who wrote it:

- pywb's own pages (the frame with the banner, the calendar, its scripts and styles) run
  pywb's scripts on the service's origin: ``REPLAY_FRAME_CSP`` lets them load only from the
  service, and be framed only by the service (the capture page shows replay in a frame);
- everything archived (a ``{timestamp}{modifier}_/`` URL: the page in the frame, its
  stylesheets, images, fonts) gets ``ARCHIVED_CSP``: ``sandbox`` without ``allow-scripts``,
  so no script of an archived page ever runs with the service's privileges (nor opens a
  window, submits a form or navigates the top page), and every ``*-src`` is ``'self'``, so
  the browser fetches nothing from the live web even where pywb's rewriting missed a URL.
  ``allow-same-origin`` keeps the frame's origin, so its images and stylesheets are sent
  with the reader's session cookie (a sandboxed opaque origin is cross-site: the cookie
  would not go).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from crawler.auth.guard import Guard
from crawler.auth.roles import Permission
from crawler.errors import ReplayUnavailable
from crawler.replay.server import COLLECTION, PywbServer

__all__ = ["ARCHIVED_CSP", "REPLAY_FRAME_CSP", "replay_router"]

ARCHIVED_CSP = ("sandbox allow-same-origin; default-src 'self' data: blob:; "
                "style-src 'self' 'unsafe-inline' data:; script-src 'none'; object-src 'none'; "
                "form-action 'none'; base-uri 'self'; frame-ancestors 'self'")
REPLAY_FRAME_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
                    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                    "font-src 'self' data:; connect-src 'self'; frame-src 'self'; "
                    "frame-ancestors 'self'; form-action 'self'; base-uri 'self'; "
                    "object-src 'none'")
#: The first segment of an archived resource's path: a timestamp and a modifier (mp_, im_,
#: cs_, js_, id_, oe_, if_, fr_ ...). A bare timestamp is pywb's frame.
_ARCHIVED = re.compile(r"^\d{0,14}[a-z]{2}_$")
#: Headers of pywb's answer not passed on: hop-by-hop ones, and those the service sets.
_DROPPED = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length",
                      "content-security-policy", "x-frame-options", "server", "date"})
_FORWARDED = ("accept", "accept-language", "range", "if-none-match", "if-modified-since",
              "user-agent", "accept-datetime")
#: pywb answers from local files; a slower answer is a stuck server.
TIMEOUT = httpx.Timeout(60.0, connect=5.0)


def is_archived(path: str) -> bool:
    """Is this /replay path an archived resource (not pywb's own frame or files)?"""
    first = path.split("/", 1)[0]
    return bool(_ARCHIVED.match(first))


def replay_router(pywb: PywbServer, guard: Guard) -> APIRouter:
    router = APIRouter(dependencies=[Depends(guard.require(Permission.ARCHIVE_READ))])
    client = httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)

    @router.api_route(f"/{COLLECTION}/{{path:path}}", methods=["GET", "HEAD"],
                      include_in_schema=False)
    async def replay(path: str, request: Request) -> Response:
        """pywb's replay: ``/replay/{timestamp}/{url}`` (a frame with the banner, previous
        and next captures and a calendar), ``/replay/{timestamp}mp_/{url}`` (the archived
        page alone), ``/replay/cdx?url=...``, ``/replay/timemap/link/{url}``."""
        base = await run_in_threadpool(pywb.base_url)
        target = f"{base}{request.url.path}"
        if request.url.query:
            target += f"?{request.url.query}"
        headers = {k: v for k, v in request.headers.items() if k.lower() in _FORWARDED}
        headers["Host"] = request.headers.get("host", "")
        headers["X-Forwarded-Proto"] = request.url.scheme
        upstream = client.build_request(request.method, target, headers=headers)
        try:
            answer = await client.send(upstream, stream=True)
        except httpx.HTTPError as exc:
            raise ReplayUnavailable(f"the replay server (pywb) did not answer: {exc}") from exc
        out = {k: v for k, v in answer.headers.items() if k.lower() not in _DROPPED}
        out["Content-Security-Policy"] = ARCHIVED_CSP if is_archived(path) else REPLAY_FRAME_CSP
        out["X-Frame-Options"] = "SAMEORIGIN"
        out["X-Robots-Tag"] = "noindex"

        async def body() -> AsyncIterator[bytes]:
            async for chunk in answer.aiter_raw():
                yield chunk

        return StreamingResponse(body(), status_code=answer.status_code, headers=out,
                                 background=BackgroundTask(answer.aclose))

    return router
