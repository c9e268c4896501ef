"""Who a request comes from, and whether that one may do what it asks: route dependencies.

A request proves who it is by ``Authorization: Bearer <token>`` (the API, the CLI) or by the
session cookie of a web login; a change made with the cookie must also carry the session's
CSRF token (``X-CSRF-Token``, or a ``csrf_token`` form field on the login pages' forms).
Every refusal is logged with who asked for what.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from crawler.auth.accounts import Accounts, UserInfo
from crawler.auth.limiter import LoginLimiter
from crawler.auth.middleware import SAFE_METHODS, SESSION_COOKIE
from crawler.auth.roles import Permission, Role, anonymous_permissions
from crawler.errors import AccessRefused, CrossSiteRefused, NotAuthenticated, PermissionDenied
from crawler.outlets.service import AuthConfig

logger = logging.getLogger(__name__)

CSRF_HEADER = "x-csrf-token"
#: Tokens whose argon2 check passed, remembered by digest so a busy client is not hashed on
#: every request; revocation and disabling are still read from the catalog each time.
VERIFIED_CACHE = 1024


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role | None
    permissions: frozenset[Permission]
    via: str  # "token", "session" or "anonymous"
    csrf: str | None = None

    def can(self, permission: Permission | str) -> bool:
        return Permission(permission) in self.permissions

    @property
    def who(self) -> str:
        return f"{self.name} ({self.role.value})" if self.role else self.name


class Guard:
    """The authentication and authorisation of one app."""

    def __init__(self, accounts: Accounts, settings: AuthConfig) -> None:
        self.accounts = accounts
        self.settings = settings
        self.limiter = LoginLimiter(settings.login_attempts)
        self.anonymous = anonymous_permissions(
            anonymous_read=settings.anonymous_read, open_metrics=settings.open_metrics,
            open_healthz=settings.open_healthz)
        self._verified: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    # -- who ----------------------------------------------------------------------------
    def _user_of_token(self, token: str) -> UserInfo | None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        with self._lock:
            known = digest in self._verified
        user = self.accounts.check_token(token, verified=known)
        if user is not None and not known:
            with self._lock:
                self._verified[digest] = None
                while len(self._verified) > VERIFIED_CACHE:
                    self._verified.popitem(last=False)
        return user

    def principal(self, request: Request) -> Principal:
        """Who sent the request (the anonymous principal when nothing was presented); a
        credential that is presented but wrong is refused, never taken as anonymous."""
        cached = getattr(request.state, "principal", None)
        if isinstance(cached, Principal):
            return cached
        found = self._identify(request)
        request.state.principal = found
        return found

    def _identify(self, request: Request) -> Principal:
        header = request.headers.get("authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            user = self._user_of_token(token.strip()) if scheme.lower() == "bearer" else None
            if user is None:
                raise NotAuthenticated(
                    "the token is not valid (wrong, replaced, or its user is disabled); "
                    "ask an admin for a new one: `akhbar users token NAME`")
            return self._of_user(user, "token")
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            session = self.accounts.session_of(cookie)
            if session is not None:
                return self._of_user(session.user, "session", session.csrf)
        return Principal("anonymous", None, self.anonymous, "anonymous")

    def _of_user(self, user: UserInfo, via: str, csrf: str | None = None) -> Principal:
        return Principal(user.name, user.role, user.role.permissions | self.anonymous, via,
                         csrf)

    # -- may they -----------------------------------------------------------------------
    def require(self, permission: Permission) -> Callable[[Request], Principal]:
        """A route dependency: the principal, if it holds ``permission``."""

        def dependency(request: Request) -> Principal:
            try:
                principal = self.principal(request)
                self.authorize(request, principal, permission)
            except AccessRefused as exc:
                who = getattr(request.state, "principal", None)
                client = request.client.host if request.client else "?"
                logger.warning("refused %s %s to %s from %s: %s", request.method,
                               request.url.path, who.who if who else "an unknown token",
                               client, exc)
                raise
            return principal

        return dependency

    def authorize(self, request: Request, principal: Principal, permission: Permission) -> None:
        if permission not in principal.permissions:
            if principal.role is None:
                raise NotAuthenticated(
                    f"{request.method} {request.url.path} needs a login: log in on "
                    "/ui/login, or send Authorization: Bearer <token> (`akhbar users add` "
                    "makes one)")
            raise PermissionDenied(
                f"{principal.who} may not do this ({permission.value}): the "
                f"{principal.role.value} role may {principal.role.summary}; ask an admin")
        if principal.via == "session" and request.method not in SAFE_METHODS:
            self.check_csrf(principal, request.headers.get(CSRF_HEADER))

    @staticmethod
    def check_csrf(principal: Principal, presented: str | None) -> None:
        if not (principal.csrf and presented
                and hmac.compare_digest(principal.csrf.encode(), presented.encode())):
            raise CrossSiteRefused(
                "the CSRF token of this change is missing or stale: reload the page and try "
                "again")
