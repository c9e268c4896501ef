"""The outlets' schedules: APScheduler jobs ``crawl:<outlet>`` persisted in the catalog,
synced with the outlet files, listed, paused and resumed.

The functions take the scheduler they act on: the running service's, or
:func:`offline_scheduler` when no service runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import select

from crawler.catalog import Run
from crawler.catalog.outlets import sync_outlets
from crawler.context import AkhbarContext
from crawler.errors import ConfigError, RunNotFound
from crawler.outlets import LoadResult, OutletConfig, load_outlets
from crawler.runs import SKIPPED
from crawler.scheduler.jobs import crawl_job, job_id, job_signature, make_trigger, outlet_of

logger = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"


# -- schedules (jobs) --------------------------------------------------------------------
def make_jobstore(ctx: AkhbarContext) -> SQLAlchemyJobStore:
    return SQLAlchemyJobStore(engine=ctx.catalog.engine, tablename=JOBS_TABLE)


@contextmanager
def offline_scheduler(ctx: AkhbarContext) -> Iterator[BaseScheduler]:
    """The persisted jobs, to read or change while no service is running: a scheduler that is
    started paused, so it never runs a job."""
    scheduler = BackgroundScheduler(jobstores={"default": make_jobstore(ctx)}, timezone=UTC)
    scheduler.start(paused=True)
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)


@dataclass
class SyncReport:
    """What a (re)load of the outlet files did to the jobs."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # invalid file: previous schedule kept
    broken: list[str] = field(default_factory=list)  # outlets whose file is invalid
    errors: list[ConfigError] = field(default_factory=list)
    outlets: dict[str, OutletConfig] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "updated": self.updated, "removed": self.removed,
                "unchanged": self.unchanged, "kept": self.kept, "broken": self.broken,
                "errors": [e.render() for e in self.errors]}


def _broken_outlets(result: LoadResult) -> set[str]:
    broken: set[str] = set()
    for err in result.errors:
        if err.outlet:
            broken.add(err.outlet)
        if err.file is not None:
            broken.add(err.file.stem)
    return broken


def sync_schedules(ctx: AkhbarContext, scheduler: BaseScheduler,
                   result: LoadResult | None = None) -> SyncReport:
    """Make the jobs match the outlet files. A job whose outlet and schedule are unchanged is
    left alone (its next run time, and whether it is paused, survive); an outlet whose file
    is invalid keeps its previous job; a removed or disabled outlet loses its job."""
    result = result or load_outlets(ctx.config_dir)
    svc = ctx.service
    report = SyncReport(errors=list(result.errors), outlets=dict(result.outlets))
    sync_outlets(ctx.catalog, result.outlets.values())
    broken = _broken_outlets(result)
    report.broken = sorted(broken)
    grace = int(svc.misfire_grace_time.total_seconds())
    existing = {outlet_of(j.id): j for j in scheduler.get_jobs() if outlet_of(j.id)}
    for oid, job in existing.items():
        cfg = result.outlets.get(oid or "")
        if cfg is not None and cfg.enabled and cfg.schedule:
            continue
        if oid in broken:
            report.kept.append(job.id)
            continue
        scheduler.remove_job(job.id)
        report.removed.append(job.id)
    for cfg in result.outlets.values():
        if not (cfg.enabled and cfg.schedule):
            continue
        jid, name = job_id(cfg.id), job_signature(cfg, svc.jitter)
        job = existing.get(cfg.id)
        if job is not None and job.name == name:
            if job.misfire_grace_time != grace:
                job.modify(misfire_grace_time=grace)
            report.unchanged.append(jid)
            continue
        options: dict[str, Any] = {}
        if job is not None and job.next_run_time is None:
            options["next_run_time"] = None  # paused stays paused
        scheduler.add_job(crawl_job, make_trigger(cfg, svc.jitter), args=[cfg.id], id=jid,
                          name=name, replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=grace, **options)
        (report.updated if job is not None else report.added).append(jid)
    for err in result.errors:
        logger.error("outlet config error (previous schedule kept): %s", err)
    return report


@dataclass
class ScheduleEntry:
    outlet: str
    cron: str
    timezone: str
    paused: bool
    next_run_time: datetime | None
    last_run_id: str | None = None
    last_status: str | None = None
    last_run_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def schedule_entries(ctx: AkhbarContext, scheduler: BaseScheduler) -> list[ScheduleEntry]:
    """Each scheduled outlet: cron, time zone, next run time, and its last run."""
    entries: list[ScheduleEntry] = []
    for job in sorted(scheduler.get_jobs(), key=lambda j: j.id):
        oid = outlet_of(job.id)
        if oid is None:
            continue
        parts = [p.strip() for p in (job.name or "").split("|")]
        cron = parts[1] if len(parts) > 2 else str(job.trigger)
        tz = parts[2] if len(parts) > 2 else str(getattr(job.trigger, "timezone", "UTC"))
        entry = ScheduleEntry(oid, cron, tz, job.next_run_time is None, job.next_run_time)
        with ctx.catalog.session() as session:
            # A refused trigger (skipped) is not a run; a missed one says the schedule failed.
            last = session.scalars(select(Run).where(Run.outlet_id == oid,
                                                     Run.status != SKIPPED)
                                   .order_by(Run.queued_at.desc()).limit(1)).first()
        if last is not None:
            entry.last_run_id, entry.last_status = last.id, last.status
            entry.last_run_at = last.started_at or last.queued_at
        entries.append(entry)
    return entries


def _job_of(scheduler: BaseScheduler, outlet_id: str) -> str:
    jid = job_id(outlet_id)
    if scheduler.get_job(jid) is None:
        raise RunNotFound(f"outlet '{outlet_id}' has no schedule; `akhbar schedule list` (GET "
                          "/schedules) shows the scheduled outlets (an outlet needs `schedule:` "
                          "and enabled: true)")
    return jid


def pause_schedule(scheduler: BaseScheduler, outlet_id: str) -> None:
    try:
        scheduler.pause_job(_job_of(scheduler, outlet_id))
    except JobLookupError as exc:  # removed meanwhile
        raise RunNotFound(f"outlet '{outlet_id}' has no schedule") from exc


def resume_schedule(scheduler: BaseScheduler, outlet_id: str) -> None:
    try:
        scheduler.resume_job(_job_of(scheduler, outlet_id))
    except JobLookupError as exc:
        raise RunNotFound(f"outlet '{outlet_id}' has no schedule") from exc
