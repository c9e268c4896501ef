"""The alerts table: one row per raised alert, open until its condition ends.

:func:`reconcile` is the only writer of raises and clears: given every condition that holds
now, it opens a row for each new key, leaves an open row alone while its condition holds
(raised once, whatever the number of evaluations), and clears the open rows whose condition
is gone. The same key raised again later is a new row. Webhook deliveries are marked on the
row, per URL and per event, by :mod:`crawler.ops.webhook`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from crawler.catalog.db import Catalog
from crawler.catalog.models import Base, UtcDateTime
from crawler.ops.alerts import Condition


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_open", "cleared_at", "key"),
        # One open alert per key, even with two evaluators at once (the service and
        # `akhbar alerts --check`): the second insert fails and that evaluator backs off.
        Index("uq_alerts_open_key", "key", unique=True,
              postgresql_where=text("cleared_at IS NULL"),
              sqlite_where=text("cleared_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: "<kind>:<subject>": at most one open row per key.
    key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    #: The outlet id, or '' for the service as a whole (the disk).
    subject: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime())
    cleared_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: Per webhook URL: {"raised": iso time, "cleared": iso time, "attempts": n, "error": s}.
    deliveries: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


@dataclass(frozen=True)
class AlertRecord:
    """An alert as the CLI, the API, the pages and the webhooks show it."""

    id: int
    key: str
    kind: str
    subject: str
    severity: str
    summary: str
    details: dict[str, Any]
    raised_at: datetime
    cleared_at: datetime | None
    deliveries: dict[str, Any]

    @classmethod
    def of(cls, row: Alert) -> AlertRecord:
        return cls(row.id, row.key, row.kind, row.subject, row.severity, row.summary,
                   dict(row.details or {}), row.raised_at, row.cleared_at,
                   dict(row.deliveries or {}))

    @property
    def open(self) -> bool:
        return self.cleared_at is None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "kind": self.kind, "outlet": self.subject or None,
                "severity": self.severity, "summary": self.summary, "details": self.details,
                "raised_at": self.raised_at.isoformat(),
                "cleared_at": self.cleared_at.isoformat() if self.cleared_at else None,
                "open": self.open}


@dataclass(frozen=True)
class Reconciled:
    raised: list[AlertRecord]
    cleared: list[AlertRecord]


def reconcile(catalog: Catalog, conditions: list[Condition], now: datetime) -> Reconciled:
    """Raise the new conditions, clear the ended ones (see the module's docstring). When
    another evaluator raised one of them meanwhile, nothing is changed by this one."""
    try:
        return _reconcile(catalog, conditions, now)
    except IntegrityError:
        return Reconciled([], [])


def _reconcile(catalog: Catalog, conditions: list[Condition], now: datetime) -> Reconciled:
    holding = {c.key: c for c in conditions}
    raised: list[Alert] = []
    cleared: list[Alert] = []
    with catalog.session() as session:
        open_rows = {row.key: row for row in session.scalars(
            select(Alert).where(Alert.cleared_at.is_(None)).with_for_update())}
        for key, row in open_rows.items():
            if key not in holding:
                row.cleared_at = now
                cleared.append(row)
        for key, cond in holding.items():
            if key in open_rows:
                continue
            row = Alert(key=key, kind=cond.kind, subject=cond.subject, severity=cond.severity,
                        summary=cond.summary, details=dict(cond.details), raised_at=now,
                        deliveries={})
            session.add(row)
            raised.append(row)
        session.flush()
        return Reconciled([AlertRecord.of(r) for r in raised],
                          [AlertRecord.of(r) for r in cleared])


def list_alerts(catalog: Catalog, *, open_only: bool = False, kind: str | None = None,
                outlet: str | None = None, limit: int = 200) -> list[AlertRecord]:
    """Newest first."""
    query = select(Alert).order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit)
    if open_only:
        query = query.where(Alert.cleared_at.is_(None))
    if kind:
        query = query.where(Alert.kind == kind)
    if outlet:
        query = query.where(Alert.subject == outlet)
    with catalog.session() as session:
        return [AlertRecord.of(r) for r in session.scalars(query)]


def open_counts(catalog: Catalog) -> list[tuple[str, str, str]]:
    """(kind, subject, severity) of every open alert."""
    with catalog.session() as session:
        return [(k, s, v) for k, s, v in session.execute(
            select(Alert.kind, Alert.subject, Alert.severity).where(Alert.cleared_at.is_(None)))]


def mark_delivery(catalog: Catalog, alert_id: int, url: str, event: str | None,
                  at: datetime, error: str | None = None) -> None:
    """Record one delivery attempt: ``event`` ("raised"/"cleared") when it was accepted."""
    with catalog.session() as session:
        row = session.get(Alert, alert_id)
        if row is None:
            return
        deliveries = dict(row.deliveries or {})
        entry = dict(deliveries.get(url, {}))
        entry["attempts"] = int(entry.get("attempts", 0)) + 1
        if event is not None:
            entry[event] = at.isoformat()
            entry.pop("error", None)
        if error is not None:
            entry["error"] = error
        deliveries[url] = entry
        row.deliveries = deliveries  # a new dict: SQLAlchemy sees JSON changes by assignment


def undelivered(catalog: Catalog, urls: list[str], since: datetime | None = None
                ) -> list[tuple[AlertRecord, str, str]]:
    """(alert, url, event) still to send: the raise of each open alert, and the clear of each
    cleared alert whose raise reached that URL. ``since``: only alerts raised or cleared
    since then (older ones are history, not news)."""
    if not urls:
        return []
    query = select(Alert).order_by(Alert.id)
    if since is not None:
        query = query.where((Alert.cleared_at.is_(None)) | (Alert.cleared_at >= since))
    todo: list[tuple[AlertRecord, str, str]] = []
    with catalog.session() as session:
        for row in session.scalars(query):
            rec = AlertRecord.of(row)
            for url in urls:
                sent = rec.deliveries.get(url, {})
                if rec.open and "raised" not in sent:
                    todo.append((rec, url, "raised"))
                elif not rec.open and "raised" in sent and "cleared" not in sent:
                    todo.append((rec, url, "cleared"))
    return todo
