"""The exceptions akhbar raises on purpose, all in one place.

Hierarchy::

    AkhbarError                  base of every error akhbar raises deliberately
    ├── ConfigError              a setting or an outlet file is wrong (file, outlet, field,
    │                            problem, hint); str() is one line a person can act on
    ├── CatalogError             the catalog database cannot be opened, migrated or queried
    │   └── CatalogUnavailable   it is locked or away for a while: try again (HTTP 503)
    ├── QueryError               a search or export query is wrong (``parameter`` names the
    │                            parameter, e.g. ``q`` or ``outlet``); also a ValueError
    ├── RunError                 a crawl run cannot be started, found, followed or cancelled
    │   ├── RunNotFound          no run, outlet or schedule by that name (HTTP 404)
    │   ├── ServiceUnavailable   no `akhbar serve` answers at the address it recorded
    │   └── ServiceAlreadyRunning  another `akhbar serve` uses the same data directory
    ├── ArchiveLookupError       nothing archived matches (URL, time, capture id); also a
    │                            LookupError, so ``except LookupError`` catches it
    ├── ReplayUnavailable        the replay server (pywb) is not installed or did not start
    │                            (HTTP 503)
    ├── InvalidParameter         a request parameter is malformed or out of bounds (HTTP 422);
    │                            ``parameter`` names it; also a ValueError
    └── AccessRefused            a request is refused before it does anything
        ├── HostNotAllowed       the Host header is not in auth.allowed_hosts (HTTP 400)
        ├── NotAuthenticated     no valid token or session (HTTP 401)
        ├── PermissionDenied     the user's role may not do this (HTTP 403)
        ├── CrossSiteRefused     a change without a same-origin proof: Origin, CSRF token (403)
        ├── UnsupportedMediaType  a change on the API whose body is not JSON (HTTP 415)
        └── TooManyAttempts      too many failed logins from a name or address (HTTP 429)

The HTTP status of each comes from its class (``crawler.web.pages.error_status``), never
from its message.

Catch ``AkhbarError`` at the edges (CLI, HTTP API, scheduler jobs) to turn any of these into a
clean message; let anything else surface as the bug it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = [
    "AccessRefused",
    "ReplayUnavailable",
    "AkhbarError",
    "ArchiveLookupError",
    "CatalogError",
    "CatalogUnavailable",
    "ConfigError",
    "QueryError",
    "CrossSiteRefused",
    "HostNotAllowed",
    "InvalidParameter",
    "NotAuthenticated",
    "PermissionDenied",
    "RunError",
    "RunNotFound",
    "ServiceAlreadyRunning",
    "ServiceUnavailable",
    "TooManyAttempts",
    "UnsupportedMediaType",
]


class AkhbarError(Exception):
    """Base class of every error akhbar raises on purpose."""


class ConfigError(AkhbarError):
    """A configuration value is wrong.

    ``file``, ``outlet`` and ``field`` say where (``field`` is a dotted path such as
    ``politeness.delay`` or ``articles.allow[1]``), ``problem`` says what is wrong and ``hint``
    what is allowed or how to fix it. ``line``/``column`` (1-based) are set for YAML syntax
    errors. ``others`` holds further errors found in the same file, so that raising one error
    does not hide the rest; ``all`` is this error followed by them.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: Path | str | None = None,
        outlet: str | None = None,
        field: str | None = None,
        hint: str = "",
        line: int | None = None,
        column: int | None = None,
        others: tuple[ConfigError, ...] = (),
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.file = Path(file) if file is not None else None
        self.outlet = outlet
        self.field = field
        self.hint = hint
        self.line = line
        self.column = column
        self.others = tuple(others)

    @property
    def all(self) -> tuple[ConfigError, ...]:
        return (self, *self.others)

    def render(self) -> str:
        """This error alone, as one line: where, what is wrong, what to do."""
        where: list[str] = []
        if self.line is not None:
            where.append(f"line {self.line}" + (f", column {self.column}" if self.column else ""))
        if self.outlet:
            where.append(f"outlet '{self.outlet}'")
        if self.field:
            where.append(f"field '{self.field}'")
        text = self.problem
        if self.hint:
            sep = " " if text.endswith((".", "!", "?")) else ". "
            text = f"{text}{sep}{self.hint}"
        head = ", ".join(where)
        if self.file is not None:
            head = f"{self.file}: {head}" if head else str(self.file)
        return f"{head}: {text}" if head else text

    def render_all(self) -> str:
        """This error and the others from the same file, one per line."""
        return "\n".join(err.render() for err in self.all)

    def __str__(self) -> str:
        text = self.render()
        if self.others:
            n = len(self.others)
            text += f" (and {n} more problem{'s' if n > 1 else ''} in this file)"
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only fields would be lost when the error crosses a process boundary.
        return (_rebuild_config_error, (self.problem, self.__dict__.copy()))


def _rebuild_config_error(problem: str, state: dict[str, Any]) -> ConfigError:
    err = ConfigError(problem)
    err.__dict__.update(state)
    return err


class CatalogError(AkhbarError):
    """The catalog database cannot be opened, migrated or queried."""


class CatalogUnavailable(CatalogError):
    """The catalog database is locked by another process or away (a PostgreSQL restart) for
    a while: the request may be tried again in a minute."""


class QueryError(AkhbarError, ValueError):
    """A search or export query is wrong: ``parameter`` names the parameter (``q``,
    ``outlet``, ``lang``, ``from`` ...), the message says what is wrong and what is allowed."""

    def __init__(self, parameter: str, problem: str) -> None:
        super().__init__(f"{parameter}: {problem}")
        self.parameter = parameter
        self.problem = problem

    def __reduce__(self) -> tuple[Any, ...]:
        return (QueryError, (self.parameter, self.problem))


class RunError(AkhbarError):
    """A crawl run cannot be started, found, followed or cancelled."""


class ArchiveLookupError(AkhbarError, LookupError):
    """Nothing archived matches the URL, time or capture asked for."""


class ReplayUnavailable(AkhbarError):
    """The replay server (pywb) is not installed or did not start."""


class InvalidParameter(AkhbarError, ValueError):
    """A request parameter is malformed or out of bounds; ``parameter`` names it."""

    def __init__(self, parameter: str, problem: str) -> None:
        super().__init__(f"{parameter}: {problem}")
        self.parameter = parameter
        self.problem = problem

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.parameter, self.problem))


class AccessRefused(AkhbarError):
    """A request is refused before it does anything (who may do what, from where)."""


class HostNotAllowed(AccessRefused):
    """The Host header names a host that is not in ``auth.allowed_hosts``."""


class NotAuthenticated(AccessRefused):
    """No valid token or session came with the request."""


class PermissionDenied(AccessRefused):
    """The user's role may not do what the request asks."""


class CrossSiteRefused(AccessRefused):
    """A state change came without proof that it comes from akhbar's own pages."""


class UnsupportedMediaType(AccessRefused):
    """A state change on the JSON API whose body is not JSON."""


class TooManyAttempts(AccessRefused):
    """Too many failed logins for a name or from an address; try again later."""


class RunNotFound(RunError):
    """No run, outlet or schedule by the name given; the message says where to look."""


class ServiceUnavailable(RunError):
    """No `akhbar serve` answers at the configured address."""


class ServiceAlreadyRunning(RunError):
    """Another `akhbar serve` uses the same data directory."""
