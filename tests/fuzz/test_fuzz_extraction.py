"""Fuzzing extraction (crawler/extraction): random and malformed HTML bytes never raise.

``extract_article`` catches everything and logs "extraction failed"; that net must stay
empty here, so a bug is not hidden by it: the tests fail on the warning too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from crawler.extraction import decode_html, extract_article, is_html
from tests.fuzz.strategies import FUZZ, MIXED_TEXT, SLOW_FUZZ

FIXTURES = Path(__file__).resolve().parents[1] / "extraction" / "fixtures"
_REAL = sorted(p for p in FIXTURES.rglob("*.html"))[:6]
_REAL_PAGES = [p.read_bytes() for p in _REAL]

_TAG = st.sampled_from(
    ["html", "head", "body", "p", "div", "article", "main", "script", "style", "title", "meta",
     "table", "td", "br", "h1", "time", "span", "a", "svg", "math", "template", "noscript",
     "!--", "![CDATA[", "?xml", "!DOCTYPE html"]
)
_ATTR = st.sampled_from(
    ['', ' charset="windows-1256"', ' charset=utf-8', ' http-equiv="content-type" '
     'content="text/html; charset=iso-8859-1"', ' lang="fa"', ' dir="rtl"',
     ' property="article:published_time" content="2024-13-45"', ' itemprop="datePublished"',
     ' name="author" content="\x00"', ' class="content entry-content"', ' href="javascript:x"',
     ' type="application/ld+json"']
)


def _element(draw_tag: str, attr: str, text: str, close: bool) -> str:
    return f"<{draw_tag}{attr}>{text}" + (f"</{draw_tag}>" if close else "")


HTML_TEXT = st.lists(
    st.builds(_element, _TAG, _ATTR, MIXED_TEXT, st.booleans()), max_size=25
).map("".join)
ENCODINGS = st.sampled_from(["utf-8", "cp1256", "utf-16", "latin-1", "utf-8-sig"])
HTML_BYTES = st.one_of(
    st.builds(lambda text, enc: text.encode(enc, "replace"), HTML_TEXT, ENCODINGS),
    st.binary(max_size=2000).map(lambda b: b"<!doctype html><html>" + b),
    st.builds(
        lambda page, cut, noise: page[:cut] + noise + page[cut:],
        st.sampled_from(_REAL_PAGES or [b"<html><body><p>x</p></body></html>"]),
        st.integers(min_value=0, max_value=60_000),
        st.binary(max_size=64),
    ),
)
CONTENT_TYPES = st.sampled_from(
    [None, "text/html", "text/html; charset=utf-8", "text/html; charset=windows-1256",
     "text/html; charset=bogus", "application/xhtml+xml; charset=utf-16", "text/html;;charset="]
)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def warnings_logged() -> Iterator[_Records]:
    handler = _Records()
    logger = logging.getLogger("crawler.extraction")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@SLOW_FUZZ
@given(body=HTML_BYTES, content_type=CONTENT_TYPES)
@example(
    body=b"<html><body><p>" + "مرحبا بالعالم ".encode("cp1256") * 50,
    content_type="text/html; charset=utf-8",
)
@example(body=b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00", content_type=None)
@example(body=b"<html><body>" + b"<div>" * 5000 + b"deep", content_type="text/html")
def test_extract_article_never_raises_and_never_hits_its_net(
    warnings_logged: _Records, body: bytes, content_type: str | None
) -> None:
    warnings_logged.records.clear()
    article = extract_article(body, "https://example.com/2024/01/a/", content_type)
    failures = [
        r for r in warnings_logged.records if r.getMessage().startswith("extraction failed")
    ]
    assert not failures, failures[0].exc_info if failures else ""
    if article is not None:
        assert isinstance(article.text, str)
        assert "\x00" not in (article.title or "")


@FUZZ
@given(st.binary(max_size=3000), CONTENT_TYPES)
def test_decode_html_and_is_html_never_raise(body: bytes, content_type: str | None) -> None:
    assert isinstance(is_html(content_type, body[:1024]), bool)
    text, encoding = decode_html(body, content_type)
    assert isinstance(text, str) and encoding


@FUZZ
@given(MIXED_TEXT, ENCODINGS)
def test_decode_html_reads_back_what_was_declared(text: str, encoding: str) -> None:
    body = text.encode(encoding, "replace")
    decoded, _ = decode_html(body, f"text/html; charset={encoding}")
    assert isinstance(decoded, str)
