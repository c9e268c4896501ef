"""The ``process`` executor: each run is its own `scrapy crawl` child process on this host,
with its own extraction workers (the shape before the shared crawl process; kept as the
fallback and for isolation: a crash or a hang takes only that run with it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from crawler.catalog import Run
from crawler.context import AkhbarContext
from crawler.crawl.runlog import run_paths
from crawler.errors import RunError
from crawler.runs.records import this_host

CommandFor = Callable[[AkhbarContext, str, str], list[str]]

#: Settings a crawl process gets from its environment instead of its command line.
SECRET_SETTINGS = ("AKHBAR_DATABASE_URL",)


def crawl_settings(ctx: AkhbarContext, outlet: str, run_id: str) -> dict[str, str]:
    """The Scrapy settings (``-s KEY=VALUE``) a crawl of ``outlet`` as run ``run_id`` gets,
    whatever process runs it."""
    settings = {
        "AKHBAR_RUN_ID": run_id,
        "AKHBAR_CONFIG_DIR": str(ctx.config_dir),
        "AKHBAR_DATA_DIR": str(ctx.data_dir),
        "AKHBAR_DATABASE_URL": ctx.database_url,
        "AKHBAR_WARC_MAX_SIZE": str(ctx.service.warc_max_size),
        "AKHBAR_HOST": this_host(),
        "USER_AGENT": ctx.service.user_agent,
        "LOG_LEVEL": ctx.service.log_level,
    }
    if ctx.service.secrets_file is not None:
        # Its path only: the crawl process reads the values (crawler.outlets.secrets).
        settings["AKHBAR_SECRETS_FILE"] = str(ctx.config_dir / ctx.service.secrets_file)
    for key in ("AKHBAR_EXTRACT_WORKERS",):
        if key in ctx.env:
            settings[key] = ctx.env[key]
    return settings


def crawl_command(ctx: AkhbarContext, outlet: str, run_id: str) -> list[str]:
    """`scrapy crawl`, with the extraction workers started before Scrapy loads."""
    cmd = [sys.executable, "-m", "crawler.crawl.crawlproc", "crawl", "outlet",
           "-a", f"outlet={outlet}"]
    for key, value in crawl_settings(ctx, outlet, run_id).items():
        if key not in SECRET_SETTINGS:  # a command line is visible to anyone on the host
            cmd += ["-s", f"{key}={value}"]
    return cmd


def crawl_env(ctx: AkhbarContext) -> dict[str, str]:
    env = dict(os.environ)
    env.update(ctx.env)
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.crawl.settings"
    # The database URL may hold a password: it goes in the environment, not on the command
    # line (crawler.crawl.crawlproc reads it back).
    env["AKHBAR_DATABASE_URL"] = ctx.database_url
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class ProcessHandle:
    """A run in its own child process."""

    run_id: str
    outlet: str
    process: subprocess.Popen[bytes]
    log_path: Path
    stats_path: Path
    stderr_path: Path
    cancel_requested: bool = False
    timed_out: bool = False

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def poll(self) -> int | None:
        return self.process.poll()

    def wait(self, timeout: float | None = None) -> int | None:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, *, force: bool = False) -> None:
        """SIGINT lets Scrapy close the spider (and the WARC files); force kills it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if force else signal.SIGINT)


class ProcessExecutor:
    """Starts each run as a child process. ``detach`` puts it in its own session, so that it
    outlives its owner (a restarted service adopts it) and a terminal's Ctrl-C reaches only
    the owner, which stops it gracefully."""

    name = "process"

    def __init__(self, ctx: AkhbarContext, *, detach: bool = False,
                 command: CommandFor = crawl_command) -> None:
        self.ctx = ctx
        self.detach = detach
        self.command = command

    def start(self, run: Run) -> ProcessHandle:
        log_path, stats_path = run_paths(self.ctx.data_dir, run.id)
        stderr_path = log_path.with_suffix(".stderr")
        log_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with stderr_path.open("wb") as err:
                proc = subprocess.Popen(self.command(self.ctx, run.outlet_id, run.id),
                                        env=crawl_env(self.ctx), stdin=subprocess.DEVNULL,
                                        stdout=err, stderr=subprocess.STDOUT,
                                        cwd=str(self.ctx.data_dir),
                                        start_new_session=self.detach)
        except OSError as exc:
            raise RunError(f"cannot start the crawl process of {run.outlet_id}: {exc}") from exc
        return ProcessHandle(run.id, run.outlet_id, proc, log_path, stats_path, stderr_path)

    def close(self) -> None:
        """Nothing shared to release: each process ends with its run."""
