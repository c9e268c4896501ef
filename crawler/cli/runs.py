"""`akhbar runs list|show|log`."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click

from crawler import service
from crawler.cli.main import Obj, cli, pass_obj
from crawler.crawl.runlog import LEVELS
from crawler.errors import RunNotFound
from crawler.service import runs as run_service


@cli.group()
def runs() -> None:
    """Crawl runs: their status, counts and logs."""


@runs.command("list")
@click.option("--outlet")
@click.option("--status", type=click.Choice(run_service.STATUSES))
@click.option("--limit", default=20, show_default=True)
@click.option("--offset", default=0, show_default=True, help="Skip this many (the next page).")
@click.option("--json", "as_json", is_flag=True)
@pass_obj
def runs_list(obj: Obj, outlet: str | None, status: str | None, limit: int, offset: int,
              as_json: bool) -> None:
    """Newest runs first."""
    rows = run_service.runs_page(obj.ctx, outlet=outlet, status=status, limit=limit,
                                 offset=offset).runs
    if as_json:
        for r in rows:
            click.echo(json.dumps(service.run_record(r), ensure_ascii=False, default=str))
        return
    click.echo(f"{'run':<36} {'outlet':<14} {'status':<10} {'trigger':<8} {'started':<20} "
               f"{'pages':>5} {'new':>4} {'chg':>4} {'same':>4} {'err':>4}")
    for r in rows:
        started = r.started_at.strftime("%Y-%m-%d %H:%M:%S") if r.started_at else "-"
        click.echo(f"{r.id:<36} {r.outlet_id:<14} {r.status:<10} {r.trigger:<8} {started:<20} "
                   f"{r.pages:>5} {r.articles_new:>4} {r.articles_changed:>4} "
                   f"{r.articles_unchanged:>4} {r.errors:>4}")


@runs.command("show")
@click.argument("run_id")
@pass_obj
def runs_show(obj: Obj, run_id: str) -> None:
    """One run's record and summary as JSON."""
    summary = service.run_summary(obj.ctx, run_id)
    run = service.get_run(obj.ctx, run_id)
    record = service.run_record(run) if run else {}
    record["summary"] = summary.to_dict()
    click.echo(json.dumps(record, indent=2, ensure_ascii=False, default=str))


@runs.command("log")
@click.argument("run_id")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new lines until the run ends.")
@click.option("--level", type=click.Choice([v.lower() for v in LEVELS], case_sensitive=False),
              help="Only lines at this level or above (warning: what went wrong, and why a "
              "run failed).")
@click.option("--raw", is_flag=True, help="Print the JSON lines as they are.")
@pass_obj
def runs_log(obj: Obj, run_id: str, follow: bool, level: str | None, raw: bool) -> None:
    """A run's log (JSON lines under $AKHBAR_HOME/runs/): one line per fetch, redirect and
    retry, what failed and why, and how the run ended."""
    try:
        part = run_service.run_log(obj.ctx, run_id, level=level)
    except RunNotFound as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    while True:
        for e in part.entries:
            click.echo(json.dumps(e, ensure_ascii=False) if raw else log_line(e))
        if not follow:
            return
        current = service.get_run(obj.ctx, run_id)
        ended = current is None or current.status not in ("queued", "running")
        if not ended:
            time.sleep(0.5)
        part = run_service.run_log(obj.ctx, run_id, level=level, offset=part.offset)
        if ended:  # the lines written as it ended, then stop
            for e in part.entries:
                click.echo(json.dumps(e, ensure_ascii=False) if raw else log_line(e))
            return


def log_line(entry: dict[str, Any]) -> str:
    return f"{entry.get('ts', '')} {entry.get('level', ''):<7} {entry.get('msg', '')}"


@runs.command("cancel")
@click.argument("run_id")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Wait (up to --timeout seconds) until the run has ended.")
@click.option("--timeout", default=120.0, show_default=True)
@pass_obj
def runs_cancel(obj: Obj, run_id: str, wait: bool, timeout: float) -> None:
    """Stop a run gracefully (its WARC files are closed); a queued run never starts. The
    request is written to the catalog; the owner that holds the run (a foreground `akhbar
    crawl`, `akhbar serve`) stops it."""
    ctx = obj.ctx
    service.cancel_run(ctx, run_id)
    deadline = time.monotonic() + timeout
    current = service.get_run(ctx, run_id)
    while wait and current is not None and current.status in ("queued", "running") \
            and time.monotonic() < deadline:
        time.sleep(0.25)
        current = service.get_run(ctx, run_id)
    status = current.status if current else "unknown"
    if status in ("queued", "running"):
        click.echo(f"{run_id}: cancel requested; its owner ({current.owner if current else '?'})"
                   f" stops it, and records it as cancelled")
    else:
        click.echo(f"{run_id}: {status}" + (f" ({current.reason})" if current and current.reason
                                            else ""))
