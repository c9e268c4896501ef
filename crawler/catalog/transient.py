"""The catalog database unavailable for a while: a SQLite file another process holds locked,
a PostgreSQL server that dropped its connections (restarted, or a backend terminated).

Such an error is worth waiting out and trying again; anything else is not. Each wait and
each lost connection is logged as a warning in words, so that ops see the outage even when
nothing was lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Seconds between attempts; their sum (about a minute) is the longest outage ridden out.
WAITS = (1.0, 2.0, 4.0, 8.0, 15.0, 15.0, 15.0)

_SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")
# PostgreSQL's words for a connection it dropped, or for a server restarting: refused while
# it is down, "starting up" or "shutting down" on the way.
_CONNECTION_LOST = ("server closed the connection", "terminating connection",
                    "connection is closed", "connection refused", "could not connect",
                    "the database system is starting up", "the database system is shutting down",
                    "the database system is in recovery mode")


def is_transient(exc: BaseException) -> bool:
    """A locked SQLite file or a lost database connection: try again later."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    text = str(exc.orig).lower()
    return any(s in text for s in (*_SQLITE_BUSY, *_CONNECTION_LOST))


def describe(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", exc)).strip().strip("()").splitlines()
    first = text[0] if text else f"{type(exc).__name__}: the server closed it"
    if any(s in first.lower() for s in _SQLITE_BUSY):
        return f"the catalog database is locked by another process ({first})"
    return f"the connection to the catalog database was lost ({first})"


def retrying(what: str, attempt: Callable[[], T], *,
             waits: tuple[float, ...] = WAITS, sleep: Callable[[float], Any] = time.sleep) -> T:
    """``attempt()``, tried again after each wait while it fails with a transient database
    error (it must roll back whole when it fails, as one transaction does)."""
    for n, wait in enumerate((*waits, None), start=1):
        try:
            return attempt()
        except DBAPIError as exc:
            if wait is None or not is_transient(exc):
                raise
            logger.warning("%s: %s; trying again in %.0f s (attempt %d of %d)",
                           what, describe(exc), wait, n, len(waits) + 1,
                           extra={"event": "catalog_retry"})
            sleep(wait)
    raise AssertionError("unreachable")


def _on_invalidate(_dbapi_conn: Any, _record: Any, exc: BaseException | None) -> None:
    if exc is not None:  # None: closed on purpose, not lost
        logger.warning("%s; reconnecting", describe(exc), extra={"event": "catalog_reconnect"})


def warn_on_lost_connections(engine: Engine) -> None:
    """Log each connection the pool finds dead (a pre-ping that failed, an error that
    invalidated it) before it reconnects."""
    event.listen(engine, "invalidate", _on_invalidate)
