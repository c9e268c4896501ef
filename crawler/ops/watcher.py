"""The service's alert watcher: evaluates the conditions every ``alerts.interval`` and as soon
as a run ends, stores what was raised or cleared, and hands it to the webhooks.

It runs in a thread of its own (started and stopped by the scheduler service), so that a slow
webhook never holds up the run owner: the owner's ``on_end`` only wakes it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from crawler.context import AkhbarContext
from crawler.ops.alerts import AlertPolicy, Condition, evaluate
from crawler.ops.facts import FetchTracker, collect
from crawler.ops.store import Reconciled, reconcile
from crawler.ops.webhook import DeliveryReport, WebhookSender, WebhookSettings
from crawler.outlets import OutletConfig, load_outlets
from crawler.runs import RunOutcome

logger = logging.getLogger(__name__)

Now = Callable[[], datetime]
Outlets = Callable[[], dict[str, OutletConfig]]


def _now() -> datetime:
    return datetime.now(UTC)


def policy_of(ctx: AkhbarContext) -> AlertPolicy:
    cfg = ctx.service.alerts
    return AlertPolicy(no_success_after=cfg.no_success_after, stalled_after=cfg.stalled_after,
                       disk_free_min=cfg.disk_free_min, yield_drop=cfg.yield_drop,
                       yield_window=cfg.yield_window, yield_min_runs=cfg.yield_min_runs)


@dataclass(frozen=True)
class Evaluation:
    at: datetime
    holding: list[Condition]
    changes: Reconciled
    delivery: DeliveryReport


class AlertWatcher:
    """``outlets``: the outlets to judge (the service's loaded ones; by default the valid
    files in the config directory). ``now``: the clock, for tests."""

    def __init__(self, ctx: AkhbarContext, *, outlets: Outlets | None = None,
                 now: Now = _now) -> None:
        self.ctx = ctx
        self.policy = policy_of(ctx)
        self.interval = ctx.service.alerts.interval.total_seconds()
        self.outlets = outlets or (lambda: load_outlets(ctx.config_dir).outlets)
        self.now = now
        self.tracker = FetchTracker()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self.sender = WebhookSender(ctx.catalog, WebhookSettings(
            urls=tuple(ctx.service.alerts.webhooks)), now=now, stop=self._stop)
        self._thread: threading.Thread | None = None
        self.last: Evaluation | None = None

    def evaluate(self, now: datetime | None = None, *, deliver: bool = True) -> Evaluation:
        """One round: facts, conditions, raises and clears, deliveries."""
        with self._lock:
            at = now or self.now()
            facts = collect(self.ctx.catalog, self.ctx.data_dir, self.outlets(), self.policy,
                            at, self.tracker)
            holding = evaluate(facts, self.policy)
            changes = reconcile(self.ctx.catalog, holding, at)
            for rec in changes.raised:
                logger.warning("alert raised: %s", rec.summary)
            for rec in changes.cleared:
                logger.info("alert cleared: %s", rec.summary)
            delivery = self.sender.deliver() if deliver else DeliveryReport()
            self.last = Evaluation(at, holding, changes, delivery)
            return self.last

    def run_ended(self, outcome: RunOutcome) -> None:
        """The run owner's ``on_end``: look again now (in the watcher's thread)."""
        self._wake.set()

    def settle(self) -> Evaluation | None:
        """A last round once the runs have ended (a foreground crawl's), in the caller's
        thread; a round that fails is logged, not raised: the crawl's outcome stands."""
        try:
            return self.evaluate()
        except Exception:  # the database or a webhook away must not fail a finished crawl
            logger.exception("alert evaluation failed")
            return None

    # -- the thread ----------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="akhbar-alerts", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.evaluate()
            except Exception:  # a failed round (database away) must not end the watching
                logger.exception("alert evaluation failed")
            self._wake.wait(self.interval)
            self._wake.clear()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
