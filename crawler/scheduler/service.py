"""The running service: APScheduler jobs (persisted in the catalog) that queue runs, the run
owner that starts and watches them, reloads of the outlet files, and start and stop.

Start-up order matters for restarts: the scheduler is started paused, the runs left by dead
owners are recovered (live crawls adopted, dead ones ended with their reason), the jobs are
synced with the outlet files (unchanged jobs keep their next run time), and only then does
the scheduler resume, so that runs missed while the service was down are either run once
(within the misfire grace time) or recorded as ``missed``.
"""

from __future__ import annotations

import logging
import socket
import threading
from datetime import UTC, datetime
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy.exc import SQLAlchemyError

from crawler.catalog import Run
from crawler.catalog.transient import retrying
from crawler.context import AkhbarContext
from crawler.errors import RunNotFound
from crawler.ops.watcher import AlertWatcher
from crawler.outlets import OutletConfig, load_outlets
from crawler.runs import RunOutcome, RunOwner, make_executor
from crawler.runs.cluster import RunDispatcher
from crawler.scheduler import jobs
from crawler.scheduler import schedules as sched
from crawler.scheduler.lock import ServiceAddress, ServiceLock
from crawler.search import catch_up

logger = logging.getLogger(__name__)


def make_scheduler(ctx: AkhbarContext) -> BackgroundScheduler:
    grace = int(ctx.service.misfire_grace_time.total_seconds())
    return BackgroundScheduler(
        jobstores={"default": sched.make_jobstore(ctx)},
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        timezone=UTC,
    )


class SchedulerService:
    """One per `akhbar serve` process. The CLI and the HTTP API reach it only through the
    methods below."""

    def __init__(self, ctx: AkhbarContext, *, scheduler: BaseScheduler | None = None,
                 runs: RunOwner | RunDispatcher | None = None) -> None:
        self.ctx = ctx
        # First: the celery executor refuses a SQLite catalog before anything opens it.
        self.runs: RunOwner | RunDispatcher = runs or self._make_runs(ctx)
        self.scheduler = scheduler or make_scheduler(ctx)
        self.outlets: dict[str, OutletConfig] = {}
        # Alerts are judged over the outlets the service loaded, again as soon as a run ends.
        self.alerts = AlertWatcher(ctx, outlets=lambda: self.outlets)
        if self.runs.on_end is None:
            self.runs.on_end = self._run_ended
        self.last_reload: sched.SyncReport | None = None
        self.started_at: datetime | None = None
        self._reload_lock = threading.Lock()
        self._lock = ServiceLock(ctx.data_dir)

    def _make_runs(self, ctx: AkhbarContext) -> RunOwner | RunDispatcher:
        """Crawls on this host (``shared``, ``process``), or through the broker to the workers
        (``celery``: this process only publishes)."""
        if ctx.service.executor == "celery":
            return RunDispatcher(ctx, on_end=self._run_ended)
        return RunOwner(ctx, make_executor(ctx, detach=True), serves_queue=True,
                        on_end=self._run_ended)

    # -- life cycle ----------------------------------------------------------------------
    def start(self, *, dispatch: bool = True) -> sched.SyncReport:
        self._lock.take()
        try:
            return self._start(dispatch)
        except BaseException:
            self.stop()
            raise

    def _start(self, dispatch: bool) -> sched.SyncReport:
        self.scheduler.add_listener(self._on_job_event,
                                    EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        self.scheduler.start(paused=True)
        report = self.reload()
        recovered = self.runs.recover()
        if dispatch:
            self.runs.start()
        self.alerts.start()
        self.scheduler.resume()
        self.started_at = datetime.now(UTC)
        logger.info("scheduler started: %d job(s), %d adopted run(s), %d run(s) of dead owners "
                    "ended", len(self.scheduler.get_jobs()), len(recovered.adopted),
                    len(recovered.ended) + len(recovered.failed))
        return report

    def listening(self, host: str, port: int) -> None:
        """Record where the API listens, for the CLI to find."""
        self._lock.record(ServiceAddress(host, port, self.runs.me.pid, socket.gethostname(),
                                         (self.started_at or datetime.now(UTC)).isoformat()))

    def stop(self, *, stop_runs: bool = False) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.alerts.stop()
        self.runs.stop(stop_runs=stop_runs)
        self._lock.release()

    # -- runs ----------------------------------------------------------------------------
    def enqueue(self, outlet_id: str, trigger: str,
                scheduled_for: datetime | None = None) -> Run:
        return self.runs.enqueue(outlet_id, trigger, scheduled_for)

    def run_now(self, outlet_id: str) -> Run:
        """`POST /runs`: queue a run now, under the overlap rule. An outlet file added or
        fixed since the last reload is picked up here."""
        if outlet_id not in self.outlets:
            self.reload()
        if outlet_id not in self.outlets:
            raise RunNotFound(f"no valid outlet '{outlet_id}'; `akhbar outlets validate` shows "
                              "what is wrong with the outlet files")
        return self.enqueue(outlet_id, "service")

    def cancel(self, run_id: str) -> Run:
        run = self.runs.book.request_cancel(run_id)
        self.runs.wake()
        return run

    # -- schedules -----------------------------------------------------------------------
    def reload(self) -> sched.SyncReport:
        """Re-read the outlet files and update the jobs (SIGHUP, `akhbar schedule reload`)."""
        with self._reload_lock:
            report = sched.sync_schedules(self.ctx, self.scheduler,
                                          load_outlets(self.ctx.config_dir))
            outlets = dict(report.outlets)
            for oid in report.broken:
                if oid in self.outlets and oid not in outlets:
                    outlets[oid] = self.outlets[oid]
            self.outlets = outlets
            self.runs.set_outlets(outlets)
            self.last_reload = report
        logger.info("schedules loaded: %s", report.to_dict())
        return report

    def schedules(self) -> list[sched.ScheduleEntry]:
        return sched.schedule_entries(self.ctx, self.scheduler)

    def pause(self, outlet_id: str) -> None:
        sched.pause_schedule(self.scheduler, outlet_id)

    def resume(self, outlet_id: str) -> None:
        sched.resume_schedule(self.scheduler, outlet_id)

    def status(self) -> dict[str, Any]:
        return {"started_at": self.started_at, "jobs": len(self.scheduler.get_jobs()),
                **self.runs.status()}

    # -- events --------------------------------------------------------------------------
    def _run_ended(self, outcome: RunOutcome) -> None:
        """A run ended: its articles go into the search index, its alerts are judged."""
        try:
            catch_up(self.ctx.catalog)
        except SQLAlchemyError as exc:  # the next search catches up instead
            logger.warning("could not index the articles of run %s for search: %s",
                           outcome.run_id, exc)
        self.alerts.run_ended(outcome)

    def _on_job_event(self, event: JobExecutionEvent) -> None:
        outlet = jobs.outlet_of(event.job_id)
        if outlet is None:
            return
        # In a thread of the scheduler's pool: a catalog locked or away for a while is waited
        # out there, so that a scheduled run is queued (or recorded missed) all the same.
        if event.code == EVENT_JOB_EXECUTED:
            retrying(f"queueing the scheduled run of {outlet}", lambda: self.enqueue(
                outlet, "schedule", scheduled_for=event.scheduled_run_time))
        elif event.code == EVENT_JOB_MISSED:
            job = self.scheduler.get_job(event.job_id)
            grace = job.misfire_grace_time if job is not None else None
            retrying(f"recording the missed run of {outlet}", lambda: self.runs.book
                     .record_missed(outlet, event.scheduled_run_time, grace))
        else:
            logger.error("job %s failed: %s", event.job_id, event.exception)
