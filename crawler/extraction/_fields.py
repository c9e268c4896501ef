"""The metadata fields news readers expect beyond title and date: every author, the lead image,
the section, keywords and tags; each with where it came from.

Each ``find_*`` takes what :func:`._metadata.read_page_metadata` read (and the tree, for the
links a page marks ``rel=author`` or ``rel=tag``) and returns the value with its source: the
page's JSON-LD first (what the outlet declares for its article), then its ``<meta>`` tags,
then its links. A source is ``json-ld``, ``meta:<name>``, ``link:<rel>`` or ``rel-<rel>``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement

from ._metadata import PageMetadata, json_ld_text

# "Sara Karimi, John Miller and Leila Ahmadi" is three people; a comma inside one name is
# rare enough in news bylines. The Arabic comma too; never the Arabic "و" (it is a prefix).
_NAME_SEPARATORS = re.compile(r"\s*(?:[,;،|/]|\band\b|&)\s*", re.IGNORECASE)
_BY_PREFIX = re.compile(r"^(?:by|von|par|por|بقلم|نوشته|نویسنده)\s*[:：]?\s+", re.IGNORECASE)
_AUTHOR_META = ("article:author", "author", "dc.creator", "byl", "parsely-author",
                "sailthru.author")
_SECTION_META = ("article:section", "og:article:section", "section", "parsely-section",
                 "category")
_KEYWORD_META = ("keywords", "news_keywords")
_TAG_META = ("article:tag", "og:article:tag", "parsely-tags")
# tree.iter("a") filtered in libxml2: a page's hundreds of links without a rel attribute are
# passed over without a Python object made for each.
_LINKS_WITH_REL = etree.XPath("descendant-or-self::a[@rel]")
_IMAGE_META = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image",
               "twitter:image:src")
# Past this many, a "keywords" list is SEO filler rather than the article's subjects.
MAX_TERMS = 30

Found = tuple[Any, str | None]


def split_names(value: str) -> list[str]:
    """``"By Sara Karimi and John Miller"`` -> ``["Sara Karimi", "John Miller"]``."""
    value = value.strip()
    if value.startswith(("http://", "https://")):  # a profile link, not a name
        return []
    names = []
    for part in _NAME_SEPARATORS.split(_BY_PREFIX.sub("", value)):
        name = " ".join(part.split()).strip(" .:-")
        if name and not name.startswith(("http://", "https://", "@")) and len(name) <= 80:
            names.append(name)
    return list(dict.fromkeys(names))


def find_authors(page: PageMetadata, tree: HtmlElement) -> tuple[list[str], str | None]:
    """Every author of the article, in the page's order."""
    node = page.article_node
    if node is not None:
        people = node.get("author") or node.get("creator")
        names: list[str] = []
        for person in people if isinstance(people, list) else [people]:
            text = json_ld_text(person)
            if text:
                names.extend(split_names(text))
        if names:
            return list(dict.fromkeys(names)), "json-ld"
    for key in _AUTHOR_META:
        values = [n for value in page.meta_all.get(key, ()) for n in split_names(value)]
        if values:
            return list(dict.fromkeys(values)), f"meta:{key}"
    linked = [" ".join(a.text_content().split()) for a in tree.iter("a")
              if "author" in (a.get("rel") or "").lower().split()]
    names = list(dict.fromkeys(n for n in linked if n and len(n) <= 80))
    if names:
        return names, "rel-author"
    return [], None


def find_lead_image(page: PageMetadata, url: str) -> Found:
    """The article's lead image as an absolute http(s) URL."""
    node = page.article_node
    if node is not None:
        image = node.get("image") or node.get("thumbnailUrl")
        if isinstance(image, list):
            image = image[0] if image else None
        if isinstance(image, dict):
            image = image.get("url") or image.get("contentUrl")
        found = _absolute(image, url)
        if found:
            return found, "json-ld"
    for key in _IMAGE_META:
        found = _absolute(page.meta.get(key), url)
        if found:
            return found, f"meta:{key}"
    found = _absolute(page.image_src, url)
    return (found, "link:image_src") if found else (None, None)


def _absolute(value: Any, base: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    absolute = urljoin(base, value.strip())
    return absolute if absolute.startswith(("http://", "https://")) else None


def find_section(page: PageMetadata) -> Found:
    node = page.article_node
    if node is not None:
        section = json_ld_text(node.get("articleSection"))
        if section:
            return section, "json-ld"
    for key in _SECTION_META:
        value = page.meta.get(key)
        if value and value.strip():
            return " ".join(value.split()), f"meta:{key}"
    return None, None


def _terms(values: Any) -> list[str]:
    """Keywords given as a list, as one comma-separated string, or both."""
    items = values if isinstance(values, list) else [values]
    terms: list[str] = []
    for item in items:
        text = json_ld_text(item) if not isinstance(item, str) else item
        if text:
            terms.extend(" ".join(t.split()) for t in re.split(r"[,،;]", text) if t.strip())
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def find_keywords(page: PageMetadata) -> tuple[list[str], str | None]:
    """The subjects the outlet gives the article (JSON-LD ``keywords``, ``<meta keywords>``)."""
    node = page.article_node
    if node is not None:
        terms = _terms(node.get("keywords"))
        if terms:
            return terms, "json-ld"
    for key in _KEYWORD_META:
        terms = _terms(page.meta_all.get(key, []))
        if terms:
            return terms, f"meta:{key}"
    return [], None


def find_tags(page: PageMetadata, tree: HtmlElement) -> tuple[list[str], str | None]:
    """The tags the article is filed under (``article:tag``, links marked ``rel=tag``)."""
    for key in _TAG_META:
        terms = _terms(page.meta_all.get(key, []))
        if terms:
            return terms, f"meta:{key}"
    linked = [" ".join(a.text_content().split()) for a in _LINKS_WITH_REL(tree)
              if "tag" in (a.get("rel") or "").lower().split()]
    terms = list(dict.fromkeys(t for t in linked if t and len(t) <= 80))[:MAX_TERMS]
    return (terms, "rel-tag") if terms else ([], None)
