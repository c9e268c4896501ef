"""``extract_article``: one HTML response in, one :class:`ExtractedArticle` out.

The page is decoded and parsed once; the page's own metadata is read from that tree, and the
same tree is handed to trafilatura for the main text. trafilatura's metadata (title, author,
and above all its date guess, which can come from body text) is only a fallback.
"""

from __future__ import annotations

import logging
from codecs import BOM_UTF8
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import partial
from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import extract_author, extract_title
from trafilatura.settings import set_date_params

from . import _cascade
from ._boilerplate import split_boilerplate, strip_boilerplate
from ._dates import normalise_date
from ._encoding import decode_html, is_html
from ._fields import (
    find_authors,
    find_keywords,
    find_lead_image,
    find_section,
    find_tags,
    split_names,
)
from ._figures import find_figures, with_figures
from ._joiners import protect, restore
from ._metadata import (
    canonical_url,
    find_description,
    find_modified,
    find_published,
    find_title,
    is_teaser_list,
    read_page_metadata,
    strip_site_name,
)
from ._parse import parse_html
from ._repeats import strip_repeated

logger = logging.getLogger(__name__)

MIN_ARTICLE_CHARS = 300


@dataclass
class ExtractedArticle:
    """One page's article. ``author`` is ``authors`` joined with ", ". ``sources`` says where
    each metadata field came from (``json-ld``, ``meta:<name>``, ``link:canonical``,
    ``rel-author``, ``title-element``, ``byline``, ``trafilatura``...); ``extractor`` which
    step of :mod:`._cascade` gave the text; ``markdown`` the same text with its headings,
    lists, quotes, tables and image captions (:mod:`._figures`); ``boilerplate`` the lines
    removed from the text as boilerplate, by rule (:mod:`._boilerplate`) or because they
    repeat across the outlet's articles (:mod:`._repeats`)."""

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
    authors: list[str] = field(default_factory=list)
    lead_image: str | None = None
    section: str | None = None
    keywords: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    extractor: str = ""
    markdown: str = ""
    boilerplate: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        # dataclasses.asdict without its recursive deep copy: every field is a str, a bool,
        # None, a list of str or (sources) a dict of str, each copied as asdict would.
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        for name, value in data.items():
            if isinstance(value, (list, dict)):
                data[name] = value.copy()
        return data


#: Called with the page's tree as parsed, before extraction changes it, and the function
#: that turns a string read from it back into the page's own (see ``_joiners.protect``).
TreeReader = Callable[[HtmlElement, Callable[[str], str]], None]


def _as_is(text: str) -> str:
    return text


def extract_article(
    body: bytes,
    url: str,
    content_type: str | None = None,
    repeated: frozenset[str] = frozenset(),
    on_tree: TreeReader | None = None,
) -> ExtractedArticle | None:
    """Extract an article from an HTML body; ``None`` for non-HTML or pages without main text.
    ``repeated``: the keys of the lines the outlet repeats on its articles
    (:class:`._repeats.RepeatedLines`), removed from the text and the Markdown. ``on_tree``
    reads the parsed page first (its requisites, say: one parse for both); it is not called
    when the page is not HTML or does not parse.

    Never raises on bad input: a failure is logged with the URL and gives ``None``.
    """
    if not body or not is_html(content_type, body[:1024]):
        return None
    try:
        return _extract(body, url, content_type, repeated, on_tree)
    except Exception:  # noqa: BLE001 -- one bad page must never stop a crawl
        logger.warning("extraction failed for %s", url, exc_info=True)
        return None


def _extract(
    body: bytes, url: str, content_type: str | None, repeated: frozenset[str],
    on_tree: TreeReader | None = None,
) -> ExtractedArticle | None:
    html, encoding = decode_html(body, content_type, url)
    html, protected = protect(html)
    utf8 = _same_utf8(body, html, encoding, protected)
    tree = parse_html(html, utf8)
    if tree is None:
        logger.warning("unparseable HTML at %s", url)
        return None
    if on_tree is not None:
        on_tree(tree, restore if protected else _as_is)

    page = read_page_metadata(tree)
    sources: dict[str, str | None] = {}
    published, published_source = find_published(page, tree)
    title, sources["title"] = find_title(page)
    authors, sources["authors"] = find_authors(page, tree)
    found = {
        "canonical_url": canonical_url(page, url),
        "modified": find_modified(page),
        "description": find_description(page),
        "lead_image": find_lead_image(page, url),
        "section": find_section(page),
    }
    keywords, sources["keywords"] = find_keywords(page)
    tags, sources["tags"] = find_tags(page, tree)
    values = {name: value for name, (value, _) in found.items()}
    sources.update({name: source for name, (_, source) in found.items() if source})

    _unwrap_layout_tables(tree)
    figures = find_figures(tree, url)
    # A section front's <time>s date its teasers: it has no date of its own to guess.
    undated = published is None and is_teaser_list(tree)
    # Below, the tree is read again only for an author, title or date the page's metadata
    # lacks; when none is missing, trafilatura may use this tree up (see _cascade).
    keep = not authors or title is None or (published is None and not page.is_listing)
    main = _cascade.main_text(tree, url, None if keep else partial(_parsed_again, html, utf8))
    if main is None or not main.text.strip():
        logger.debug("no main text at %s", url)
        return None
    text = main.text

    if not authors:
        authors = split_names(extract_author(tree) or "")
        sources["authors"] = "trafilatura" if authors else None
    node = page.article_node
    site_name = page.meta.get("og:site_name")
    if site_name is None and node is not None and isinstance(node.get("publisher"), dict):
        site_name = node["publisher"].get("name")
    if title is None:
        title = _title_element(tree, site_name)
        sources["title"] = "title-element"
        if title is None:
            title = extract_title(tree)
            sources["title"] = "trafilatura" if title else None
    is_article = not page.is_listing and (
        node is not None
        or page.meta.get("og:type", "").lower() == "article"
        or len(text) >= MIN_ARTICLE_CHARS
    )
    if published is None and is_article and not undated:
        # Last resort, with trafilatura's own settings: htmldate may read a date from body
        # text or from links. Listings have no date of their own, so they are not asked.
        published = normalise_date(_guess_date(tree, url))
        published_source = "trafilatura" if published else None
    if published_source:
        sources["published"] = published_source
    title = strip_site_name(title, site_name)
    text, dropped = split_boilerplate(text.strip(), site_name)
    text, repeats = strip_repeated(text, repeated)
    markdown = strip_boilerplate(with_figures(main.markdown.strip(), figures), site_name)
    markdown = strip_repeated(markdown, repeated)[0]
    article = ExtractedArticle(
        url=url,
        canonical_url=values["canonical_url"],
        title=title,
        author=", ".join(authors) or None,
        published=published,
        published_source=published_source,
        modified=values["modified"],
        description=values["description"],
        text=_without_headline(text, title),
        html_lang=page.html_lang,
        encoding=encoding,
        is_article=is_article,
        authors=authors,
        lead_image=values["lead_image"],
        section=values["section"],
        keywords=keywords,
        tags=tags,
        sources={name: source for name, source in sources.items() if source},
        extractor=main.extractor,
        markdown=_without_headline(markdown, title, markdown=True),
        boilerplate=dropped + repeats,
    )
    return _restored(article) if protected else article


def _guess_date(tree: HtmlElement, url: str) -> str | None:
    """htmldate's guess with trafilatura's settings. A guess of January 1st is htmldate
    filling a bare year ("© 2026" in a footer) unless the page's markup alone gives it too."""
    guess = find_date(tree, url=url, **set_date_params(True))
    if guess and guess.endswith("-01-01"):
        guess = find_date(tree, url=url, **set_date_params(False))
    return guess


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


def _without_headline(text: str, title: str | None, markdown: bool = False) -> str:
    """The body text without a first line that repeats the headline.

    trafilatura keeps the page's <h1> as the first line of the main text (a "# " heading in
    Markdown); the headline is stored as the title, and the text should be the body alone.
    """
    if not title:
        return text
    first, _, rest = text.partition("\n")
    if markdown:
        first = first.lstrip("#")
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
        elif isinstance(value, list):
            setattr(article, item.name, [restore(v) for v in value])
    return article


__all__ = ["ExtractedArticle", "extract_article"]
