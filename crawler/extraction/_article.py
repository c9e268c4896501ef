"""``extract_article``: one HTML response in, one :class:`ExtractedArticle` out.

The page is decoded and parsed once; the page's own metadata is read from that tree, and the
same tree is handed to trafilatura for the main text. trafilatura's metadata (title, author,
and above all its date guess, which can come from body text) is only a fallback.
"""

from __future__ import annotations

import logging
from codecs import BOM_UTF8
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import partial
from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.metadata import extract_author, extract_title
from trafilatura.settings import set_date_params

from ._dates import normalise_date
from ._encoding import decode_html, is_html
from ._fast import ENABLED as FAST_PATH
from ._fast import fast_main_text
from ._joiners import protect, restore
from ._metadata import (
    canonical_url,
    find_author,
    find_description,
    find_modified,
    find_published,
    find_title,
    read_page_metadata,
    strip_site_name,
)
from ._parse import parse_html

logger = logging.getLogger(__name__)

MIN_ARTICLE_CHARS = 300


@dataclass
class ExtractedArticle:
    url: str
    canonical_url: str | None
    title: str | None
    author: str | None
    published: str | None
    published_source: str | None
    modified: str | None
    description: str | None
    text: str
    html_lang: str | None
    encoding: str
    is_article: bool
    links: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        # dataclasses.asdict without its recursive deep copy: every field is a str, a bool,
        # None or (links) a list of str, which is copied as asdict would.
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        if data["links"] is not None:
            data["links"] = list(data["links"])
        return data


def extract_article(
    body: bytes, url: str, content_type: str | None = None
) -> ExtractedArticle | None:
    """Extract an article from an HTML body; ``None`` for non-HTML or pages without main text.

    Never raises on bad input: a failure is logged with the URL and gives ``None``.
    """
    if not body or not is_html(content_type, body[:1024]):
        return None
    try:
        return _extract(body, url, content_type)
    except Exception:  # noqa: BLE001 -- one bad page must never stop a crawl
        logger.warning("extraction failed for %s", url, exc_info=True)
        return None


def _extract(body: bytes, url: str, content_type: str | None) -> ExtractedArticle | None:
    html, encoding = decode_html(body, content_type, url)
    html, protected = protect(html)
    utf8 = _same_utf8(body, html, encoding, protected)
    tree = parse_html(html, utf8)
    if tree is None:
        logger.warning("unparseable HTML at %s", url)
        return None

    page = read_page_metadata(tree)
    published, published_source = find_published(page, tree)
    title = find_title(page)
    author = find_author(page)

    _unwrap_layout_tables(tree)
    # Below, the tree is read again only for an author, title or date the page's metadata
    # lacks; when none is missing, trafilatura may use this tree up (see _main_text).
    keep = author is None or title is None or (published is None and not page.is_listing)
    text = _main_text(tree, url, None if keep else partial(_parsed_again, html, utf8))
    if not text or not text.strip():
        logger.debug("no main text at %s", url)
        return None

    if author is None:
        author = extract_author(tree)
    node = page.article_node
    site_name = page.meta.get("og:site_name")
    if site_name is None and node is not None and isinstance(node.get("publisher"), dict):
        site_name = node["publisher"].get("name")
    if title is None:
        title = _title_element(tree, site_name) or extract_title(tree)
    is_article = not page.is_listing and (
        node is not None
        or page.meta.get("og:type", "").lower() == "article"
        or len(text) >= MIN_ARTICLE_CHARS
    )
    if published is None and is_article:
        # Last resort, with trafilatura's own settings: htmldate may read a date from body
        # text or from links. Listings have no date of their own, so they are not asked.
        published = normalise_date(find_date(tree, url=url, **set_date_params(True)))
        published_source = "trafilatura" if published else None
    title = strip_site_name(title, site_name)
    article = ExtractedArticle(
        url=url,
        canonical_url=canonical_url(page, url),
        title=title,
        author=author,
        published=published,
        published_source=published_source,
        modified=find_modified(page),
        description=find_description(page),
        text=_without_headline(text.strip(), title),
        html_lang=page.html_lang,
        encoding=encoding,
        is_article=is_article,
    )
    return _restored(article) if protected else article


def _parsed_again(html: str, utf8: bytes | None) -> HtmlElement:
    """The tree ``_extract`` built (parse_html is deterministic), for a second use."""
    tree = parse_html(html, utf8)
    assert tree is not None  # it parsed the first time
    _unwrap_layout_tables(tree)
    return tree


def _same_utf8(body: bytes, html: str, encoding: str, protected: bool) -> bytes | None:
    """``body`` when it is exactly ``html`` encoded as UTF-8, so it need not be encoded again:
    a UTF-8 body without a BOM, decoded without a replacement character, left unprotected."""
    if encoding == "utf-8" and not protected and not body.startswith(BOM_UTF8):
        if "\ufffd" not in html:
            return body
    return None


# Below this many characters of main text, trafilatura's full cascade (its own extractor
# compared with readability and justext) is run as well: that is where the comparison can
# change the result. Above it, the fast path alone gives the same text at ~2/3 of the cost.
FULL_CASCADE_BELOW = 1500


def _main_text(
    tree: HtmlElement, url: str, fresh: Callable[[], HtmlElement] | None = None
) -> str | None:
    """trafilatura's main text of the page: the fast path, and the full cascade only when the
    fast result is short or looks structurally deficient (no paragraphs, tables dominate).

    Without ``fresh``, ``tree`` stays usable afterwards (bare_extraction and fast_main_text
    work on copies). With it, ``tree`` may be used up, and ``fresh()`` parses the page again
    when trafilatura needs the whole tree once more (a short page): one copy fewer a page."""
    if not FAST_PATH:
        fresh = None  # bare_extraction alone, on copies
    document: Any = fast_main_text(tree, url, fresh)
    if fresh is not None:
        tree = fresh() if document is None else None  # used up
    if document is None:
        document = bare_extraction(
            tree, url=url, include_comments=False, with_metadata=False, fast=True
        )
    if document is not None and not _needs_full_cascade(document):
        return getattr(document, "text", None)
    if tree is None and fresh is not None:
        tree = fresh()
    document = bare_extraction(tree, url=url, include_comments=False, with_metadata=False)
    return getattr(document, "text", None) if document is not None else None


def _needs_full_cascade(document: Any) -> bool:
    text = document.text or ""
    body = document.body
    if len(text) < FULL_CASCADE_BELOW or body is None:
        return True
    paragraphs = len(body.findall(".//p"))
    return paragraphs == 0 or len(body.findall(".//table")) > paragraphs


def _without_headline(text: str, title: str | None) -> str:
    """The body text without a first line that repeats the headline.

    trafilatura keeps the page's <h1> as the first line of the main text; the headline is
    stored as the title, and the text should be the body alone.
    """
    if not title:
        return text
    first, _, rest = text.partition("\n")
    if " ".join(first.split()) == " ".join(title.split()) and rest.strip():
        return rest.lstrip("\n")
    return text


def _title_element(tree: HtmlElement, site_name: str | None) -> str | None:
    """The <title> without its site name, when one is known and found there.

    trafilatura splits a "Site | Headline" <title> and may keep the site name as the title.
    """
    elem = tree.find(".//title")
    raw = " ".join(elem.text_content().split()) if elem is not None else ""
    stripped = strip_site_name(raw, site_name)
    return stripped if raw and stripped != raw else None


_LAYOUT_TAGS = {
    "table": "div",
    "tbody": "div",
    "thead": "div",
    "tfoot": "div",
    "tr": "div",
    "td": "div",
    "th": "div",
}
_BLOCK_TAGS = ("p", "h1", "h2", "h3", "article", "table")


def _unwrap_layout_tables(tree: HtmlElement) -> None:
    """Turn tables used for page layout into divs.

    Older Arabic and Persian sites lay pages out with tables; trafilatura renders a table cell
    as one line, which would glue an article's paragraphs together.
    """
    layout = [
        table
        for table in tree.iter("table")
        if any(
            cell.find(f".//{tag}") is not None
            for cell in table.iter("td", "th")
            for tag in _BLOCK_TAGS
        )
    ]
    for table in layout:
        for elem in table.iter(*_LAYOUT_TAGS):
            elem.tag = _LAYOUT_TAGS[elem.tag]
            for attr in (
                "width",
                "valign",
                "align",
                "colspan",
                "rowspan",
                "cellpadding",
                "cellspacing",
                "border",
            ):
                elem.attrib.pop(attr, None)


def _restored(article: ExtractedArticle) -> ExtractedArticle:
    for item in fields(article):
        value = getattr(article, item.name)
        if isinstance(value, str):
            setattr(article, item.name, restore(value))
    return article


__all__ = ["ExtractedArticle", "extract_article"]
