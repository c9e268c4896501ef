"""The deadline's arithmetic on a downloader slot's queue (crawler/crawl/deadline.py)."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.http import Request
from scrapy.settings import Settings
from twisted.internet.defer import Deferred

from crawler.crawl.deadline import (
    DEADLINE_META,
    DeadlineMiddleware,
    DeadlineReached,
    fit_queue,
    slot_wait,
)


@dataclass
class Slot:
    """The two attributes of Scrapy's downloader Slot that the deadline reads."""

    delay: float
    queue: deque[tuple[Request, Any]] = field(default_factory=deque)


def test_the_nth_request_waits_n_minus_one_delays_at_their_longest() -> None:
    assert slot_wait(Slot(2.0), 1) == 0.0
    assert slot_wait(Slot(2.0), 3) == 1.5 * 2.0 * 2
    assert slot_wait(None, 5) == 0.0


def test_a_slower_host_cuts_the_timeouts_of_what_waits_for_it() -> None:
    deadline = time.monotonic() + 100
    slot = Slot(delay=30.0)
    requests = [Request(f"http://news.test/{n}", meta={DEADLINE_META: deadline,
                                                        "download_timeout": 30.0})
                for n in range(4)]
    slot.queue.extend((request, None) for request in requests)
    slot.queue.append((Request("http://news.test/no-deadline"), None))
    fit_queue(slot)
    timeouts = [r.meta["download_timeout"] for r in requests]
    assert timeouts[0] == timeouts[1] == 30.0  # 100 s and 55 s left: the whole timeout fits
    assert 9 < timeouts[2] <= 10  # two waits of 45 s: 10 s left
    assert timeouts[3] == 0.1  # its turn comes after the deadline: the sweep drops it
    assert "download_timeout" not in slot.queue[-1][0].meta


def test_at_the_deadline_what_still_waits_in_a_slot_is_failed_with_the_reason() -> None:
    slot = Slot(delay=60.0)
    failures: list[str] = []
    for n in range(3):
        waiting: Deferred[Any] = Deferred()
        waiting.addErrback(lambda failure: failures.append(failure.getErrorMessage()))
        slot.queue.append((Request(f"http://news.test/{n}"), waiting))
    crawler = SimpleNamespace(
        settings=Settings({"DOWNLOAD_TIMEOUT": 30}),
        engine=SimpleNamespace(downloader=SimpleNamespace(slots={"news.test": slot})),
    )
    DeadlineMiddleware(crawler, max_duration=5, grace=10).drop_queued()  # type: ignore[arg-type]
    assert not slot.queue
    assert len(failures) == 3 and all("time limit" in words for words in failures)


def test_a_request_waits_behind_its_hosts_slot_whatever_the_urls_case_and_port() -> None:
    slot = Slot(delay=60.0)
    slot.queue.extend((Request(f"http://news.test/{n}"), None) for n in range(3))
    crawler = SimpleNamespace(
        settings=Settings({"DOWNLOAD_TIMEOUT": 30}),
        engine=SimpleNamespace(downloader=SimpleNamespace(slots={"news.test": slot})),
    )
    mw = DeadlineMiddleware(crawler, max_duration=100, grace=0)  # type: ignore[arg-type]
    mw.deadline = time.monotonic() + 100
    with pytest.raises(DeadlineReached, match="waiting 270 s for its host"):
        mw.process_request(Request("http://user@News.Test:8080/a"))
    other = Request("http://other.test/a")
    mw.process_request(other)  # no slot yet: no wait
    assert other.meta["download_timeout"] == 30.0
