"""The one owner of runs: queue, start, watch, heartbeat, stop, finish, recover.

A foreground `akhbar crawl` and `akhbar serve` each hold one :class:`RunOwner`; so will a
worker on another host. The owner starts queued runs through its executor while slots are
free, stops the ones asked to cancel (one write to the catalog, from anywhere) or past
their outlet's max_duration, records how each ended, closes the WARC files a killed crawl
left open, beats its heartbeat on the runs it holds, and ends the runs of owners that died.

Stopping is graceful first: the crawl closes its spider and its WARC files. A crawl still
alive ``kill_after`` seconds later is killed, and the WARC files it left open are cut after
their last whole record and closed. The outlet's own ``CLOSESPIDER_TIMEOUT`` (its
max_duration) stops a crawl from inside first; the owner steps in ``overrun_grace`` seconds
later, for a crawl stuck in a download.

:meth:`tick` does one round of work; :meth:`run_until_done` drives rounds in the caller's
thread (a foreground crawl), :meth:`start` in a thread of its own (the service).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError

from crawler.catalog import Run
from crawler.catalog.transient import describe, is_transient
from crawler.context import AkhbarContext
from crawler.errors import AkhbarError
from crawler.outlets import Limits, OutletConfig
from crawler.runs.control import recover_warcs
from crawler.runs.executor import Executor, RunHandle
from crawler.runs.reaper import Reaped, reap
from crawler.runs.records import OwnerId, RunBook, RunOutcome
from crawler.runs.states import ACTIVE_STATES, CANCELLED, FAILED, SUCCEEDED

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
OnEnd = Callable[[RunOutcome], None]


@dataclass
class Tracked:
    """A run the owner watches: its handle, and when it must stop."""

    handle: RunHandle
    deadline: float
    stop_sent_at: float | None = None


@dataclass(frozen=True)
class OwnerTimings:
    """Seconds. ``stale_after``: a heartbeat older than this means the owner elsewhere died."""

    poll_interval: float = 0.5
    heartbeat_interval: float = 5.0
    reap_interval: float = 15.0
    stale_after: float = 60.0
    overrun_grace: float = 30.0
    kill_after: float = 30.0


class RunOwner:
    """Owns the runs of one process. ``serves_queue``: take the service's queue (scheduled
    runs and `POST /runs`) and adopt the live crawls of dead owners; a foreground crawl
    owns only the runs it queued itself."""

    def __init__(self, ctx: AkhbarContext, executor: Executor, *, serves_queue: bool,
                 max_running: int | None = None, timings: OwnerTimings = OwnerTimings(),
                 clock: Clock = time.monotonic, on_end: OnEnd | None = None) -> None:
        self.ctx = ctx
        self.executor = executor
        self.serves_queue = serves_queue
        self.max_running = max(1, max_running or ctx.service.max_concurrent_crawls)
        self.timings = timings
        self.clock = clock
        self.on_end = on_end
        self.me = OwnerId.me()
        self.book = RunBook(ctx.catalog)
        self.outlets: dict[str, OutletConfig] = {}
        self.running: dict[str, Tracked] = {}
        self.outcomes: list[RunOutcome] = []
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._draining = False
        self._thread: threading.Thread | None = None
        self._last_beat = self._last_reap = self._last_away_note = float("-inf")

    # -- configuration and queue ---------------------------------------------------------
    def set_outlets(self, outlets: dict[str, OutletConfig]) -> None:
        with self._lock:
            self.outlets = dict(outlets)

    def max_duration(self, outlet_id: str) -> timedelta:
        cfg = self.outlets.get(outlet_id)
        return cfg.limits.max_duration if cfg else Limits().max_duration

    def enqueue(self, outlet_id: str, trigger: str,
                scheduled_for: datetime | None = None) -> Run:
        """Queue a run (or record it skipped under the overlap rule). A foreground owner
        holds its runs from now on; the service's queue is ownerless until a run starts, so
        that a restarted service still finds it."""
        run = self.book.enqueue(outlet_id, trigger, scheduled_for=scheduled_for,
                                owner=None if self.serves_queue else self.me)
        self.wake()
        return run

    def recover(self) -> Reaped:
        """End the runs of dead owners now (at start-up); adopt live ones if we serve the
        queue."""
        reaped = reap(self.ctx, self.book, self.me, adopt=self.serves_queue,
                      stale_after=self.timings.stale_after)
        with self._lock:
            for handle in reaped.adopted:
                run = self.book.get(handle.run_id)
                age = 0.0
                if run is not None and run.started_at is not None:
                    age = (datetime.now(run.started_at.tzinfo) - run.started_at).total_seconds()
                limit = self.max_duration(handle.outlet).total_seconds() + \
                    self.timings.overrun_grace
                self.running[handle.run_id] = Tracked(handle, self.clock() + max(0.0,
                                                                                 limit - age))
        self.outcomes.extend(reaped.ended)
        self._last_reap = self.clock()
        return reaped

    # -- one round -----------------------------------------------------------------------
    def tick(self) -> None:
        with self._lock:
            for run_id in self.book.cancel_requests(list(self.running)):
                self._stop_run(run_id, cancel=True)
            now = self.clock()
            for run_id, tracked in list(self.running.items()):
                code = tracked.handle.poll()
                if code is not None:
                    self._finish(run_id, code)
                elif tracked.stop_sent_at is not None:
                    if now - tracked.stop_sent_at >= self.timings.kill_after:
                        logger.warning("run %s did not stop in %.0fs; killing it", run_id,
                                       self.timings.kill_after)
                        tracked.handle.stop(force=True)
                elif now >= tracked.deadline:
                    self._stop_run(run_id, cancel=False)
            if now - self._last_reap >= self.timings.reap_interval:
                self.recover()
            if not self._draining:
                self._start_queued()
            # After the starts: a run queued here was stamped when queued, one started when
            # its start was recorded; the first round sends its crawls first.
            if now - self._last_beat >= self.timings.heartbeat_interval:
                self.book.beat(self.me, list(self.running) + self._own_queued_ids())
                self._last_beat = now

    def _own_queued_ids(self) -> list[str]:
        if self.serves_queue:
            return []
        return [r.id for r in self.book.queued_for(self.me, take_service_runs=False)]

    def _stop_run(self, run_id: str, *, cancel: bool) -> None:
        tracked = self.running.get(run_id)
        if tracked is None or tracked.stop_sent_at is not None:
            return
        if cancel:
            tracked.handle.cancel_requested = True
            self.book.note_cancel(run_id)
        else:
            tracked.handle.timed_out = True
        logger.info("stopping run %s (%s)", run_id, "cancel" if cancel else "timeout")
        tracked.stop_sent_at = self.clock()
        tracked.handle.stop()

    def _finish(self, run_id: str, code: int) -> None:
        tracked = self.running[run_id]
        # Still tracked until its end is recorded: a round that could not record it tries
        # again.
        outcome = self.book.finish(tracked.handle, code)
        del self.running[run_id]
        # A killed crawl cannot close its WARC files; close them for it.
        recover_warcs(self.ctx, tracked.handle.outlet)
        self.outcomes.append(outcome)
        # A failed or timed-out run is news for whoever reads the service's log.
        level = logging.INFO if outcome.status in (SUCCEEDED, CANCELLED) else logging.WARNING
        logger.log(level, "run %s of %s ended: %s (%s)", run_id, outcome.outlet,
                   outcome.status, outcome.reason)
        if self.on_end is not None:
            self.on_end(outcome)

    def _start_queued(self) -> None:
        if len(self.running) >= self.max_running:
            return
        queued = self.book.queued_for(self.me, take_service_runs=self.serves_queue)
        if not queued:
            return
        # Never two crawls of one outlet, whoever started the other.
        busy = {t.handle.outlet for t in self.running.values()} | self.book.running_outlets()
        for run in queued:
            if len(self.running) >= self.max_running:
                break
            if run.outlet_id in busy:
                continue
            try:
                handle = self.executor.start(run)
            except (OSError, AkhbarError) as exc:
                logger.error("cannot start run %s: %s", run.id, exc)
                self.book.end_unstarted(run, FAILED, f"could not start: {exc}")
                continue
            limit = self.max_duration(run.outlet_id).total_seconds() + self.timings.overrun_grace
            # Tracked before its row says so: a crawl must never run unwatched.
            self.running[run.id] = Tracked(handle, self.clock() + limit)
            busy.add(run.outlet_id)
            self.book.mark_started(run.id, self.me, handle.pid, handle.log_path)
            logger.info("started run %s of %s (pid %s)", run.id, run.outlet_id, handle.pid)

    # -- driving it ----------------------------------------------------------------------
    def run_until_done(self, run_ids: list[str],
                       on_round: Callable[[list[Run]], None] | None = None,
                       stop: Callable[[], bool] | None = None) -> bool:
        """Tick until every one of ``run_ids`` has ended (a foreground crawl); ``on_round``
        gets their rows (live figures included) after each round. Returns False early, between
        two rounds, once ``stop()`` is true (the caller then drains)."""
        pending = set(run_ids)
        while True:
            try:
                self.tick()
                rows = self.book.of(run_ids)
            except DBAPIError as exc:
                if not is_transient(exc):
                    raise
                self._catalog_away(exc)
            else:
                if on_round is not None:
                    on_round(rows)
                if not any(r.status in ACTIVE_STATES for r in rows if r.id in pending):
                    return True
            if stop is not None and stop():
                return False
            first = next(iter(self.running.values()), None)
            if first is not None:
                first.handle.wait(self.timings.poll_interval)
            else:
                time.sleep(self.timings.poll_interval)

    def drain(self, *, cancel: bool, timeout: float = 60.0) -> None:
        """Stop starting runs; with ``cancel`` stop every running one gracefully (killed after
        ``kill_after``), record each, and cancel our queued ones."""
        with self._lock:
            self._draining = True
            if not cancel:
                return
            for run in self.book.queued_for(self.me, take_service_runs=False):
                self.book.end_unstarted(run, CANCELLED, "cancelled before it started: its "
                                        "owner was stopped")
            for run_id in list(self.running):
                self._stop_run(run_id, cancel=True)
            end = self.clock() + timeout
            while self.running and self.clock() < end:
                self.tick()
                time.sleep(0.1)

    def _catalog_away(self, exc: DBAPIError) -> None:
        """A round the catalog's outage cut short is done again at the next poll (said once
        every few seconds, not at every poll)."""
        now = self.clock()
        if now - self._last_away_note >= 5.0:
            self._last_away_note = now
            logger.warning("run owner: %s; trying again every %.1f s", describe(exc),
                           self.timings.poll_interval, extra={"event": "catalog_retry"})

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._stop.clear()
        self._draining = False
        self._thread = threading.Thread(target=self._loop, name="akhbar-runs", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except DBAPIError as exc:
                if not is_transient(exc):
                    logger.exception("run owner round failed")
                else:
                    self._catalog_away(exc)
            except Exception:  # a bad round must not end the service's runs
                logger.exception("run owner round failed")
            self._wake.wait(self.timings.poll_interval)
            self._wake.clear()

    def stop(self, *, stop_runs: bool = False, timeout: float = 60.0) -> None:
        """Stop the thread. The crawls go on (a restarted service adopts them) unless
        ``stop_runs``: then each is stopped gracefully and recorded as cancelled."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.drain(cancel=stop_runs, timeout=timeout)
        if not self.running:
            self.executor.close()

    def idle(self) -> bool:
        with self._lock:
            return not self.running

    def status(self) -> dict[str, object]:
        # Without the lock: a round may hold it for a minute, waiting out a database outage
        # in a retried write, and /healthz must answer meanwhile (a copy of the keys is
        # enough).
        return {"owner": str(self.me), "executor": self.executor.name,
                "running": sorted(list(self.running)), "max_concurrent_crawls": self.max_running}

