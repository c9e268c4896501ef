"""The HTTP status of each error akhbar raises on purpose, by its class (never its message);
the JSON API and the pages answer with the same one."""

from __future__ import annotations

from crawler.errors import (
    AkhbarError,
    ArchiveLookupError,
    CatalogUnavailable,
    CrossSiteRefused,
    HostNotAllowed,
    InvalidParameter,
    NotAuthenticated,
    PermissionDenied,
    ReplayUnavailable,
    RunNotFound,
    TooManyAttempts,
    UnsupportedMediaType,
)

_STATUSES: tuple[tuple[type[AkhbarError], int], ...] = (
    (HostNotAllowed, 400),
    (NotAuthenticated, 401),
    (PermissionDenied, 403),
    (CrossSiteRefused, 403),
    (RunNotFound, 404),
    (ArchiveLookupError, 404),
    (UnsupportedMediaType, 415),
    (InvalidParameter, 422),
    (TooManyAttempts, 429),
    (ReplayUnavailable, 503),
    (CatalogUnavailable, 503),
)


def http_status(exc: AkhbarError) -> int:
    """404 for what does not exist, 4xx for a refused or malformed request, else 409 (the
    request is understood but not possible now, e.g. a run that already ended)."""
    for cls, status in _STATUSES:
        if isinstance(exc, cls):
            return status
    if isinstance(exc, ValueError):  # a parameter-naming error (InvalidParameter, QueryError)
        return 422
    return 409
