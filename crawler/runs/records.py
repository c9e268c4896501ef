"""A run's record in the catalog: queued, started, beating, cancel asked, ended.

Every change of a run's row goes through here, so the catalog stays the one record of every
run whoever drives it (a foreground `akhbar crawl`, `akhbar serve`, a worker elsewhere).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crawler.catalog import Catalog, Outlet, Run
from crawler.catalog.transient import retrying
from crawler.crawl.runlog import append_entry
from crawler.errors import RunError, RunNotFound
from crawler.runs.control import read_stats
from crawler.runs.executor import RunHandle
from crawler.runs.judge import Verdict, judge, run_figures
from crawler.runs.states import (
    ACTIVE_STATES,
    CANCELLED,
    MISSED,
    QUEUED,
    RUNNING,
    SERVICE_TRIGGERS,
    SKIPPED,
    SUCCEEDED,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")


def now() -> datetime:
    return datetime.now(UTC)


def this_host() -> str:
    """This machine's name in run records and WARC file names: ``AKHBAR_HOST`` when set (a
    worker in a container whose host name is random, or several test hosts on one machine),
    else the host name."""
    return os.environ.get("AKHBAR_HOST", "").strip() or socket.gethostname()


@dataclass(frozen=True)
class OwnerId:
    """Who holds a run: a process on a host. Stored as ``"<host>:<pid>"``."""

    host: str
    pid: int

    @classmethod
    def me(cls) -> OwnerId:
        return cls(this_host(), os.getpid())

    @classmethod
    def parse(cls, value: str | None) -> OwnerId | None:
        if not value or ":" not in value:
            return None
        host, _, pid = value.rpartition(":")
        return cls(host, int(pid)) if pid.isdigit() else None

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"


def new_run_id(outlet: str, at: datetime | None = None) -> str:
    at = at or now()
    return f"{at:%Y%m%dT%H%M%S}-{outlet}-{secrets.token_hex(3)}"


class RunBook:
    """The catalog's runs table, as the run owners use it.

    The owner's writes (a run started, beating, cancelled, ended) are each one transaction,
    tried again while the database is locked or away (crawler.catalog.transient), each wait
    logged: a write lost there would leave a crawl running that no row records, or a run
    `running` whose crawl has ended."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        # Check-then-insert of a queued run must not interleave within one process (the
        # scheduler's threads and the API); across processes the outlet row is locked
        # (PostgreSQL) or SQLite serialises the writers.
        self._enqueue_lock = threading.Lock()

    def _write(self, what: str, change: Callable[[Session], T]) -> T:
        """``change`` in one transaction, tried again while the database is locked or away."""
        def attempt() -> T:
            with self.catalog.session() as session:
                return change(session)

        return retrying(what, attempt)

    # -- queueing ------------------------------------------------------------------------
    def enqueue(self, outlet_id: str, trigger: str, *, owner: OwnerId | None = None,
                scheduled_for: datetime | None = None) -> Run:
        """A new ``queued`` run of the outlet; or, when the outlet already has a queued or
        running run, a ``skipped`` row saying which one (an outlet never has two at once).
        ``owner``: the process that will run it (a foreground crawl); None leaves it to the
        service."""
        with self._enqueue_lock, self.catalog.session() as session:
            session.execute(select(Outlet.id).where(Outlet.id == outlet_id).with_for_update())
            active = session.scalars(
                select(Run).where(Run.outlet_id == outlet_id, Run.status.in_(ACTIVE_STATES))
                .order_by(Run.queued_at)).first()
            stamp = now()
            run = Run(id=new_run_id(outlet_id, stamp), outlet_id=outlet_id, trigger=trigger,
                      queued_at=stamp, scheduled_for=scheduled_for, stats={}, status=QUEUED,
                      owner=str(owner) if owner else None,
                      heartbeat_at=stamp if owner else None)
            if active is not None:
                run.status, run.ended_at, run.owner = SKIPPED, stamp, None
                run.reason = f"run {active.id} of this outlet is still {active.status}"
                logger.warning("not starting %s (%s): %s", outlet_id, trigger, run.reason)
            session.add(run)
        return run

    def record_missed(self, outlet_id: str, scheduled_for: datetime,
                      grace_seconds: float | None) -> Run:
        """A ``missed`` row: the trigger came later than the misfire grace time allows."""
        stamp = now()
        late = (stamp - scheduled_for).total_seconds()
        run = Run(id=new_run_id(outlet_id, stamp), outlet_id=outlet_id, trigger="schedule",
                  status=MISSED, queued_at=stamp, ended_at=stamp, scheduled_for=scheduled_for,
                  stats={}, reason=f"due at {scheduled_for.isoformat()}, {late:.0f}s late: "
                  f"more than the misfire grace time ({grace_seconds or 0:.0f}s)")
        with self.catalog.session() as session:
            session.add(run)
        logger.warning("missed run of %s: %s", outlet_id, run.reason)
        return run

    def queued_for(self, owner: OwnerId, *, take_service_runs: bool) -> list[Run]:
        """Queued runs ``owner`` should start: its own, and (for the service) the unowned
        runs of the schedule and of `POST /runs`."""
        mine = Run.owner == str(owner)
        if take_service_runs:
            mine = mine | (Run.owner.is_(None) & Run.trigger.in_(SERVICE_TRIGGERS))
        with self.catalog.session() as session:
            return list(session.scalars(select(Run).where(Run.status == QUEUED, mine)
                                        .order_by(Run.queued_at, Run.id)))

    def running_outlets(self) -> set[str]:
        """Outlets with a running run, whoever owns it."""
        with self.catalog.session() as session:
            return set(session.scalars(select(Run.outlet_id).where(Run.status == RUNNING)))

    # -- life ----------------------------------------------------------------------------
    def mark_started(self, run_id: str, owner: OwnerId, pid: int | None,
                     log_path: Path) -> None:
        def write(session: Session) -> None:
            row = self._row(session, run_id)
            row.status, row.started_at, row.pid = RUNNING, now(), pid
            row.host, row.owner, row.heartbeat_at = owner.host, str(owner), now()
            row.log_path = str(log_path)

        self._write(f"run {run_id}: recording its start", write)

    def take(self, run_id: str, owner: OwnerId) -> bool:
        """``owner`` (a worker) takes a queued run of the service's queue, if nobody took it
        yet: one conditional write, so that of two deliveries of one run (a broker that
        delivered it twice, a run published again) only one starts it."""
        with self.catalog.session() as session:
            taken = session.execute(
                update(Run).where(Run.id == run_id, Run.status == QUEUED, Run.owner.is_(None))
                .values(owner=str(owner), heartbeat_at=now()))
            return bool(getattr(taken, "rowcount", 0))

    def give_back(self, run_id: str, owner: OwnerId | None = None) -> bool:
        """A run taken but not started goes back to the service's queue (its worker stops, or
        died before it started the crawl)."""
        cond = [Run.id == run_id, Run.status == QUEUED]
        if owner is not None:
            cond.append(Run.owner == str(owner))
        with self.catalog.session() as session:
            back = session.execute(update(Run).where(*cond).values(owner=None,
                                                                   heartbeat_at=None))
            return bool(getattr(back, "rowcount", 0))

    def claim(self, run_id: str, owner: OwnerId) -> None:
        """``owner`` takes over a run (adopting a crawl whose owner died)."""
        def write(session: Session) -> None:
            row = self._row(session, run_id)
            row.owner, row.heartbeat_at = str(owner), now()

        self._write(f"run {run_id}: recording its new owner", write)

    def beat(self, owner: OwnerId, run_ids: list[str]) -> None:
        """The owner is alive and holds these runs."""
        if not run_ids:
            return

        def write(session: Session) -> None:
            session.execute(update(Run).where(Run.id.in_(run_ids),
                                              Run.owner == str(owner))
                            .values(heartbeat_at=now()))

        self._write("the run owner's heartbeat", write)

    def request_cancel(self, run_id: str) -> Run:
        """Cancel a run: a queued one at once; a running one by recording the request, on
        which whichever owner holds the run acts (a graceful stop: WARC files close)."""
        with self.catalog.session() as session:
            run = self._row(session, run_id)
            if run.status == QUEUED:
                run.status, run.ended_at = CANCELLED, now()
                run.reason = "cancelled before it started"
                run.cancel_requested_at = run.ended_at
            elif run.status == RUNNING:
                run.cancel_requested_at = run.cancel_requested_at or now()
            else:
                raise RunError(f"run '{run_id}' has already ended ({run.status}); "
                               "nothing to cancel")
        return run

    def note_cancel(self, run_id: str) -> None:
        """Record that the owner itself cancels a running run (stopping with its runs): the
        crawl reads it from the catalog as it would a cancel from anywhere else."""
        def write(session: Session) -> None:
            session.execute(update(Run).where(Run.id == run_id, Run.status == RUNNING,
                                              Run.cancel_requested_at.is_(None))
                            .values(cancel_requested_at=now()))

        self._write(f"run {run_id}: recording its cancel", write)

    def cancel_requests(self, run_ids: list[str]) -> set[str]:
        """Which of these runs someone asked to cancel."""
        if not run_ids:
            return set()
        with self.catalog.session() as session:
            return set(session.scalars(select(Run.id).where(
                Run.id.in_(run_ids), Run.cancel_requested_at.is_not(None))))

    def finish(self, handle: RunHandle, exit_code: int | None) -> RunOutcome:
        """Record how an ended run went: its status and reason in words, and its final
        figures from the stats the crawl wrote (the live figures stay when it wrote none)."""
        stats = read_stats(handle.stats_path)

        def write(session: Session) -> Verdict:
            row = self._row(session, handle.run_id)
            # A cancel may have been asked for from another process (`akhbar runs cancel`).
            cancelled = handle.cancel_requested or row.cancel_requested_at is not None
            verdict = judge(exit_code, stats, cancelled=cancelled, timed_out=handle.timed_out,
                            stderr_path=handle.stderr_path)
            row.status, row.reason, row.exit_code = verdict.status, verdict.reason, exit_code
            row.ended_at, row.heartbeat_at = now(), None
            if stats:
                row.stats = stats
                for column, value in run_figures(stats).items():
                    setattr(row, column, value)
            return verdict

        verdict = self._write(f"run {handle.run_id}: recording how it ended", write)
        # The run's own log ends with how it ended, in words: `akhbar runs log --level
        # warning` shows why a run failed.
        append_entry(handle.log_path, handle.outlet, handle.run_id,
                     logging.INFO if verdict.status in (SUCCEEDED, CANCELLED) else logging.WARNING,
                     f"run {verdict.status}: {verdict.reason or 'no reason recorded'}",
                     event="run_ended", status=verdict.status, reason=verdict.reason)
        self._ship(handle.run_id, handle.log_path)
        return RunOutcome(handle.run_id, handle.outlet, verdict.status, exit_code,
                          verdict.reason, stats)

    def end_unstarted(self, run: Run, status: str, reason: str) -> None:
        """End a run that never got (or lost) its crawl process."""
        def write(session: Session) -> None:
            row = self._row(session, run.id)
            row.status, row.reason = status, reason
            row.ended_at, row.heartbeat_at = now(), None

        self._write(f"run {run.id}: recording its end", write)
        logger.warning("run %s of %s: %s", run.id, run.outlet_id, reason)
        # A run whose crawl had begun (its owner died): its log, where this host sees it,
        # ends with how it ended, and reaches the catalog with what the crawl left unsent.
        log = Path(run.log_path) if run.log_path else None
        if log is not None and log.is_file():
            append_entry(log, run.outlet_id, run.id, logging.WARNING, f"run {status}: {reason}",
                         event="run_ended", status=status, reason=reason)
            self._ship(run.id, log)

    def _ship(self, run_id: str, log: Path) -> None:
        """The rest of a run's log into the catalog (crawler.runs.logstore)."""
        # Imported when a run ends: its table's model (defined, and configured by the ORM,
        # on import) cost a foreground crawl ~9 M instructions before its first request.
        from crawler.runs.logstore import ship_log

        try:
            ship_log(self.catalog.engine, run_id, log, all_of_it=True)
        except SQLAlchemyError as exc:
            logger.warning("run %s: its log could not be copied to the catalog: %s", run_id,
                           exc)

    def get(self, run_id: str) -> Run | None:
        with self.catalog.session() as session:
            return session.get(Run, run_id)

    def of(self, run_ids: list[str]) -> list[Run]:
        if not run_ids:
            return []
        with self.catalog.session() as session:
            return list(session.scalars(select(Run).where(Run.id.in_(run_ids))))

    def active_runs(self) -> list[Run]:
        with self.catalog.session() as session:
            return list(session.scalars(select(Run).where(Run.status.in_(ACTIVE_STATES))))

    @staticmethod
    def _row(session: Session, run_id: str) -> Run:
        run = session.get(Run, run_id)
        if run is None:
            raise RunNotFound(f"no run '{run_id}'; `akhbar runs list` (GET /runs) shows the runs")
        return run


@dataclass(frozen=True)
class RunOutcome:
    run_id: str
    outlet: str
    status: str
    exit_code: int | None
    reason: str | None
    stats: dict[str, Any]
