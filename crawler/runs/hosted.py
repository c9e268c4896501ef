"""The ``shared`` executor: every run on this host crawls in one shared crawl process
(``python -m crawler.crawl.host``), which holds one pool of extraction workers for them all.

The executor starts that process on first use and talks to it over its stdin and stdout in
JSON lines (the protocol is :mod:`crawler.crawl.host`'s): a ``start`` per run, a ``stop`` to
stop one gracefully; the process answers ``started`` and, when a run is over and its stats
file written, ``ended``. A run's handle ends then (exit code 0; 1 if the crawl raised), or
when the process itself dies (-1, for every run still in it).

What a shared process costs in isolation (a crash or a forced stop takes every run in it
with it) and what it saves (one Python, Scrapy and SQLAlchemy for all runs, one pool of
workers sized to the cores): docs/runs.md.
"""

from __future__ import annotations

import logging
import secrets
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from crawler.catalog import Run
from crawler.context import AkhbarContext
from crawler.crawl.hostboot import Boot, Prestarted
from crawler.crawl.hostproto import (
    HOST_MODULE,
    HostReady,
    ProtocolError,
    Refused,
    RunEnded,
    RunStarted,
    StartRun,
    StopRun,
    parse_event,
)
from crawler.crawl.runlog import run_paths
from crawler.errors import RunError
from crawler.runs.local import crawl_env, crawl_settings

logger = logging.getLogger(__name__)

#: A run whose crawl raised in the shared process ends with this code (as a crawl process
#: of its own exits 1 when its crawl raises).
RAISED = 1
#: The shared process died with the run in it: how the run ended is unknown.
LOST = -1


@dataclass(eq=False)
class HostedHandle:
    """A run in the shared crawl process, as its owner sees it (:class:`RunHandle`)."""

    run_id: str
    outlet: str
    log_path: Path
    stats_path: Path
    stderr_path: Path
    host: SharedProcess = field(repr=False)
    cancel_requested: bool = False
    timed_out: bool = False
    started: bool = False  # its engine runs (the ``started`` event came)
    #: Scrapy's finish reason, or what the crawl raised, as the shared process said.
    reason: str | None = None
    error: str | None = None
    _code: int | None = None
    _ended: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def pid(self) -> int | None:
        """The shared process's pid: other runs live in it too."""
        return self.host.pid

    def poll(self) -> int | None:
        """None while the run runs; 0 once the shared process says it ended, 1 if its crawl
        raised, -1 if the shared process died with it."""
        return self._code if self._ended.is_set() else None

    def wait(self, timeout: float | None = None) -> int | None:
        self._ended.wait(timeout)
        return self.poll()

    def stop(self, *, force: bool = False) -> None:
        """Graceful: the shared process closes this run's spider (its WARC files close); the
        other runs go on. Forced: the shared process is killed, and **every run in it ends
        with this one** (their ``.open`` WARC files are then cut and closed by the owner):
        one crawl cannot be killed on its own inside a process it shares."""
        if self._ended.is_set():
            return
        if force:
            self.host.kill(f"run {self.run_id} did not stop when asked")
        else:
            self.host.send(StopRun(run_id=self.run_id))

    def _end(self, code: int, *, reason: str | None = None, error: str | None = None) -> None:
        if self._ended.is_set():
            return
        self.reason, self.error, self._code = reason, error, code
        self._ended.set()


class SharedProcess:
    """One ``python -m crawler.crawl.host`` child and the handles of the runs in it. A thread
    reads its events; the process's end ends every run still in it."""

    def __init__(self, ctx: AkhbarContext, *, detach: bool,
                 prestarted: Prestarted | None = None) -> None:
        runs_dir = ctx.data_dir / "runs"
        runs_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        self.stderr_path = runs_dir / f"shared-{stamp}-{secrets.token_hex(3)}.stderr"
        self.handles: dict[str, HostedHandle] = {}
        self.workers: list[int] = []
        self.ready = threading.Event()
        self.exit_code: int | None = None
        self._lock = threading.Lock()
        self._killed_because: str | None = None
        args = ["--log-level", ctx.service.log_level]
        booted = self._boot(prestarted, ctx, args) if prestarted is not None else None
        if booted is not None:
            self.process = booted
        else:
            try:
                with self.stderr_path.open("wb") as err:
                    self.process = subprocess.Popen(
                        [sys.executable, "-m", HOST_MODULE, *args], env=crawl_env(ctx),
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                        cwd=str(ctx.data_dir), start_new_session=detach)
            except OSError as exc:
                raise RunError(f"cannot start the shared crawl process: {exc}") from exc
        assert self.process.stdin is not None and self.process.stdout is not None
        self._stdin: IO[bytes] = self.process.stdin
        self._reader = threading.Thread(target=self._read_events, args=(self.process.stdout,),
                                        name=f"akhbar-shared-{self.process.pid}", daemon=True)
        self._reader.start()
        logger.info("started the shared crawl process (pid %d; its output: %s)",
                    self.process.pid, self.stderr_path)

    def _boot(self, prestarted: Prestarted, ctx: AkhbarContext,
              args: list[str]) -> subprocess.Popen[bytes] | None:
        """The pre-started process made this owner's shared crawl process (it is in a
        session of its own, as a detached one is); None if it is gone."""
        if prestarted.process.poll() is not None:
            prestarted.discard()
            return None
        try:
            return prestarted.boot(Boot(env=crawl_env(ctx), cwd=str(ctx.data_dir),
                                        stderr=str(self.stderr_path), argv=args))
        except OSError as exc:
            logger.warning("the pre-started crawl process is gone (%s); starting another", exc)
            prestarted.discard()
            return None

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.exit_code is None and self.process.poll() is None

    def running(self) -> list[HostedHandle]:
        with self._lock:
            return [h for h in self.handles.values() if h.poll() is None]

    # -- commands ------------------------------------------------------------------------
    def start(self, handle: HostedHandle, command: StartRun) -> None:
        with self._lock:
            self.handles[handle.run_id] = handle
        self.send(command)

    def send(self, command: StartRun | StopRun) -> None:
        with self._lock:
            try:
                self._stdin.write(command.to_line())
                self._stdin.flush()
            except (BrokenPipeError, OSError, ValueError) as exc:
                if isinstance(command, StartRun):
                    self.handles.pop(command.run_id, None)
                    raise RunError("the shared crawl process is gone (exit code "
                                   f"{self.process.poll()}); see {self.stderr_path}") from exc
                logger.warning("could not ask the shared crawl process to stop run %s: %s",
                               command.run_id, exc)

    def kill(self, why: str) -> None:
        """End the process now: every run in it ends (-1)."""
        if self.process.poll() is not None:
            return
        self._killed_because = why
        others = [h.run_id for h in self.running()]
        logger.warning("killing the shared crawl process (pid %d): %s; its runs end with it: "
                       "%s", self.process.pid, why, ", ".join(others) or "none")
        self.process.send_signal(signal.SIGKILL)

    def close(self, timeout: float = 30.0) -> None:
        """No more commands: the process exits once its runs end (killed after
        ``timeout``)."""
        with self._lock:
            try:
                self._stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill(f"it did not exit {timeout:.0f}s after its input closed")
            self.process.wait()
        self._reader.join(5)

    # -- events --------------------------------------------------------------------------
    def _read_events(self, stdout: IO[bytes]) -> None:
        for line in iter(stdout.readline, b""):
            try:
                event = parse_event(line)
            except ProtocolError as exc:
                logger.warning("shared crawl process: not an event (%s): %r", exc, line[:200])
                continue
            self._on_event(event)
        self._on_exit(self.process.wait())

    def _on_event(self, event: HostReady | RunStarted | RunEnded | Refused) -> None:
        if isinstance(event, HostReady):
            self.workers = list(event.workers)
            self.ready.set()
            return
        with self._lock:
            handle = self.handles.get(event.run_id) if event.run_id else None
        if isinstance(event, RunStarted):
            if handle is not None:
                handle.started = True
        elif isinstance(event, RunEnded):
            if handle is not None:
                handle._end(RAISED if event.error else 0, reason=event.reason,
                            error=event.error)
            with self._lock:
                self.handles.pop(event.run_id, None)
        else:
            logger.warning("the shared crawl process refused a command%s: %s",
                           f" for run {event.run_id}" if event.run_id else "", event.error)

    def _on_exit(self, code: int) -> None:
        self.exit_code = code
        self.ready.set()
        lost = self.running()
        if lost:
            how = self._killed_because or f"exit code {code}"
            logger.error("the shared crawl process (pid %d) ended (%s) with %d run(s) in it: "
                         "%s", self.process.pid, how, len(lost),
                         ", ".join(h.run_id for h in lost))
            for handle in lost:
                _note(handle.stderr_path,
                      f"error: the shared crawl process (pid {self.process.pid}) ended while "
                      f"this run was in it ({how}); its output: {self.stderr_path}")
                handle._end(LOST, error=f"the shared crawl process ended ({how})")
        with self._lock:
            self.handles.clear()


def _note(path: Path, line: str) -> None:
    try:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    except OSError:
        pass


class HostedExecutor:
    """Starts every run in one shared crawl process on this host (``executor: shared`` in
    akhbar.yaml). The process is started on the first :meth:`start` (and again after it
    died); :meth:`close` lets it exit.

    ``detach`` puts the process in its own session, so that a terminal's Ctrl-C reaches
    only the owner, which stops the runs gracefully. Whatever ``detach`` says, the process
    outlives its owner only until its runs end: it takes commands on its stdin, and exits
    once that closes and its runs have ended.

    The executor never writes a run's record: the owner does (status, pid, host, owner).
    """

    name = "shared"

    def __init__(self, ctx: AkhbarContext, *, detach: bool = False,
                 prestarted: Prestarted | None = None) -> None:
        self.ctx = ctx
        self.detach = detach
        self._lock = threading.Lock()
        self._process: SharedProcess | None = None
        self._prestarted = prestarted  # used by the first shared process started

    @property
    def process(self) -> SharedProcess | None:
        """The shared process, if one was started (it may have ended since)."""
        return self._process

    def shared_process(self) -> SharedProcess:
        """The live shared process, started if need be."""
        with self._lock:
            if self._process is None or not self._process.alive():
                prestarted, self._prestarted = self._prestarted, None
                self._process = SharedProcess(self.ctx, detach=self.detach,
                                              prestarted=prestarted)
            return self._process

    def prepare(self) -> None:
        """Start the shared process now, before the first run is even queued: its imports
        (Scrapy, the workers' trafilatura) then run while the owner readies the catalog and
        its runs, and the first run starts as soon as it is sent."""
        self.shared_process()

    def start(self, run: Run) -> HostedHandle:
        log_path, stats_path = run_paths(self.ctx.data_dir, run.id)
        stderr_path = log_path.with_suffix(".stderr")
        log_path.parent.mkdir(parents=True, exist_ok=True)
        host = self.shared_process()
        handle = HostedHandle(run.id, run.outlet_id, log_path, stats_path, stderr_path, host)
        command = StartRun(run_id=run.id, outlet=run.outlet_id,
                           settings=crawl_settings(self.ctx, run.outlet_id, run.id))
        host.start(handle, command)
        return handle

    def close(self, timeout: float = 30.0) -> None:
        """Let the shared process exit (it does once its runs, if any, have ended; killed
        past ``timeout``)."""
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            process.close(timeout)


__all__ = ["LOST", "RAISED", "HostedExecutor", "HostedHandle", "SharedProcess"]
