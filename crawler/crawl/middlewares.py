"""Downloader middlewares that are Scrapy's with small changes: lazy decompression
(:class:`LazyHttpCompressionMiddleware`) and the proxy (:class:`NoProxyHttpProxyMiddleware`).

The WARC capture of every exchange is :mod:`crawler.crawl.warccapture`; retries with backoff
are :mod:`crawler.crawl.retry`; the time limit :mod:`crawler.crawl.deadline`.
"""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.httpproxy import HttpProxyMiddleware
from scrapy.http import Request, Response

from crawler.crawl.compat import needs_spider

# Scrapy 2.13 requires the spider argument of its middlewares' methods; later releases
# warn when it is given (crawler.crawl.compat).
_COMPRESSION_NEEDS_SPIDER = needs_spider(HttpCompressionMiddleware.process_response)

#: Request meta key: the spider only hands this response's body on (to an extraction worker),
#: so a gzip body may stay compressed; the worker decodes it (``crawler.crawl.processing``).
RAW_GZIP_OK = "akhbar_raw_gzip_ok"


class LazyHttpCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, except for gzip bodies of requests marked ``RAW_GZIP_OK``.

    An article page of an outlet with a sitemap is a leaf: the crawl process never reads
    it, so gunzipping it there (and piping 4x the bytes to a worker) is wasted on the
    process that fetches and writes the WARC. Such a body is decoded in the worker.
    """

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if request.meta.get(RAW_GZIP_OK) and response.headers.getlist(
            "Content-Encoding"
        ) == [b"gzip"]:
            return response
        return super().process_response(
            request, response, *((spider,) if _COMPRESSION_NEEDS_SPIDER else ())
        )


class NoProxyHttpProxyMiddleware(HttpProxyMiddleware):
    """Scrapy's proxy middleware without the ``no`` "scheme" that ``getproxies()`` makes of
    a ``no_proxy`` variable. With it the middleware's proxies were never empty, and every
    request read the whole environment again (``proxy_bypass``) to learn that no proxy
    applies: ~1% of the shared crawl process. ``no_proxy`` still applies to the proxies
    that are set (``proxy_bypass`` reads it)."""

    def __init__(self, auth_encoding: str | None = "latin-1") -> None:
        super().__init__(auth_encoding)
        self.proxies.pop("no", None)
