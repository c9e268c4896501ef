"""How each fetch finally ended, counted by host, for a run's verdict in words.

Scrapy's stats count download exceptions by class across the whole crawl
(``downloader/exception_type_count/...``) and keep robots.txt apart under a key holding the
class's repr: enough to say "refused 4 times", not by whom, nor whether the pages or only
robots.txt failed. This middleware sits just below the retry middleware (550) on the
downloader side, so it sees each request's last answer or error, after its retries, robots.txt
included (RobotsTxtMiddleware fetches it through the downloader), and counts

- ``akhbar/fetch_failed/<kind>/<host:port>/<robots.txt|page>``: a request that failed, by kind
  (:func:`crawler.crawl.reasons.failure_kind`, or ``http_<status>`` for a 4xx/5xx answer);
- ``akhbar/fetch_ok``: pages (not robots.txt) answered with a status below 400.

:func:`crawler.runs.judge.fetch_problems` turns them into "connection refused by
127.0.0.1:9999 (robots.txt and 3 pages)".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawler.crawl.reasons import failure_kind

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

FAILED_PREFIX = "akhbar/fetch_failed/"
FETCH_OK = "akhbar/fetch_ok"
ROBOTS, PAGE = "robots.txt", "page"


def host_port(url: str) -> str:
    """``host:port`` of a URL, the port filled in from its scheme."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    return f"{parts.hostname or '?'}:{port}"


def is_robots(request: Request) -> bool:
    return bool(request.meta.get("dont_obey_robotstxt")) and \
        urlsplit(request.url).path == "/robots.txt"


class FetchOutcomeMiddleware:
    """Counts each request's final outcome by kind, host and what it was (module docstring)."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def _failed(self, kind: str, request: Request) -> None:
        what = ROBOTS if is_robots(request) else PAGE
        self.stats.inc_value(f"{FAILED_PREFIX}{kind}/{host_port(request.url)}/{what}")

    def process_response(self, request: Request, response: Response,
                         spider: Any = None) -> Response:
        robots = is_robots(request)
        if response.status < 400:
            if not robots:
                self.stats.inc_value(FETCH_OK)
        elif not robots or response.status >= 500:  # no robots.txt (404) allows everything
            self._failed(f"http_{response.status}", request)
        return response

    def process_exception(self, request: Request, exception: Exception,
                          spider: Any = None) -> None:
        if not isinstance(exception, IgnoreRequest):  # a policy (robots, deadline), no failure
            self._failed(failure_kind(exception), request)
