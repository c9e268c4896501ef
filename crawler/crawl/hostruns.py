"""The runs of the shared crawl process (:mod:`crawler.crawl.host`) and the commands that
drive them: its run table, the events it sends its owner, and how a run starts, stops and
ends there.

Every run it accepts ends with exactly one ``ended`` event, sent once the run's stats file
is written. A run that raises (its outlet's file gone, a bug) ends with the error; the others
go on. ``stop`` closes that run's spider only (gracefully: its WARC files are closed).
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import traceback
from collections.abc import Callable
from contextvars import Context
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from crawler.crawl.hostproto import (
    Message,
    ProtocolError,
    Refused,
    RunEnded,
    RunStarted,
    StartRun,
    parse_command,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler, CrawlerRunner
    from scrapy.settings import Settings
    from twisted.python.failure import Failure

    from crawler.crawl.workers import WorkerPool

logger = logging.getLogger(__name__)

__all__ = ["QUIET_LOGGERS", "Host", "HostedRun", "installed_reactor"]

#: Loggers kept at INFO in a shared crawl process (see crawler.crawl.host) unless a run's log
#: asks for DEBUG: a DEBUG record below them is then refused before it is made.
QUIET_LOGGERS = ("scrapy", "crawler", "spiders")


# -- the run table --------------------------------------------------------------------------
@dataclass(eq=False)
class HostedRun:
    """A run in this process: its crawler, the context its work runs in (holding its run
    id, see :data:`crawler.crawl.extensions.CURRENT_RUN`), its stderr handler."""

    run_id: str
    outlet: str
    crawler: Crawler
    context: Context
    stderr: logging.Handler
    on_started: Callable[[HostedRun], None] = field(repr=False)
    started: bool = False
    stopping: bool = False

    def engine_started(self) -> None:  # a bound method: Scrapy's signals hold it weakly
        self.started = True
        self.on_started(self)


class Host:
    """The runs of this process and the commands that drive them. Every method runs in the
    reactor thread."""

    def __init__(self, runner: CrawlerRunner, settings: Settings, pool: WorkerPool | None,
                 events: IO[bytes]) -> None:
        self.runner = runner
        self.settings = settings
        self.pool = pool
        self.events = events
        self.runs: dict[str, HostedRun] = {}
        self.input_closed = False
        self.shutting_down = False
        self._spider_cls = runner.spider_loader.load("outlet")
        self._events_lock = threading.Lock()
        self._events_open = True

    # -- events --------------------------------------------------------------------------
    def emit(self, event: Message) -> None:
        if not self._events_open:
            return
        with self._events_lock:
            try:
                self.events.write(event.to_line())
                self.events.flush()
            except (BrokenPipeError, OSError, ValueError):
                # The owner went away; the runs go on and end as usual.
                self._events_open = False

    # -- commands ------------------------------------------------------------------------
    def on_line(self, line: bytes) -> None:
        if not line.strip():
            return
        try:
            command = parse_command(line)
        except ProtocolError as exc:
            logger.error("refused a command: %s: %r", exc, line[:200])
            self.emit(Refused(run_id=_run_id_of(line), error=str(exc)))
            return
        if isinstance(command, StartRun):
            self.start(command)
        else:
            self.stop(command.run_id)

    def on_input_closed(self) -> None:
        logger.info("input closed: no more commands; exiting once %d run(s) end",
                    len(self.runs))
        self.input_closed = True
        self._maybe_exit()

    def start(self, command: StartRun) -> None:
        from scrapy import signals
        from scrapy.crawler import Crawler

        from crawler.crawl.extensions import CURRENT_RUN, RunRecordFilter

        run_id = command.run_id
        if run_id in self.runs:
            self.emit(Refused(run_id=run_id, error=f"run {run_id} is already running here"))
            return
        if self.shutting_down:
            self.emit(RunEnded(run_id=run_id, outlet=command.outlet,
                               error="the shared crawl process is stopping"))
            return
        settings = self.settings.copy()
        settings.setdict(command.settings, priority="cmdline")
        settings.set("AKHBAR_SHARED_PROCESS", True, priority="cmdline")
        settings.set("AKHBAR_EXTRACT_POOL", self.pool, priority="cmdline")
        # Without a pool, extraction runs on the reactor thread: no run starts its own.
        settings.set("AKHBAR_EXTRACT_WORKERS", self.pool.size if self.pool else 0,
                     priority="cmdline")
        context = Context()
        context.run(CURRENT_RUN.set, run_id)
        stderr = _run_stderr_handler(settings, run_id)
        stderr.addFilter(RunRecordFilter(run_id, shared=True))
        logging.getLogger().addHandler(stderr)
        for name in QUIET_LOGGERS:  # at INFO unless a run asked for less
            quiet = logging.getLogger(name)
            if quiet.level > stderr.level:
                quiet.setLevel(stderr.level)
        try:
            crawler = Crawler(self._spider_cls, settings)
        except Exception as exc:
            logger.exception("cannot set up run %s", run_id, extra={"run_id": run_id})
            _close_handler(stderr)
            self.emit(RunEnded(run_id=run_id, outlet=command.outlet, error=_words(exc)))
            return
        run = HostedRun(run_id, command.outlet, crawler, context, stderr, self._on_started)
        self.runs[run_id] = run
        crawler.signals.connect(run.engine_started, signal=signals.engine_started)
        logger.info("starting run %s of %s", run_id, command.outlet)
        done = context.run(self.runner.crawl, crawler, outlet=command.outlet)
        done.addBoth(self._ended, run)

    def _on_started(self, run: HostedRun) -> None:
        self.emit(RunStarted(run_id=run.run_id, outlet=run.outlet))

    def stop(self, run_id: str) -> None:
        run = self.runs.get(run_id)
        if run is None:
            logger.info("stop of run %s: not running here", run_id)
            return
        if run.stopping:
            return
        run.stopping = True
        logger.info("stopping run %s", run_id, extra={"run_id": run_id})
        self._stop_when_running(run)

    def _stop_when_running(self, run: HostedRun) -> None:
        """Stop the run's crawler once its engine runs (a stop that comes while the spider
        is still opening would be lost: Scrapy only stops a running engine)."""
        if self.runs.get(run.run_id) is not run:
            return  # it has ended meanwhile
        engine = _engine(run.crawler)
        if engine is None or not getattr(engine, "running", False):
            installed_reactor().callLater(0.1, self._stop_when_running, run)
            return
        run.context.run(_stop_crawler, run.crawler)

    def _ended(self, result: object, run: HostedRun) -> None:
        """The run's crawl is over: close what is its, then say so. Whatever fails here (a
        full disk refusing the last lines of its log) must not keep the ``ended`` event
        back: its owner would wait for ever, and this process would never exit."""
        from twisted.python.failure import Failure

        error = reason = None
        try:
            if isinstance(result, Failure):
                error = _failure_words(result)
                logger.error("run %s of %s raised: %s\n%s", run.run_id, run.outlet, error,
                             _failure_traceback(result), extra={"run_id": run.run_id})
            reason = _finish_reason(run.crawler)
            _close_run_log(run.crawler)
        except Exception:
            logger.exception("could not close run %s cleanly", run.run_id)
        finally:
            _close_handler(run.stderr)
            self.runs.pop(run.run_id, None)
            logger.info("run %s of %s ended: %s", run.run_id, run.outlet, error or reason)
            self.emit(RunEnded(run_id=run.run_id, outlet=run.outlet, reason=reason,
                               error=error))
            self._maybe_exit()

    # -- shutting down -------------------------------------------------------------------
    def shutdown(self, signum: int) -> None:
        """The first SIGINT/SIGTERM: stop every run gracefully, take no new one."""
        logger.info("received %s: stopping %d run(s)", signal.Signals(signum).name,
                    len(self.runs))
        self.shutting_down = True
        for run_id in list(self.runs):
            self.stop(run_id)
        self._maybe_exit()

    def _maybe_exit(self) -> None:
        if self.runs or not (self.input_closed or self.shutting_down):
            return
        reactor = installed_reactor()
        if reactor.running:
            reactor.stop()


# -- helpers --------------------------------------------------------------------------------
def installed_reactor() -> Any:
    """The installed reactor (untyped: Twisted types it as the interfaces it provides)."""
    from twisted.internet import reactor

    return reactor


def _run_id_of(line: bytes) -> str | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    value = data.get("run_id") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _words(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _failure_words(failure: Failure) -> str:
    value = failure.value
    return _words(value) if isinstance(value, BaseException) else str(value)


def _failure_traceback(failure: Failure) -> str:
    value = failure.value
    if isinstance(value, BaseException):
        return "".join(traceback.format_exception(type(value), value, value.__traceback__))
    return failure.getTraceback()


def _engine(crawler: Crawler) -> Any:
    """The crawler's engine, or None before it has one (Scrapy 2.14+ raise, 2.13 gives
    None)."""
    try:
        return crawler.engine
    except (RuntimeError, AttributeError):
        return None


def _stop_crawler(crawler: Crawler) -> Any:
    from scrapy.utils.defer import deferred_from_coro

    stop_async = getattr(crawler, "stop_async", None)
    if stop_async is not None:  # Scrapy 2.14+
        return deferred_from_coro(stop_async())
    return crawler.stop()


def _finish_reason(crawler: Crawler) -> str | None:
    try:
        stats = crawler.stats
    except (RuntimeError, AttributeError):
        return None
    if stats is None:
        return None
    reason = stats.get_value("finish_reason")
    return str(reason) if reason is not None else None


def _close_run_log(crawler: Crawler) -> None:
    """Close the run's JSON-lines log if its engine never stopped (a crawl that raised)."""
    from crawler.crawl.extensions import RunLogExtension

    try:
        extensions = crawler.extensions
    except (RuntimeError, AttributeError):
        return
    for ext in getattr(extensions, "middlewares", ()):
        if isinstance(ext, RunLogExtension):
            ext.close()


def _run_stderr_handler(settings: Settings, run_id: str) -> logging.Handler:
    """``runs/<run-id>.stderr``: what a crawl process of its own would have printed."""
    path = Path(settings.get("AKHBAR_DATA_DIR") or ".") / "runs" / f"{run_id}.stderr"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(settings.get("LOG_LEVEL") or "INFO")
    handler.setFormatter(logging.Formatter(settings.get("LOG_FORMAT"),
                                           settings.get("LOG_DATEFORMAT")))
    return handler


def _close_handler(handler: logging.Handler) -> None:
    logging.getLogger().removeHandler(handler)
    try:
        handler.close()
    except OSError:  # its last lines cannot be written (a full disk): nothing more to do
        pass
