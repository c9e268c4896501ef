"""Ops service functions: alerts, a run's funnel and the service's health. The CLI, the API
and the pages only call these."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from crawler.catalog import Run
from crawler.context import AkhbarContext
from crawler.errors import InvalidParameter, RunNotFound
from crawler.ops.alerts import KINDS
from crawler.ops.facts import JUDGED, disk_facts
from crawler.ops.funnel import RunFunnel
from crawler.ops.store import AlertRecord, list_alerts
from crawler.ops.watcher import AlertWatcher, Evaluation


def alerts(ctx: AkhbarContext, *, open_only: bool = False, kind: str | None = None,
           outlet: str | None = None, limit: int = 200) -> list[AlertRecord]:
    """Stored alerts, newest first."""
    if kind is not None and kind not in KINDS:
        raise InvalidParameter("kind", f"'{kind}' is not an alert kind; use one of "
                               + ", ".join(KINDS))
    return list_alerts(ctx.catalog, open_only=open_only, kind=kind, outlet=outlet, limit=limit)


def check_alerts(ctx: AkhbarContext, *, now: datetime | None = None,
                 deliver: bool = False) -> Evaluation:
    """Evaluate the conditions once, outside the service (`akhbar alerts --check`): raise and
    clear as the service would; send webhooks only with ``deliver`` (the service sends
    whatever is left undelivered on its next round)."""
    return AlertWatcher(ctx).evaluate(now, deliver=deliver)


def run_funnel(ctx: AkhbarContext, run_id: str) -> RunFunnel:
    with ctx.catalog.session() as session:
        run = session.get(Run, run_id)
        if run is None:
            raise RunNotFound(f"no run '{run_id}'; `akhbar runs list` shows the runs")
        return RunFunnel.from_stats(run.stats)


@dataclass
class Health:
    """``/healthz``: each check with ``ok`` and what it found."""

    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.get("ok") for c in self.checks.values())

    def to_dict(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "failing", "checks": self.checks}


class HealthProbe:
    """``/healthz``'s checks. The database is asked on a connection of its own, with a short
    timeout, never one of the pool's: a health check must not queue behind slow requests."""

    def __init__(self, ctx: AkhbarContext, timeout: int = 3) -> None:
        self.ctx = ctx
        args = ({"timeout": timeout} if ctx.database_url.startswith("sqlite")
                else {"connect_timeout": timeout})
        self.engine: Engine = create_engine(ctx.database_url, poolclass=NullPool,
                                            connect_args=args)

    def check(self, *, scheduler_running: bool, alerts_running: bool) -> Health:
        result = Health()
        result.checks["scheduler"] = {"ok": scheduler_running, "running": scheduler_running,
                                      "alert_watcher": alerts_running}
        began = time.monotonic()
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            result.checks["database"] = {"ok": True,
                                         "seconds": round(time.monotonic() - began, 4)}
        except SQLAlchemyError as exc:
            result.checks["database"] = {"ok": False, "error": str(exc).splitlines()[0]}
        disk = disk_facts(self.ctx.data_dir)
        minimum = self.ctx.service.alerts.disk_free_min
        result.checks["disk"] = ({"ok": False, "error": f"cannot read {self.ctx.data_dir}"}
                                 if disk is None else
                                 {"ok": disk.free >= minimum, "path": disk.path,
                                  "free": disk.free, "total": disk.total, "min": minimum})
        return result


@dataclass(frozen=True)
class Coverage:
    """An outlet's last ended run and its funnel."""

    outlet: str
    run_id: str
    status: str
    ended_at: datetime | None
    funnel: RunFunnel


def coverage(ctx: AkhbarContext) -> list[Coverage]:
    """The funnel of each outlet's last ended run (succeeded, failed or timed out)."""
    latest = (select(Run.outlet_id, func.max(Run.ended_at).label("at"))
              .where(Run.status.in_(JUDGED)).group_by(Run.outlet_id).subquery())
    with ctx.catalog.session() as session:
        rows = session.scalars(select(Run).join(
            latest, (Run.outlet_id == latest.c.outlet_id) & (Run.ended_at == latest.c.at))
            .order_by(Run.outlet_id))
        return [Coverage(r.outlet_id, r.id, r.status, r.ended_at, RunFunnel.from_stats(r.stats))
                for r in rows]
