"""The service's side of the ``celery`` executor: it owns the queue, the workers own the runs.

`akhbar serve` with ``executor: celery`` starts no crawl itself. Its :class:`RunDispatcher`
takes the place of the run owner: each round it

- publishes queued runs of the service's queue (schedule, ``POST /runs``) as tasks, while
  the runs running or taken anywhere plus those published and not yet taken are fewer than
  ``max_concurrent_crawls`` (the cap across every worker); the overlap rule holds already,
  since the catalog never queues a second run of an outlet;
- publishes again a run no worker took within ``celery.republish_after`` when the queue
  holds fewer messages than it should (the broker restarted and lost them); a second copy
  of a message is harmless (a worker takes a run with one conditional write);
- ends the runs of workers that stopped beating (crawler.runs.reaper): failed, their open
  WARC files closed; the outlet runs again at its next trigger;
- reports each run it published once it has ended (``on_end``: search index, alerts).

A cancel is one write to the catalog; the worker holding the run polls it and stops the crawl.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from crawler.catalog import Run
from crawler.context import AkhbarContext
from crawler.errors import RunError
from crawler.outlets import OutletConfig
from crawler.runs.cluster.broker import Publisher, require_shared_catalog
from crawler.runs.owner import OnEnd, OwnerTimings
from crawler.runs.reaper import Reaped, reap
from crawler.runs.records import OwnerId, RunBook, RunOutcome
from crawler.runs.states import FINAL_STATES, QUEUED, RUNNING, SERVICE_TRIGGERS

logger = logging.getLogger(__name__)


def cluster_timings(ctx: AkhbarContext) -> OwnerTimings:
    """Heartbeats and reaping paced by ``celery.dead_after``: a worker beats four times and
    is looked at twice within it."""
    dead = ctx.service.celery.dead_after.total_seconds()
    return OwnerTimings(heartbeat_interval=min(5.0, dead / 4), reap_interval=min(15.0, dead / 2),
                        stale_after=dead)


class RunDispatcher:
    """Publishes the service's queued runs to the workers (see the module's docstring). Has
    the run owner's surface that the service uses (:class:`crawler.runs.RunOwner`)."""

    def __init__(self, ctx: AkhbarContext, publisher: Publisher | None = None, *,
                 max_running: int | None = None, timings: OwnerTimings | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 on_end: OnEnd | None = None) -> None:
        require_shared_catalog(ctx, "executor: celery")
        self.ctx = ctx
        self.publisher = publisher or Publisher.of(ctx)
        self.max_running = max(1, max_running or ctx.service.max_concurrent_crawls)
        self.timings = timings or cluster_timings(ctx)
        self.republish_after = ctx.service.celery.republish_after.total_seconds()
        self.clock = clock
        self.on_end = on_end
        self.me = OwnerId.me()
        self.book = RunBook(ctx.catalog)
        self.outlets: dict[str, OutletConfig] = {}
        self.outcomes: list[RunOutcome] = []
        self.published: dict[str, float] = {}  # run id -> when last published
        self.watching: set[str] = set()  # published runs whose end is reported
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_reap = float("-inf")

    # -- the run owner's surface ---------------------------------------------------------
    def set_outlets(self, outlets: dict[str, OutletConfig]) -> None:
        with self._lock:
            self.outlets = dict(outlets)

    def enqueue(self, outlet_id: str, trigger: str,
                scheduled_for: datetime | None = None) -> Run:
        run = self.book.enqueue(outlet_id, trigger, scheduled_for=scheduled_for, owner=None)
        self.wake()
        return run

    def recover(self) -> Reaped:
        reaped = reap(self.ctx, self.book, self.me, adopt=False,
                      stale_after=self.timings.stale_after)
        self.outcomes.extend(reaped.ended)
        self._last_reap = self.clock()
        return reaped

    def wake(self) -> None:
        self._wake.set()

    def idle(self) -> bool:
        return True  # no crawl runs in this process

    def status(self) -> dict[str, object]:
        with self._lock:
            return {"owner": str(self.me), "executor": "celery",
                    "broker": self.publisher.shown, "queue": self.publisher.queue,
                    "running": [], "published": sorted(self.published),
                    "max_concurrent_crawls": self.max_running}

    # -- one round -----------------------------------------------------------------------
    def tick(self) -> None:
        with self._lock:
            now = self.clock()
            if now - self._last_reap >= self.timings.reap_interval:
                self.recover()
            active = self.book.active_runs()
            self._report_ended({r.id for r in active})
            ours = sorted((r for r in active if r.status == QUEUED and r.owner is None
                           and r.trigger in SERVICE_TRIGGERS), key=lambda r: (r.queued_at, r.id))
            ours_ids = {r.id for r in ours}
            for run_id in [i for i in self.published if i not in ours_ids]:
                del self.published[run_id]  # taken by a worker, cancelled or ended
            held = sum(1 for r in active if r.status == RUNNING or
                       (r.status == QUEUED and r.owner is not None))
            free = self.max_running - held - len(self.published)
            for run in ours:
                if free <= 0:
                    break
                if run.id not in self.published and self._publish(run, now):
                    free -= 1
            self._republish_lost(now)

    def _publish(self, run: Run, now: float, *, again: bool = False) -> bool:
        try:
            self.publisher.publish(run.id)
        except RunError as exc:
            logger.error("%s; publishing it again on the next round", exc)
            return False
        self.published[run.id] = now
        self.watching.add(run.id)
        logger.info("%s run %s of %s to %s", "published again" if again else "published",
                    run.id, run.outlet_id, self.publisher.queue)
        return True

    def _republish_lost(self, now: float) -> None:
        stale = [i for i, at in self.published.items() if now - at >= self.republish_after]
        if not stale:
            return
        waiting = self.publisher.waiting()
        if waiting is None or waiting >= len(self.published):
            for run_id in stale:  # still waiting its turn in the queue
                self.published[run_id] = now
            return
        logger.warning("the queue %s holds %d message(s) for %d published run(s) no worker "
                       "took: publishing %d again (a broker restart loses what it did not "
                       "keep; the catalog is the record)", self.publisher.queue, waiting,
                       len(self.published), len(stale))
        for run in self.book.of(stale):
            if run.status == QUEUED and run.owner is None:
                self._publish(run, now, again=True)

    def _report_ended(self, active_ids: set[str]) -> None:
        ended = [i for i in self.watching if i not in active_ids]
        if not ended:
            return
        for run in self.book.of(ended):
            if run.status not in FINAL_STATES:
                continue
            self.watching.discard(run.id)
            outcome = RunOutcome(run.id, run.outlet_id, run.status, run.exit_code, run.reason,
                                 dict(run.stats or {}))
            self.outcomes.append(outcome)
            logger.info("run %s of %s ended on %s: %s (%s)", run.id, run.outlet_id,
                        run.host or "no worker", run.status, run.reason)
            if self.on_end is not None:
                self.on_end(outcome)

    # -- driving it ----------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="akhbar-dispatch", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # a bad round (catalog or broker down) must not end the service
                logger.exception("run dispatcher round failed")
            self._wake.wait(self.timings.poll_interval)
            self._wake.clear()

    def stop(self, *, stop_runs: bool = False, timeout: float = 60.0) -> None:
        """Stop publishing. The workers' runs go on, unless ``stop_runs``: then each running
        run of the service's queue is asked to cancel (its worker stops it gracefully)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if stop_runs:
            for run in self.book.active_runs():
                if run.trigger in SERVICE_TRIGGERS:
                    try:
                        self.book.request_cancel(run.id)
                    except RunError:
                        pass  # it ended meanwhile
        self.publisher.close()
