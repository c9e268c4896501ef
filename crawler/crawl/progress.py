"""Live progress: the crawl writes its figures into its run's row while it runs.

Every ``AKHBAR_PROGRESS_INTERVAL`` seconds (and once when the spider closes) one UPDATE sets
pages, articles new/changed/unchanged, errors, bytes received, the WARC file being written and
the time, so the CLI, the API, the pages and /metrics all show the same numbers while the run
runs. The write runs in a thread, never on the reactor; a failed write is logged once and
tried again at the next tick. The owner writes the final figures from the stats file.

Each tick also copies the lines the run's log file gained into the catalog
(:mod:`crawler.runs.logstore`): a run's log reaches every host, a worker's too.

The same round trip reads the run's cancel request: a cancel is one write to the catalog, and
the crawl itself acts on it (its spider closes, its WARC files close). That reaches a crawl
whoever owns it, and stops one run of a shared crawl process without touching the others,
even after the process's first owner died and another adopted its runs.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import SQLAlchemyError
from twisted.internet import task, threads
from twisted.internet.defer import Deferred

from crawler.catalog import CRAWL_CACHE_KIB, CRAWL_STATEMENTS, Run, make_engine
from crawler.catalog.records import CaptureInfo
from crawler.crawl import signals as akhbar_signals
from crawler.crawl.compat import close_spider
from crawler.crawl.runlog import run_paths
from crawler.runs.judge import run_figures
from crawler.runs.logstore import ship_log

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RunProgressExtension:
    def __init__(self, crawler: Crawler, run_id: str, engine: Engine, interval: float,
                 log_path: Path | None = None) -> None:
        self.crawler = crawler
        self.run_id = run_id
        self.log_path = log_path
        self.engine = engine
        self.interval = interval
        self.warc_file: str | None = None
        self._loop = task.LoopingCall(self._tick)
        self._pending: Deferred[bool] | None = None
        self._failing = False
        self._cancelling = False
        self._extra = {"run_id": run_id}  # a shared process routes log records by run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        run_id, url = settings.get("AKHBAR_RUN_ID"), settings.get("AKHBAR_DATABASE_URL")
        interval = settings.getfloat("AKHBAR_PROGRESS_INTERVAL")
        if not run_id or not url or interval <= 0:
            raise NotConfigured("live progress needs AKHBAR_RUN_ID, AKHBAR_DATABASE_URL and "
                                "AKHBAR_PROGRESS_INTERVAL > 0")
        data_dir = settings.get("AKHBAR_DATA_DIR")
        log_path = run_paths(data_dir, run_id)[0] if data_dir else None
        engine = make_engine(url, cache_kib=CRAWL_CACHE_KIB, statements=CRAWL_STATEMENTS)
        ext = cls(crawler, run_id, engine, interval, log_path)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.capture_written, signal=akhbar_signals.capture_written)
        return ext

    def spider_opened(self, spider: Any = None) -> None:
        self._loop.start(self.interval, now=False)

    def capture_written(self, capture: CaptureInfo) -> None:
        self.warc_file = capture.warc_file

    def _tick(self) -> None:
        if self._pending is not None:  # the last write is still waiting on the database
            return
        d: Deferred[bool] = threads.deferToThread(self._write, self._values())
        self._pending = d
        d.addBoth(self._done)

    def _values(self) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        values: dict[str, Any] = dict(run_figures(stats))
        values["progress_at"] = datetime.now(UTC)
        if self.warc_file:
            values["warc_file"] = self.warc_file
        return values

    def _write(self, values: dict[str, Any]) -> bool:
        """Write the figures; True when someone asked to cancel the run."""
        with self.engine.begin() as conn:
            conn.execute(update(Run).where(Run.id == self.run_id).values(**values))
            asked = conn.execute(select(Run.cancel_requested_at)
                                 .where(Run.id == self.run_id)).scalar_one_or_none()
        if self.log_path is not None:
            try:
                ship_log(self.engine, self.run_id, self.log_path)
            except SQLAlchemyError:  # copied at the next tick, or by the owner at the end
                pass
        return asked is not None

    def _done(self, result: object) -> None:
        self._pending = None
        failure = getattr(result, "value", None)
        if isinstance(failure, SQLAlchemyError):
            if not self._failing:
                logger.warning("could not write the run's live figures to the catalog (tried "
                               "again every %.0f s): %s", self.interval, failure,
                               extra=self._extra)
            self._failing = True
            return
        if failure is not None:
            logger.error("live figures: %s", failure, extra=self._extra)
            return
        self._failing = False
        if result is True and not self._cancelling:
            self._cancelling = True
            logger.info("run %s: cancel requested in the catalog; stopping the crawl",
                        self.run_id, extra=self._extra)
            close_spider(self.crawler, "cancelled")

    async def spider_closed(self, spider: Any = None) -> None:
        """The last figures, written after any write still in flight (never on the reactor
        thread: in a shared process a slow database would stall every other crawl), before
        the owner writes the final ones."""
        if self._loop.running:
            self._loop.stop()
        if self._pending is not None:
            try:
                await maybe_deferred_to_future(self._pending)
            except Exception:  # noqa: BLE001 - the tick logged its own failure
                pass
        await maybe_deferred_to_future(
            threads.deferToThread(self._last_write, self._values()))

    def _last_write(self, values: dict[str, Any]) -> None:
        try:
            self._write(values)
        except SQLAlchemyError as exc:
            logger.warning("could not write the run's last live figures: %s", exc,
                           extra=self._extra)
        finally:
            self.engine.dispose()
