"""Retry-After as servers send it: seconds, an HTTP date, or nonsense."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.http import Response

from crawler.crawl.retry import retry_after

NOW = datetime(2026, 12, 5, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("3600", 3600.0),
        (" 120 ", 120.0),
        ("Sat, 05 Dec 2026 12:01:30 GMT", 90.0),
        ("Sat, 05 Dec 2026 11:00:00 GMT", 0.0),  # in the past: now
        ("soon", None),
        ("-5", None),
        ("", None),
    ],
)
def test_retry_after(header: str | None, seconds: float | None) -> None:
    headers = {"Retry-After": header} if header is not None else {}
    response = Response("http://news.test/", status=503, headers=headers)
    assert retry_after(response, NOW) == seconds
