"""Where runs execute: one small interface, so the run owner (crawler.runs.owner) never
knows whether a crawl is a child process here, one of several crawls in a shared crawl
process, or a task on another host.

An :class:`Executor` starts a run and hands back a :class:`RunHandle`; the owner polls the
handle, asks it to stop (gracefully, then by force), and reads the run's stats file when it
has ended. A handle never writes the run's record: the owner does, from what the handle and
the stats file say.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from crawler.catalog import Run


class RunHandle(Protocol):
    """A started run, as its owner sees it."""

    run_id: str
    outlet: str
    log_path: Path  # the run's JSON-lines log
    stats_path: Path  # Scrapy's final stats, written by the crawl when it ends
    stderr_path: Path  # what the crawl process printed (its last lines explain a crash)
    cancel_requested: bool
    timed_out: bool

    @property
    def pid(self) -> int | None:
        """The OS process running the crawl on this host, if there is one."""
        ...

    def poll(self) -> int | None:
        """None while the run runs; once it has ended, an exit code (0: it ended by itself
        and wrote its stats) or -1 when the code is unknown."""
        ...

    def wait(self, timeout: float | None = None) -> int | None:
        """Block until the run ends (or ``timeout``); the same answer as :meth:`poll`."""
        ...

    def stop(self, *, force: bool = False) -> None:
        """Graceful: the spider closes and its WARC files are closed. Forced: end it now
        (its ``.open`` WARC files are then cut and closed by the owner)."""
        ...


class Executor(Protocol):
    """Starts runs. ``name`` is the config value that picks it (``executor:`` in
    akhbar.yaml)."""

    name: str

    def start(self, run: Run) -> RunHandle:
        """Start ``run`` (a ``queued`` row); raise :class:`crawler.errors.RunError` when it
        cannot start, with the reason in words."""
        ...

    def close(self) -> None:
        """Release what the executor holds (shared processes, connections) once no run it
        started is still running."""
        ...
