"""``python -m crawler.crawl.host``: the shared crawl process. Several runs crawl in it at once,
on one Twisted reactor (one Scrapy ``Crawler`` per run, each with its own copy of the
settings), and every run's extraction and language tagging goes to one pool of worker
processes, one per core.

Its owner (:class:`crawler.runs.hosted.HostedExecutor`) talks to it in JSON lines: commands
on its stdin (:class:`StartRun`, :class:`StopRun`), events on its stdout (:class:`HostReady`,
:class:`RunStarted`, :class:`RunEnded`, :class:`Refused`). The runs and the commands are
:mod:`crawler.crawl.hostruns`'; this module starts the process: its workers, logging,
reactor, signals and the thread that reads its stdin.

- Each run keeps its own outputs, exactly as in a process of its own: its JSON-lines log and
  stats file (``runs/<run-id>.log``, ``.stats.json``), its WARC files and catalog rows, and
  ``runs/<run-id>.stderr`` (its lines in Scrapy's text format, and the traceback of a crawl
  that raised). Log records are routed to their run (see :mod:`crawler.crawl.extensions`);
  the host's own records go to its stderr.
- SIGINT or SIGTERM stops every run gracefully and ends the process once they have ended; a
  second one ends it at once (WARC files stay ``.open``, for the owner to cut and close).
- When stdin closes (its owner is gone) it takes no more commands, lets its runs finish and
  exits.

Why one process for several runs, and what a crash of it takes with it: docs/runs.md.
"""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import importlib.abc
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any

from crawler.crawl import gcpolicy
from crawler.crawl.hostproto import HOST_MODULE, HostReady
from crawler.crawl.hostruns import QUIET_LOGGERS, Host, installed_reactor
from crawler.crawl.runlog import quiet_settings_dumps

if TYPE_CHECKING:
    from scrapy.crawler import CrawlerRunner
    from scrapy.settings import Settings

    from crawler.crawl.workers import WorkerPool

logger = logging.getLogger(__name__)

#: The Scrapy settings module of every crawl (``SCRAPY_SETTINGS_MODULE`` of its environment).
SETTINGS_MODULE = "crawler.crawl.settings"

#: The loggers of the host itself (this module is ``__main__`` when run with ``-m``).
_HOST_LOGGERS = frozenset({__name__, HOST_MODULE, Host.__module__})


class _HostRecords(logging.Filter):
    """The host's own records: those of no run, and what the host says about its runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        from crawler.crawl.extensions import run_of_record

        return record.name in _HOST_LOGGERS or run_of_record(record) is None


def _setup_logging(settings: Settings, level: str) -> None:
    """Scrapy's logging defaults without its root handler (it would be replaced by every
    new crawler's): the host's stderr gets the host's records, each run its own."""
    import logging.config

    from scrapy.utils.log import DEFAULT_LOGGING
    from twisted.python import log as twisted_log

    logging.captureWarnings(True)
    twisted_log.PythonLoggingObserver("twisted").start()
    logging.config.dictConfig(DEFAULT_LOGGING)
    # Scrapy's loggers are set to DEBUG there: a "Crawled (200)" record was made (its
    # caller found, its message formatted by the log formatter) for every response and
    # then refused by every handler. So are akhbar's own DEBUG records (a requisite's 404,
    # crawler.crawl.failures). A run whose log wants DEBUG lowers them again
    # (crawler.crawl.hostruns).
    wanted = logging.getLevelName(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(
            min(logging.INFO, wanted) if isinstance(wanted, int) else logging.NOTSET)
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

    reactor = installed_reactor()
    _carry_context(reactor)
    path = settings.get("TWISTED_DNS_RESOLVER") or settings.get("DNS_RESOLVER")
    if path:
        # As Scrapy does: the resolver only reads the settings of what it is given.
        resolver = load_object(path).from_crawler(runner, reactor=reactor)
        resolver.install_on_reactor()
    reactor.getThreadPool().adjustPoolsize(
        maxthreads=settings.getint("REACTOR_THREADPOOL_MAXSIZE"))


#: Settings naming the components every run's crawler loads (by import path).
_COMPONENT_LISTS = ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ADDONS",
                    "ITEM_PIPELINES")
_COMPONENTS = ("SCHEDULER", "DUPEFILTER_CLASS", "STATS_CLASS", "SCHEDULER_PRIORITY_QUEUE",
               "SCHEDULER_MEMORY_QUEUE", "REQUEST_FINGERPRINTER_CLASS", "DOWNLOADER",
               "LOG_FORMATTER", "ROBOTSTXT_PARSER")


def _preload_components(settings: Settings) -> None:
    """Import the components a run's crawler loads (Scrapy imports them by path when the
    first run starts: ~0.15 s of CPU, most of it the HTTP/1.1 download handler), while the
    owner is still readying its runs. Import only: a component that cannot be loaded
    fails its run as before, when the run starts."""
    from scrapy.utils.misc import load_object

    from crawler.crawl.tlsimport import import_tls_modules

    import_tls_modules()  # before the download handlers import them the costly way
    paths: list[Any] = [settings.get(name) for name in _COMPONENTS]
    paths += settings.getwithbase("DOWNLOAD_HANDLERS").values()
    for name in _COMPONENT_LISTS:  # those set to None as well: Scrapy imports them too
        paths += list(settings.getwithbase(name))
    for path in paths:
        if isinstance(path, str) and "." in path:
            try:
                load_object(path)
            except Exception:  # noqa: BLE001, S112 -- the run that needs it says why
                continue


class _NoReactor(importlib.abc.MetaPathFinder):
    """Refuses ``twisted.internet.reactor`` (see :func:`preload_components`)."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> None:
        if fullname == "twisted.internet.reactor":
            raise ImportError("no reactor before the host installs its own", name=fullname)


@contextlib.contextmanager
def _no_reactor() -> Iterator[None]:
    """While it lasts, a module that imports ``twisted.internet.reactor`` fails to import
    (and is left out of ``sys.modules``, to be imported again later). Importing it installs
    Twisted's default reactor (epoll); the host's ``install_reactor`` of the asyncio one is
    then silently skipped by Scrapy, and every run fails ("The installed reactor
    (...EPollReactor) does not match the requested one"). Scrapy 2.13's FTP download
    handler does so (``twisted.protocols.ftp`` imports the reactor); later ones import it
    when they download."""
    finder = _NoReactor()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def preload_components() -> None:
    """:func:`_preload_components` before the owner's settings are known (a pre-started
    process, :mod:`crawler.crawl.prestart`): the components the project's settings module
    names. Import only, so whatever the owner's settings then say is still read by the run;
    done here, the 0.1-0.2 s of CPU it costs is no longer between the owner's first
    ``start`` and the run's first request (bench/README.md, issue 11, round 4).

    No reactor is installed here (:func:`_no_reactor`): a component that would install one
    on import is imported by :func:`_serve`, after the host has installed its own."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule(SETTINGS_MODULE, priority="project")
    with _no_reactor():
        _preload_components(settings)


def _read_commands(host: Host, fd: int) -> None:
    """The stdin thread: each line to the reactor thread; then end of input. Unbuffered
    reads: a buffered reader's lock, held by this thread while it waits, would stop the
    interpreter's exit (the thread is a daemon)."""
    reactor = installed_reactor()
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

    # The worker processes start now; they import trafilatura and the language profiles when
    # the first page reaches the pool (crawler.crawl.workers), after this process's start.
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

    reactor = installed_reactor()
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
    gcpolicy.tune()  # everything the runs share is imported by now

    reactor.callWhenRunning(ready)
    reactor.run(installSignalHandlers=False)
    logger.info("shared crawl process exits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
