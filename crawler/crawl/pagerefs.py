"""Finding a page's requisites in its HTML: pure functions over text, as Heritrix's and wget's
``--page-requisites`` extractors do (stylesheets and what they import, images, scripts, icons,
media posters). They import neither Scrapy nor the rest of the crawl, so that an extraction
worker finds a page's requisites beside its article (:func:`crawler.crawl.processing.
process_page_and_requisites`); :mod:`crawler.crawl.requisites` says which are fetched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html
from w3lib.encoding import html_to_unicode
from w3lib.html import strip_html5_whitespace

from crawler.urls import is_plain_path

__all__ = ["MAX_PAGE_SIZE", "css_requisites", "html_requisites", "html_text",
           "tree_requisites"]

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
    return _absolute(_css_refs(text), base_url)


def _first_group(match: re.Match[str]) -> str:
    return next(g for g in match.groups() if g is not None)


def _css_refs(text: str) -> tuple[str, ...]:
    """The references of a stylesheet, as written. A long one is cached: an outlet's pages
    repeat the same inline ``<style>`` (its theme's, 10-100 KB), whose scan cost ~0.2 ms a
    page; short ones (style attributes) are not, so that they do not push it out."""
    return _long_css_refs(text) if len(text) >= _CACHED_CSS else _scan_css(text)


_CACHED_CSS = 2048


@lru_cache(maxsize=8)
def _long_css_refs(text: str) -> tuple[str, ...]:
    return _scan_css(text)


def _scan_css(text: str) -> tuple[str, ...]:
    text = _CSS_COMMENT.sub("", text)
    found = [_first_group(m) for m in _CSS_IMPORT.finditer(text)]
    found += [_first_group(m) for m in _CSS_URL.finditer(text)]
    return tuple(found)


def html_requisites(text: str, base_url: str) -> list[str]:
    """Absolute URLs an HTML page renders with, in page order, each once; ``<base href>``
    is honoured, ``data:`` and fragment-only references are left out."""
    try:
        root = lxml_html.document_fromstring(text)
    except Exception:  # lxml raises several kinds on an empty or broken document
        return []
    return tree_requisites(root, base_url)


def tree_requisites(root: Any, base_url: str,
                    restore: Callable[[str], str] | None = None) -> list[str]:
    """:func:`html_requisites` of a page already parsed (an lxml tree). ``restore`` turns
    each reference back into the page's own text (the extraction's parse protects some
    characters: ``crawler.extraction._joiners``)."""
    base_url = _base_url(root, base_url, restore)
    found = _tree_refs(root, base_url)
    if restore is not None:
        found = [restore(ref) for ref in found]
    return _absolute(found, base_url)


def _base_url(root: Any, base_url: str, restore: Callable[[str], str] | None) -> str:
    base = root.find(".//base[@href]")
    if base is None:
        return base_url
    href = base.get("href", "")
    return urljoin(base_url, strip_html5_whitespace(restore(href) if restore else href))


_STYLED_TAGS = ("div", "section", "figure", "a", "span", "header", "body")
_BACKGROUND_TAGS = ("body", "table", "td")
#: The elements that may hold a reference (the walk below looks at these only).
_CANDIDATES = frozenset({"link", "style", *_SRC_TAGS, *_STYLED_TAGS, *_BACKGROUND_TAGS})
#: Of those, the ones only a ``style`` attribute makes a candidate: most of a page's
#: candidates (its divs, links and spans), passed over with one test.
_STYLED_ONLY = frozenset(_STYLED_TAGS) - {"link", "style", *_SRC_TAGS, *_BACKGROUND_TAGS}


def _tree_refs(root: Any, base_url: str) -> list[str]:
    """Every reference, as written (``base_url``: for those of inline CSS)."""
    found: list[str] = []
    for el in root.iter(*_CANDIDATES):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _STYLED_ONLY:
            style = el.get("style")
            if style:
                found += css_requisites(style, base_url)
            continue
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
        if tag in _STYLED_TAGS and el.get("style"):
            found += css_requisites(el.get("style") or "", base_url)
        if tag in _BACKGROUND_TAGS and el.get("background"):
            found.append(el.get("background") or "")
    return found




def _origin(base_url: str) -> str | None:
    """``scheme://host`` of an http(s) base, as urljoin writes it; None for another base."""
    try:
        parts = urlsplit(base_url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _absolute(refs: Iterable[str], base_url: str) -> list[str]:
    out: dict[str, None] = {}
    origin = _origin(base_url)
    for ref in refs:
        if not ref:  # most of an image's five source attributes
            continue
        ref = strip_html5_whitespace(ref)
        if not ref or ref.startswith(("#", "data:", "javascript:", "about:", "blob:")):
            continue
        if origin is not None and is_plain_path(ref):
            out.setdefault(origin + ref, None)
            continue
        try:
            url = urljoin(base_url, ref).split("#", 1)[0]
        except ValueError:  # a bogus reference (bad IPv6 host, say)
            continue
        if url.startswith(("http://", "https://")):
            out.setdefault(url, None)
    return list(out)


def html_text(content_type: str | None, body: bytes) -> str:
    """A page's HTML bytes as text: the charset of its Content-Type header, else of its
    ``<meta>``, as Scrapy decodes a body it did not decompress itself."""
    return html_to_unicode(content_type or "", body)[1]
