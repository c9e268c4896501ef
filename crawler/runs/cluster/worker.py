"""`akhbar worker`: a crawl worker on any host. It takes runs from the broker and runs each
the way `akhbar serve` does on one host, through a :class:`crawler.runs.RunOwner` of its own
and a local executor (``celery.worker_executor``: one shared crawl process, or a process per
run).

A run's task (``akhbar.run``, executed in one of the worker's threads, one per slot):

1. takes the run in the catalog with one conditional write: a run already taken (a message
   delivered twice or published again), cancelled or ended is left alone, and the task ends;
2. wakes the worker's run owner, which starts the crawl, beats the worker's heartbeat into
   the run's row, polls the catalog's cancel flag, stops the crawl past its outlet's
   max_duration, and records how the run ended (stats and figures into the catalog; the
   run's log in the shared data directory);
3. waits until the run has ended, so that a slot stays busy as long as its crawl runs.

Stopping the worker (SIGTERM, SIGINT: Celery's warm shutdown) gives the runs it took but had
not started back to the queue, stops its crawls gracefully (their WARC files close) and
records them ``cancelled``. A worker killed outright stops beating: the service fails its runs.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from celery import Celery
from celery.signals import worker_shutting_down

from crawler.catalog.outlets import sync_outlets
from crawler.context import AkhbarContext
from crawler.outlets import load_outlets
from crawler.runs.cluster.broker import (
    RUN_TASK,
    celery_app,
    require_shared_catalog,
    shown_broker,
)
from crawler.runs.cluster.dispatch import cluster_timings
from crawler.runs.executor import Executor
from crawler.runs.executors import local_executor
from crawler.runs.owner import RunOwner
from crawler.runs.records import RunOutcome, this_host
from crawler.runs.states import FINAL_STATES
from crawler.storage import storage_for

logger = logging.getLogger(__name__)


def worker_executor(ctx: AkhbarContext) -> Executor:
    """The local executor a worker (or a foreground crawl under ``executor: celery``) runs its
    crawls with. Not detached: a worker that is killed takes its crawls with it, as a host
    that dies would."""
    return local_executor(ctx, ctx.service.celery.worker_executor, detach=False)


@dataclass
class RunTaskResult:
    run_id: str
    taken: bool
    status: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "taken": self.taken, "status": self.status}


@dataclass
class CrawlWorker:
    """One `akhbar worker` process: its run owner, its Celery app and the run task."""

    ctx: AkhbarContext
    slots: int
    owner: RunOwner = field(init=False)
    app: Celery = field(init=False)
    _ended: dict[str, threading.Event] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        require_shared_catalog(self.ctx, "akhbar worker")
        storage_for(self.ctx).check()
        self.owner = RunOwner(self.ctx, worker_executor(self.ctx), serves_queue=False,
                              max_running=self.slots, timings=cluster_timings(self.ctx),
                              on_end=self._run_ended)
        self.app = celery_app(self.ctx)
        self.app.task(name=RUN_TASK, acks_late=False, ignore_result=True)(self.run)

    # -- the task ------------------------------------------------------------------------
    def run(self, run_id: str) -> dict[str, Any]:
        """Take run ``run_id`` and see it through (the module's docstring)."""
        book = self.owner.book
        self._load_outlets()  # before the owner can start it: its time limit is its outlet's
        if not book.take(run_id, self.owner.me):
            row = book.get(run_id)
            state = row.status if row else "gone"
            logger.info("run %s not taken: it is %s%s", run_id, state,
                        f", held by {row.owner}" if row and row.owner else "")
            return RunTaskResult(run_id, False, state).as_dict()
        with self._lock:
            ended = self._ended.setdefault(run_id, threading.Event())
        logger.info("took run %s", run_id)
        self.owner.wake()
        try:
            while True:
                ended.wait(2.0)
                row = book.get(run_id)
                if row is None or row.status in FINAL_STATES:
                    return RunTaskResult(run_id, True, row.status if row else None).as_dict()
        finally:
            with self._lock:
                self._ended.pop(run_id, None)

    def _run_ended(self, outcome: RunOutcome) -> None:
        with self._lock:
            event = self._ended.get(outcome.run_id)
        if event is not None:
            event.set()

    def _load_outlets(self) -> None:
        """The outlet files of this host: a run's time limit comes from its outlet."""
        result = load_outlets(self.ctx.config_dir)
        for err in result.errors:
            logger.warning("outlet file: %s", err)
        self.owner.set_outlets(dict(result.outlets))
        sync_outlets(self.ctx.catalog, list(result.outlets.values()))

    # -- life ----------------------------------------------------------------------------
    def start(self, *, queue: str | None = None, loglevel: str = "INFO") -> int:
        """Run until a warm shutdown (SIGTERM/SIGINT); returns the worker's exit code."""
        self._load_outlets()
        self.owner.recover()
        self.owner.start()
        host = this_host()
        worker_shutting_down.connect(self._shutting_down, weak=False)
        worker = self.app.Worker(
            hostname=f"akhbar-{os.getpid()}@{host}", pool="threads", concurrency=self.slots,
            queues=[queue or self.ctx.service.celery.queue], loglevel=loglevel,
            without_gossip=True, without_mingle=True, optimization="fair", quiet=True)
        logger.info("worker %s: %d slot(s), broker %s, queue %s, owner %s", host, self.slots,
                    shown_broker(self.ctx), queue or self.ctx.service.celery.queue,
                    self.owner.me)
        try:
            worker.start()
        finally:
            self.stop()
        return int(worker.exitcode or 0)

    def _shutting_down(self, **_: object) -> None:
        # In a thread: Celery calls this from its signal handler, and stopping crawls takes
        # a while (each closes its WARC files); the run tasks return as their runs end.
        threading.Thread(target=self.stop, name="akhbar-worker-stop", daemon=True).start()

    def stop(self) -> None:
        """Runs taken but not started go back to the queue; crawls are stopped gracefully and
        recorded ``cancelled``."""
        book = self.owner.book
        for run in book.queued_for(self.owner.me, take_service_runs=False):
            if book.give_back(run.id, self.owner.me):
                logger.info("gave run %s back to the queue", run.id)
        self.owner.stop(stop_runs=True)


def slots_default(ctx: AkhbarContext) -> int:
    """A worker's slots: ``max_concurrent_crawls`` of its own akhbar.yaml (its cores)."""
    return ctx.service.max_concurrent_crawls


__all__ = ["CrawlWorker", "RunTaskResult", "slots_default", "worker_executor"]
