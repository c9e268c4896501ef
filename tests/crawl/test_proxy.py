"""The crawl's proxy middleware: Scrapy's, without the "no" scheme made of no_proxy."""

from __future__ import annotations

import pytest
from scrapy.http import Request

from crawler.crawl.compat import needs_spider
from crawler.crawl.middlewares import NoProxyHttpProxyMiddleware


def process(mw: NoProxyHttpProxyMiddleware, request: Request) -> None:
    """As the engine calls it: with ``spider`` where Scrapy (2.13) still requires it."""
    if needs_spider(mw.process_request):
        mw.process_request(request, None)
    else:
        mw.process_request(request)


def test_no_proxy_alone_sets_no_proxy_and_is_not_read_per_request(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    mw = NoProxyHttpProxyMiddleware()
    assert mw.proxies == {}
    request = Request("http://127.0.0.1:9600/a")
    process(mw, request)
    assert "proxy" not in request.meta and b"Proxy-Authorization" not in request.headers


def test_no_proxy_still_applies_to_a_proxy_that_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("http_proxy", "http://user:pw@proxy.test:3128")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    mw = NoProxyHttpProxyMiddleware()
    assert set(mw.proxies) >= {"http"} and "no" not in mw.proxies
    local, remote = Request("http://127.0.0.1:9600/a"), Request("http://news.test/a")
    process(mw, local)
    process(mw, remote)
    assert "proxy" not in local.meta
    assert remote.meta["proxy"] == "http://proxy.test:3128"
    assert remote.headers[b"Proxy-Authorization"].startswith(b"Basic ")
