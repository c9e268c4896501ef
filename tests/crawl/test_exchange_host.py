"""The Host header the WARC request record gets when Scrapy's request has none: the URL's
network location as written (``urlsplit(url).netloc``)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from scrapy.http import Request, Response

from crawler.crawl.warccapture import exchange_from

URLS = ["http://example.org/a", "https://User@News.Example.org:8443/x?y=1#f",
        "http://127.0.0.1:18287/articles/1.html", "http://[::1]:8080/p;q?r",
        "http://xn--mgbh0fb.example/%D8%A3"]


@pytest.mark.parametrize("url", URLS)
def test_the_host_is_the_urls_netloc(url: str) -> None:
    request = Request(url)
    exchange = exchange_from(request, Response(request.url, status=200, request=request),
                             datetime(2026, 12, 7, tzinfo=UTC))
    assert exchange.request_headers[0] == ("Host", urlsplit(request.url).netloc)


def test_a_host_header_of_the_request_is_kept() -> None:
    request = Request("http://example.org/a", headers={"Host": "other.example"})
    exchange = exchange_from(request, Response(request.url, status=200, request=request),
                             datetime(2026, 12, 7, tzinfo=UTC))
    assert [v for k, v in exchange.request_headers if k.lower() == "host"] == ["other.example"]
