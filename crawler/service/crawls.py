"""Crawling outlets now, run records and summaries, and article queries."""

from __future__ import annotations

import logging
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from crawler.catalog import Article, ArticleVersion, Capture, Outlet, Run
from crawler.context import AkhbarContext
from crawler.crawl.runlog import Progress, read_log
from crawler.errors import ConfigError
from crawler.outlets import LoadResult, OutletConfig, load_outlets
from crawler.runs import SKIPPED, RunOutcome, RunProcess, finish_run, recover_warcs, start_run

logger = logging.getLogger(__name__)


# -- outlets ------------------------------------------------------------------------------
def outlets(ctx: AkhbarContext) -> LoadResult:
    return load_outlets(ctx.config_dir)


def sync_outlets(ctx: AkhbarContext, configs: Iterable[OutletConfig]) -> None:
    """Mirror the outlet configs into the catalog's outlets table."""
    stamp = datetime.now(UTC)
    with ctx.catalog.session() as session:
        for cfg in configs:
            row = session.get(Outlet, cfg.id) or Outlet(id=cfg.id)
            row.name, row.homepage, row.languages = cfg.name, str(cfg.homepage), list(cfg.languages)
            row.enabled, row.config_hash, row.updated_at = cfg.enabled, cfg.config_hash, stamp
            session.add(row)


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
ProgressCallback = Callable[[dict[str, Progress]], None]


@dataclass
class CrawlReport:
    outcomes: list[RunOutcome] = field(default_factory=list)
    progress: dict[str, Progress] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(o.status == "succeeded" for o in self.outcomes)


def crawl(
    ctx: AkhbarContext,
    targets: list[OutletConfig],
    *,
    trigger: str = "manual",
    on_progress: ProgressCallback | None = None,
    poll_interval: float = 0.25,
    max_parallel: int | None = None,
) -> CrawlReport:
    """Crawl each outlet in its own `scrapy crawl` process, at most `max_parallel` at once,
    and wait for all of them."""
    from crawler.service.schedule import enqueue_run

    sync_outlets(ctx, targets)
    limit = max(1, max_parallel or ctx.service.max_concurrent_crawls)
    queue = list(targets)
    report = CrawlReport()
    running: dict[str, tuple[RunProcess, int]] = {}

    def finish(proc: RunProcess) -> None:
        report.outcomes.append(finish_run(ctx.catalog, proc))
        # A crawl that was killed cannot close its WARC files; close them for it.
        recover_warcs(ctx, proc.outlet)

    try:
        while queue or running:
            while queue and len(running) < limit:
                # Queued only as it starts: a run of this process never waits in the
                # catalog, where the service's dispatcher could take it.
                run = enqueue_run(ctx, queue.pop(0).id, trigger)
                if run.status == SKIPPED:
                    report.outcomes.append(RunOutcome(run.id, run.outlet_id, SKIPPED, None,
                                                      run.reason, {}))
                    continue
                proc = start_run(ctx, run)
                running[run.id] = (proc, 0)
                report.progress[run.id] = Progress()
            for run_id, (proc, offset) in list(running.items()):
                done = proc.poll() is not None
                entries, offset = read_log(proc.log_path, offset)
                for entry in entries:
                    report.progress[run_id].feed(entry)
                running[run_id] = (proc, offset)
                if done:
                    finish(proc)
                    del running[run_id]
            if on_progress:
                on_progress(report.progress)
            if running:
                # Woken as soon as (the first) crawl ends, not at the next poll.
                first = next(iter(running.values()))[0].process
                try:
                    first.wait(timeout=poll_interval)
                except subprocess.TimeoutExpired:
                    pass
            elif queue:
                time.sleep(poll_interval)
    except KeyboardInterrupt:
        for proc, _ in running.values():
            proc.cancel_requested = True
            proc.stop()
        for proc, _ in running.values():
            finish(proc)
        raise
    return report


# -- summaries ----------------------------------------------------------------------------
@dataclass
class RunSummary:
    run_id: str
    outlet: str
    status: str
    reason: str | None
    pages: int
    articles_new: int
    articles_changed: int
    articles_unchanged: int
    errors: int
    languages: dict[str, int]
    warc_files: list[tuple[str, int]]
    duration_s: float | None

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def run_summary(ctx: AkhbarContext, run_id: str) -> RunSummary:
    with ctx.catalog.session() as session:
        run = session.get(Run, run_id)
        if run is None:
            from crawler.errors import RunError

            raise RunError(f"no run '{run_id}'; `akhbar runs list` shows the runs")
        # Every article the run archived, new, changed or unchanged (a revisit): the URLs it
        # captured that some version of an article was fetched from.
        fetched = select(Capture.url).where(
            Capture.run_id == run_id, Capture.status.in_((200, 304))
        )
        langs = Counter(
            dict(
                session.execute(
                    select(Article.language, func.count(Article.id.distinct()))
                    .join(ArticleVersion, ArticleVersion.article_id == Article.id)
                    .where(ArticleVersion.fetched_url.in_(fetched))
                    .group_by(Article.language)
                ).all()
            )
        )
        files = sorted(
            session.scalars(select(Capture.warc_file).where(Capture.run_id == run_id).distinct())
        )
    sizes = []
    for name in files:
        path = ctx.warcs_dir / name
        sizes.append((name, path.stat().st_size if path.exists() else -1))
    duration = (
        (run.ended_at - run.started_at).total_seconds() if run.ended_at and run.started_at else None
    )
    return RunSummary(
        run.id,
        run.outlet_id,
        run.status,
        run.reason,
        run.pages,
        run.articles_new,
        run.articles_changed,
        run.articles_unchanged,
        run.errors,
        {str(k): v for k, v in langs.items()},
        sizes,
        duration,
    )


def list_runs(ctx: AkhbarContext, outlet: str | None = None, limit: int = 50) -> list[Run]:
    with ctx.catalog.session() as session:
        query = select(Run).order_by(Run.queued_at.desc()).limit(limit)
        if outlet:
            query = query.where(Run.outlet_id == outlet)
        return list(session.scalars(query))


def get_run(ctx: AkhbarContext, run_id: str) -> Run | None:
    with ctx.catalog.session() as session:
        return session.get(Run, run_id)


def run_record(run: Run) -> dict[str, Any]:
    return {
        "id": run.id,
        "outlet": run.outlet_id,
        "trigger": run.trigger,
        "status": run.status,
        "queued_at": run.queued_at,
        "started_at": run.started_at,
        "ended_at": run.ended_at,
        "exit_code": run.exit_code,
        "reason": run.reason,
        "pid": run.pid,
        "pages": run.pages,
        "articles_new": run.articles_new,
        "articles_changed": run.articles_changed,
        "articles_unchanged": run.articles_unchanged,
        "errors": run.errors,
        "log_path": run.log_path,
        "scheduled_for": run.scheduled_for,
        "host": run.host,
        "cancel_requested_at": run.cancel_requested_at,
    }
