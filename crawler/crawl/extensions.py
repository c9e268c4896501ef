"""Scrapy extensions that give every run its JSON-lines log and its stats file."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from crawler.crawl.runlog import open_run_log, run_paths

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["RunLogExtension", "RunStatsExtension", "run_paths"]

logger = logging.getLogger(__name__)


def _run_of(crawler: Crawler) -> tuple[str, str]:
    """The run id and data directory the run manager passed, or NotConfigured."""
    run_id = crawler.settings.get("AKHBAR_RUN_ID")
    data_dir = crawler.settings.get("AKHBAR_DATA_DIR")
    if not run_id or not data_dir:
        raise NotConfigured("no AKHBAR_RUN_ID / AKHBAR_DATA_DIR: not an akhbar run")
    return run_id, data_dir


class RunLogExtension:
    """Adds a JSON-lines handler to the root logger and logs one line per fetched URL."""

    def __init__(self, handler: logging.Handler) -> None:
        self.handler = handler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        run_id, data_dir = _run_of(crawler)
        log_path, _ = run_paths(data_dir, run_id)
        outlet = crawler.settings.get("AKHBAR_OUTLET") or "unknown"
        ext = cls(open_run_log(log_path, outlet, run_id))
        logging.getLogger().addHandler(ext.handler)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def response_received(self, response: Response, request: Request, spider: Any = None) -> None:
        logger.info(
            "fetched %s %s",
            response.status,
            response.url,
            extra={
                "event": "fetched",
                "url": response.url,
                "status": response.status,
                "size": len(response.body),
                "kind": request.meta.get("akhbar_kind"),
            },
        )

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        logger.info("run finished: %s", reason, extra={"event": "finished", "reason": reason})
        self.handler.flush()


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
