"""HeadMetaRefreshMiddleware redirects as Scrapy's MetaRefreshMiddleware does."""

from __future__ import annotations

import gzip

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse, Request, Response
from scrapy.settings import Settings

from crawler.crawl.compat import needs_spider
from crawler.crawl.refresh import HEAD_BYTES, HeadMetaRefreshMiddleware, head_bytes

FILLER = "<p>" + "خبر فوری درباره بازار و اقتصاد ایران " * 400 + "</p>"
PAGES = {
    "refresh in head": '<html><head><meta http-equiv="refresh" content="0; url=/moved/">'
    "</head><body>" + FILLER + "</body></html>",
    "relative to base": '<html><head><base href="http://news.test/dir/">'
    '<meta http-equiv="refresh" content="1;URL=new.html"></head><body>' + FILLER,
    "too slow to follow": '<html><head><meta http-equiv="refresh" content="600; url=/later/">'
    "</head><body>" + FILLER,
    "no refresh": "<html><head><title>t</title></head><body>" + FILLER,
    "refresh in a script": "<html><head><script>var x='<meta http-equiv=\"refresh\" "
    "content=\"0;url=/js/\">'</script></head><body>" + FILLER,
    "short page": '<html><head><meta http-equiv="refresh" content="0;url=/s/"></head></html>',
}


# What the engine passes: a spider to Scrapy 2.13's middlewares, nothing to later ones.
TAIL = (Spider("t"),) if needs_spider(MetaRefreshMiddleware.process_response) else ()


def _crawler() -> Crawler:
    # Not scrapy.utils.test.get_crawler: Scrapy 2.13's needs an installed reactor.
    return Crawler(Spider, Settings())


def _outcome(result: Request | Response) -> str:
    return f"redirect to {result.url}" if isinstance(result, Request) else "kept"


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("encoding", ["utf-8", "windows-1256"])
def test_same_outcome_as_scrapy(name: str, encoding: str) -> None:
    crawler = _crawler()
    ours, scrapys = (cls.from_crawler(crawler)
                     for cls in (HeadMetaRefreshMiddleware, MetaRefreshMiddleware))
    body = PAGES[name].encode(encoding, errors="xmlcharrefreplace")
    headers = {"Content-Type": f"text/html; charset={encoding}"}
    request = Request("http://news.test/2026/11/story/")
    expected = _outcome(scrapys.process_response(
        request, HtmlResponse(request.url, body=body, headers=headers, request=request), *TAIL))
    got = _outcome(ours.process_response(
        request, HtmlResponse(request.url, body=body, headers=headers, request=request), *TAIL))
    assert got == expected
    # A body left gzipped for the extraction worker is read the same way, once gunzipped.
    left_gzipped = HtmlResponse(request.url, body=gzip.compress(body), request=request,
                                headers={**headers, "Content-Encoding": "gzip"})
    result = ours.process_response(request, left_gzipped, *TAIL)
    assert _outcome(result) == expected
    if isinstance(result, Response):
        assert result is left_gzipped  # handed on untouched


def test_head_bytes() -> None:
    body = b"x" * (HEAD_BYTES * 3)
    plain = HtmlResponse("http://news.test/", body=body)
    zipped = HtmlResponse("http://news.test/", body=gzip.compress(body),
                          headers={"Content-Encoding": "gzip"})
    assert head_bytes(plain) == head_bytes(zipped) == body[:HEAD_BYTES]
    assert head_bytes(zipped, 10) == b"x" * 10
    broken = HtmlResponse("http://news.test/", body=b"\x1f\x8bnot gzip",
                          headers={"Content-Encoding": "gzip"})
    assert head_bytes(broken) == b""
