"""The running scheduler service: APScheduler jobs (persisted in the catalog), the run
dispatcher, reloads of the outlet files, and what happens at start and stop.

Start-up order matters for restarts: the scheduler is started paused, the runs left by the
previous instance are reconciled (live crawls adopted, dead ones marked failed), the jobs are
synced with the outlet files (unchanged jobs keep their next run time), and only then does the
scheduler resume, so that runs missed while the service was down are either run once (within
the misfire grace time) or recorded as ``missed``.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler

from crawler.catalog import Run
from crawler.context import AkhbarContext
from crawler.errors import RunError, ServiceAlreadyRunning
from crawler.outlets import OutletConfig
from crawler.scheduler import jobs
from crawler.scheduler.dispatcher import RunDispatcher
from crawler.service import schedule as svc

logger = logging.getLogger(__name__)


def make_scheduler(ctx: AkhbarContext) -> BackgroundScheduler:
    grace = int(ctx.service.misfire_grace_time.total_seconds())
    return BackgroundScheduler(
        jobstores={"default": svc.make_jobstore(ctx)},
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        timezone=UTC,
    )


class SchedulerService:
    """One per `akhbar serve` process. The CLI and the HTTP API reach it only through the
    methods below, which call the service functions in :mod:`crawler.service.schedule`."""

    def __init__(self, ctx: AkhbarContext, *, scheduler: BaseScheduler | None = None,
                 dispatcher: RunDispatcher | None = None) -> None:
        self.ctx = ctx
        self.scheduler = scheduler or make_scheduler(ctx)
        self.dispatcher = dispatcher or RunDispatcher(ctx)
        self.outlets: dict[str, OutletConfig] = {}
        self.last_reload: svc.SyncReport | None = None
        self.started_at: datetime | None = None
        self._reload_lock = threading.Lock()
        self._lock_file: IO[str] | None = None

    # -- life cycle ----------------------------------------------------------------------
    def start(self, *, dispatch: bool = True) -> svc.SyncReport:
        self._take_lock()
        try:
            return self._start(dispatch)
        except BaseException:
            self.stop()
            raise

    def _start(self, dispatch: bool) -> svc.SyncReport:
        self.scheduler.add_listener(self._on_job_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        self.scheduler.start(paused=True)
        reconciled = svc.reconcile_runs(self.ctx)
        report = self.reload()
        now = datetime.now(UTC)
        ages = {}
        for proc in reconciled.adopted:
            run = self._run(proc.run_id)
            started = run.started_at if run and run.started_at else now
            ages[proc.run_id] = (now - _aware(started)).total_seconds()
        self.dispatcher.adopt(reconciled.adopted, ages)
        jobs.bind(self)
        if dispatch:
            self.dispatcher.start()
        self.scheduler.resume()
        self.started_at = now
        logger.info("scheduler started: %d job(s), %d adopted run(s), %d orphaned run(s) "
                    "marked failed", len(self.scheduler.get_jobs()), len(reconciled.adopted),
                    len(reconciled.failed))
        return report

    def stop(self, *, stop_runs: bool = False) -> None:
        jobs.bind(None)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.dispatcher.stop(stop_runs=stop_runs)
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def _take_lock(self) -> None:
        path = Path(self.ctx.data_dir) / "serve.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.close()
            raise ServiceAlreadyRunning(
                f"another `akhbar serve` is running with the data directory {self.ctx.data_dir}"
                "; stop it first (two services would start the same runs twice)") from exc
        self._lock_file = fh

    # -- jobs ----------------------------------------------------------------------------
    def enqueue(self, outlet_id: str, trigger: str,
                scheduled_for: datetime | None = None) -> Run:
        run = svc.enqueue_run(self.ctx, outlet_id, trigger, scheduled_for=scheduled_for)
        self.dispatcher.wake()
        return run

    def run_now(self, outlet_id: str) -> Run:
        """`akhbar crawl OUTLET --via-service`: queue a run now, under the overlap rule."""
        if outlet_id not in self.outlets:
            raise RunError(f"no valid outlet '{outlet_id}' is loaded; `akhbar outlets validate`"
                           " shows what is wrong, `akhbar schedule reload` loads a fixed file")
        return self.enqueue(outlet_id, "service")

    def cancel(self, run_id: str) -> Run:
        run = svc.request_cancel(self.ctx, run_id)
        self.dispatcher.wake()
        return run

    def reload(self) -> svc.SyncReport:
        """Re-read the outlet files and update the jobs (SIGHUP, `akhbar schedule reload`)."""
        with self._reload_lock:
            report = svc.sync_schedules(self.ctx, self.scheduler)
            outlets = dict(report.outlets)
            for oid in report.broken:
                if oid in self.outlets and oid not in outlets:
                    outlets[oid] = self.outlets[oid]
            self.outlets = outlets
            self.dispatcher.set_outlets(outlets)
            self.last_reload = report
        logger.info("schedules loaded: %s", report.to_dict())
        return report

    def schedules(self) -> list[svc.ScheduleEntry]:
        return svc.schedule_entries(self.ctx, self.scheduler)

    def pause(self, outlet_id: str) -> None:
        svc.pause_schedule(self.scheduler, outlet_id)

    def resume(self, outlet_id: str) -> None:
        svc.resume_schedule(self.scheduler, outlet_id)

    def status(self) -> dict[str, Any]:
        return {"started_at": self.started_at, "running": sorted(self.dispatcher.running),
                "max_concurrent_crawls": self.dispatcher.max_running,
                "jobs": len(self.scheduler.get_jobs())}

    # -- events --------------------------------------------------------------------------
    def _on_job_event(self, event: JobExecutionEvent) -> None:
        outlet = jobs.outlet_of(event.job_id)
        if outlet is None:
            return
        if event.code == EVENT_JOB_MISSED:
            job = self.scheduler.get_job(event.job_id)
            grace = job.misfire_grace_time if job is not None else None
            svc.record_missed(self.ctx, outlet, event.scheduled_run_time, grace)
        else:
            logger.error("job %s failed: %s", event.job_id, event.exception)

    def _run(self, run_id: str) -> Run | None:
        with self.ctx.catalog.session() as session:
            return session.get(Run, run_id)


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)
