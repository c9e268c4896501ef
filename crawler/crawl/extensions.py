"""Scrapy extensions that give every run its JSON-lines log and its stats file, and keep each
run's log lines (and its ``log_count/*`` stats) its own in a process that crawls several.

In a crawl process of one run (:mod:`crawler.crawl.crawlproc`) every log record is that run's.
In a shared crawl process (:mod:`crawler.crawl.host`, ``AKHBAR_SHARED_PROCESS``) a record
belongs to the run whose spider it names (Scrapy's own lines carry ``extra={"spider": ...}``,
and so do akhbar's), or else to the run whose work was under way when it was logged: the host
starts each crawl in a :mod:`contextvars` context holding :data:`CURRENT_RUN`, which every
asyncio task, callback and Deferred chain the crawl starts inherits. A record of neither kind
(the host's own) goes to the host's stderr.
"""

from __future__ import annotations

import json
import logging
import time
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.log import LogCounterHandler

from crawler.crawl.runlog import JsonLinesFormatter, open_run_log, quiet_settings_dumps, run_paths

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["CURRENT_RUN", "RunLogExtension", "RunRecordFilter", "RunStatsExtension",
           "run_of_record", "run_paths"]

logger = logging.getLogger(__name__)

#: The run whose work the running code does, in a process that crawls several runs.
CURRENT_RUN: ContextVar[str | None] = ContextVar("akhbar_current_run", default=None)


def _run_of(crawler: Crawler) -> tuple[str, str]:
    """The run id and data directory the run manager passed, or NotConfigured."""
    run_id = crawler.settings.get("AKHBAR_RUN_ID")
    data_dir = crawler.settings.get("AKHBAR_DATA_DIR")
    if not run_id or not data_dir:
        raise NotConfigured("no AKHBAR_RUN_ID / AKHBAR_DATA_DIR: not an akhbar run")
    return run_id, data_dir


def run_of_record(record: logging.LogRecord) -> str | None:
    """The run a log record belongs to in a shared crawl process: the one it names
    (``extra={"run_id": ...}``), its crawler's or spider's, else the run under way when it
    was logged; None for the host's own records."""
    named = getattr(record, "run_id", None)
    if isinstance(named, str):
        return named
    crawler = getattr(record, "crawler", None) or getattr(
        getattr(record, "spider", None), "crawler", None)
    if crawler is not None:
        run_id = crawler.settings.get("AKHBAR_RUN_ID")
        if run_id:
            return str(run_id)
    return CURRENT_RUN.get()


class RunRecordFilter(logging.Filter):
    """Passes the log records of run ``run_id``; ``shared`` False (a process of one run)
    passes every record."""

    def __init__(self, run_id: str, *, shared: bool) -> None:
        super().__init__()
        self.run_id = run_id
        self.shared = shared

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.shared or run_of_record(record) == self.run_id


def _level(value: Any) -> int:
    """A LOG_LEVEL setting (a name or a number) as a number; DEBUG when unset or unknown."""
    if isinstance(value, int):
        return value
    number = logging.getLevelName(str(value or "DEBUG").upper())
    return number if isinstance(number, int) else logging.DEBUG


def _shared(crawler: Crawler) -> bool:
    return crawler.settings.getbool("AKHBAR_SHARED_PROCESS")


class RunLogExtension:
    """Adds the run's JSON-lines handler to the root logger (passing only the run's records
    in a shared process) and logs one line per fetched URL; the handler is removed and
    closed when the engine stops.

    It also keeps the run's ``log_count/<LEVEL>`` stats its own: Scrapy's counting handler
    (:class:`scrapy.utils.log.LogCounterHandler`, one per crawler on the root logger) counts
    every record of the process, other runs' included, unless it gets the same filter.
    """

    def __init__(self, crawler: Crawler, handler: logging.Handler) -> None:
        self.crawler = crawler
        self.handler = handler
        self.filter = next(f for f in handler.filters if isinstance(f, RunRecordFilter))
        self.closed = False
        # Whether Scrapy's log counter (at LOG_LEVEL) would have counted an INFO line.
        self.counts_info = _level(crawler.settings.get("LOG_LEVEL")) <= logging.INFO

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        run_id, data_dir = _run_of(crawler)
        quiet_settings_dumps(crawler.settings.get("LOG_LEVEL"))
        log_path, _ = run_paths(data_dir, run_id)
        outlet = crawler.settings.get("AKHBAR_OUTLET") or "unknown"
        handler = open_run_log(log_path, outlet, run_id)
        handler.addFilter(RunRecordFilter(run_id, shared=_shared(crawler)))
        ext = cls(crawler, handler)
        logging.getLogger().addHandler(ext.handler)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.close, signal=signals.engine_stopped)
        if ext.filter.shared:
            # Scrapy adds the counting handler when the crawler is set up, before this
            # extension (2.13), or when the spider opens (2.14+).
            ext.own_log_counts()
            crawler.signals.connect(ext.own_log_counts, signal=signals.spider_opened)
            crawler.signals.connect(ext.own_log_counts, signal=signals.engine_started)
        return ext

    def own_log_counts(self, spider: Any = None) -> None:
        for handler in logging.getLogger().handlers:
            if (isinstance(handler, LogCounterHandler) and handler.crawler is self.crawler
                    and self.filter not in handler.filters):
                handler.addFilter(self.filter)

    def response_received(self, response: Response, request: Request, spider: Any = None) -> None:
        """The run's "fetched" line, straight to the run's JSON log: one per response, it is
        the process's commonest record, and through the root logger it was formatted and
        written twice (the JSON log and the run's Scrapy-format ``.stderr``) and passed
        every handler's filter of every run in the process (~3% of a shared crawl
        process). The ``.stderr`` file keeps the rest; the line still counts in the run's
        ``log_count/INFO``."""
        if self.closed or self.handler.level > logging.INFO:
            return
        fields = {"event": "fetched", "url": response.url, "status": response.status,
                  "size": len(response.body), "kind": request.meta.get("akhbar_kind"),
                  "run_id": self.filter.run_id}
        if not self._write_fetched(fields):
            record = logger.makeRecord(
                logger.name, logging.INFO, __file__, 0, "fetched %s %s",
                (response.status, response.url), None, "response_received", fields)
            self.handler.handle(record)
        stats = self.crawler.stats
        if stats is not None and self.counts_info:
            stats.inc_value("log_count/INFO")

    def _write_fetched(self, fields: dict[str, Any]) -> bool:
        """The "fetched" line as the handler would write it (``handle``: its filter, which
        passes a record naming the run, then ``FileHandler.emit``), without making and
        filtering a log record: False, and nothing written, unless the handler is the plain
        file handler this extension opened, with only its run filter and the JSON
        formatter, and its file is open."""
        handler = self.handler
        formatter = handler.formatter
        stream = getattr(handler, "stream", None)
        if (type(handler) is not logging.FileHandler or stream is None
                or not isinstance(formatter, JsonLinesFormatter)
                or handler.filters != [self.filter]):
            return False
        created = time.time()
        handler.acquire()
        try:
            stream.write(formatter.line(created, "INFO", logger.name,
                                        f"fetched {fields['status']} {fields['url']}",
                                        fields) + handler.terminator)
            handler.flush()
        except RecursionError:
            raise
        except Exception:  # as StreamHandler.emit: a line that cannot be written is reported
            handler.handleError(logger.makeRecord(
                logger.name, logging.INFO, __file__, 0, "fetched %s %s",
                (fields["status"], fields["url"]), None, "response_received", fields))
        finally:
            handler.release()
        return True

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        logger.info("run finished: %s", reason, extra={"event": "finished", "reason": reason,
                                                        "spider": self.crawler.spider})
        self.handler.flush()

    def close(self) -> None:
        """Stop writing the run's log (a process of several runs goes on logging)."""
        if self.closed:
            return
        self.closed = True
        logging.getLogger().removeHandler(self.handler)
        try:
            self.handler.close()
        except OSError:  # its last lines cannot be written (a full disk)
            pass


class RunStatsExtension:
    """Writes the crawl's final Scrapy stats to ``runs/<run-id>.stats.json`` for the parent."""

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        run_id, data_dir = _run_of(crawler)
        ext = cls(crawler, run_paths(data_dir, run_id)[1])
        # After the stats collector has set finish_reason and finish_time.
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_stopped(self) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stats, default=str, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)
