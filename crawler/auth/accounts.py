"""Users, API tokens and web sessions in the catalog: the one place that creates, checks and
ends them (the `akhbar users` commands and the HTTP side both call these).

A token reads ``akh_<key>_<secret>``: ``key`` finds its row, the argon2 hash of the whole
token proves it. It is shown once, when made, and never stored or logged.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from crawler.auth.roles import Role
from crawler.catalog.db import Catalog
from crawler.catalog.users import ApiToken, User, WebSession
from crawler.errors import InvalidParameter

__all__ = ["Accounts", "SessionInfo", "UserInfo", "hasher"]

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
TOKEN_RE = re.compile(r"^akh_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


def hasher() -> PasswordHasher:
    """argon2id at OWASP's smallest recommended cost (19 MiB, 2 passes): a token is 256
    random bits, so the hash guards a stolen catalog, not a guessable password."""
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class UserInfo:
    id: int
    name: str
    role: Role
    disabled: bool
    created_at: datetime
    tokens: int = 0


def _info(user: User, tokens: int = 0) -> UserInfo:
    return UserInfo(user.id, user.name, Role(user.role), user.disabled, user.created_at, tokens)


@dataclass(frozen=True)
class SessionInfo:
    user: UserInfo
    csrf: str
    expires_at: datetime


class Accounts:
    """The accounts of one catalog."""

    def __init__(self, catalog: Catalog, password_hasher: PasswordHasher | None = None) -> None:
        self.catalog = catalog
        self.hasher = password_hasher or hasher()

    # -- users ----------------------------------------------------------------------------
    def add_user(self, name: str, role: Role) -> tuple[UserInfo, str]:
        """A new user and its first token (the only time the token is seen)."""
        name = name.strip().lower()
        if not NAME_RE.match(name):
            raise InvalidParameter("NAME", f"'{name}' is not a user name: use 1-64 of a-z, 0-9,"
                                   " '_', '.', '-', starting with a letter or digit")
        with self.catalog.session() as session:
            if session.scalars(select(User).where(User.name == name)).first() is not None:
                raise InvalidParameter("NAME", f"user '{name}' exists already; "
                                       f"`akhbar users token {name}` gives it a new token")
            user = User(name=name, role=role.value, disabled=False, created_at=_now())
            session.add(user)
            session.flush()
            token = self._issue(session, user.id)
            return _info(user, 1), token

    def list_users(self) -> list[UserInfo]:
        with self.catalog.session() as session:
            counts: dict[int, int] = {uid: n for uid, n in session.execute(
                select(ApiToken.user_id, func.count()).where(ApiToken.revoked_at.is_(None))
                .group_by(ApiToken.user_id))}
            return [_info(u, counts.get(u.id, 0))
                    for u in session.scalars(select(User).order_by(User.name))]

    def has_users(self) -> bool:
        with self.catalog.session() as session:
            return session.scalars(select(User.id).limit(1)).first() is not None

    def set_disabled(self, name: str, disabled: bool = True) -> UserInfo:
        """Disable (or enable) a user; a disabled user's sessions end at once."""
        with self.catalog.session() as session:
            user = self._user(session, name)
            user.disabled = disabled
            if disabled:
                session.execute(delete(WebSession).where(WebSession.user_id == user.id))
            return _info(user)

    def new_token(self, name: str) -> str:
        """A new token for the user; its earlier tokens stop working."""
        with self.catalog.session() as session:
            user = self._user(session, name)
            session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                                   ApiToken.revoked_at.is_(None))
                            .values(revoked_at=_now()))
            return self._issue(session, user.id)

    @staticmethod
    def _user(session: Session, name: str) -> User:
        found = session.scalars(select(User).where(User.name == name.strip().lower())).first()
        if found is None:
            raise InvalidParameter("NAME", f"no user '{name}'; `akhbar users list` lists them")
        return found

    def _issue(self, session: Session, user_id: int) -> str:
        key = secrets.token_hex(8)
        token = f"akh_{key}_{secrets.token_urlsafe(32)}"
        session.add(ApiToken(user_id=user_id, key=key, secret_hash=self.hasher.hash(token),
                             created_at=_now()))
        return token

    # -- checking credentials -------------------------------------------------------------
    def token_key(self, token: str) -> str | None:
        """The public key of a well-formed token (None for anything else)."""
        m = TOKEN_RE.match(token)
        return m[1] if m else None

    def check_token(self, token: str, *, verified: bool = False) -> UserInfo | None:
        """The enabled user owning this live token, or None. ``verified``: the caller has
        already checked this exact token against its hash (the argon2 step is skipped)."""
        key = self.token_key(token)
        if key is None:
            return None
        with self.catalog.session() as session:
            row = session.execute(
                select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                .where(ApiToken.key == key)).first()
            if row is None:
                return None
            stored, user = row
            if stored.revoked_at is not None or user.disabled:
                return None
            if not verified:
                try:
                    self.hasher.verify(stored.secret_hash, token)
                except (VerificationError, InvalidHashError):
                    return None
            return _info(user)

    # -- web sessions ---------------------------------------------------------------------
    def open_session(self, user: UserInfo, lifetime: timedelta) -> tuple[str, SessionInfo]:
        """A new login: the cookie value (shown to the browser only) and its session."""
        cookie = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = _now()
        with self.catalog.session() as session:
            session.execute(delete(WebSession).where(WebSession.expires_at < now))
            session.add(WebSession(id_hash=_digest(cookie), user_id=user.id, csrf=csrf,
                                   created_at=now, expires_at=now + lifetime))
        return cookie, SessionInfo(user, csrf, now + lifetime)

    def session_of(self, cookie: str) -> SessionInfo | None:
        if not cookie or len(cookie) > 100:
            return None
        with self.catalog.session() as session:
            row = session.execute(
                select(WebSession, User).join(User, User.id == WebSession.user_id)
                .where(WebSession.id_hash == _digest(cookie))).first()
            if row is None:
                return None
            web, user = row
            expires = web.expires_at if web.expires_at.tzinfo else web.expires_at.replace(
                tzinfo=UTC)
            if user.disabled or expires <= _now():
                return None
            return SessionInfo(_info(user), web.csrf, expires)

    def close_session(self, cookie: str) -> None:
        with self.catalog.session() as session:
            session.execute(delete(WebSession).where(WebSession.id_hash == _digest(cookie)))
