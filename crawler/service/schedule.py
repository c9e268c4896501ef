"""Scheduled crawls: queueing runs (one per outlet at a time), cancelling them, recording
missed triggers, reconciling runs after a restart, and the outlets' schedules (jobs).

The functions that read or change jobs take the APScheduler scheduler they act on: the
running service's, or :func:`offline_scheduler` when no service runs.
"""

from __future__ import annotations

import logging
import threading
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

from crawler.catalog import Outlet, Run
from crawler.context import AkhbarContext
from crawler.errors import ConfigError, RunError
from crawler.outlets import LoadResult, OutletConfig, load_outlets
from crawler.runs import (
    ACTIVE_STATES,
    CANCELLED,
    FAILED,
    MISSED,
    QUEUED,
    RUNNING,
    SKIPPED,
    AdoptedProcess,
    finish_run,
    new_run_id,
    read_stats,
    recover_warcs,
    run_process_alive,
    signal_run,
    this_host,
)
from crawler.scheduler.jobs import crawl_job, job_id, job_signature, make_trigger, outlet_of

logger = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
# Runs the service starts (and so adopts after a restart); "manual" and "demo" runs belong to
# the `akhbar crawl` / `akhbar demo` process that started them.
SERVICE_TRIGGERS = ("schedule", "service")

# Check-then-insert of a queued run must not interleave within the service process (the
# scheduler's threads and the API); across processes the outlet row is locked (PostgreSQL)
# or SQLite serialises the writers.
_enqueue_lock = threading.Lock()


def _now() -> datetime:
    return datetime.now(UTC)


# -- queueing ----------------------------------------------------------------------------
def enqueue_run(ctx: AkhbarContext, outlet_id: str, trigger: str, *,
                scheduled_for: datetime | None = None) -> Run:
    """A new ``queued`` run of the outlet; or, when the outlet already has a queued or running
    run, a ``skipped`` row saying which one (no outlet ever has two runs at once)."""
    with _enqueue_lock, ctx.catalog.session() as session:
        session.execute(select(Outlet.id).where(Outlet.id == outlet_id).with_for_update())
        active = session.scalars(
            select(Run).where(Run.outlet_id == outlet_id, Run.status.in_(ACTIVE_STATES))
            .order_by(Run.queued_at)
        ).first()
        stamp = _now()
        run = Run(id=new_run_id(outlet_id, stamp), outlet_id=outlet_id, trigger=trigger,
                  queued_at=stamp, scheduled_for=scheduled_for, stats={}, status=QUEUED)
        if active is not None:
            run.status, run.ended_at = SKIPPED, stamp
            run.reason = f"run {active.id} of this outlet is still {active.status}"
            logger.warning("not starting %s (%s): %s", outlet_id, trigger, run.reason)
        session.add(run)
    return run


def record_missed(ctx: AkhbarContext, outlet_id: str, scheduled_for: datetime,
                  grace_seconds: float | None) -> Run:
    """A ``missed`` row: the trigger came later than the misfire grace time allows."""
    stamp = _now()
    late = (stamp - scheduled_for).total_seconds()
    run = Run(id=new_run_id(outlet_id, stamp), outlet_id=outlet_id, trigger="schedule",
              status=MISSED, queued_at=stamp, ended_at=stamp, scheduled_for=scheduled_for,
              stats={}, reason=f"due at {scheduled_for.isoformat()}, {late:.0f}s late: more "
              f"than the misfire grace time ({grace_seconds or 0:.0f}s)")
    with ctx.catalog.session() as session:
        session.add(run)
    logger.warning("missed run of %s: %s", outlet_id, run.reason)
    return run


def request_cancel(ctx: AkhbarContext, run_id: str) -> Run:
    """Cancel a run: a queued one at once; a running one by recording the request for the
    process that owns it (which stops the crawl gracefully, so its WARC files close)."""
    with ctx.catalog.session() as session:
        run = session.get(Run, run_id)
        if run is None:
            raise RunError(f"no run '{run_id}'; `akhbar runs list` shows the runs")
        if run.status == QUEUED:
            run.status, run.ended_at, run.reason = CANCELLED, _now(), "cancelled before it started"
            run.cancel_requested_at = run.ended_at
        elif run.status == RUNNING:
            run.cancel_requested_at = run.cancel_requested_at or _now()
        else:
            raise RunError(f"run '{run_id}' has already ended ({run.status}); nothing to cancel")
    return run


def signal_cancel(run: Run) -> bool:
    """With no service running, stop a cancelled run's process directly (SIGINT, so the WARC
    files close) when it lives on this machine; False when there is no such process. Whoever
    waits on the process records it as cancelled (or the next service start does)."""
    if run.status != RUNNING or run.host not in (None, this_host()):
        return False
    if not run_process_alive(run.pid, run.id):
        return False
    assert run.pid is not None
    return signal_run(run.pid)


def running_outlets(ctx: AkhbarContext) -> set[str]:
    """Outlets with a running run, whoever started it (the service or `akhbar crawl`)."""
    with ctx.catalog.session() as session:
        return set(session.scalars(select(Run.outlet_id).where(Run.status == RUNNING)))


def queued_runs(ctx: AkhbarContext) -> list[Run]:
    """Runs waiting for the service to start them (not those of a foreground crawl)."""
    with ctx.catalog.session() as session:
        return list(session.scalars(
            select(Run).where(Run.status == QUEUED, Run.trigger.in_(SERVICE_TRIGGERS))
            .order_by(Run.queued_at, Run.id)))


def cancel_requests(ctx: AkhbarContext, run_ids: list[str]) -> set[str]:
    """Which of these runs someone asked to cancel."""
    if not run_ids:
        return set()
    with ctx.catalog.session() as session:
        return set(session.scalars(select(Run.id).where(
            Run.id.in_(run_ids), Run.cancel_requested_at.is_not(None))))


# -- restart -----------------------------------------------------------------------------
@dataclass
class Reconciled:
    adopted: list[AdoptedProcess] = field(default_factory=list)
    finished: list[AdoptedProcess] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)


def reconcile_runs(ctx: AkhbarContext) -> Reconciled:
    """At service start: a ``running`` run whose process still lives on this machine is
    adopted (watched to its end, never started again); one whose process is gone is judged
    from the stats it wrote when it ended, or, with none (killed, crashed), marked ``failed``
    with the reason. Queued runs stay queued and are dispatched as usual."""
    result = Reconciled()
    host = this_host()
    with ctx.catalog.session() as session:
        for run in session.scalars(select(Run).where(Run.status == RUNNING)):
            if run.host not in (None, host):
                result.elsewhere.append(run.id)
                continue
            if run_process_alive(run.pid, run.id):
                if run.trigger in SERVICE_TRIGGERS:
                    result.adopted.append(AdoptedProcess.of(ctx, run))
                else:  # a foreground `akhbar crawl`: its own process records its end
                    result.elsewhere.append(run.id)
                continue
            stats = read_stats(AdoptedProcess.of(ctx, run).stats_path) if run.pid else {}
            if stats.get("finish_reason"):
                # It ended on its own while no service watched, and wrote how: judge that.
                result.finished.append(AdoptedProcess.of(ctx, run))
                continue
            run.status, run.ended_at = FAILED, _now()
            if run.cancel_requested_at is not None:
                run.status, run.reason = CANCELLED, "cancelled by request"
            else:
                run.reason = (f"the crawl process (pid {run.pid}) was gone when the service "
                              "started, without a record of how it ended (killed or crashed)")
            result.failed.append(run.id)
            logger.warning("run %s: %s", run.id, run.reason)
    for proc in result.finished:
        outcome = finish_run(ctx.catalog, proc)
        recover_warcs(ctx, proc.outlet)
        logger.info("run %s ended while no service watched it: %s", proc.run_id,
                    outcome.status)
    for outlet in {r.outlet_id for r in _runs(ctx, result.failed)}:
        recover_warcs(ctx, outlet)
    return result


def _runs(ctx: AkhbarContext, ids: list[str]) -> list[Run]:
    with ctx.catalog.session() as session:
        return list(session.scalars(select(Run).where(Run.id.in_(ids)))) if ids else []


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
    from crawler.service.crawls import sync_outlets

    result = result or load_outlets(ctx.config_dir)
    svc = ctx.service
    report = SyncReport(errors=list(result.errors), outlets=dict(result.outlets))
    sync_outlets(ctx, result.outlets.values())
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
        raise RunError(f"outlet '{outlet_id}' has no schedule; `akhbar schedule list` shows "
                       "the scheduled outlets (an outlet needs `schedule:` and enabled: true)")
    return jid


def pause_schedule(scheduler: BaseScheduler, outlet_id: str) -> None:
    try:
        scheduler.pause_job(_job_of(scheduler, outlet_id))
    except JobLookupError as exc:  # removed meanwhile
        raise RunError(f"outlet '{outlet_id}' has no schedule") from exc


def resume_schedule(scheduler: BaseScheduler, outlet_id: str) -> None:
    try:
        scheduler.resume_job(_job_of(scheduler, outlet_id))
    except JobLookupError as exc:
        raise RunError(f"outlet '{outlet_id}' has no schedule") from exc
