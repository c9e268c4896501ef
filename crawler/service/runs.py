"""Runs as people see them: lists, records, summaries, cancel, and ending the runs of
owners that died. The CLI, the API and the pages call these."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from crawler.catalog import Article, ArticleVersion, Capture, Run
from crawler.context import AkhbarContext
from crawler.crawl.runlog import LEVELS, level_at_least, parse_lines, read_log, run_paths
from crawler.errors import InvalidParameter, RunNotFound
from crawler.ops.funnel import RunFunnel
from crawler.runs import (
    ACTIVE_STATES,
    FINAL_STATES,
    MISSED,
    RUNNING,
    SKIPPED,
    OwnerId,
    Reaped,
    RunBook,
    pid_alive,
    reap,
    run_process_alive,
    signal_run,
    this_host,
)
from crawler.runs.logstore import read_shipped

logger = logging.getLogger(__name__)

#: Every status a run can have (filters of the runs history).
STATUSES = (*ACTIVE_STATES, *FINAL_STATES, SKIPPED, MISSED)


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


def run_log_file(ctx: AkhbarContext, run: Run) -> Path | None:
    """A run's log: under this host's data directory (shared by every worker, maybe mounted
    at another path than on the host that recorded ``log_path``), else where it was written."""
    here = run_paths(ctx.data_dir, run.id)[0]
    if here.is_file() or not run.log_path:
        return here if here.is_file() else None
    return Path(run.log_path)


def run_summary(ctx: AkhbarContext, run_id: str) -> RunSummary:
    with ctx.catalog.session() as session:
        run = session.get(Run, run_id)
        if run is None:
            raise RunNotFound(f"no run '{run_id}'; `akhbar runs list` shows the runs")
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
    if run.warc_file and run.warc_file not in files:
        files.append(run.warc_file)
    sizes = []
    for name in files:
        path = ctx.warcs_dir / name
        still_open = path.with_name(path.name + ".open")
        if not path.exists() and still_open.exists():  # the crawl is writing it
            sizes.append((name + ".open", still_open.stat().st_size))
        else:
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
    return runs_page(ctx, outlet=outlet, limit=limit).runs


@dataclass(frozen=True)
class RunsPage:
    """A page of the runs history, newest first, and how many runs match in all."""

    runs: list[Run]
    total: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None


def runs_page(ctx: AkhbarContext, *, outlet: str | None = None, status: str | None = None,
              limit: int = 50, offset: int = 0) -> RunsPage:
    """Runs newest first, filtered by outlet and status, ``limit`` from ``offset`` on."""
    if status and status not in STATUSES:
        raise InvalidParameter("status", f"'{status}' is not a run status; use one of "
                               + ", ".join(STATUSES))
    if limit < 1 or offset < 0:
        raise InvalidParameter("limit" if limit < 1 else "offset",
                               "must be at least 1 (limit) and 0 (offset)")
    reap_dead(ctx)
    where = []
    if outlet:
        where.append(Run.outlet_id == outlet)
    if status:
        where.append(Run.status == status)
    with ctx.catalog.session() as session:
        total = session.scalar(select(func.count()).select_from(Run).where(*where)) or 0
        rows = list(session.scalars(select(Run).where(*where)
                                    .order_by(Run.queued_at.desc(), Run.id.desc())
                                    .limit(limit).offset(offset)))
    return RunsPage(rows, total, offset, limit)


@dataclass(frozen=True)
class RunLog:
    """Lines of a run's log from ``start`` on (at ``level`` or above), and ``offset``: where
    the next read starts (to follow a live run)."""

    run_id: str
    entries: list[dict[str, Any]]
    offset: int
    read: int  # lines read, before the level filter


def run_log(ctx: AkhbarContext, run_id: str, *, level: str | None = None,
            offset: int = 0) -> RunLog:
    """A run's log (JSON lines), from byte ``offset`` on, filtered to ``level`` and above:
    from its file where this host sees it (the freshest), else from the catalog's copy (the
    same offsets; a few seconds behind a live run)."""
    if level and level.upper() not in LEVELS:
        raise InvalidParameter("level", f"'{level}' is not a log level; use one of "
                               + ", ".join(v.lower() for v in LEVELS))
    run = get_run(ctx, run_id)
    if run is None:
        raise RunNotFound(f"no run '{run_id}'; `akhbar runs list` shows the runs")
    log_file = run_log_file(ctx, run)
    if log_file is not None and log_file.is_file():
        entries, end = read_log(log_file, offset)
    else:  # the log file is on another host: the catalog's copy (crawler.runs.logstore)
        shipped = read_shipped(ctx.catalog.engine, run_id, offset)
        entries, end = parse_lines(shipped[0], offset) if shipped else ([], offset)
    return RunLog(run_id, [e for e in entries if level_at_least(e, level)], end, len(entries))


def get_run(ctx: AkhbarContext, run_id: str) -> Run | None:
    reap_dead(ctx)
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
        "owner": run.owner,
        "heartbeat_at": run.heartbeat_at,
        "bytes_received": run.bytes_received,
        "warc_file": run.warc_file,
        "progress_at": run.progress_at,
        "funnel": RunFunnel.from_stats(run.stats).to_dict(),
    }


def reap_dead(ctx: AkhbarContext) -> Reaped:
    """End the active runs whose owner died (the next one that looks does it: listing runs
    looks). Live crawls of a dead owner are left running; `akhbar serve` adopts them."""
    return reap(ctx, RunBook(ctx.catalog), None, adopt=False)


def cancel_run(ctx: AkhbarContext, run_id: str) -> Run:
    """Ask a run to stop: one write to the catalog, acted on by the owner that holds it. A
    run whose owner is gone while its crawl still runs here is stopped directly (SIGINT, so
    its WARC files close), and recorded by the next owner that looks."""
    reap_dead(ctx)
    run = RunBook(ctx.catalog).request_cancel(run_id)
    if run.status == RUNNING and run.host in (None, this_host()):
        owner = OwnerId.parse(run.owner)
        owner_gone = owner is None or (owner.host == this_host() and not pid_alive(owner.pid))
        if owner_gone and run.pid and run_process_alive(run.pid, run.id):
            signal_run(run.pid)
    return run


def active_runs(ctx: AkhbarContext) -> list[Run]:
    """Queued and running runs, oldest first (after ending those of dead owners)."""
    reap_dead(ctx)
    return sorted(RunBook(ctx.catalog).active_runs(), key=lambda r: (r.queued_at, r.id))
