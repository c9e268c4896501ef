"""SignalSender: akhbar's signals reach their receivers as Scrapy's send_catch_log would
deliver them."""

from __future__ import annotations

import gc
import logging
from importlib import metadata
from typing import Any

import pytest
from scrapy import Spider

from crawler.crawl.signals import CHECKED_PYDISPATCHER, SignalSender
from tests.scrapy_support import bare_crawler

SIGNAL = object()


class Receivers:
    def __init__(self) -> None:
        self.got: list[tuple[str, dict[str, Any]]] = []

    def some(self, capture: Any) -> None:
        self.got.append(("some", {"capture": capture}))

    def every(self, **kwargs: Any) -> None:
        self.got.append(("every", kwargs))

    def failing(self, capture: Any, signal: Any = None) -> None:
        self.got.append(("failing", {"capture": capture, "signal": signal}))
        raise RuntimeError("boom")


def test_the_direct_path_only_under_a_checked_pydispatcher() -> None:
    installed = metadata.version("PyDispatcher")
    crawler = bare_crawler(Spider)
    assert SignalSender(crawler, SIGNAL).direct == (installed in CHECKED_PYDISPATCHER)


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "send_catch_log"])
def test_same_calls_as_send_catch_log(caplog: pytest.LogCaptureFixture, direct: bool) -> None:
    crawler = bare_crawler(Spider)
    sent = SignalSender(crawler, SIGNAL, direct=direct)
    sent.send(capture=0)  # nothing connected yet
    r = Receivers()
    crawler.signals.connect(r.some, signal=SIGNAL)
    crawler.signals.connect(r.every, signal=SIGNAL)
    with caplog.at_level(logging.ERROR):
        sent.send(capture=1, other=2)
    ours, r.got = r.got, []
    crawler.signals.send_catch_log(SIGNAL, capture=1, other=2)
    assert ours == r.got
    assert ours[0] == ("some", {"capture": 1})
    assert ours[1][1] == {"capture": 1, "other": 2, "signal": SIGNAL,
                          "sender": crawler.signals.sender}
    # connected later: called from the next send on; an error is logged, not raised
    crawler.signals.connect(r.failing, signal=SIGNAL)
    r.got = []
    with caplog.at_level(logging.ERROR):
        sent.send(capture=3)
    assert [name for name, _ in r.got] == ["some", "every", "failing"]
    assert r.got[2][1] == {"capture": 3, "signal": SIGNAL}
    assert "Error caught on signal handler" in caplog.text
    crawler.signals.disconnect(r.every, signal=SIGNAL)
    r.got = []
    sent.send(capture=4)
    assert [name for name, _ in r.got] == ["some", "failing"]


def test_receivers_gone_are_skipped() -> None:
    crawler = bare_crawler(Spider)
    sent = SignalSender(crawler, SIGNAL)
    r = Receivers()
    crawler.signals.connect(r.some, signal=SIGNAL)
    sent.send(capture=1)
    del r
    gc.collect()
    sent.send(capture=2)  # no error: the receiver is gone
