"""The checks every request passes before any route runs (plain ASGI, so no request costs
the event loop more than a few header look-ups):

- the Host header must name an allowed host (DNS rebinding gets a 400);
- a state change (any method but GET, HEAD, OPTIONS) must come from the service's own origin
  when the browser says where it comes from (Origin, else Referer), and must carry one of
  them when it comes with a session cookie; on the JSON API its body must be JSON (a
  cross-site HTML form cannot send ``application/json``);
- every answer gets ``nosniff``, a referrer policy and frame rules; pages get a CSP.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crawler.auth.statuses import http_status
from crawler.errors import AccessRefused, CrossSiteRefused, HostNotAllowed, UnsupportedMediaType

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = "akhbar_session"
#: The pages' own policy: scripts and styles from the service only, nothing inline, frames
#: only of the service (the archived page), never framed by another site.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
            "object-src 'none'")
#: Swagger UI on /docs (crawler.api.docs): no inline script either; it styles its parts
#: through the DOM (allowed) and ships its icons as data: SVG.
DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")


def host_name(host_header: str) -> str:
    """``example.org`` from ``example.org:8631``; ``::1`` from ``[::1]:8631``."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _origin_of(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return parts.scheme.lower(), parts.netloc.lower()


class RequestGuard:
    """ASGI middleware: allowed hosts, same-origin changes, JSON-only API changes, headers."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str], ui_prefix: str = "/ui") -> None:
        self.app = app
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self.ui_prefix = ui_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            self.check(scope, headers)
        except AccessRefused as exc:
            client = scope.get("client") or ("?", 0)
            logger.warning("refused %s %s from %s (Origin %s): %s", scope["method"],
                           scope["path"], client[0], headers.get("origin", "none"), exc)
            await self._refuse(exc, send)
            return
        path: str = scope["path"]
        is_page = path == "/" or path.startswith(self.ui_prefix)
        csp = DOCS_CSP if path == "/docs" else PAGE_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.setdefault("X-Content-Type-Options", "nosniff")
                out.setdefault("Referrer-Policy", "same-origin")
                out.setdefault("X-Frame-Options", "DENY")
                if (is_page or path == "/docs") and "text/html" in out.get("content-type", ""):
                    out.setdefault("Content-Security-Policy", csp)
                else:
                    out.setdefault("Content-Security-Policy",
                                   "default-src 'none'; frame-ancestors 'none'; sandbox")
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def check(self, scope: Scope, headers: Headers) -> None:
        host = headers.get("host", "")
        if host_name(host) not in self.allowed_hosts:
            raise HostNotAllowed(
                f"host {host!r} is not served here: add it to auth.allowed_hosts in "
                "config/akhbar.yaml if it is this service's name")
        if scope["method"] in SAFE_METHODS:
            return
        own = (scope.get("scheme", "http"), host.lower())
        claimed = headers.get("origin") or headers.get("referer")
        if claimed is not None:
            if _origin_of(claimed) != own:
                raise CrossSiteRefused(
                    f"a {scope['method']} from {claimed!r} is refused: changes are accepted "
                    f"only from this service's own pages ({own[0]}://{own[1]})")
        elif SESSION_COOKIE in headers.get("cookie", ""):
            raise CrossSiteRefused(
                f"a {scope['method']} with a login cookie but neither Origin nor Referer is "
                "refused: use the buttons of the pages, or a token (Authorization: Bearer)")
        if not scope["path"].startswith(self.ui_prefix):
            # Every HTML form sends a Content-Type, and none can send JSON; a change with no
            # body at all (a button, the CLI's cancel) needs none.
            media = headers.get("content-type", "").split(";")[0].strip().lower()
            has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
            if (media or has_body) and media != "application/json":
                raise UnsupportedMediaType(
                    f"a {scope['method']} on the API needs a JSON body (Content-Type: "
                    f"application/json), not {media or 'none'!r}; send {{}} when there is "
                    "nothing to say")

    async def _refuse(self, exc: AccessRefused, send: Send) -> None:
        body = json.dumps({"detail": str(exc)}).encode()
        await send({"type": "http.response.start", "status": http_status(exc),
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"x-content-type-options", b"nosniff")]})
        await send({"type": "http.response.body", "body": body})
