"""_sections reads trafilatura's frame and prune expressions in Python, and _fast its
html2txt's clean-up (BASIC_CLEAN_XPATH): the same elements, in the same order, as the
expressions select (and fast_main_text, which uses both, still gives bare_extraction's text:
tests/extraction/test_fast.py)."""

from __future__ import annotations

from html import escape

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from trafilatura.baseline import html2txt
from trafilatura.settings import BASIC_CLEAN_XPATH
from trafilatura.xpaths import (
    BODY_XPATH,
    DISCARD_IMAGE_ELEMENTS,
    OVERALL_DISCARD_XPATH,
    TEASER_DISCARD_XPATH,
)

from crawler.extraction import _fast, _sections
from crawler.extraction._parse import parse_html
from tests.fuzz.strategies import FUZZ

from .conftest import FIXTURES

# Pieces of the expressions' regular expressions and strings, and near misses.
_TOKENS = [
    "shar", "share", "Share", "social", "cookie", "tags", "nav", "Nav", "NAV", "menu", "bar",
    " ad ", "-ad-", "ad-", "dfpAd", "widget", "footer", "byline", "embed", "meta", "slide",
    "jp-", "dpsp-content", "premium", "related", "elated", "next-", "-stories", "hidden",
    " hidden", "hide-", "-hide-", " hide", "reply-", "-reply-", "comments-title", "message",
    "akismet", "reader-comments", "noprint", "teaser", "Teaser", "TEASER", "caption",
    "display:none", "display: none", "MostPopularStories", "post", "entry", "articleBody",
    "articleContent", "article-body", "post-content", "body-text", "article__container",
    "true", "x", "main", "content", "cookie-banner", "Cookie_Consent", "notice--cookie",
    "ONETRUST", "consentmanager", "page-footer", "",
]
_VALUE = st.lists(st.sampled_from(_TOKENS), max_size=3).map(" ".join) | st.sampled_from(_TOKENS)
_NAMES = ["id", "class", "style", "role", "data-component", "data-lp-replacement-content",
          "aria-hidden", "itemprop"]
_TAGS = ["div", "p", "span", "section", "item", "list", "article", "main", "aside", "ul", "a",
         "footer", "script", "style", "svg", "template"]


@st.composite
def _elements(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    names = draw(st.lists(st.sampled_from(_NAMES), unique=True, max_size=4))  # in this order
    attrs = "".join(f' {name}="{escape(draw(_VALUE))}"' for name in names)
    children = draw(st.lists(_elements(depth + 1), max_size=3)) if depth < 3 else []
    return f"<{tag}{attrs}>t{''.join(children)}</{tag}>tail"


def _tree(parts: list[str]) -> etree._Element:
    tree = parse_html(f"<html><body><div>{''.join(parts)}</div></body></html>")
    assert tree is not None
    return tree


def _selected(expressions: list[etree.XPath], tree: etree._Element) -> list[etree._Element]:
    return [elem for expression in expressions for elem in expression(tree)]


def test_the_expressions_read_as_composed() -> None:
    assert _fast.ENABLED and _sections.ENABLED and _fast._BASIC_CLEAN_READ


@FUZZ
@given(st.lists(_elements(), min_size=1, max_size=4))
def test_the_walks_select_what_the_expressions_select(parts: list[str]) -> None:
    tree = _tree(parts)
    for context in (tree, tree[-1]):
        assert _sections.overall_discards(context) == _selected(OVERALL_DISCARD_XPATH, context)
        assert _sections.teaser_discards(context) == _selected(TEASER_DISCARD_XPATH, context)
        assert _sections.caption_discards(context) == _selected(DISCARD_IMAGE_ELEMENTS, context)
        frame = next((s for s in BODY_XPATH[0](context) if s is not None), None)
        assert _sections.body_frame(context) is frame
        assert _fast._basic_clean(context) == BASIC_CLEAN_XPATH(context)
    expected = len(html2txt(tree))
    assert _fast._page_text_length(tree) == expected


def test_id_or_class_is_the_first_of_the_two_in_the_element() -> None:
    # re:test(@id|@class, 'cookie') and starts-with(@id|@class, 'reply-') read one value.
    tree = _tree([
        '<div class="cookie" id="a">1</div>', '<div id="a" class="cookie">2</div>',
        '<p id="reply-1" class="b">3</p>', '<p class="b" id="reply-1">4</p>',
        '<span id="hidden" style="x">5</span>', '<span style="x" id="hidden">6</span>',
    ])
    texts = [elem.text for elem in _sections.overall_discards(tree)]
    assert texts == ["1", "3", "5"]
    assert texts == [elem.text for elem in _selected(OVERALL_DISCARD_XPATH, tree)]


def test_fixture_pages_select_the_same_elements() -> None:
    for path in sorted(FIXTURES.glob("*.html")):
        tree = parse_html(path.read_bytes().decode("utf-8", "replace"))
        if tree is None:
            continue
        assert _sections.overall_discards(tree) == _selected(OVERALL_DISCARD_XPATH, tree)
        assert _sections.teaser_discards(tree) == _selected(TEASER_DISCARD_XPATH, tree)
        frame = next((s for s in BODY_XPATH[0](tree) if s is not None), None)
        assert _sections.body_frame(tree) is frame, path.name
        assert _fast._basic_clean(tree) == BASIC_CLEAN_XPATH(tree)
        expected = len(html2txt(tree))
        assert _fast._page_text_length(tree) == expected
