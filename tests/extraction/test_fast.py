"""fast_main_text gives what trafilatura's bare_extraction gives, on every page it accepts."""

from __future__ import annotations

import itertools
from copy import copy

import pytest
import trafilatura
from lxml import etree
from trafilatura import bare_extraction
from trafilatura.settings import DEFAULT_CONFIG, Extractor
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

from crawler.extraction import _cascade, _fast, extract_article
from crawler.extraction._parse import parse_html

from .conftest import FIXTURES

PARAGRAPH = (
    "<p>The city council met on Monday to discuss the heavy rain and the flooding of several "
    "streets near the river, which closed schools for {n} days and cut power to homes.</p>"
)


def _page(paragraphs: int, extra: str = "", head: str = "") -> str:
    body = "".join(PARAGRAPH.format(n=i) for i in range(paragraphs))
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head><title>Rain</title>{head}</head><body>"
        f"<nav><ul><li><a href='/'>Home</a></li><li><a href='/w'>World</a></li></ul></nav>"
        f"<article><h1>Rain falls</h1>{body}</article>{extra}"
        f"<footer><p>All rights reserved.</p></footer></body></html>"
    )


COMMENTS = (
    "<div id='comments'><h3>Comments</h3><ol class='comment-list'><li class='comment'>"
    "<p>Readers in Basra say the water is rising again and again and again.</p></li></ol>"
    "</div><section class='post-comments'><p>Leave a reply to this story here.</p></section>"
    "<div class='commentary'><p>Commentary is content, not a comment section at all.</p></div>"
    "<ul id='comol'><li>one</li></ul><ol class='x'><li>kept list</li></ol>"
)
SCROLL = (
    "<div class='infinite-scroll'><article><p>" + "Next story text. " * 30 + "</p></article>"
    "</div><div id='infinitescroll'><h1>A headline</h1><p>kept, it has an h1</p></div>"
    "<aside class='mvp-post-add-box'><h1>Appended</h1><p>" + "More. " * 40 + "</p></aside>"
    "<section class='elementor-share-buttons x'><a href='#'>Share</a></section>"
)
FORUM = (
    '<script type="application/ld+json">{"@type": "DiscussionForumPosting", '
    '"headline": "x"}</script>'
)
PAGES = {
    "long": _page(40),
    "long-comments": _page(40, COMMENTS),
    "long-scroll": _page(40, SCROLL),
    "long-forum": _page(40, COMMENTS, FORUM),
    "medium": _page(14),  # 2000-3000 characters: the escalation test decides
    "medium-sidebar": _page(14, "<div class='sidebar'><p>" + "Side words. " * 900 + "</p></div>"),
    "short": _page(1),
    "empty": "<html><body></body></html>",
}


def _same_as_trafilatura(tree: etree._Element, url: str) -> bool:
    """Whether fast_main_text agrees with bare_extraction (and leaves the tree alone)."""
    before = etree.tostring(tree)
    fast = _fast.fast_main_text(tree, url)
    assert etree.tostring(tree) == before
    if fast is None:
        return False
    document = bare_extraction(
        tree, url=url, include_comments=False, with_metadata=False, fast=True
    )
    assert document is not None
    assert fast.text == document.text
    assert etree.tostring(fast.body) == etree.tostring(document.body)
    return True


def test_the_checked_trafilatura_is_installed() -> None:
    # A new trafilatura turns the fast path off (the output stays trafilatura's); check it
    # against the new release, then update VERIFIED_VERSION and the expressions.
    assert trafilatura.__version__ == _fast.VERIFIED_VERSION
    assert _fast.ENABLED


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_give_trafilaturas_text(name: str) -> None:
    tree = parse_html(PAGES[name])
    accepted = _same_as_trafilatura(tree, "https://news.example/2026/rain/")
    if name.startswith("long") or name == "medium":
        assert accepted
    if name in ("short", "empty", "medium-sidebar"):
        assert not accepted  # baseline rescue or recall escalation: trafilatura's own path


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.html")), ids=lambda p: p.name)
def test_fixture_pages_give_trafilaturas_text(path) -> None:
    tree = parse_html(path.read_bytes().decode("utf-8", "replace"))
    if tree is not None:
        _same_as_trafilatura(tree, "https://x.example/" + path.name)


def test_an_empty_url_is_passed_on_as_trafilatura_does() -> None:
    _same_as_trafilatura(parse_html(PAGES["long-comments"]), "")


IDS = ["", "comments", "Comment-1", "commentary", "comol", "disqus_thread", "dsq-comments",
       "x-comments", "mvp-post-add-wrap", "infinite-scroll", "infinitescroll", "main"]
CLASSES = ["", "comment", "Comment-body", "commentary", "article-comments", "post-comments x",
           "elementor-share-buttons", "a elementor-share-buttons-x", "mvp-post-add-box",
           "infinite-scroll", "infinitescroll", "x infinite-scroll", "content"]
TAGS = ["div", "section", "aside", "details", "ol", "ul", "list", "p", "span"]


def _grid() -> etree._Element:
    parts = ["<html><body>"]
    for n, (tag, ident, cls) in enumerate(itertools.product(TAGS, IDS, CLASSES)):
        attrs = (f" id='{ident}'" if ident else "") + (f" class='{cls}'" if cls else "")
        inner = "<h1>h</h1>" if n % 3 == 0 else "<p>t</p>"
        nested = f"<div class='{CLASSES[n % len(CLASSES)]}'>{inner}</div>" if n % 4 == 0 else ""
        parts.append(f"<{tag}{attrs}>{inner}{nested}</{tag}>")
    parts.append("</body></html>")
    return parse_html("".join(parts))


@pytest.mark.parametrize(
    ("expression", "tags", "test"),
    [
        (RAW_TREE_PRUNE_XPATH[0], _fast._SECTION_TAGS, _fast._infinite_scroll),
        (RAW_TREE_PRUNE_XPATH[1], _fast._SECTION_TAGS, _fast._share_buttons),
        (REMOVE_COMMENTS_AND_LISTS_XPATH[0], _fast._COMMENT_TAGS, _fast._comments),
    ],
)
def test_the_matchers_select_what_the_expressions_select(expression, tags, test) -> None:
    tree = _grid()
    selected = expression(tree)
    assert selected  # the grid exercises every expression
    candidates = _fast._candidates(tree)
    found = [elem for elem, ident, cls in candidates if elem.tag in tags and test(elem, ident, cls)]
    assert found == selected


def test_options_are_the_ones_bare_extraction_builds() -> None:
    url = "https://news.example/ä/?q=1"
    built = Extractor(config=DEFAULT_CONFIG, output_format="python", fast=True,
                      comments=False, url=url, with_metadata=False)
    copied = _fast._options(url)
    for name in Extractor.__slots__:
        if name != "date_params":  # read by metadata extraction only, never on this path
            assert getattr(copied, name) == getattr(built, name), name
    assert copy(copied).url == url


def test_json_ld_forum_pages_keep_their_comment_sections() -> None:
    tree = parse_html(PAGES["long-forum"])
    assert _same_as_trafilatura(tree, "https://forum.example/t/1")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_used_up_tree_gives_the_same_text(name: str) -> None:
    url = "https://news.example/2026/rain/"
    expected = _cascade.main_text(parse_html(PAGES[name]), url)
    parses: list[int] = []

    def fresh() -> etree._Element:
        parses.append(1)
        return parse_html(PAGES[name])

    assert _cascade.main_text(parse_html(PAGES[name]), url, fresh) == expected
    if name.startswith("long"):
        assert not parses  # the fast path alone, on the tree it was given


def test_pages_with_complete_metadata_give_the_same_article(monkeypatch) -> None:
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Rain falls",'
        ' "author": {"name": "A. Writer"}, "datePublished": "2026-11-20T10:00:00Z"}</script>'
    )
    pages = [_page(40, COMMENTS, ld), _page(14, "", ld), _page(1, "", ld)]
    main_text = _cascade.main_text
    given: list[bool] = []

    def record(tree: etree._Element, url: str, fresh=None) -> str | None:
        given.append(fresh is not None)
        return main_text(tree, url, fresh)

    monkeypatch.setattr(_cascade, "main_text", record)
    used_up = [extract_article(page.encode(), "https://news.example/a") for page in pages]
    assert given == [True, True, True] and used_up[0] is not None
    monkeypatch.setattr(_cascade, "main_text", lambda tree, url, fresh=None: main_text(tree, url))
    kept = [extract_article(page.encode(), "https://news.example/a") for page in pages]
    assert used_up == kept
