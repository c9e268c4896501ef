"""What the spider logs of a requisite it could not have."""

from __future__ import annotations

import logging

import pytest
from scrapy.exceptions import StopDownload
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import TimeoutError as TxTimeoutError
from twisted.python.failure import Failure

from crawler.crawl.failures import report_requisite_failure
from tests.scrapy_support import bare_crawler

URL = "http://news.test/m/1.jpg"


def _failure(exc: Exception) -> Failure:
    failure = Failure(exc)
    failure.request = Request(URL, meta={"akhbar_page": "http://news.test/a/"})  # type: ignore[attr-defined]
    return failure


def _levels(caplog: pytest.LogCaptureFixture, exc: Exception) -> list[int]:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="crawler.crawl.failures"):
        report_requisite_failure(bare_crawler(), _failure(exc), 10_000, 100_000)
    return [r.levelno for r in caplog.records if r.__dict__.get("event") == "requisite_failed"]


def test_a_requisite_answered_with_an_http_error_is_a_debug_line(
        caplog: pytest.LogCaptureFixture) -> None:
    """Its URL and status are in the run's log already (the "fetched" line); one that got
    no answer, or was stopped over its page's bytes, is said at INFO."""
    response = Response(URL, status=404)
    assert _levels(caplog, HttpError(response, "Ignoring non-200 response")) == [logging.DEBUG]
    assert _levels(caplog, TxTimeoutError()) == [logging.INFO]
    stopped = StopDownload(fail=True)
    stopped.response = response  # type: ignore[attr-defined]  # as Scrapy sets it
    assert _levels(caplog, stopped) == [logging.INFO]
