"""The catalog's declarative base and its first tables: outlets and runs.

What was archived (captures, articles and their versions) has its tables in
:mod:`crawler.catalog.archived`, and users, alerts and run logs theirs in their own modules:
a foreground crawl's owner records its runs before its first request without defining
those (~75 M instructions less before it), and the ORM configures only the mappers
defined when it is first used (the others on their first use).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    PostgreSQL keeps the zone; SQLite drops it, so naive values read back are UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Outlet(Base):
    __tablename__ = "outlets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    homepage: Mapped[str] = mapped_column(Text)
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(default=True)
    config_hash: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    outlet_id: Mapped[str] = mapped_column(String(64), index=True)
    trigger: Mapped[str] = mapped_column(String(20))  # manual | schedule | demo | service
    # queued | running | succeeded | failed | cancelled | timed_out, and for triggers that did
    # not start a run: skipped (the outlet already had one) | missed (too late to start)
    status: Mapped[str] = mapped_column(String(20), index=True)
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    pid: Mapped[int | None] = mapped_column(Integer)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    log_path: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    articles_new: Mapped[int] = mapped_column(Integer, default=0)
    articles_changed: Mapped[int] = mapped_column(Integer, default=0)
    articles_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # When the schedule wanted the run (None for runs started by hand).
    scheduled_for: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The machine the run's process lives on: a pid means nothing elsewhere.
    host: Mapped[str | None] = mapped_column(String(255))
    # Set by `akhbar runs cancel` from any process; the process that owns the run acts on it.
    cancel_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The owner that holds the run (crawler.runs): "<host>:<pid>" of the `akhbar crawl`,
    # `akhbar serve` or worker process that started it, and its last sign of life. A run
    # whose owner stopped beating is ended by the next owner that looks.
    owner: Mapped[str | None] = mapped_column(String(300))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Live figures, written by the crawl every few seconds while it runs.
    bytes_received: Mapped[int] = mapped_column(BigInteger, default=0)
    warc_file: Mapped[str | None] = mapped_column(Text)
    progress_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
