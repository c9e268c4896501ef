"""trafilatura's fast extraction, the same result for less CPU.

``fast_main_text(tree, url)`` gives what ``bare_extraction(tree, url=url, fast=True,
include_comments=False, with_metadata=False)`` gives (its text and body), doing the same steps
(``core.trafilatura_sequence`` for these options) minus work that cannot change the result:

* the raw-tree prunes (``RAW_TREE_PRUNE_XPATH``, ``REMOVE_COMMENTS_AND_LISTS_XPATH``) select
  elements by id and class with EXSLT regex predicates, which libxml2 evaluates node by node
  over the whole page; here the same predicates are read in Python on the few elements with
  a candidate tag, and the same elements are deleted in the same (document) order;
* of trafilatura's three copies of the tree (its input, before cleaning, a backup for the
  external extractors of the full cascade) one is made, or none when the caller gives the
  tree up: nothing reads the others here;
* the ``Extractor`` (which reads trafilatura's config file settings) is built once and copied;
* ``extract_content`` is :mod:`._sections`' copy of it, which reads the article frame's first
  expression and the section prunes in Python, as above for the raw prunes;
* the recall escalation's page text (``html2txt``) is measured on the pruned tree itself, its
  clean-up expression read in Python.

Whatever the fast path does not cover goes back to ``bare_extraction``: a page short enough
for trafilatura's baseline rescue, or for its recall escalation (the test that decides it is
made here as trafilatura makes it), or a tree too large. The fast path is used only with the
trafilatura release it was checked against, and only while that release's prune expressions
read exactly as below; otherwise ``fast_main_text`` returns None and the caller runs
``bare_extraction``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml.etree import Element
from lxml.html import HtmlElement
from trafilatura import core
from trafilatura.baseline import _spaced_text, html2txt
from trafilatura.htmlprocessing import convert_tags, tree_cleaning
from trafilatura.main_extractor import extract_content
from trafilatura.settings import _COOKIE_CONSENT_RE, BASIC_CLEAN_XPATH, DEFAULT_CONFIG, Extractor
from trafilatura.xml import delete_element, xmltotxt
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

from . import _sections

VERIFIED_VERSION = "2.3.1"

# The expressions the matchers below stand for, whitespace normalised.
_RAW_PATHS = (
    ".//*[self::div or self::section or self::aside][ "
    "re:test(@id, 'mvp-post-add-(?:box|wrap)|infinite-?scroll') or "
    "re:test(@class, 'mvp-post-add-(?:box|wrap)|infinite-?scroll')][ "
    "not(.//h1) or re:test(@id, 'mvp-post-add-(?:box|wrap)') or "
    "re:test(@class, 'mvp-post-add-(?:box|wrap)')]",
    ".//*[self::div or self::section or self::aside][contains(@class, 'elementor-share-buttons')]",
)
_COMMENTS_PATHS = (
    ".//*[self::div or self::list or self::section or self::details or self::ol or self::ul][ "
    "re:test(@id, '^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)') or "
    "re:test(@class, '^[Cc]omment(?!ary)|(?:article|post)-comments')][ "
    "not(self::ol or self::ul) or re:test(@id, '^(?:[Cc]omment(?!ary)|comol)') or "
    "re:test(@class, '^[Cc]omment(?!ary)|(?:article|post)-comments')]",
)


def _paths(expressions: list[Any]) -> tuple[str, ...]:
    return tuple(" ".join(expression.path.split()) for expression in expressions)


ENABLED = (
    trafilatura.__version__ == VERIFIED_VERSION
    and _paths(RAW_TREE_PRUNE_XPATH) == _RAW_PATHS
    and _paths(REMOVE_COMMENTS_AND_LISTS_XPATH) == _COMMENTS_PATHS
)
# The recall escalation's page text (html2txt): BASIC_CLEAN_XPATH, read in Python below.
_CONSENT = re.compile(_COOKIE_CONSENT_RE, re.IGNORECASE)  # re:test(..., 'i')
_BASIC_CLEAN_TAGS = frozenset(("aside", "fencedframe", "footer", "script", "style", "svg",
                               "template"))
_BASIC_CLEAN_PATH = (
    ".//aside|.//div[contains(@class|@id, 'footer')]|.//fencedframe|.//footer|.//script|"
    f".//style|.//svg|.//template|.//*[re:test(@class, '{_COOKIE_CONSENT_RE}', 'i') or "
    f"re:test(@id, '{_COOKIE_CONSENT_RE}', 'i')]"
)
_BASIC_CLEAN_READ = ENABLED and BASIC_CLEAN_XPATH.path == _BASIC_CLEAN_PATH
# trafilatura's extract_content, its section prunes read in Python where they are as read.
_EXTRACT_CONTENT = _sections.extract_content if _sections.ENABLED else extract_content

# EXSLT re:test is re.search on the attribute's value, "" for a missing attribute.
_INFINITE = re.compile(r"mvp-post-add-(?:box|wrap)|infinite-?scroll")
_MVP = re.compile(r"mvp-post-add-(?:box|wrap)")
_COMMENTS_ID = re.compile(r"^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)")
_COMMENTS_ID_LIST = re.compile(r"^(?:[Cc]omment(?!ary)|comol)")
_COMMENTS_CLASS = re.compile(r"^[Cc]omment(?!ary)|(?:article|post)-comments")
_SECTION_TAGS = ("div", "section", "aside")
_COMMENT_TAGS = ("div", "list", "section", "details", "ol", "ul")
_CANDIDATE_TAGS = ("div", "section", "aside", "list", "details", "ol", "ul")
# An element below the context node, with its id and class ("" when missing).
Candidate = tuple[HtmlElement, str, str]


def _infinite_scroll(elem: HtmlElement, ident: str, cls: str) -> bool:
    if not (_INFINITE.search(ident) or _INFINITE.search(cls)):
        return False
    return elem.find(".//h1") is None or bool(_MVP.search(ident) or _MVP.search(cls))


def _share_buttons(elem: HtmlElement, ident: str, cls: str) -> bool:
    return "elementor-share-buttons" in cls


def _comments(elem: HtmlElement, ident: str, cls: str) -> bool:
    if not (_COMMENTS_ID.search(ident) or _COMMENTS_CLASS.search(cls)):
        return False
    return (
        elem.tag not in ("ol", "ul")
        or bool(_COMMENTS_ID_LIST.search(ident))
        or bool(_COMMENTS_CLASS.search(cls))
    )


def _candidates(tree: HtmlElement) -> list[Candidate]:
    """The elements any of the expressions can select, in document order."""
    return [
        (elem, elem.get("id") or "", elem.get("class") or "")
        for elem in tree.iterdescendants(*_CANDIDATE_TAGS)
    ]


def _prune(
    tree: HtmlElement,
    candidates: list[Candidate],
    tags: tuple[str, ...],
    test: Callable[[HtmlElement, str, str], bool],
) -> list[Candidate]:
    """``prune_unwanted_nodes(tree, [expression])``: the expression's matches are listed (in
    document order) before any is deleted. Returns the candidates left in the tree."""
    matches = [
        elem for elem, ident, cls in candidates if elem.tag in tags and test(elem, ident, cls)
    ]
    for elem in matches:
        delete_element(elem)
    return _candidates(tree) if matches else candidates


_TEMPLATE: list[Extractor] = []


def _options(url: str) -> Extractor:
    """The ``Extractor`` bare_extraction builds for these options (reading the config each
    time): a copy of one built once, with the URL set the way ``Extractor.__init__`` sets it.
    Its date parameters are never read on this path (no metadata)."""
    if not _TEMPLATE:
        _TEMPLATE.append(
            Extractor(
                config=DEFAULT_CONFIG,
                output_format="python",
                fast=True,
                comments=False,
                with_metadata=False,
            )
        )
    options = copy(_TEMPLATE[0])
    options.url = url
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")
    return options


@dataclass
class FastResult:
    text: str
    body: Any


def _basic_clean(body: HtmlElement) -> list[HtmlElement]:
    """``BASIC_CLEAN_XPATH(body)``: its union in document order. ``contains(@class|@id,
    ...)`` reads the first of the two attributes in the element's order; ``re:test`` with
    the ``i`` flag is ``re.search`` ignoring case, "" for a missing attribute."""
    found = []
    for elem in body.iterdescendants(Element):
        tag = elem.tag
        if tag in _BASIC_CLEAN_TAGS:
            found.append(elem)
            continue
        attrib = elem.attrib
        if not attrib:
            continue
        cls = attrib.get("class", "")
        ident = attrib.get("id", "")
        if _CONSENT.search(cls) or _CONSENT.search(ident):
            found.append(elem)
        elif tag == "div" and "footer" in next(
            (str(value) for key, value in attrib.items() if key in ("class", "id")), ""
        ):
            found.append(elem)
    return found


def _page_text_length(pruned: HtmlElement) -> int:
    """``len(html2txt(pruned))``, the tree given up (html2txt works on a copy of it)."""
    if not _BASIC_CLEAN_READ:
        return len(html2txt(pruned))
    body = pruned.find(".//body")
    if body is None:
        body = pruned  # html2txt's answer for an element without a body
    for elem in _basic_clean(body):
        delete_element(elem)
    return len(_spaced_text(body))


def _raw_prunes(tree: HtmlElement) -> bool:
    """trafilatura_sequence's prunes of the raw tree (comments off); whether it is a forum."""
    is_forum = core._forum_thread_page(tree)
    candidates = _candidates(tree)
    # RAW_TREE_PRUNE_XPATH
    candidates = _prune(tree, candidates, _SECTION_TAGS, _infinite_scroll)
    candidates = _prune(tree, candidates, _SECTION_TAGS, _share_buttons)
    if not is_forum:  # REMOVE_COMMENTS_AND_LISTS_XPATH
        _prune(tree, candidates, _COMMENT_TAGS, _comments)
    return is_forum


def fast_main_text(
    tree: HtmlElement, url: str, fresh: Callable[[], HtmlElement] | None = None
) -> FastResult | None:
    """The text and body ``bare_extraction`` (fast, no comments, no metadata) gives, or None
    where the caller must run ``bare_extraction`` itself.

    Without ``fresh``, ``tree`` is left as it was (the work is done on a copy). With it, the
    caller gives ``tree`` up: it is cleaned in place, and ``fresh()`` builds the same tree
    again if one is needed."""
    if not ENABLED:
        return None
    options = _options(url)
    # trafilatura_sequence, for fast=True, comments=False, focus="balanced".
    work = copy(tree) if fresh is None else tree  # bare_extraction's copy
    _raw_prunes(work)
    # _prepare_tree: `work` is not read again, so it is cleaned in place (no copy) and its
    # backup (read only by the full cascade and comment capture) is not made.
    # trafilatura_sequence gets `options.url or document.url`: a new Document has no URL.
    cleaned = convert_tags(tree_cleaning(work, options), options, options.url or None)
    postbody, temp_text = _EXTRACT_CONTENT(cleaned, options)
    size = len(temp_text)
    if (
        size < options.min_extracted_size  # baseline rescue
        or size < options.min_output_size
        or (options.max_tree_size and len(postbody) > options.max_tree_size)
    ):
        return None
    if size < core.ESCALATION_MAX_LENGTH:
        # Recall escalation when the text is under a share of the pruned raw page's text.
        pruned = copy(tree) if fresh is None else fresh()
        _raw_prunes(pruned)
        if size < core.ESCALATION_PAGE_SHARE * _page_text_length(pruned):
            return None
    return FastResult(xmltotxt(postbody, options.formatting), postbody)
