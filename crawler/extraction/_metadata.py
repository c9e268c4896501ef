"""Read a page's own metadata from its parsed tree: JSON-LD, <meta>, <link>, <time>, lang."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement

from ._dates import date_from_byline, normalise_date

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicQuestionArticle",
        "LiveBlogPosting",
        "SatiricalArticle",
        "Report",
    }
)
LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage"})

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "sailthru.date",
    "parsely-pub-date",
    "dc.date.issued",
    "dcterms.created",
    "date",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
)
_BYLINE_HINT = re.compile(r"date|time|byline|publish|posted|meta|info|تاریخ|تاريخ", re.IGNORECASE)
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " « ", " » ", " · ", " : ")


@dataclass
class PageMetadata:
    """What the page says about itself, before trafilatura is asked."""

    meta: dict[str, str] = field(default_factory=dict)
    #: Every value of a name given more than once (several article:tag or article:author).
    meta_all: dict[str, list[str]] = field(default_factory=dict)
    json_ld: list[dict[str, Any]] = field(default_factory=list)
    canonical_href: str | None = None
    image_src: str | None = None
    html_lang: str | None = None

    @property
    def article_node(self) -> dict[str, Any] | None:
        for node in self.json_ld:
            if _types(node) & ARTICLE_TYPES:
                return node
        return None

    @property
    def is_listing(self) -> bool:
        types = set().union(*(_types(node) for node in self.json_ld)) if self.json_ld else set()
        return bool(types & LISTING_TYPES) and not types & ARTICLE_TYPES


def read_page_metadata(tree: HtmlElement) -> PageMetadata:
    page = PageMetadata(
        html_lang=normalise_lang(
            tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
        )
    )
    for elem in tree.iter("meta", "link", "script"):
        tag = elem.tag
        if tag == "meta":
            content = elem.get("content")
            if content is None or not content.strip():
                continue
            for attr in ("property", "name", "itemprop", "http-equiv"):
                key = elem.get(attr)
                if key:
                    name = key.strip().lower()
                    page.meta.setdefault(name, content.strip())
                    page.meta_all.setdefault(name, []).append(content.strip())
        elif tag == "link":
            rel = (elem.get("rel") or "").lower().split()
            if "canonical" in rel and page.canonical_href is None and elem.get("href"):
                page.canonical_href = elem.get("href", "").strip()
            if "image_src" in rel and page.image_src is None and elem.get("href"):
                page.image_src = elem.get("href", "").strip()
        elif (elem.get("type") or "").strip().lower() == "application/ld+json" and elem.text:
            page.json_ld.extend(_json_ld_nodes(elem.text))
    return page


def _json_ld_nodes(raw: str) -> Iterator[dict[str, Any]]:
    raw = raw.strip()
    for wrapper in ("<!--", "-->", "//<![CDATA[", "//]]>", "<![CDATA[", "]]>"):
        raw = raw.replace(wrapper, "")
    try:
        data = json.loads(raw, strict=False)
    except ValueError:
        logger.debug("unreadable JSON-LD block skipped")
        return
    stack: list[Any] = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if "@type" in item:
                yield item
            if isinstance(item.get("@graph"), list):
                stack.extend(item["@graph"])
            if isinstance(item.get("mainEntity"), (dict, list)):
                stack.append(item["mainEntity"])


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


def json_ld_text(value: Any) -> str | None:
    """A JSON-LD value as one line of text: the first of a list, a node's name or value."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def normalise_lang(value: str | None) -> str | None:
    if not value:
        return None
    primary = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def canonical_url(page: PageMetadata, url: str) -> tuple[str | None, str | None]:
    """The URL the page names as its own, with where it named it."""
    for href, source in ((page.canonical_href, "link:canonical"),
                         (page.meta.get("og:url"), "meta:og:url")):
        if href:
            absolute = urljoin(url, href)
            if absolute.startswith(("http://", "https://")):
                return absolute, source
    return None, None


def find_published(page: PageMetadata, tree: HtmlElement) -> tuple[str | None, str | None]:
    """The publication date the page gives itself, with where it came from."""
    node = page.article_node
    if node is not None:
        found = normalise_date(
            json_ld_text(node.get("datePublished")) or json_ld_text(node.get("dateCreated"))
        )
        if found:
            return found, "json-ld"
    for key in _PUBLISHED_META:
        found = normalise_date(page.meta.get(key))
        if found:
            return found, "meta"
    found = _time_element(tree)
    if found:
        return found, "time-element"
    byline = _byline_date(tree)
    if byline:
        return byline
    return None, None


def find_modified(page: PageMetadata) -> tuple[str | None, str | None]:
    """When the article was last updated, by the page's own account, and where it says so."""
    node = page.article_node
    if node is not None:
        found = normalise_date(json_ld_text(node.get("dateModified")))
        if found:
            return found, "json-ld"
    for key in _MODIFIED_META:
        found = normalise_date(page.meta.get(key))
        if found:
            return found, f"meta:{key}"
    return None, None


def _marked(elem: HtmlElement) -> bool:
    return (elem.get("itemprop") == "datePublished" or elem.get("pubdate") is not None
            or "publish" in (elem.get("class") or "").lower())


def _teaser_list(times: list[HtmlElement]) -> bool:
    """Whether the <time>s stand in three or more <article>s, none holding a headline <h1>:
    the teasers of a section front."""
    articles = {a for t in times for a in t.iterancestors("article")}
    return len(articles) >= 3 and not any(a.find(".//h1") is not None for a in articles)


def is_teaser_list(tree: HtmlElement) -> bool:
    """Whether the page's dated <article>s are a list of teasers (see _teaser_list)."""
    return _teaser_list([t for t in tree.iter("time") if t.get("datetime")])


def _time_element(tree: HtmlElement) -> str | None:
    times = [t for t in tree.iter("time") if t.get("datetime")]
    # A <time> in the site header is often today's date, not the article's.
    preferred = [
        t for t in times if _marked(t) or any(a.tag == "article" for a in t.iterancestors())
    ]
    if not any(_marked(t) for t in preferred) and _teaser_list(preferred):
        return None  # a listing: each <time> dates one of its teasers, none the page
    for elem in preferred or times:
        found = normalise_date(elem.get("datetime"))
        if found:
            return found
    return None


def _byline_date(tree: HtmlElement) -> tuple[str, str] | None:
    candidates: list[HtmlElement] = []
    for elem in tree.iter("span", "div", "p", "time", "li", "small", "header"):
        hint = f"{elem.get('class') or ''} {elem.get('id') or ''}"
        if _BYLINE_HINT.search(hint):
            candidates.append(elem)
    candidates.extend(tree.iter("header", "article"))
    for elem in candidates:
        text = " ".join(elem.itertext())
        if len(text) > 20_000:
            text = text[:20_000]
        found = date_from_byline(text)
        if found:
            return found
    return None


def find_title(page: PageMetadata) -> tuple[str | None, str | None]:
    node = page.article_node
    if node is not None:
        title = json_ld_text(node.get("headline")) or json_ld_text(node.get("name"))
        if title:
            return title, "json-ld"
    for key in ("og:title", "twitter:title"):
        title = json_ld_text(page.meta.get(key))
        if title:
            return title, f"meta:{key}"
    return None, None


def find_description(page: PageMetadata) -> tuple[str | None, str | None]:
    node = page.article_node
    for value, source in (
        (page.meta.get("description"), "meta:description"),
        (page.meta.get("og:description"), "meta:og:description"),
        (node.get("description") if node else None, "json-ld"),
    ):
        text = json_ld_text(value)
        if text:
            return text, source
    return None, None


def strip_site_name(title: str | None, site_name: str | None) -> str | None:
    """Drop a " | Site" suffix (or "Site | " prefix) when it names the page's own site."""
    if not title or not site_name:
        return title
    site = site_name.strip().casefold()
    for separator in _TITLE_SEPARATORS:
        head, sep, tail = title.rpartition(separator)
        if sep and head.strip() and tail.strip().casefold() == site:
            return head.strip()
        head, sep, tail = title.partition(separator)
        if sep and tail.strip() and head.strip().casefold() == site:
            return tail.strip()
    return title
