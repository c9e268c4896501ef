"""Logging in and out of the pages. A login is a user name and that user's token (from
`akhbar users add` or `akhbar users token`); it opens a session whose cookie is HttpOnly,
SameSite=Lax, Secure under https, and ends after ``auth.session_lifetime``.

The login form is protected against cross-site posts by a double-submit token (a cookie and a
hidden field that must match), the logout form by the session's CSRF token; failed logins
are counted per name and per address and refused past ``auth.login_attempts``."""

from __future__ import annotations

import hmac
import logging
import secrets
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from crawler.auth.guard import Guard
from crawler.auth.middleware import SESSION_COOKIE
from crawler.auth.roles import Permission
from crawler.errors import CrossSiteRefused, InvalidParameter, TooManyAttempts
from crawler.web.pages import UI, render

logger = logging.getLogger(__name__)

LOGIN_CSRF_COOKIE = "akhbar_login_csrf"
#: A login form is a name, a token and two short fields; anything longer is not one.
MAX_FORM_BYTES = 4096


def _safe_next(value: str | None) -> str | None:
    """Only a path of the pages (never another site: ``//evil.example`` is refused)."""
    if value and value.startswith(UI + "/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise InvalidParameter("form", f"more than {MAX_FORM_BYTES} bytes; a login form is a "
                               "name and a token")
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    return {k: v[0] for k, v in fields.items()}


def login_pages(guard: Guard) -> APIRouter:
    router = APIRouter(prefix=UI, include_in_schema=False)
    lifetime = guard.settings.session_lifetime

    def form_page(request: Request, status: int = 200, problem: str = "",
                  name: str = "", next_url: str | None = None) -> Response:
        nonce = secrets.token_urlsafe(24)
        response = render(request, "login.html", status, title="Log in", problem=problem,
                          username=name, next_url=next_url or "", login_csrf=nonce, user=None)
        response.set_cookie(LOGIN_CSRF_COOKIE, nonce, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path=f"{UI}/login")
        return response

    @router.get("/login")
    def login_form(request: Request, next: str | None = None) -> Response:  # noqa: A002
        return form_page(request, next_url=_safe_next(next))

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = await _form(request)
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not cookie or not hmac.compare_digest(cookie, form.get("csrf_token", "")):
            raise CrossSiteRefused("the login form is stale or was not sent from this "
                                   "service's page: reload it and log in again")
        name = form.get("name", "").strip().lower()[:64]
        token = form.get("token", "").strip()
        address = request.client.host if request.client else "?"
        keys = (f"name:{name}", f"address:{address}")
        next_url = _safe_next(form.get("next"))
        try:
            guard.limiter.check(keys)
        except TooManyAttempts as exc:
            logger.warning("refused login as %r from %s: %s", name, address, exc)
            return form_page(request, 429, str(exc), name, next_url)
        user = await run_in_threadpool(guard.accounts.check_token, token) if token else None
        if user is None or user.name != name:
            guard.limiter.failed(keys)
            logger.warning("refused login as %r from %s: wrong name or token", name, address)
            return form_page(request, 401, "That name and token do not match an active user. "
                             "An admin makes tokens with `akhbar users token NAME`.", name,
                             next_url)
        guard.limiter.succeeded(keys[0])
        value, session = await run_in_threadpool(guard.accounts.open_session, user, lifetime)
        logger.info("%s (%s) logged in from %s", user.name, user.role.value, address)
        home = f"{UI}/" if Permission.RUNS_READ in user.role.permissions else f"{UI}/search"
        response = RedirectResponse(next_url or home, status_code=303)
        response.set_cookie(SESSION_COOKIE, value, max_age=int(lifetime.total_seconds()),
                            expires=session.expires_at, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")
        response.delete_cookie(LOGIN_CSRF_COOKIE, path=f"{UI}/login")
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        form = await _form(request)
        principal = await run_in_threadpool(guard.principal, request)
        if principal.via == "session":
            guard.check_csrf(principal, form.get("csrf_token"))
            await run_in_threadpool(guard.accounts.close_session,
                                    request.cookies.get(SESSION_COOKIE, ""))
            logger.info("%s logged out", principal.who)
        response = RedirectResponse(f"{UI}/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return router
