"""``limits.max_duration`` as a hard bound: a crawl ends within it plus a short grace.

Scrapy's ``CLOSESPIDER_TIMEOUT`` only *starts* closing: the close then waits for every
download still in the downloader, each allowed ``DOWNLOAD_TIMEOUT`` and its retries. A host
that never answered kept a 60 s crawl alive for 157 s, with robots.txt retries (4 x 30 s)
after "Closing spider". Here every request, robots.txt included (RobotsTxtMiddleware fetches
it through the downloader), is bounded by the crawl's deadline:

- its ``download_timeout`` is cut to the time left before the deadline;
- after the deadline it is not sent at all (``IgnoreRequest``, with the reason in words);
- the retry middleware reads the deadline off ``request.meta`` and does not wait past it;
- at the deadline, requests still queued in a downloader slot (waiting out a delay) are
  dropped.

The deadline is ``max_duration + AKHBAR_CLOSE_GRACE`` seconds after the spider opened: the
grace lets pages in flight at ``max_duration`` finish while Scrapy closes.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import defer
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request

logger = logging.getLogger(__name__)

#: Request meta key: the crawl's hard deadline, in ``time.monotonic()`` seconds.
DEADLINE_META = "akhbar_deadline"


# Scrapy waits between 0.5 and 1.5 times a slot's delay (RANDOMIZE_DOWNLOAD_DELAY).
_DELAY_SPREAD = 1.5


def slot_wait(slot: Any, turn: int) -> float:
    """Seconds until the ``turn``-th request of a downloader slot's queue is sent, at most
    (0 when the slot is unknown): one delay, at its longest, per request before it."""
    delay = getattr(slot, "delay", 0.0)
    if not isinstance(delay, (int, float)) or turn <= 1:
        return 0.0
    return _DELAY_SPREAD * float(delay) * (turn - 1)


def fit_queue(slot: Any) -> None:
    """Cut the timeouts of the requests queued in ``slot`` to the time they will have left
    when their turn comes; called when the slot's delay grows (a host backed off after they
    were queued, which :class:`DeadlineMiddleware` could not foresee)."""
    now = time.monotonic()
    for turn, entry in enumerate(list(getattr(slot, "queue", ())), start=1):
        meta = getattr(entry[0], "meta", None) if isinstance(entry, tuple) and entry else None
        if not isinstance(meta, dict) or meta.get(DEADLINE_META) is None:
            continue
        left = meta[DEADLINE_META] - now - slot_wait(slot, turn)
        timeout = meta.get("download_timeout") or left
        meta["download_timeout"] = max(min(float(timeout), left), 0.1)


class DeadlineReached(IgnoreRequest):
    """A request that was not sent (or not retried) because the crawl's time was up."""


class DeadlineMiddleware:
    """Bounds every request by the crawl's hard deadline (see the module docstring)."""

    def __init__(self, crawler: Crawler, max_duration: float, grace: float) -> None:
        self.crawler = crawler
        self.max_duration = max_duration
        self.grace = grace
        self.download_timeout = crawler.settings.getfloat("DOWNLOAD_TIMEOUT")
        self.deadline: float | None = None
        self._sweep: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        max_duration = crawler.settings.getfloat("CLOSESPIDER_TIMEOUT")
        if max_duration <= 0:
            raise NotConfigured("no max_duration (CLOSESPIDER_TIMEOUT) to bound the crawl by")
        mw = cls(crawler, max_duration, crawler.settings.getfloat("AKHBAR_CLOSE_GRACE"))
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider: Any = None) -> None:
        # Imported here, not at the top: importing twisted.internet.reactor installs the
        # default reactor, and this module is imported before Scrapy installs its own.
        from twisted.internet import reactor

        self.deadline = time.monotonic() + self.max_duration + self.grace
        clock: Any = reactor
        self._sweep = clock.callLater(self.max_duration + self.grace, self.drop_queued)

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self._sweep is not None and self._sweep.active():
            self._sweep.cancel()

    def _reason(self) -> str:
        return (
            f"the crawl reached its time limit (limits.max_duration = {self.max_duration:g} s, "
            f"plus {self.grace:g} s to finish); raise max_duration to fetch more"
        )

    def process_request(self, request: Request, spider: Any = None) -> None:
        if self.deadline is None:
            return
        # Its turn comes after the requests queued before it in its downloader slot, one
        # delay apart: the timeout runs from then, so that wait comes off the time left.
        wait = self._queue_wait(request)
        left = self.deadline - time.monotonic() - wait
        if left <= 0:
            raise DeadlineReached(
                self._reason() if wait <= 0 else
                f"its turn would come after the crawl's time limit (waiting {wait:.0f} s for "
                f"its host, limits.max_duration = {self.max_duration:g} s)"
            )
        request.meta[DEADLINE_META] = self.deadline
        timeout = request.meta.get("download_timeout") or self.download_timeout or left
        request.meta["download_timeout"] = max(min(float(timeout), left), 0.1)

    def _queue_wait(self, request: Request) -> float:
        """Seconds ``request`` will wait in its downloader slot (0 when unknown). Reads
        Scrapy's ``downloader.slots`` (2.13 to 2.19), as AutoThrottle does."""
        engine = getattr(self.crawler, "engine", None)
        slots = getattr(getattr(engine, "downloader", None), "slots", None)
        if not isinstance(slots, dict):
            return 0.0
        # The slot's key as the downloader makes it; the request's parsed URL is cached
        # (the offsite and robots.txt middlewares before this one parsed it already).
        key = request.meta.get("download_slot") or urlparse_cached(request).hostname or ""
        slot = slots.get(key)
        return slot_wait(slot, len(getattr(slot, "queue", ())) + 1)

    def drop_queued(self) -> None:
        """Fail the requests still waiting in a downloader slot: their turn would come after
        the deadline. Reads Scrapy's slots (``downloader.slots[key].queue`` of ``(request,
        deferred)`` pairs, the same in 2.13 to 2.19); anything else is left alone."""
        engine = getattr(self.crawler, "engine", None)
        slots = getattr(getattr(engine, "downloader", None), "slots", None)
        if not isinstance(slots, dict):
            return
        dropped = 0
        for slot in list(slots.values()):
            queue = getattr(slot, "queue", None)
            while queue:
                entry = queue.popleft()
                if (isinstance(entry, tuple) and len(entry) == 2
                        and isinstance(entry[1], defer.Deferred)):
                    entry[1].errback(Failure(DeadlineReached(self._reason())))
                    dropped += 1
        if dropped:
            logger.warning(
                "time limit reached: %d queued request(s) dropped", dropped,
                extra={"event": "deadline_dropped", "count": dropped},
            )
