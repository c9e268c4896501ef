"""The browser's requests, made by Scrapy: every request a rendered page makes (its document,
scripts, stylesheets, XHR, images) is handed by the route handler (:mod:`.capture`) to the
crawl's engine (``engine.download``), so it passes the same downloader middlewares and
downloader slots as the crawl's own requests:

- robots.txt (a refused request is aborted in the page and logged, never fetched);
- the outlet's politeness: its delay and concurrency per host are the downloader slot's;
- the outlet's credentials (basic auth, secret headers) on requests to its host only, and
  redacted in the WARC (:mod:`crawler.crawl.credentials`);
- the WARC capture middleware writes each exchange as received, and an unchanged one as a
  revisit of its last capture;
- retries, the crawl's deadline, the response size limit.

Redirects are not followed here: the page is given the 3xx and Chromium asks for the next
hop, which comes back through the route handler (so each hop is archived and the page's
URL is the one it ended at).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future

from crawler.crawl.items import CaptureInfo

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: Request meta: a request the browser made (not the crawl's); the WARC capture middleware
#: never makes it conditional (the page must get a whole answer, not a 304).
BROWSER_FETCH = "akhbar_browser_fetch"
#: Headers Chromium gives that the downloader sets itself.
_OWN_HEADERS = frozenset({"host", "connection", "content-length", "accept-encoding", "cookie"})
#: Headers of a decoded answer that no longer describe the body the page is given.
_STALE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


@dataclass(frozen=True)
class BrowserRequest:
    """One request of a page, as Chromium asked for it."""

    url: str
    method: str
    headers: dict[str, str]
    body: bytes
    page: str
    #: The page's own document (its navigation, or a hop of its redirects).
    document: bool
    timeout: float


@dataclass
class Fetched:
    """What the downloader got for a :class:`BrowserRequest`: the answer as the page gets it
    (body decoded) and where it was archived."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    capture: CaptureInfo | None = None
    #: Why it was not fetched (robots.txt, an error), in words; None when it was.
    refused: str | None = None
    size: int = field(init=False)

    def __post_init__(self) -> None:
        self.size = len(self.body)


class ScrapyFetcher:
    """Hands a page's requests to the running crawl's engine, at most the outlet's
    concurrency at a time per host. The downloader slot holds them to it too, but Scrapy
    2.19 starts every request queued in a slot at once when its delay is 0 (it counts a
    request as transferring only once its download task runs), and a page asks for all its
    images together."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.concurrency = max(1, crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 1))
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def request(self, req: BrowserRequest) -> Request:
        headers = {k: v for k, v in req.headers.items()
                   if k.lower() not in _OWN_HEADERS and not k.startswith(":")}
        return Request(
            req.url, method=req.method, headers=headers, body=req.body or None,
            dont_filter=True,
            meta={
                "akhbar_kind": "article" if req.document else "requisite",
                "akhbar_page": req.page,
                BROWSER_FETCH: True,
                # The route handler has judged the host (browser.allow_hosts, third_parties).
                "allow_offsite": True,
                "dont_redirect": True,
                "handle_httpstatus_all": True,
                "download_timeout": max(1.0, req.timeout),
            },
        )

    async def fetch(self, req: BrowserRequest) -> Fetched:
        """The downloader's answer (raises what the downloader raises: IgnoreRequest for
        robots.txt, a download error)."""
        engine = self.crawler.engine
        if engine is None:
            raise RuntimeError("the crawl is not running")
        request = self.request(req)
        host = urlsplit(req.url).hostname or ""
        turn = self._hosts.setdefault(host, asyncio.Semaphore(self.concurrency))
        async with turn:
            download_async = getattr(engine, "download_async", None)
            if download_async is not None:  # Scrapy 2.14+
                response: Response = await download_async(request)
            else:  # 2.13
                response = await maybe_deferred_to_future(engine.download(request))
        return answer_of(response, request)


def answer_of(response: Response, request: Request) -> Fetched:
    """The page's view of a response: its body as decoded by the downloader, with the
    headers that still describe it, and its capture (a retry's request carries it)."""
    pairs = [(name.decode("latin-1"), value.decode("latin-1"))
             for name, values in response.headers.items() for value in values]
    capture = (response.request or request).meta.get("akhbar_capture")
    return Fetched(
        url=response.url, status=response.status,
        headers=[(k, v) for k, v in pairs if k.lower() not in _STALE_HEADERS],
        body=response.body,
        capture=capture if isinstance(capture, CaptureInfo) else None)
