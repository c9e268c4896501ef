"""Retries that back off: per request, per host, and never past the crawl's deadline.

- A retry waits ``AKHBAR_RETRY_BACKOFF * 2**n`` seconds, or what the server's
  ``Retry-After`` asks (seconds or an HTTP date), up to ``AKHBAR_RETRY_AFTER_MAX``.
- A host that keeps answering 5xx (or 429) is slowed as a whole: each such answer in a row
  doubles the delay of its downloader slot (at least its ``Retry-After``, at most
  ``AKHBAR_RETRY_AFTER_MAX``), so a storm of errors on many URLs does not become a storm of
  requests. Its first good answer puts the outlet's own delay back.
- No retry waits past the crawl's hard deadline (:mod:`crawler.crawl.deadline`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.crawl.compat import needs_spider
from crawler.crawl.deadline import DEADLINE_META, fit_queue
from crawler.crawl.reasons import failure_reason

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# Scrapy 2.13 requires the spider argument; later releases warn when it is given.
_NEEDS_SPIDER = needs_spider(RetryMiddleware.process_response)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def retry_after(response: Response, now: datetime | None = None) -> float | None:
    """Seconds the server asks to wait (``Retry-After: 120`` or an HTTP date), or None."""
    raw = response.headers.get(b"Retry-After")
    if not raw:
        return None
    text = raw.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry with the waits described in the module docstring."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        # Scrapy 2.13's RetryMiddleware.from_crawler does not keep the crawler; later ones do.
        mw = cls(crawler.settings)
        mw.crawler = crawler
        mw.base = crawler.settings.getfloat("AKHBAR_RETRY_BACKOFF")
        mw.cap = crawler.settings.getfloat("AKHBAR_RETRY_AFTER_MAX")
        mw.streaks = {}
        return mw

    base: float
    cap: float
    streaks: dict[str, int]  # host -> 5xx/429 answers in a row

    def _wait(self, request: Request, asked: float | None) -> float:
        backoff = self.base * (2 ** int(request.meta.get("retry_times", 0)))
        if asked is not None:
            if asked > self.cap:
                self._inc("akhbar/retry/retry_after_capped")
            backoff = max(backoff, min(asked, self.cap))
        return min(backoff, self.cap)

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def _slot(self, request: Request) -> tuple[str, Any]:
        key = request.meta.get("download_slot") or urlsplit(request.url).hostname or ""
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        slots = getattr(downloader, "slots", None)
        return key, (slots.get(key) if isinstance(slots, dict) else None)

    def _host_failed(self, request: Request, asked: float | None) -> None:
        key, slot = self._slot(request)
        streak = self.streaks.get(key, 0) + 1
        self.streaks[key] = streak
        if slot is None or streak < 2:
            return
        delay = min(max(self.base * 2 ** streak, asked or 0.0), self.cap)
        if delay > getattr(slot, "delay", 0.0):
            slot.delay = delay
            fit_queue(slot)  # what waits there now waits longer: less time left to download
            self._inc("akhbar/retry/host_backoff")
            logger.warning(
                "%s answered %d errors in a row: waiting %.1f s between its requests",
                key, streak, delay,
                extra={"event": "host_backoff", "host": key, "delay": delay, "errors": streak},
            )

    def _host_ok(self, request: Request) -> None:
        key, slot = self._slot(request)
        if self.streaks.pop(key, 0) >= 2 and slot is not None:
            slot.delay = self.crawler.settings.getfloat("DOWNLOAD_DELAY")
            logger.info("%s answers again: back to its own delay", key,
                        extra={"event": "host_recovered", "host": key})

    def _past_deadline(self, request: Request, wait: float) -> bool:
        deadline = request.meta.get(DEADLINE_META)
        if deadline is None or time.monotonic() + wait < deadline:
            return False
        self._inc("akhbar/retry/deadline")
        logger.info("not retried, the crawl's time is up: %s", request.url,
                    extra={"event": "retry_deadline", "url": request.url})
        return True

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if response.status in self.retry_http_codes and response.status >= 429:
            asked = retry_after(response)
            self._host_failed(request, asked)
        else:
            asked = None
            self._host_ok(request)
        result = super().process_response(request, response, *((spider,) if _NEEDS_SPIDER else ()))
        if isinstance(result, Request):
            wait = self._wait(request, asked)
            if self._past_deadline(request, wait):
                return response
            self._log_retry(request, result, f"the server answered HTTP {response.status} "
                            f"{_phrase(response.status)}".rstrip(), wait)
            await asyncio.sleep(wait)
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        result = super().process_exception(
            request, exception, *((spider,) if _NEEDS_SPIDER else ())
        )
        if isinstance(result, Request):
            wait = self._wait(request, None)
            if self._past_deadline(request, wait):
                return None
            self._log_retry(request, result, failure_reason(Failure(exception)), wait)
            await asyncio.sleep(wait)
        return result

    def _log_retry(self, request: Request, retry: Request, why: str, wait: float) -> None:
        """One line per retry: which attempt comes next, of how many, and why."""
        attempt = int(retry.meta.get("retry_times", 0))
        most = int(request.meta.get("max_retry_times", self.max_retry_times))
        logger.info("retry %d of %d in %.1f s: %s (%s)", attempt, most, wait, request.url, why,
                    extra={"event": "retry", "url": request.url, "attempt": attempt,
                           "max_retries": most, "why": why, "wait": round(wait, 3)})
