"""Page requisites: what an archived page needs to render as its readers saw it.

Pure functions find them (:func:`html_requisites`, :func:`css_requisites`, in
:mod:`crawler.crawl.pagerefs`), as Heritrix's and wget's ``--page-requisites`` extractors do:
stylesheets and what they import (``@import``, ``url()`` fonts and images), images (``src``,
``srcset``, ``<picture>``, the lazy-loading ``data-src`` forms), scripts, icons, media
posters. An article page left gzipped has them found by its extraction worker, beside its
article (the crawl process then only makes the requests: :meth:`RequisiteFetcher.for_urls`).
:class:`RequisitePolicy`
says which of them an outlet fetches (``capture:`` in its file) and :class:`PageBudget`
holds one page's caps on their count and bytes: the bytes are counted as they arrive
(Scrapy's ``bytes_received``), and the download that would take a page past its cap is
stopped, not archived (:meth:`RequisiteFetcher.on_bytes`): a page's requisites all start at
once, so a cap checked on each answer would let every one of them through. The spider
(``spiders/outlet.py``) only asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from scrapy.exceptions import StopDownload
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.gz import gunzip

from crawler.crawl.pagerefs import MAX_PAGE_SIZE, css_requisites, html_requisites, html_text
from crawler.crawl.refresh import left_gzipped
from crawler.crawl.seen import DigestSet, url_digest
from crawler.outlets.schema import Capture
from crawler.urls import canonicalize, same_site

__all__ = [
    "REQUISITE",
    "REQUISITE_PRIORITY",
    "PageBudget",
    "RequisiteFetcher",
    "RequisitePolicy",
    "css_requisites",
    "html_requisites",
]

#: The ``akhbar_kind`` of a requisite's request: never an article, never followed for links.
REQUISITE = "requisite"

#: A requisite's request priority: above an article's (10), as a browser loads a page's
#: images before the next page. Below it, they waited in the scheduler while the spider
#: kept its window of 64 articles there (~1 KB a Request), until the last article: the
#: crawl process grew with the articles of a run (157 -> 206 MB from 2,000 to 20,000).
REQUISITE_PRIORITY = 20

Callback = Callable[..., Any]


@dataclass(frozen=True)
class RequisitePolicy:
    """Which requisites an outlet fetches (its ``capture:`` settings)."""

    mode: str
    hosts: tuple[str, ...]
    listings: bool
    max_per_page: int
    max_page_bytes: int

    @classmethod
    def of(cls, capture: Capture, outlet_hosts: Iterable[str]) -> RequisitePolicy:
        return cls(capture.requisites, tuple(sorted({*outlet_hosts, *capture.extra_hosts})),
                   capture.listings, capture.max_per_page, capture.max_page_bytes)

    @property
    def enabled(self) -> bool:
        return self.mode != "none"

    def allows(self, url: str) -> bool:
        if self.mode == "all":
            return True
        return self.mode != "none" and same_site(url, self.hosts)


class PageBudget:
    """One page's allowance of requisites: how many more may be asked for, and how many
    bytes they may still bring. Each request is bounded by what is left when it is made.
    ``pending`` counts its requests not yet done: the budget is dropped after the last."""

    __slots__ = ("bytes_left", "count_left", "pending")

    def __init__(self, count: int, size: int) -> None:
        self.count_left = count
        self.bytes_left = size
        self.pending = 0

    def take(self) -> bool:
        """One more requisite, if the page has room for it."""
        if self.count_left <= 0 or self.bytes_left <= 0:
            return False
        self.count_left -= 1
        return True

    def spend(self, size: int) -> bool:
        """``size`` more bytes arrived: False when they take the page past its cap."""
        self.bytes_left -= size
        return self.bytes_left >= 0


def page_text(response: Response) -> str | None:
    """The page's HTML as text (gunzipped first when it was left gzipped), or None."""
    header = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    if left_gzipped(response):
        return gzipped_page_text(header, response.body)
    if isinstance(response, TextResponse):
        return response.text
    return html_text(header, response.body)


def gzipped_page_text(content_type: str | None, body: bytes) -> str | None:
    """A body left gzipped as text, or None when it is corrupt or too large."""
    try:  # not crawler.crawl.processing's: the crawl process never imports extraction
        data = gunzip(body, max_size=MAX_PAGE_SIZE)
    except (OSError, EOFError, ValueError):  # corrupt, or over max_size (a ValueError)
        return None
    # the charset from the header, else from <meta> in the bytes, as Scrapy would
    return html_text(content_type, data)


def _is_css(response: Response) -> bool:
    media = (response.headers.get(b"Content-Type") or b"").split(b";")[0].strip().lower()
    return media == b"text/css" or (not media and response.url.lower().endswith(".css"))


class RequisiteFetcher:
    """The requests for a crawl's requisites: each URL once per crawl (the spider's set of
    requested URLs), within the outlet's policy and each page's budget."""

    def __init__(self, policy: RequisitePolicy, seen: DigestSet, max_response_size: int) -> None:
        self.policy = policy
        self.seen = seen
        self.max_response_size = max_response_size
        self.budgets: dict[str, PageBudget] = {}
        self.skipped = 0  # over a page's caps (not asked for, or stopped: on_bytes)
        self.refused = 0  # on a host the policy leaves out

    def wanted(self, kind: str) -> bool:
        return self.policy.enabled and (kind == "article"
                                        or (kind == "listing" and self.policy.listings))

    def for_page(self, response: Response, callback: Callback, errback: Callback) -> list[Request]:
        text = page_text(response)
        if not text:
            return []
        return self.for_urls(response.url, html_requisites(text, response.url), callback,
                             errback)

    def for_urls(self, page: str, urls: Iterable[str], callback: Callback,
                 errback: Callback) -> list[Request]:
        """The requests for requisites already found on ``page`` (:func:`html_requisites`
        of its text, in an extraction worker)."""
        budget = self.budgets.setdefault(
            page, PageBudget(self.policy.max_per_page, self.policy.max_page_bytes))
        requests = self._requests(urls, page, budget, callback, errback)
        if not budget.pending:
            del self.budgets[page]
        return requests

    def done(self, meta: Mapping[str, Any]) -> None:
        """A requisite's request (its ``meta``) is over: archived, failed, stopped or not
        sent. Once a page has none left, its budget goes (a crawl of 20,000 articles kept
        20,000)."""
        page = meta.get("akhbar_page") or ""
        budget = self.budgets.get(page)
        if budget is not None:
            budget.pending -= 1
            if budget.pending <= 0:
                del self.budgets[page]

    def for_stylesheet(self, response: Response, callback: Callback,
                       errback: Callback) -> list[Request]:
        """What a fetched stylesheet imports, on its page's budget."""
        page = response.meta.get("akhbar_page") or response.url
        budget = self.budgets.get(page)
        if budget is None or not _is_css(response) or not isinstance(response, TextResponse):
            return []
        return self._requests(css_requisites(response.text, response.url), page, budget,
                              callback, errback)

    def on_bytes(self, data: bytes, request: Request, **_: Any) -> None:
        """Scrapy's ``bytes_received``: a requisite's bytes are spent from its page's
        budget as they arrive; the download that overdraws it is stopped (its errback gets
        a ``StopDownload``), so what a page's requisites archive stays within its cap.
        A rendered page's requisites (asked by the browser) have no budget here."""
        if request.meta.get("akhbar_kind") != REQUISITE:
            return
        budget = self.budgets.get(request.meta.get("akhbar_page") or "")
        if budget is not None and not budget.spend(len(data)):
            self.skipped += 1
            raise StopDownload(fail=True)

    def _requests(self, urls: Iterable[str], page: str, budget: PageBudget, callback: Callback,
                  errback: Callback) -> list[Request]:
        out = []
        for raw in urls:
            url = canonicalize(raw)
            key = url_digest(url)
            if key in self.seen:
                continue
            if not self.policy.allows(url):
                self.refused += 1
                continue
            if not budget.take():
                self.skipped += 1
                continue
            self.seen.add(key)
            budget.pending += 1
            out.append(Request(
                url, callback=callback, errback=errback,
                headers={"Referer": page}, priority=REQUISITE_PRIORITY,
                meta={"akhbar_kind": REQUISITE, "akhbar_page": page, "akhbar_hops": 0,
                      # the policy has judged the host; Scrapy's offsite filter need not
                      "allow_offsite": True,
                      "download_maxsize": max(1, min(self.max_response_size,
                                                     budget.bytes_left))}))
        return out
