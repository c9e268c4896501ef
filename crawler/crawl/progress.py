"""Live progress: the crawl writes its figures into its run's row while it runs.

Every ``AKHBAR_PROGRESS_INTERVAL`` seconds (and once when the spider closes) one UPDATE sets
pages, articles new/changed/unchanged, errors, bytes received, the WARC file being written and
the time, so the CLI, the API, the pages and /metrics all show the same numbers while the run
runs. The write runs in a thread, never on the reactor; a failed write is logged once and
tried again at the next tick. The owner writes the final figures from the stats file.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from sqlalchemy import Engine, update
from sqlalchemy.exc import SQLAlchemyError
from twisted.internet import task, threads
from twisted.internet.defer import Deferred

from crawler.catalog import Run, make_engine
from crawler.catalog.records import CaptureInfo
from crawler.crawl import signals as akhbar_signals
from crawler.runs.judge import run_figures

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RunProgressExtension:
    def __init__(self, crawler: Crawler, run_id: str, engine: Engine, interval: float) -> None:
        self.crawler = crawler
        self.run_id = run_id
        self.engine = engine
        self.interval = interval
        self.warc_file: str | None = None
        self._loop = task.LoopingCall(self._tick)
        self._busy = False
        self._failing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        run_id, url = settings.get("AKHBAR_RUN_ID"), settings.get("AKHBAR_DATABASE_URL")
        interval = settings.getfloat("AKHBAR_PROGRESS_INTERVAL")
        if not run_id or not url or interval <= 0:
            raise NotConfigured("live progress needs AKHBAR_RUN_ID, AKHBAR_DATABASE_URL and "
                                "AKHBAR_PROGRESS_INTERVAL > 0")
        ext = cls(crawler, run_id, make_engine(url), interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.capture_written, signal=akhbar_signals.capture_written)
        return ext

    def spider_opened(self, spider: Any = None) -> None:
        self._loop.start(self.interval, now=False)

    def capture_written(self, capture: CaptureInfo) -> None:
        self.warc_file = capture.warc_file

    def _tick(self) -> Deferred[None] | None:
        if self._busy:  # the last write is still waiting on the database
            return None
        self._busy = True
        values = self._values()
        d: Deferred[None] = threads.deferToThread(self._write, values)
        d.addBoth(self._done)
        return None

    def _values(self) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        values: dict[str, Any] = dict(run_figures(stats))
        values["progress_at"] = datetime.now(UTC)
        if self.warc_file:
            values["warc_file"] = self.warc_file
        return values

    def _write(self, values: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(Run).where(Run.id == self.run_id).values(**values))

    def _done(self, result: object) -> None:
        self._busy = False
        failure = getattr(result, "value", None)
        if isinstance(failure, SQLAlchemyError):
            if not self._failing:
                logger.warning("could not write the run's live figures (will retry): %s",
                               failure)
            self._failing = True
        elif failure is None:
            self._failing = False

    def spider_closed(self, spider: Any = None) -> None:
        if self._loop.running:
            self._loop.stop()
        try:  # the last figures, before the owner writes the final ones
            self._write(self._values())
        except SQLAlchemyError as exc:
            logger.warning("could not write the run's last live figures: %s", exc)
        self.engine.dispose()
