"""The run dispatcher: starts queued runs as child processes while slots are free, watches
them, stops the ones past their outlet's max_duration or asked to cancel, and records how
each ended.

Stopping is graceful first: SIGINT makes Scrapy close the spider, and the WARC writer closes
(renames) its ``.open`` files. A crawl still alive ``kill_after`` seconds later is killed, and
the WARC files it left open are cut after their last whole record and closed.

The outlet's own ``CLOSESPIDER_TIMEOUT`` (its max_duration) stops a crawl from inside first;
the dispatcher steps in ``overrun_grace`` seconds later, for a crawl stuck in a download.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from crawler.context import AkhbarContext
from crawler.errors import AkhbarError
from crawler.outlets import Limits, OutletConfig
from crawler.runs import AdoptedProcess, RunOutcome, finish_run, recover_warcs, start_run

logger = logging.getLogger(__name__)

Clock = Callable[[], float]


@dataclass
class Tracked:
    """A run the dispatcher watches: its process, and when it must stop."""

    proc: Any  # RunProcess or AdoptedProcess
    deadline: float
    stop_sent_at: float | None = None
    reason: str | None = None


class RunDispatcher:
    """Owns every crawl process of the service; :meth:`tick` does one round of work, and
    :meth:`start` runs rounds in a thread every ``poll_interval`` seconds (or when woken)."""

    def __init__(self, ctx: AkhbarContext, *, max_running: int | None = None,
                 poll_interval: float = 0.5, overrun_grace: float = 30.0,
                 kill_after: float = 30.0, clock: Clock = time.monotonic) -> None:
        self.ctx = ctx
        self.max_running = max(1, max_running or ctx.service.max_concurrent_crawls)
        self.poll_interval = poll_interval
        self.overrun_grace = overrun_grace
        self.kill_after = kill_after
        self.clock = clock
        self.outlets: dict[str, OutletConfig] = {}
        self.running: dict[str, Tracked] = {}
        self.outcomes: list[RunOutcome] = []
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._draining = False
        self._thread: threading.Thread | None = None

    # -- configuration -------------------------------------------------------------------
    def set_outlets(self, outlets: dict[str, OutletConfig]) -> None:
        with self._lock:
            self.outlets = dict(outlets)

    def max_duration(self, outlet_id: str) -> timedelta:
        cfg = self.outlets.get(outlet_id)
        return cfg.limits.max_duration if cfg else Limits().max_duration

    def adopt(self, procs: list[AdoptedProcess], started: dict[str, float]) -> None:
        """Watch processes an earlier service started; ``started`` gives their age in s."""
        with self._lock:
            for proc in procs:
                limit = self.max_duration(proc.outlet).total_seconds() + self.overrun_grace
                deadline = self.clock() + max(0.0, limit - started.get(proc.run_id, 0.0))
                self.running[proc.run_id] = Tracked(proc, deadline)
                logger.info("adopted run %s (pid %d) of %s", proc.run_id, proc.pid, proc.outlet)

    # -- one round -----------------------------------------------------------------------
    def tick(self) -> None:
        from crawler.service.schedule import cancel_requests

        with self._lock:
            for run_id in cancel_requests(self.ctx, list(self.running)):
                self._stop_run(run_id, "cancel")
            now = self.clock()
            for run_id, tracked in list(self.running.items()):
                proc = tracked.proc
                if proc.poll() is not None:
                    self._finish(run_id)
                elif tracked.stop_sent_at is not None:
                    if now - tracked.stop_sent_at >= self.kill_after:
                        logger.warning("run %s did not stop in %.0fs; killing it", run_id,
                                       self.kill_after)
                        proc.stop(force=True)
                elif now >= tracked.deadline:
                    self._stop_run(run_id, "timeout")
            if not self._draining:
                self._start_queued()

    def _stop_run(self, run_id: str, why: str) -> None:
        tracked = self.running.get(run_id)
        if tracked is None or tracked.stop_sent_at is not None:
            return
        if why == "cancel":
            tracked.proc.cancel_requested = True
        else:
            tracked.proc.timed_out = True
        logger.info("stopping run %s (%s)", run_id, why)
        tracked.stop_sent_at, tracked.reason = self.clock(), why
        tracked.proc.stop()

    def _finish(self, run_id: str) -> None:
        tracked = self.running.pop(run_id)
        outcome = finish_run(self.ctx.catalog, tracked.proc)
        # A killed crawl cannot close its WARC files; close them for it.
        recover_warcs(self.ctx, tracked.proc.outlet)
        self.outcomes.append(outcome)
        logger.info("run %s of %s ended: %s (%s)", run_id, outcome.outlet, outcome.status,
                    outcome.reason)

    def _start_queued(self) -> None:
        from crawler.service.schedule import queued_runs, running_outlets

        if len(self.running) >= self.max_running:
            return
        queued = queued_runs(self.ctx)
        if not queued:
            return
        # Never two processes of one outlet, even one started by a foreground `akhbar crawl`.
        busy = {t.proc.outlet for t in self.running.values()} | running_outlets(self.ctx)
        for run in queued:
            if len(self.running) >= self.max_running:
                break
            if run.outlet_id in busy:
                continue
            try:
                proc = start_run(self.ctx, run, detach=True)
            except (OSError, AkhbarError) as exc:
                logger.error("cannot start run %s: %s", run.id, exc)
                continue
            limit = self.max_duration(run.outlet_id).total_seconds() + self.overrun_grace
            self.running[run.id] = Tracked(proc, self.clock() + limit)
            busy.add(run.outlet_id)
            logger.info("started run %s of %s (pid %d)", run.id, run.outlet_id, proc.pid)

    # -- the thread ----------------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._stop.clear()
        self._draining = False
        self._thread = threading.Thread(target=self._loop, name="akhbar-dispatcher",
                                        daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # a bad round must not end the service's dispatching
                logger.exception("dispatcher round failed")
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def stop(self, *, stop_runs: bool = False, timeout: float = 60.0) -> None:
        """Stop dispatching. The crawls go on (a restarted service adopts them) unless
        ``stop_runs``: then each is stopped gracefully (killed after ``kill_after``)."""
        self._stop.set()
        self._wake.set()
        self._draining = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if not stop_runs:
            return
        with self._lock:
            for run_id in list(self.running):
                self._stop_run(run_id, "cancel")
            end = self.clock() + timeout
            while self.running and self.clock() < end:
                self.tick()
                time.sleep(0.1)

    def idle(self) -> bool:
        with self._lock:
            return not self.running
