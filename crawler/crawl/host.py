"""``python -m crawler.crawl.host``: the shared crawl process. Several runs crawl in it at once,
on one Twisted reactor (one Scrapy ``Crawler`` per run, each with its own copy of the
settings), and every run's extraction and language tagging goes to one pool of worker
processes, one per core.

Its owner (:class:`crawler.runs.hosted.HostedExecutor`) talks to it in JSON lines: commands
on its stdin (:class:`StartRun`, :class:`StopRun`), events on its stdout (:class:`HostReady`,
:class:`RunStarted`, :class:`RunEnded`, :class:`Refused`). Every run it accepts ends with
exactly one ``ended`` event, sent once the run's stats file is written.

- Each run keeps its own outputs, exactly as in a process of its own: its JSON-lines log and
  stats file (``runs/<run-id>.log``, ``.stats.json``), its WARC files and catalog rows, and
  ``runs/<run-id>.stderr`` (its lines in Scrapy's text format, and the traceback of a crawl
  that raised). Log records are routed to their run (see :mod:`crawler.crawl.extensions`);
  the host's own records go to its stderr.
- A run that raises (its outlet's file gone, a bug) ends with the error; the others go on.
  ``stop`` closes that run's spider only (gracefully: its WARC files are closed).
- SIGINT or SIGTERM stops every run gracefully and ends the process once they have ended; a
  second one ends it at once (WARC files stay ``.open``, for the owner to cut and close).
- When stdin closes (its owner is gone) it takes no more commands, lets its runs finish and
  exits.

Why one process for several runs, and what a crash of it takes with it: docs/runs.md.
"""

from __future__ import annotations

import argparse
import contextvars
import json
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from contextvars import Context
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from crawler.crawl.hostproto import (
    HOST_MODULE,
    HostReady,
    Message,
    ProtocolError,
    Refused,
    RunEnded,
    RunStarted,
    StartRun,
    parse_command,
)
from crawler.crawl.runlog import quiet_settings_dumps

if TYPE_CHECKING:
    from scrapy.crawler import Crawler, CrawlerRunner
    from scrapy.settings import Settings
    from twisted.python.failure import Failure

    from crawler.crawl.workers import WorkerPool

logger = logging.getLogger(__name__)



# -- the process ----------------------------------------------------------------------------
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
            _reactor().callLater(0.1, self._stop_when_running, run)
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
        reactor = _reactor()
        if reactor.running:
            reactor.stop()


# -- helpers --------------------------------------------------------------------------------
def _reactor() -> Any:
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


class _HostRecords(logging.Filter):
    """The host's own records: those of no run, and what the host says about its runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        from crawler.crawl.extensions import run_of_record

        return record.name in (__name__, HOST_MODULE) or run_of_record(record) is None


def _setup_logging(settings: Settings, level: str) -> None:
    """Scrapy's logging defaults without its root handler (it would be replaced by every
    new crawler's): the host's stderr gets the host's records, each run its own."""
    import logging.config

    from scrapy.utils.log import DEFAULT_LOGGING
    from twisted.python import log as twisted_log

    logging.captureWarnings(True)
    twisted_log.PythonLoggingObserver("twisted").start()
    logging.config.dictConfig(DEFAULT_LOGGING)
    quiet_settings_dumps(level)
    root = logging.getLogger()
    root.setLevel(logging.NOTSET)
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(settings.get("LOG_FORMAT"),
                                           settings.get("LOG_DATEFORMAT")))
    handler.addFilter(_HostRecords())
    root.addHandler(handler)


def _carry_context(reactor: Any) -> None:
    """Make the reactor run each delayed call in the context it was scheduled from.

    asyncio does so for its own callbacks, tasks and readers; Twisted's asyncio reactor runs
    every ``callLater`` from one asyncio timer, in the context of whoever set that timer.
    Scrapy's engine, downloader slots and retries schedule their work with ``callLater``: a
    run's spider callbacks would run (and log) as another run's (see
    :data:`crawler.crawl.extensions.CURRENT_RUN`)."""
    schedule = reactor.callLater

    def call_later(delay: float, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return schedule(delay, contextvars.copy_context().run, func, *args, **kwargs)

    reactor.callLater = call_later


def _setup_reactor(runner: CrawlerRunner, settings: Settings) -> None:
    """What Scrapy's CrawlerProcess does before it runs the reactor: the DNS resolver and
    the thread pool size; and delayed calls that keep their run's context."""
    from scrapy.utils.misc import load_object

    reactor = _reactor()
    _carry_context(reactor)
    path = settings.get("TWISTED_DNS_RESOLVER") or settings.get("DNS_RESOLVER")
    if path:
        # As Scrapy does: the resolver only reads the settings of what it is given.
        resolver = load_object(path).from_crawler(runner, reactor=reactor)
        resolver.install_on_reactor()
    reactor.getThreadPool().adjustPoolsize(
        maxthreads=settings.getint("REACTOR_THREADPOOL_MAXSIZE"))


#: Settings naming the components every run's crawler loads (by import path).
_COMPONENT_LISTS = ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS",
                    "ITEM_PIPELINES")
_COMPONENTS = ("SCHEDULER", "DUPEFILTER_CLASS", "STATS_CLASS", "SCHEDULER_PRIORITY_QUEUE",
               "SCHEDULER_MEMORY_QUEUE", "REQUEST_FINGERPRINTER_CLASS", "DOWNLOADER",
               "LOG_FORMATTER")


def _preload_components(settings: Settings) -> None:
    """Import the components a run's crawler loads (Scrapy imports them by path when the
    first run starts: ~0.15 s of CPU, most of it the HTTP/1.1 download handler), while the
    owner is still readying its runs. Import only: a component that cannot be loaded
    fails its run as before, when the run starts."""
    from scrapy.utils.misc import load_object

    paths: list[Any] = [settings.get(name) for name in _COMPONENTS]
    paths += settings.getwithbase("DOWNLOAD_HANDLERS").values()
    for name in _COMPONENT_LISTS:
        paths += [path for path, order in settings.getwithbase(name).items()
                  if order is not None]
    for path in paths:
        if isinstance(path, str) and "." in path:
            try:
                load_object(path)
            except Exception:  # noqa: BLE001, S112 -- the run that needs it says why
                continue


def _read_commands(host: Host, fd: int) -> None:
    """The stdin thread: each line to the reactor thread; then end of input. Unbuffered
    reads: a buffered reader's lock, held by this thread while it waits, would stop the
    interpreter's exit (the thread is a daemon)."""
    reactor = _reactor()
    pending = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            break
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            reactor.callFromThread(host.on_line, line)
    if pending.strip():
        reactor.callFromThread(host.on_line, pending)
    reactor.callFromThread(host.on_input_closed)


def _workers_setting(default: int) -> int:
    value = os.environ.get("AKHBAR_EXTRACT_WORKERS")
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {HOST_MODULE}", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--workers", type=int, default=None,
                        help="extraction worker processes (-1: one per core, the default, "
                        "or AKHBAR_EXTRACT_WORKERS from the environment; 0: none)")
    parser.add_argument("--nice", type=int, default=None,
                        help="their niceness (default: AKHBAR_EXTRACT_NICE of the settings)")
    parser.add_argument("--log-level", default="INFO", help="of the host's own stderr lines")
    args = parser.parse_args(argv)

    # Events go to the real stdout; anything else printing there (a library, a worker that
    # inherits fd 1) goes to stderr instead of into the protocol.
    events = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)

    # The workers import trafilatura and the language profiles while this process imports
    # Scrapy (see crawler.crawl.crawlproc).
    from crawler.crawl import settings as crawl_settings
    from crawler.crawl.workers import extraction_pool

    workers = args.workers if args.workers is not None else _workers_setting(-1)
    nice = args.nice if args.nice is not None else crawl_settings.AKHBAR_EXTRACT_NICE
    pool = extraction_pool(workers, nice)
    try:
        return _serve(pool, events, args.log_level.upper())
    finally:
        if pool is not None:
            pool.close()


def _serve(pool: WorkerPool | None, events: IO[bytes], log_level: str) -> int:
    from scrapy.utils.project import get_project_settings
    from scrapy.utils.reactor import install_reactor

    settings = get_project_settings()
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor",
                    settings.get("ASYNCIO_EVENT_LOOP"))
    from scrapy.crawler import CrawlerRunner

    reactor = _reactor()
    _setup_logging(settings, log_level)
    runner = CrawlerRunner(settings)
    _setup_reactor(runner, settings)
    host = Host(runner, settings, pool, events)

    signals_seen: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        signals_seen.append(signum)
        if len(signals_seen) == 1:
            reactor.callFromThread(host.shutdown, signum)
        else:  # a second one: end now; the owner closes the WARC files left open
            os._exit(128 + signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    reader = threading.Thread(target=_read_commands, args=(host, sys.stdin.fileno()),
                              name="akhbar-host-stdin", daemon=True)

    def ready() -> None:
        host.emit(HostReady(pid=os.getpid(), workers=pool.pids if pool is not None else []))
        reader.start()

    _preload_components(settings)

    reactor.callWhenRunning(ready)
    reactor.run(installSignalHandlers=False)
    logger.info("shared crawl process exits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
