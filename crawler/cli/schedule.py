"""`akhbar schedule list|pause|resume|reload`: through the running service when there is one,
otherwise on the jobs stored in the catalog."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import click
from apscheduler.schedulers.base import BaseScheduler

from crawler import service
from crawler.cli.main import Obj, cli, pass_obj
from crawler.cli.remote import ServiceClient, client_for, route
from crawler.context import AkhbarContext

T = TypeVar("T")


def _via_service_or_offline(ctx: AkhbarContext, online: Callable[[ServiceClient], T],
                            offline: Callable[[BaseScheduler], T]) -> T:
    """Through the running service when there is one (it owns the jobs then), else on the
    jobs stored in the catalog; says which on stderr."""
    way = route(ctx)
    click.echo(way.why, err=True)
    if way.via_service:
        return online(client_for(ctx, way))
    with service.offline_scheduler(ctx) as scheduler:
        return offline(scheduler)


def _when(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime("%Y-%m-%d %H:%M %Z").strip()


@cli.group()
def schedule() -> None:
    """The outlets' schedules (cron jobs of `akhbar serve`)."""


@schedule.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_obj
def schedule_list(obj: Obj, as_json: bool) -> None:
    """Each scheduled outlet: cron, time zone, next run, last run and its status."""
    rows: list[dict[str, Any]] = _via_service_or_offline(
        obj.ctx, lambda c: c.request("GET", "/schedules"),
        lambda s: [e.to_dict() for e in service.schedule_entries(obj.ctx, s)])
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, default=str, ensure_ascii=False))
        return
    if not rows:
        click.echo("no schedules stored yet: `akhbar schedule reload` (or `akhbar serve`) "
                   "loads them from the outlet files", err=True)
        return
    click.echo(f"{'outlet':<16} {'cron':<14} {'timezone':<16} {'next run':<26} "
               f"{'last run':<22} last status")
    for r in rows:
        nxt = "paused" if r["paused"] else _when(r["next_run_time"])
        click.echo(f"{r['outlet']:<16} {r['cron']:<14} {r['timezone']:<16} {nxt:<26} "
                   f"{_when(r['last_run_at']):<22} {r['last_status'] or '-'}")


@schedule.command("pause")
@click.argument("outlet")
@pass_obj
def schedule_pause(obj: Obj, outlet: str) -> None:
    """Stop starting scheduled runs of OUTLET (kept across restarts)."""
    _via_service_or_offline(obj.ctx, lambda c: c.request("POST", f"/schedules/{outlet}/pause"),
                            lambda s: service.pause_schedule(s, outlet))
    click.echo(f"paused {outlet}")


@schedule.command("resume")
@click.argument("outlet")
@pass_obj
def schedule_resume(obj: Obj, outlet: str) -> None:
    """Start scheduling OUTLET again, from its next due time."""
    _via_service_or_offline(obj.ctx, lambda c: c.request("POST", f"/schedules/{outlet}/resume"),
                            lambda s: service.resume_schedule(s, outlet))
    click.echo(f"resumed {outlet}")


@schedule.command("reload")
@pass_obj
def schedule_reload(obj: Obj) -> None:
    """Re-read config/outlets/*.yaml and update the jobs; exit 1 if a file is invalid (that
    outlet keeps its previous schedule)."""
    report: dict[str, Any] = _via_service_or_offline(
        obj.ctx, lambda c: c.request("POST", "/schedules/reload"),
        lambda s: service.sync_schedules(obj.ctx, s).to_dict())
    for key in ("added", "updated", "removed", "kept"):
        for jid in report[key]:
            click.echo(f"{key:<8} {jid}")
    click.echo(f"{len(report['unchanged'])} unchanged")
    for err in report["errors"]:
        click.echo(f"error: {err}", err=True)
    if report["errors"]:
        click.echo("outlets with an invalid file keep their previous schedule", err=True)
        sys.exit(1)
