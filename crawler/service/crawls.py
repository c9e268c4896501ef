"""Crawling outlets now, in the foreground: the outlets to crawl, and a run owner of this
process that runs them and records each end (crawler.runs)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crawler.catalog import Run
from crawler.catalog.outlets import sync_outlets
from crawler.context import AkhbarContext
from crawler.errors import ConfigError
from crawler.outlets import LoadResult, OutletConfig, load_outlets
from crawler.runs import (
    SKIPPED,
    SUCCEEDED,
    Executor,
    OwnerTimings,
    RunOutcome,
    RunOwner,
    make_executor,
)
from crawler.runs.hosted import HostedExecutor

if TYPE_CHECKING:
    from crawler.ops.watcher import AlertWatcher

logger = logging.getLogger(__name__)

__all__ = ["CrawlReport", "crawl", "outlets", "pick_outlets", "sync_outlets"]


# -- outlets ------------------------------------------------------------------------------
def outlets(ctx: AkhbarContext) -> LoadResult:
    return load_outlets(ctx.config_dir)


def pick_outlets(
    ctx: AkhbarContext, ids: Iterable[str], *, all_enabled: bool = False, prefix: str | None = None
) -> tuple[list[OutletConfig], list[ConfigError]]:
    """The outlets to crawl, and errors for the ones asked for that cannot be crawled."""
    result = outlets(ctx)
    errors: list[ConfigError] = []
    chosen: list[OutletConfig] = []
    if all_enabled or prefix:
        chosen = [
            o
            for o in result.outlets.values()
            if o.enabled and (prefix is None or o.id.startswith(prefix))
        ]
        errors = list(result.errors)
    for oid in ids:
        if oid in result.outlets:
            chosen.append(result.outlets[oid])
            continue
        errs = [e for e in result.errors if e.outlet == oid or (e.file and e.file.stem == oid)]
        errors += errs or [
            ConfigError(
                problem=f"no outlet '{oid}'",
                hint="`akhbar outlets list` shows the configured outlets",
                file=None,
                outlet=oid,
                field=None,
            )
        ]
    return chosen, errors


# -- crawling -----------------------------------------------------------------------------
OnRound = Callable[[list[Run]], None]


class AlertsAfterStart:
    """A foreground crawl's alerts, judged as `akhbar serve` judges them: by the same watcher,
    woken by the owner's ``on_end`` as each run ends, and once more when all have ended.

    The watcher is made and started after the owner's first round, once the first crawls
    were sent on their way: importing it (the alerts table's model loads SQLAlchemy's
    PostgreSQL dialect) and its first evaluation (the outlet files read again, in a thread of
    its own) cost ~0.2 G instructions before a crawl's first request otherwise. No run ends
    unseen: the watcher's first evaluation, at its start, sees every run ended by then."""

    def __init__(self, ctx: AkhbarContext, owner: RunOwner) -> None:
        self.ctx = ctx
        self.owner = owner
        self.watcher: AlertWatcher | None = None

    def _made(self) -> AlertWatcher:
        if self.watcher is None:
            # Imported here, after the first crawls started (see above).
            from crawler.ops.watcher import AlertWatcher

            self.watcher = AlertWatcher(self.ctx)
        return self.watcher

    def start(self) -> None:
        """Start watching (once; later calls do nothing)."""
        if self.watcher is not None:
            return
        watcher = self._made()
        self.owner.on_end = watcher.run_ended
        watcher.start()

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()

    def settle(self) -> None:
        """The last evaluation, once every run has ended."""
        self._made().settle()


@dataclass
class CrawlReport:
    outcomes: list[RunOutcome] = field(default_factory=list)
    #: The caller's ``stop`` ended the crawl early: every run was stopped and recorded.
    stopped: bool = False

    @property
    def ok(self) -> bool:
        return all(o.status == SUCCEEDED for o in self.outcomes)


def crawl(
    ctx: AkhbarContext,
    targets: list[OutletConfig],
    *,
    trigger: str = "manual",
    on_progress: OnRound | None = None,
    max_parallel: int | None = None,
    executor: Executor | None = None,
    watch_alerts: bool = True,
    stop: Callable[[], bool] | None = None,
) -> CrawlReport:
    """Crawl the outlets now, at most ``max_parallel`` at once, and wait for all of them.

    The runs are this process's: queued under its name (the overlap rule applies: an outlet
    with an active run is ``skipped``, saying which run), started, watched and recorded by
    its run owner. ``on_progress`` gets the runs' rows, live figures included, after each
    round. Once ``stop()`` is true (checked between rounds: the CLI's SIGINT and SIGTERM
    handlers set it), every crawl is stopped gracefully and recorded as ``cancelled`` with
    what it archived, and the report says ``stopped``; a KeyboardInterrupt does the same and
    goes on up. ``watch_alerts``: raise and clear alerts (and send their webhooks) as the
    runs end.
    """
    executor = executor or make_executor(ctx, detach=True)
    if targets and isinstance(executor, HostedExecutor):
        executor.prepare()
    sync_outlets(ctx.catalog, targets)
    owner = RunOwner(ctx, executor, serves_queue=False,
                     max_running=max_parallel, timings=OwnerTimings(poll_interval=0.25))
    owner.set_outlets({o.id: o for o in targets})
    # Runs of owners that died are ended first: their outlets are free again.
    owner.recover()
    runs = [owner.enqueue(o.id, trigger) for o in targets]
    started = [r.id for r in runs if r.status != SKIPPED]
    alerts = AlertsAfterStart(ctx, owner) if watch_alerts else None

    def on_round(rows: list[Run]) -> None:
        if on_progress is not None:
            on_progress(rows)
        if alerts is not None:
            alerts.start()

    try:
        stopped = not owner.run_until_done(started, on_round, stop)
        if stopped:
            owner.drain(cancel=True)
    except BaseException:
        owner.drain(cancel=True)
        raise
    finally:
        if owner.idle():
            owner.executor.close()
        if alerts is not None:
            alerts.stop()
    if alerts is not None:
        alerts.settle()
    # The search index is not brought up to date here: on 20,000 articles that took 40 s
    # after the last fetch (bench/crawl). The service does it when a run ends; after a
    # foreground crawl the first search (or `akhbar reindex --search`) does.
    ended = {o.run_id: o for o in owner.outcomes}
    report = CrawlReport(stopped=stopped)
    for run in runs:
        if run.status == SKIPPED:
            report.outcomes.append(RunOutcome(run.id, run.outlet_id, SKIPPED, None, run.reason,
                                              {}))
        elif run.id in ended:
            report.outcomes.append(ended[run.id])
        else:  # ended before it started (cancelled while queued)
            row = owner.book.get(run.id)
            status = row.status if row else "unknown"
            report.outcomes.append(RunOutcome(run.id, run.outlet_id, status, None,
                                              row.reason if row else None, {}))
    return report
