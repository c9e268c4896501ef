"""Page requisites: what an archived page needs to render as its readers saw it.

Pure functions find them (:func:`html_requisites`, :func:`css_requisites`), as Heritrix's
and wget's ``--page-requisites`` extractors do: stylesheets and what they import
(``@import``, ``url()`` fonts and images), images (``src``, ``srcset``, ``<picture>``, the
lazy-loading ``data-src`` forms), scripts, icons, media posters. :class:`RequisitePolicy`
says which of them an outlet fetches (``capture:`` in its file) and :class:`PageBudget`
holds one page's caps on their count and bytes. The spider (``spiders/outlet.py``) only asks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from lxml import html as lxml_html
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.gz import gunzip
from w3lib.encoding import html_to_unicode
from w3lib.html import strip_html5_whitespace

from crawler.crawl.refresh import left_gzipped
from crawler.crawl.seen import DigestSet, url_digest
from crawler.outlets.schema import Capture
from crawler.urls import canonicalize, same_site

__all__ = [
    "REQUISITE",
    "PageBudget",
    "RequisiteFetcher",
    "RequisitePolicy",
    "css_requisites",
    "html_requisites",
]

#: The ``akhbar_kind`` of a requisite's request: never an article, never followed for links.
REQUISITE = "requisite"

#: ``rel`` values of ``<link>`` whose target a page renders with.
_LINK_RELS = frozenset({"stylesheet", "icon", "shortcut", "apple-touch-icon", "mask-icon",
                        "preload", "modulepreload", "manifest"})
#: ``as`` values of ``<link rel=preload>`` that are requisites (not documents).
_PRELOAD_AS = frozenset({"style", "script", "font", "image", ""})
_SRC_ATTRS = ("src", "data-src", "data-lazy-src", "data-original", "poster")
_SRCSET_ATTRS = ("srcset", "data-srcset", "data-lazy-srcset")
_SRC_TAGS = frozenset({"img", "source", "script", "video", "audio", "track", "input", "embed"})
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
Callback = Callable[..., Any]
#: The most of a page's HTML read for its requisites, once gunzipped.
MAX_PAGE_SIZE = 50 * 1024**2


def _srcset_urls(value: str) -> Iterator[str]:
    # Candidates are "url [descriptor]" separated by commas; a URL may itself hold commas
    # only when it has no spaces around them, so split on ", " forms and plain commas alike.
    for candidate in re.split(r",\s+|,(?=\S+\s+\d)", value):
        url = candidate.strip().split()
        if url:
            yield url[0].rstrip(",")


def css_requisites(text: str, base_url: str) -> list[str]:
    """Absolute URLs a stylesheet loads (``@import``, ``url()``), in order, each once."""
    text = _CSS_COMMENT.sub("", text)
    found = [next(g for g in m.groups() if g is not None) for m in _CSS_IMPORT.finditer(text)]
    found += [next(g for g in m.groups() if g is not None) for m in _CSS_URL.finditer(text)]
    return _absolute(found, base_url)


def html_requisites(text: str, base_url: str) -> list[str]:
    """Absolute URLs an HTML page renders with, in page order, each once; ``<base href>``
    is honoured, ``data:`` and fragment-only references are left out."""
    try:
        root = lxml_html.document_fromstring(text)
    except Exception:  # lxml raises several kinds on an empty or broken document
        return []
    base = root.find(".//base[@href]")
    if base is not None:
        base_url = urljoin(base_url, strip_html5_whitespace(base.get("href", "")))
    found: list[str] = []
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "link":
            rels = set((el.get("rel") or "").lower().split())
            if rels & _LINK_RELS and (el.get("as") or "").lower() in _PRELOAD_AS:
                found.append(el.get("href") or "")
        elif tag in _SRC_TAGS:
            if tag == "input" and (el.get("type") or "").lower() != "image":
                continue
            found += [el.get(a) or "" for a in _SRC_ATTRS]
            for attr in _SRCSET_ATTRS:
                found += _srcset_urls(el.get(attr) or "")
        elif tag == "style" and el.text:
            found += css_requisites(el.text, base_url)
        if tag in ("div", "section", "figure", "a", "span", "header", "body") and el.get("style"):
            found += css_requisites(el.get("style") or "", base_url)
        if tag in ("body", "table", "td") and el.get("background"):
            found.append(el.get("background") or "")
    return _absolute(found, base_url)


def _absolute(refs: Iterable[str], base_url: str) -> list[str]:
    out: dict[str, None] = {}
    for ref in refs:
        ref = strip_html5_whitespace(ref)
        if not ref or ref.startswith(("#", "data:", "javascript:", "about:", "blob:")):
            continue
        try:
            url = urljoin(base_url, ref).split("#", 1)[0]
        except ValueError:  # a bogus reference (bad IPv6 host, say)
            continue
        if url.startswith(("http://", "https://")):
            out.setdefault(url, None)
    return list(out)


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
    bytes they may still bring. Each request is bounded by what is left when it is made."""

    def __init__(self, count: int, size: int) -> None:
        self.count_left = count
        self.bytes_left = size

    def take(self) -> bool:
        """One more requisite, if the page has room for it."""
        if self.count_left <= 0 or self.bytes_left <= 0:
            return False
        self.count_left -= 1
        return True

    def spend(self, size: int) -> None:
        self.bytes_left -= size


def page_text(response: Response) -> str | None:
    """The page's HTML as text (gunzipped first when it was left gzipped), or None."""
    header = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    if left_gzipped(response):
        try:  # not crawler.crawl.processing's: the crawl process never imports extraction
            body = gunzip(response.body, max_size=MAX_PAGE_SIZE)
        except (OSError, EOFError, ValueError):  # corrupt, or over max_size (a ValueError)
            return None
        # the charset from the header, else from <meta> in the bytes, as Scrapy would
        return html_to_unicode(header, body)[1]
    if isinstance(response, TextResponse):
        return response.text
    return html_to_unicode(header, response.body)[1]


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
        self.skipped = 0  # over a page's caps
        self.refused = 0  # on a host the policy leaves out

    def wanted(self, kind: str) -> bool:
        return self.policy.enabled and (kind == "article"
                                        or (kind == "listing" and self.policy.listings))

    def for_page(self, response: Response, callback: Callback, errback: Callback) -> list[Request]:
        text = page_text(response)
        if not text:
            return []
        budget = self.budgets.setdefault(
            response.url, PageBudget(self.policy.max_per_page, self.policy.max_page_bytes))
        return self._requests(html_requisites(text, response.url), response.url, budget,
                              callback, errback)

    def for_stylesheet(self, response: Response, callback: Callback,
                       errback: Callback) -> list[Request]:
        """What a fetched stylesheet imports, on its page's budget."""
        page = response.meta.get("akhbar_page") or response.url
        budget = self.budgets.get(page)
        if budget is None or not _is_css(response) or not isinstance(response, TextResponse):
            return []
        return self._requests(css_requisites(response.text, response.url), page, budget,
                              callback, errback)

    def received(self, response: Response) -> None:
        budget = self.budgets.get(response.meta.get("akhbar_page") or "")
        if budget is not None:
            budget.spend(len(response.body))

    def _requests(self, urls: list[str], page: str, budget: PageBudget, callback: Callback,
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
            out.append(Request(
                url, callback=callback, errback=errback,
                headers={"Referer": page}, priority=5,
                meta={"akhbar_kind": REQUISITE, "akhbar_page": page, "akhbar_hops": 0,
                      # the policy has judged the host; Scrapy's offsite filter need not
                      "allow_offsite": True,
                      "download_maxsize": max(1, min(self.max_response_size,
                                                     budget.bytes_left))}))
        return out
