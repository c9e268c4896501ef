"""Crawl processes seen through their pid: alive or not, adopting and signalling them, and
closing the WARC files a killed crawl left open.

A service that restarts finds runs marked ``running``. If the crawl process is still alive
(the service started it detached) the new service adopts it and finishes its record when it
ends; if it is gone, the run is marked ``failed``. A pid alone can be reused by another
program, so a process only counts as the run's when its command line names the run id.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.catalog import Run
from crawler.context import AkhbarContext
from crawler.crawl.hostproto import HOST_MODULE
from crawler.crawl.runlog import run_paths

logger = logging.getLogger(__name__)



def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def run_process_alive(pid: int | None, run_id: str) -> bool:
    """Is ``pid`` alive on this machine and the crawl process of ``run_id``?"""
    if not pid or not pid_alive(pid) or is_zombie(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.parent.exists():  # no procfs: trust the pid
        return True
    try:
        command = cmdline.read_bytes()
    except OSError:
        return False
    # A crawl process of its own names its run; a shared crawl process (crawler.crawl.host)
    # gets its runs on stdin and holds several.
    return run_id.encode() in command or HOST_MODULE.encode() in command


def signal_run(pid: int, *, force: bool = False) -> bool:
    """SIGINT (Scrapy closes the spider and the WARC files) or SIGKILL; False if gone."""
    try:
        os.kill(pid, signal.SIGKILL if force else signal.SIGINT)
    except ProcessLookupError:
        return False
    return True


def is_shared_process(pid: int) -> bool:
    """Is ``pid`` a shared crawl process (crawler.crawl.host), holding several runs?"""
    try:
        return HOST_MODULE.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@dataclass
class AdoptedHandle:
    """A crawl process its owner did not start (its owner died, or a service restarted),
    watched through its pid. The exit code is unknown (-1), and the stats file the crawl
    writes when it ends tells how it went.

    A run of its own process ends when the pid is gone. A run of a shared crawl process
    ends when its stats file appears, while the process goes on with its other runs; its
    new owner cannot talk to that process (the pipe was its first owner's), so a cancel
    reaches it through the catalog (read by the crawl's progress extension), and only a
    forced stop signals the process, which kills every run in it.
    """

    run_id: str
    outlet: str
    adopted_pid: int
    log_path: Path
    stats_path: Path
    stderr_path: Path
    cancel_requested: bool = False
    timed_out: bool = False
    shared: bool = False

    @classmethod
    def of(cls, data_dir: Path, run: Run) -> AdoptedHandle:
        assert run.pid is not None
        log_path, stats_path = run_paths(data_dir, run.id)
        return cls(run.id, run.outlet_id, run.pid, log_path, stats_path,
                   log_path.with_suffix(".stderr"), shared=is_shared_process(run.pid))

    @property
    def pid(self) -> int | None:
        return self.adopted_pid

    def _running(self) -> bool:
        if self.shared and self.stats_path.exists():
            return False
        return run_process_alive(self.adopted_pid, self.run_id)

    def poll(self) -> int | None:
        return None if self._running() else -1

    def wait(self, timeout: float | None = None) -> int | None:
        end = None if timeout is None else time.monotonic() + timeout
        while self._running():
            if end is not None and time.monotonic() >= end:
                return None
            time.sleep(0.1)
        return -1

    def stop(self, *, force: bool = False) -> None:
        if self.shared and not force:
            return  # the crawl acts on the cancel in the catalog, or on its own time limit
        if self._running():
            signal_run(self.adopted_pid, force=force)


def read_stats(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def recover_warcs(ctx: AkhbarContext, outlet: str) -> list[str]:
    """Close the ``.open`` WARC files a killed crawl of ``outlet`` left behind, and index
    them with every closed WARC file of the outlet the index lacks (a killed crawl has
    indexed none of the files it rotated); returns the files closed here.

    Safe while other crawls run: each outlet has its own directory and at most one run, and
    a file still locked by a live writer is skipped.
    """
    root = ctx.warcs_dir / outlet
    if not root.is_dir():
        return []
    # Imported when a run has ended: the WARC library (warcio) cost a foreground crawl
    # ~45 M instructions before its first request.
    from archive import recover_open_files
    from archive.cdxj import index_unindexed_files

    recovered = recover_open_files(root)
    if recovered:
        logger.warning("closed %d WARC file(s) left open by a stopped crawl of %s: %s",
                       len(recovered), outlet, ", ".join(recovered))
    # Without a file to recover the index is read only if some file is newer than it.
    try:
        index_unindexed_files(ctx.data_dir / "index", ctx.warcs_dir, outlet,
                              check=bool(recovered))
    except OSError as exc:
        logger.error("could not index the WARC files of %s (%s); `akhbar verify --repair` "
                     "does it once the cause is gone", outlet, exc.strerror or exc)
    return recovered
