"""The scheduler's jobs: one per enabled outlet with a schedule, id ``crawl:<outlet>``.

A job only says which outlet is due: jobs are persisted by APScheduler's SQLAlchemy job store,
which stores a job's function by its import path and pickles its arguments, so the job is a
top-level function taking only the outlet id and returning it. The service that runs the
scheduler listens for executed jobs and queues the run (crawler.scheduler.service), so the
job needs no reference to the service.
"""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from crawler.outlets import OutletConfig

logger = logging.getLogger(__name__)

JOB_PREFIX = "crawl:"


def job_id(outlet_id: str) -> str:
    return f"{JOB_PREFIX}{outlet_id}"


def outlet_of(job_id_: str) -> str | None:
    return job_id_[len(JOB_PREFIX):] if job_id_.startswith(JOB_PREFIX) else None


class OutletCronTrigger(CronTrigger):  # type: ignore[misc]  # apscheduler 3 is untyped
    """A cron trigger that, like cron, runs a fixed-hour schedule once when the clocks go
    back: APScheduler's CronTrigger fires at both 01:30 on the night a 01:00-02:00 hour
    repeats. Interval hours (``*``, ``*/6``) fire in both, as cron does."""

    def get_next_fire_time(self, previous_fire_time: datetime | None,
                           now: datetime) -> datetime | None:
        jitter: int | None = self.jitter  # type: ignore[has-type]  # untyped base class
        self.jitter = None  # judge the exact time; jitter comes last
        try:
            nxt = super().get_next_fire_time(previous_fire_time, now)
            while nxt is not None and self._second_of_repeated(nxt):
                nxt = super().get_next_fire_time(nxt, nxt)
        finally:
            self.jitter = jitter
        if nxt is not None and jitter:
            nxt = self._apply_jitter(nxt, jitter, now)
        return nxt  # type: ignore[no-any-return]

    def _second_of_repeated(self, when: datetime) -> bool:
        hour = next(f for f in self.fields if f.name == "hour")
        if "*" in str(hour):
            return False
        local = when.astimezone(self.timezone)
        return bool(local.fold) and local.replace(fold=0).utcoffset() != local.utcoffset()


def make_trigger(outlet: OutletConfig, jitter: int = 0) -> CronTrigger:
    """The outlet's cron in its own time zone (DST included), with optional jitter."""
    assert outlet.schedule is not None
    trigger = OutletCronTrigger.from_crontab(outlet.schedule, timezone=outlet.tz)
    trigger.jitter = jitter or None  # from_crontab() takes no jitter argument
    return trigger


def job_signature(outlet: OutletConfig, jitter: int = 0) -> str:
    """Stored as the job's name: a job is rebuilt only when this changes, so that a restart
    or a reload keeps its next run time (and a missed run is still seen as missed)."""
    return f"crawl {outlet.id} | {outlet.schedule} | {outlet.timezone} | jitter {jitter}"


def crawl_job(outlet_id: str) -> str:
    """The scheduled job: name the outlet that is due (the service queues its run)."""
    return outlet_id
