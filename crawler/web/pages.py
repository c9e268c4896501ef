"""Rendering pages: the Jinja2 environment (templates shipped in the package, autoescaped),
error pages with a clear message, and the static files."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from importlib import resources
from typing import Any, ParamSpec
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from crawler.auth.statuses import http_status
from crawler.errors import AkhbarError, NotAuthenticated
from crawler.web import present

logger = logging.getLogger(__name__)

#: Where the pages live; the JSON API keeps /runs, /articles, /captures, /outlets.
UI = "/ui"

P = ParamSpec("P")


def page_url(path: str, **params: Any) -> str:
    """``/ui<path>?<params>``, leaving out empty parameters."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{UI}{path}" + (f"?{query}" if query else "")


def make_templates() -> Jinja2Templates:
    env = Environment(loader=PackageLoader("crawler.web", "templates"),
                      autoescape=select_autoescape(["html"], default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(present.filters(), page_url=page_url, UI=UI)
    return Jinja2Templates(env=env)


TEMPLATES = make_templates()


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A template with ``user`` (who is logged in, or None) and ``csrf`` (the session's CSRF
    token for the buttons, "" without a session) always at hand."""
    principal = getattr(request.state, "principal", None)
    context.setdefault("user", principal)
    context.setdefault("csrf", getattr(principal, "csrf", None) or "")
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    titles = {400: "Bad request", 401: "Please log in", 403: "Not allowed", 404: "Not found",
              409: "Not possible now", 415: "Bad request", 422: "Bad request",
              429: "Too many attempts"}
    return render(request, "error.html", status, title=titles.get(status, "Error"),
                  status=status, message=message)


def error_status(exc: AkhbarError) -> int:
    """The same status as the JSON API's, from the error's class."""
    return http_status(exc)


def page_error_response(request: Request, exc: AkhbarError, status: int) -> Response:
    """A page refused or failed: a GET without a login goes to the login form (and back
    after it), the rest is an error page with the message."""
    if isinstance(exc, NotAuthenticated) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(page_url("/login", next=target), status_code=303)
    return error_page(request, status, str(exc))


def page(view: Callable[P, Response]) -> Callable[P, Response]:
    """A page route: akhbar's own errors (and HTTPException) become an HTML error page with
    the message, instead of the API's JSON."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        request = kwargs.get("request")
        assert isinstance(request, Request), "page routes take `request` as a keyword"
        try:
            return view(*args, **kwargs)
        except AkhbarError as exc:
            return error_page(request, error_status(exc), str(exc))
        except HTTPException as exc:
            return error_page(request, exc.status_code, str(exc.detail))

    return wrapper


def static_file(name: str) -> Response:
    """A file of ``crawler/web/static`` (a flat directory: no path reaches elsewhere)."""
    folder = resources.files("crawler.web") / "static"
    entry = folder / name
    if "/" in name or name.startswith(".") or not entry.is_file():
        raise HTTPException(404, f"no static file {name!r}")
    media = {"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
             "svg": "image/svg+xml"}.get(name.rsplit(".", 1)[-1], "application/octet-stream")
    return Response(entry.read_bytes(), media_type=media,
                    headers={"Cache-Control": "public, max-age=300"})
