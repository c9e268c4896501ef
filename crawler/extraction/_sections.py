"""trafilatura's ``extract_content``, with its section prunes read in Python.

``main_extractor._extract`` finds the article's frame with ``BODY_XPATH`` and prunes it
(``prune_unwanted_sections``) with ``OVERALL_DISCARD_XPATH``, ``TEASER_DISCARD_XPATH`` and
``DISCARD_IMAGE_ELEMENTS``. Their ``re:test`` predicates are EXSLT functions, which lxml runs
as a Python call per element and attribute (~0.3 ms a bench page for the prunes of a frame of
~30 elements). Here the first ``BODY_XPATH`` expression and the prunes' expressions are read in
one Python walk each, with the same regular expressions (EXSLT's ``re:test`` is ``re.search``
on the attribute's value, "" for a missing attribute; ``re:test(@id|@class, ...)`` and
``starts-with(@id|@class, ...)`` read the first of the two attributes in the element's own
order), and the elements are found and deleted in the same order. Everything else is
trafilatura's code, as in the release below.

Used only on :mod:`._fast`'s path (the trafilatura release it was checked against) and only
while that release's expressions read exactly as :data:`_EXPRESSIONS` composes them;
otherwise :data:`ENABLED` is False and ``_fast`` runs trafilatura's own ``extract_content``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from copy import deepcopy
from typing import Any

from lxml.etree import Element, XPath, _Element, strip_elements, strip_tags
from trafilatura.htmlprocessing import (
    delete_by_link_density,
    link_density_test_tables,
    process_node,
)
from trafilatura.main_extractor import (
    INLINE_FORMATTABLE,
    MIN_DUPLICATE_LENGTH,
    NOT_AT_THE_END,
    REBUILT_BLOCKS,
    SPACING_PROTECTED,
    TAG_CATALOG,
    _elem_text,
    handle_textelem,
    recover_wild_text,
    text_chars_test,
)
from trafilatura.xml import delete_element
from trafilatura.xpaths import (
    BODY_XPATH,
    DISCARD_IMAGE_ELEMENTS,
    OVERALL_DISCARD_XPATH,
    PRECISION_DISCARD_XPATH,
    TEASER_DISCARD_XPATH,
)

# The regular expressions of the expressions below, as trafilatura 2.3.1 writes them.
_BODY_ID = (
    "(?:entry|article|art)-content|article__content|article(?:-|__)?body|articleBody|body-text"
)
_BODY_CLASS = (
    "post[-_]text|post-body|post-?entry|post[-_]?content|postContent|post_inner_wrapper|"
    "article-?text|articleText|(?:entry|page|text|article|art)-content|article__content|"
    "article(?:-|__)?body|articleBody|ArticleContent|body-text|article__container"
)
_COOKIE = "cookie"
_BOTH = "^shar|social|viral|newsletter|syndication|tags|sidebar|banner|bread-?crumb|button|author"
_DISCARD_ID = (
    _BOTH + "|^(?:jp-|dpsp-content)|bmdh|footer|Footer|share|Share|nav|Nav|menu|related|"
    "message-container|premium|^ad-"
)
_DISCARD_CLASS = (
    _BOTH + "|^(?:nav|post-nav|ZendeskForm)|subnav|avigation|navbar|navbox|menu|bar| ad |-ad-|"
    "(?:^| )ad-|dfp[Aa]d|outbrain|taboola|criteo|paid-?content|widget|footer|Footer|byline|"
    "Byline|share-|sociable|embedded|embed|tag-list|consent|modal-content|permission|elated|"
    "next-|-stories|most-popular|more-on|meta|rating|attachment|timestamp|user-info|"
    "user-profile|-icon|article-infos|message-container|slide|viewport|overlay|options|expand|"
    "obfuscated|blurred|mol-factbox|yin|zlylin|nfoline"
)
_HIDDEN = "hidden"
_HIDDEN_ID = "reader-comments|akismet"
_HIDDEN_CLASS = (
    "^hide-|comments-title|nocomments|-reply-|message|akismet|suggest-links|-hide-|hide-print|"
    " hidden| hide|noprint|notloaded"
)
_BLOCKS = "self::div or self::item or self::list or self::p or self::section or self::span"

# What each expression must read (whitespace normalised) for the walks below to stand for it.
_EXPRESSIONS = {
    "body": (
        ".//*[self::article or self::div or self::main or self::section][ @class='post' or "
        "@class='entry' or @itemprop='articleBody' or @id='articleContent' or "
        f"re:test(@id, '{_BODY_ID}') or re:test(@class, '{_BODY_CLASS}') ][1]"
    ),
    "overall": (
        f".//*[{_BLOCKS}][ @data-lp-replacement-content or "
        "contains(translate(@role, 'N', 'n'), 'nav') or "
        "contains(@data-component, 'MostPopularStories') or "
        f"re:test(@id|@class, '{_COOKIE}') or re:test(@id, '{_DISCARD_ID}') or "
        f"re:test(@class, '{_DISCARD_CLASS}')]",
        ".//*[@class='comments-title' or starts-with(@id|@class, 'reply-') or "
        f"re:test(@id|@style, '{_HIDDEN}') or contains(@style, 'display:none') or "
        f"contains(@style, 'display: none') or re:test(@id, '{_HIDDEN_ID}') or "
        f"re:test(@class, '{_HIDDEN_CLASS}') or @aria-hidden='true']",
    ),
    "teaser": (
        f".//*[{_BLOCKS}][ contains(translate(@id, 'T', 't'), 'teaser') or "
        "contains(translate(@class, 'T', 't'), 'teaser')]",
    ),
    "caption": (
        f".//*[{_BLOCKS}][ contains(@id, 'caption') or contains(@class, 'caption')]",
    ),
}


def _paths(expressions: list[Any]) -> tuple[str, ...]:
    return tuple(" ".join(expression.path.split()) for expression in expressions)


ENABLED = {
    "body": _paths(BODY_XPATH[:1])[0],
    "overall": _paths(OVERALL_DISCARD_XPATH),
    "teaser": _paths(TEASER_DISCARD_XPATH),
    "caption": _paths(DISCARD_IMAGE_ELEMENTS),
} == _EXPRESSIONS

_BODY_ID_RE = re.compile(_BODY_ID)
_BODY_CLASS_RE = re.compile(_BODY_CLASS)
_COOKIE_RE = re.compile(_COOKIE)
_DISCARD_ID_RE = re.compile(_DISCARD_ID)
_DISCARD_CLASS_RE = re.compile(_DISCARD_CLASS)
_HIDDEN_RE = re.compile(_HIDDEN)
_HIDDEN_ID_RE = re.compile(_HIDDEN_ID)
_HIDDEN_CLASS_RE = re.compile(_HIDDEN_CLASS)
_BODY_TAGS = ("article", "div", "main", "section")
_BLOCK_TAGS = frozenset(("div", "item", "list", "p", "section", "span"))
_P_TEXT = XPath("//p//text()")


def _first_of(keys: list[str], attrib: Any, one: str, other: str) -> str:
    """The string value of ``@one|@other``: the first of them in the element's order."""
    for key in keys:
        if key == one or key == other:
            return str(attrib[key])
    return ""


def body_frame(tree: _Element) -> _Element | None:
    """The first element ``BODY_XPATH[0]`` selects (its ``[1]`` is per parent: the first
    match in document order is the first of its siblings)."""
    for elem in tree.iterdescendants(*_BODY_TAGS):
        attrib = elem.attrib
        if not attrib:
            continue
        ident = attrib.get("id", "")
        cls = attrib.get("class", "")
        if (
            cls in ("post", "entry")
            or attrib.get("itemprop") == "articleBody"
            or ident == "articleContent"
            or _BODY_ID_RE.search(ident)
            or _BODY_CLASS_RE.search(cls)
        ):
            return elem
    return None


def overall_discards(tree: _Element) -> list[_Element]:
    """``[e for expression in OVERALL_DISCARD_XPATH for e in expression(tree)]``."""
    first: list[_Element] = []
    second: list[_Element] = []
    for elem in tree.iterdescendants(Element):
        attrib = elem.attrib
        if not attrib:
            continue
        keys = attrib.keys()
        ident = attrib.get("id", "")
        cls = attrib.get("class", "")
        if elem.tag in _BLOCK_TAGS and (
            "data-lp-replacement-content" in attrib
            or "nav" in attrib.get("role", "").replace("N", "n")
            or "MostPopularStories" in attrib.get("data-component", "")
            or _COOKIE_RE.search(_first_of(keys, attrib, "id", "class"))
            or _DISCARD_ID_RE.search(ident)
            or _DISCARD_CLASS_RE.search(cls)
        ):
            first.append(elem)
        style = attrib.get("style", "")
        if (
            cls == "comments-title"
            or _first_of(keys, attrib, "id", "class").startswith("reply-")
            or _HIDDEN_RE.search(_first_of(keys, attrib, "id", "style"))
            or "display:none" in style
            or "display: none" in style
            or _HIDDEN_ID_RE.search(ident)
            or _HIDDEN_CLASS_RE.search(cls)
            or attrib.get("aria-hidden") == "true"
        ):
            second.append(elem)
    return first + second


def _blocks_where(tree: _Element, test: Callable[[str, str], bool]) -> list[_Element]:
    return [
        elem
        for elem in tree.iterdescendants(*_BLOCK_TAGS)
        if test(elem.get("id", ""), elem.get("class", ""))
    ]


def teaser_discards(tree: _Element) -> list[_Element]:
    """``TEASER_DISCARD_XPATH[0](tree)``."""
    return _blocks_where(
        tree, lambda i, c: "teaser" in i.replace("T", "t") or "teaser" in c.replace("T", "t")
    )


def caption_discards(tree: _Element) -> list[_Element]:
    """``DISCARD_IMAGE_ELEMENTS[0](tree)``."""
    return _blocks_where(tree, lambda i, c: "caption" in i or "caption" in c)


def _prune_guarded(tree: _Element, found: list[_Element]) -> None:
    """``prune_unwanted_nodes(tree, OVERALL_DISCARD_XPATH, with_backup=True)``; without a
    match nothing is deleted, so the text is not measured."""
    if not found:
        return
    matches = dict.fromkeys(found)
    # Those without a matched ancestor: ``not any(a in matches for a in iterancestors())``,
    # the walk up stopped at the first one by isdisjoint, in C.
    found_set = matches.keys()
    outer = [elem for elem in matches if found_set.isdisjoint(elem.iterancestors())]
    old_len = len(tree.text_content())  # type: ignore[attr-defined]
    if old_len - sum(len(elem.text_content()) for elem in outer) > old_len / 7:  # type: ignore[attr-defined]
        for elem in outer:
            delete_element(elem)


def prune_unwanted_sections(
    tree: _Element, potential_tags: set[str], options: Any, keep_teasers: bool = False
) -> _Element:
    """``main_extractor.prune_unwanted_sections``."""
    favor_precision = options.focus == "precision"
    _prune_guarded(tree, overall_discards(tree))
    if "graphic" not in potential_tags:
        for elem in caption_discards(tree):
            delete_element(elem)
    if options.focus != "recall":
        if not keep_teasers:
            for elem in teaser_discards(tree):
                delete_element(elem)
        if favor_precision:
            for expression in PRECISION_DISCARD_XPATH:
                for elem in expression(tree):
                    delete_element(elem)
    for _ in range(2):
        for tag, backtracking in (("div", True), ("list", False), ("p", False)):
            tree = delete_by_link_density(tree, tag, backtracking, favor_precision)
    if "table" in potential_tags or favor_precision:
        boilerplate_tables = [
            elem for elem in tree.iter("table") if link_density_test_tables(elem) is True
        ]
        for elem in boilerplate_tables:
            delete_element(elem, keep_tail=False)
    if favor_precision:
        while len(tree) > 0 and (tree[-1].tag == "head"):
            delete_element(tree[-1], keep_tail=False)
        tree = delete_by_link_density(tree, "head", backtracking=False, favor_precision=True)
        tree = delete_by_link_density(tree, "quote", backtracking=False, favor_precision=True)
    strip_tags(tree, "span", *(() if "ref" in potential_tags else ("ref",)))
    return tree


def _frames(tree: _Element) -> Any:
    """The frame each ``BODY_XPATH`` expression selects, in turn (None where none)."""
    yield body_frame(tree)
    for expr in BODY_XPATH[1:]:
        yield next((s for s in expr(tree) if s is not None), None)


def _extract(tree: _Element, options: Any) -> tuple[_Element, str, set[str]]:
    """``main_extractor._extract``."""
    potential_tags = set(TAG_CATALOG)
    if options.tables is True:
        potential_tags.update(["table", "td", "th", "tr"])
    if options.images is True:
        potential_tags.add("graphic")
    if options.links is True:
        potential_tags.add("ref")
    result_body = Element("body")
    for subtree in _frames(tree):
        if subtree is None:
            continue
        subtree = prune_unwanted_sections(subtree, potential_tags, options)
        if len(subtree) == 0:
            continue
        ptest = _P_TEXT(subtree)
        factor = 1 if options.focus == "precision" else 3
        if not ptest or len("".join(ptest)) < options.min_extracted_size * factor:  # type: ignore[arg-type]
            potential_tags.add("div")
        subelems = subtree.xpath(".//*")
        tags = {e.tag for e in subelems}  # type: ignore[union-attr]
        if tags == {"lb"} or (
            subtree.tag == "div" and "div" in potential_tags and tags <= INLINE_FORMATTABLE | {"lb"}
        ):
            subelems = [subtree]
        lead, start = None, len(result_body)
        if subelems != [subtree] and text_chars_test(subtree.text):
            lead = Element("p")
            lead.text = subtree.text
            lead = process_node(lead, options)
        for elem in subelems:  # type: ignore[union-attr]
            if elem.getroottree().getroot() is result_body:
                continue
            tag, tail = elem.tag, elem.tail
            processed_elem = handle_textelem(elem, potential_tags, options)
            if processed_elem is not None:
                result_body.append(processed_elem)
                if elem.getroottree().getroot() is not result_body:
                    elem.tag = "done"
            if (
                tag in REBUILT_BLOCKS
                and text_chars_test(tail)
                and (processed_elem is None or processed_elem.tail is None)
            ):
                tail_elem = Element("p")
                tail_elem.text = tail
                if process_node(tail_elem, options) is not None:
                    result_body.append(tail_elem)
        while len(result_body) > 0 and (result_body[-1].tag in NOT_AT_THE_END):
            delete_element(result_body[-1], keep_tail=False)
        if sum(e.tag != "graphic" for e in result_body) > 1:
            if lead is not None:
                result_body.insert(start, lead)
            break
    temp_text = " ".join(result_body.itertext()).strip()
    return result_body, temp_text, potential_tags


def extract_content(cleaned_tree: _Element, options: Any) -> tuple[_Element, str]:
    """``main_extractor.extract_content`` (its debug logging left out)."""
    backup_tree = deepcopy(cleaned_tree)
    order = list(cleaned_tree.iter())
    result_body, temp_text, potential_tags = _extract(cleaned_tree, options)
    if len(result_body) == 0 or len(temp_text) < options.min_extracted_size:
        consumed: set[_Element] = {
            twin
            for elem, twin in zip(order, backup_tree.iter(), strict=True)
            if elem.tag == "done"
        }
        result_body = recover_wild_text(backup_tree, result_body, options, potential_tags, consumed)
        temp_text = " ".join(result_body.itertext()).strip()
    previous = None
    for el in list(result_body):
        current = _elem_text(el)
        if current and current == previous and len(current) > MIN_DUPLICATE_LENGTH:
            delete_element(el, keep_tail=False)
        else:
            previous = current
    strip_elements(result_body, "done")
    strip_tags(result_body, "div")
    for linebreak in result_body.iter("lb"):
        if (
            linebreak.tail
            and not text_chars_test(linebreak.tail)
            and not any(anc.tag in SPACING_PROTECTED for anc in linebreak.iterancestors())
        ):
            linebreak.tail = None
    return result_body, temp_text
