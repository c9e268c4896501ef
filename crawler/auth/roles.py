"""Roles and what each may do. A route asks for one :class:`Permission`; a role is a fixed
set of them.

======================  =====  =========  ==========  ===  =========
permission              admin  archivist  researcher  ops  anonymous
======================  =====  =========  ==========  ===  =========
archive:read            yes    yes        yes         yes  if anonymous_read
outlets:read            yes    yes        yes         yes  if anonymous_read
runs:read (and logs)    yes    yes        .           yes  if anonymous_read
runs:start              yes    yes        .           .    .
runs:cancel             yes    yes        .           yes  .
schedules:write         yes    yes        .           .    .
metrics:read            yes    .          .           yes  if open_metrics
health:read             yes    yes        yes         yes  if open_healthz
users:admin             yes    .          .           .    .
======================  =====  =========  ==========  ===  =========
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    ARCHIVE_READ = "archive:read"
    OUTLETS_READ = "outlets:read"
    RUNS_READ = "runs:read"
    RUNS_START = "runs:start"
    RUNS_CANCEL = "runs:cancel"
    SCHEDULES_WRITE = "schedules:write"
    METRICS_READ = "metrics:read"
    HEALTH_READ = "health:read"
    USERS_ADMIN = "users:admin"


class Role(StrEnum):
    ADMIN = "admin"
    ARCHIVIST = "archivist"
    RESEARCHER = "researcher"
    OPS = "ops"

    @property
    def permissions(self) -> frozenset[Permission]:
        return role_permissions(self)

    @property
    def summary(self) -> str:
        return {
            Role.ADMIN: "everything, users included",
            Role.ARCHIVIST: "outlets, schedules, runs (start, cancel) and the archive",
            Role.RESEARCHER: "read, search and export the archive",
            Role.OPS: "runs, logs, metrics and cancelling runs",
        }[self]


P = Permission
_READ = frozenset({P.ARCHIVE_READ, P.OUTLETS_READ, P.HEALTH_READ})


def role_permissions(role: Role) -> frozenset[Permission]:
    if role is Role.ADMIN:
        return frozenset(Permission)
    if role is Role.ARCHIVIST:
        return _READ | {P.RUNS_READ, P.RUNS_START, P.RUNS_CANCEL, P.SCHEDULES_WRITE}
    if role is Role.RESEARCHER:
        return _READ
    return _READ | {P.RUNS_READ, P.RUNS_CANCEL, P.METRICS_READ}


def anonymous_permissions(*, anonymous_read: bool, open_metrics: bool,
                          open_healthz: bool) -> frozenset[Permission]:
    """What a request without credentials may do under the ``auth:`` settings."""
    allowed: set[Permission] = set()
    if anonymous_read:
        allowed |= {P.ARCHIVE_READ, P.OUTLETS_READ, P.RUNS_READ}
    if open_metrics:
        allowed.add(P.METRICS_READ)
    if open_healthz:
        allowed.add(P.HEALTH_READ)
    return frozenset(allowed)


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise ValueError(f"'{value}' is not a role: use one of "
                         + ", ".join(r.value for r in Role)) from None
