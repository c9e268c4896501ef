"""Starting, watching and finishing crawl processes.

Crawls run as child processes: Twisted's reactor cannot restart within one process, and a crawl
that crashes or hangs must not take the service down.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.catalog import Catalog, Run
from crawler.context import AkhbarContext
from crawler.crawl.runlog import run_paths

logger = logging.getLogger(__name__)

QUEUED, RUNNING = "queued", "running"
SUCCEEDED, FAILED, CANCELLED, TIMED_OUT = "succeeded", "failed", "cancelled", "timed_out"
FINAL_STATES = (SUCCEEDED, FAILED, CANCELLED, TIMED_OUT)
# A trigger that did not become a run: the outlet had one already, or it came too late.
SKIPPED, MISSED = "skipped", "missed"
ACTIVE_STATES = (QUEUED, RUNNING)


def now() -> datetime:
    return datetime.now(UTC)


def new_run_id(outlet: str, at: datetime | None = None) -> str:
    at = at or now()
    return f"{at:%Y%m%dT%H%M%S}-{outlet}-{secrets.token_hex(3)}"


def create_run(catalog: Catalog, outlet: str, trigger: str, *,
               scheduled_for: datetime | None = None) -> Run:
    run = Run(id=new_run_id(outlet), outlet_id=outlet, trigger=trigger, status=QUEUED,
              queued_at=now(), stats={}, scheduled_for=scheduled_for)
    with catalog.session() as session:
        session.add(run)
    return run


def crawl_settings(ctx: AkhbarContext, outlet: str, run_id: str) -> dict[str, str]:
    """The Scrapy settings (``-s KEY=VALUE``) a crawl of ``outlet`` as run ``run_id`` gets,
    whatever process runs it."""
    settings = {
        "AKHBAR_RUN_ID": run_id,
        "AKHBAR_CONFIG_DIR": str(ctx.config_dir),
        "AKHBAR_DATA_DIR": str(ctx.data_dir),
        "AKHBAR_DATABASE_URL": ctx.database_url,
        "AKHBAR_WARC_MAX_SIZE": str(ctx.service.warc_max_size),
        "USER_AGENT": ctx.service.user_agent,
        "LOG_LEVEL": ctx.service.log_level,
    }
    for key in ("AKHBAR_EXTRACT_WORKERS",):
        if key in ctx.env:
            settings[key] = ctx.env[key]
    return settings


def crawl_command(ctx: AkhbarContext, outlet: str, run_id: str) -> list[str]:
    # `scrapy crawl`, with the extraction workers started before Scrapy loads.
    cmd = [sys.executable, "-m", "crawler.crawl.crawlproc", "crawl", "outlet",
           "-a", f"outlet={outlet}"]
    for key, value in crawl_settings(ctx, outlet, run_id).items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


@dataclass
class RunProcess:
    """A started crawl: the child process and where its log goes."""

    run_id: str
    outlet: str
    process: subprocess.Popen[bytes]
    log_path: Path
    stats_path: Path
    stderr_path: Path
    cancel_requested: bool = False
    timed_out: bool = False

    @property
    def pid(self) -> int:
        return self.process.pid

    def poll(self) -> int | None:
        return self.process.poll()

    def wait(self) -> int | None:
        return self.process.wait()

    def stop(self, *, force: bool = False) -> None:
        """Ask the crawl to stop: SIGINT lets Scrapy close the spider (and the WARC); a
        second call with force kills it."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGKILL if force else signal.SIGINT)


def start_run(ctx: AkhbarContext, run: Run, *, detach: bool = False) -> RunProcess:
    """Start the crawl process. ``detach`` puts it in its own session, so that it outlives
    the service (a restarted service adopts it) and a terminal's Ctrl-C does not reach it."""
    log_path, stats_path = run_paths(ctx.data_dir, run.id)
    stderr_path = log_path.with_suffix(".stderr")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(ctx.env)
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.crawl.settings"
    env["PYTHONUNBUFFERED"] = "1"
    with stderr_path.open("wb") as err:
        proc = subprocess.Popen(crawl_command(ctx, run.outlet_id, run.id), env=env,
                                stdin=subprocess.DEVNULL, stdout=err, stderr=subprocess.STDOUT,
                                cwd=str(ctx.data_dir), start_new_session=detach)
    with ctx.catalog.session() as session:
        row = session.get(Run, run.id)
        assert row is not None
        row.status, row.started_at, row.pid = RUNNING, now(), proc.pid
        row.host = socket.gethostname()
        row.log_path = str(log_path)
    return RunProcess(run.id, run.outlet_id, proc, log_path, stats_path, stderr_path)


@dataclass
class RunOutcome:
    run_id: str
    outlet: str
    status: str
    exit_code: int | None
    reason: str | None
    stats: dict[str, Any]


def _last_error(stderr_path: Path) -> str | None:
    try:
        lines = stderr_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        if any(marker in line for marker in ("Error", "ERROR", "error:", "Traceback")):
            return line.strip()[:500]
    return lines[-1].strip()[:500] if lines else None


def judge(exit_code: int | None, stats: dict[str, Any], cancelled: bool,
          stderr_path: Path, *, timed_out: bool = False) -> tuple[str, str | None]:
    """A run's final status and reason from its exit code and Scrapy's finish_reason.

    ``exit_code`` is None for a process that was not our child (adopted after a restart):
    then a stats file with a finish_reason stands for a clean exit."""
    reason = stats.get("finish_reason")
    if cancelled:
        return CANCELLED, "cancelled by request"
    if reason == "closespider_timeout":
        return TIMED_OUT, "stopped at the outlet's max_duration"
    if timed_out:
        return TIMED_OUT, ("stopped by the service past the outlet's max_duration "
                           f"(exit code {exit_code})")
    if (exit_code == 0 or exit_code is None) and reason:
        if stats.get("log_count/CRITICAL"):
            return FAILED, _last_error(stderr_path) or "critical error in crawl"
        if not stats.get("response_received_count"):
            return FAILED, "no page could be fetched: " + (
                _last_error(stderr_path) or "the outlet did not answer")
        if reason in ("finished", "closespider_pagecount", "closespider_itemcount"):
            return SUCCEEDED, reason
        return FAILED, str(reason)
    detail = _last_error(stderr_path) or "no output"
    return FAILED, f"crawl process exited with code {exit_code}: {detail}"


def finish_run(catalog: Catalog, proc: Any) -> RunOutcome:
    """Wait for the process (a RunProcess or an adopted one) and record how the run ended."""
    exit_code = proc.wait()
    stats: dict[str, Any] = {}
    if proc.stats_path.exists():
        try:
            stats = json.loads(proc.stats_path.read_text(encoding="utf-8"))
        except ValueError:
            stats = {}
    with catalog.session() as session:
        row = session.get(Run, proc.run_id)
        assert row is not None
        # A cancel may have been asked for from another process (`akhbar runs cancel`).
        cancelled = proc.cancel_requested or row.cancel_requested_at is not None
        status, reason = judge(exit_code, stats, cancelled, proc.stderr_path,
                               timed_out=getattr(proc, "timed_out", False))
        row.status, row.exit_code, row.reason, row.ended_at = status, exit_code, reason, now()
        row.stats = stats
        row.pages = int(stats.get("response_received_count", 0))
        row.articles_new = int(stats.get("akhbar/articles/new", 0))
        row.articles_changed = int(stats.get("akhbar/articles/changed", 0))
        row.articles_unchanged = int(stats.get("akhbar/articles/unchanged", 0))
        row.errors = int(stats.get("log_count/ERROR", 0)) + int(
            stats.get("akhbar/requests_failed", 0))
    return RunOutcome(proc.run_id, proc.outlet, status, exit_code, reason, stats)


