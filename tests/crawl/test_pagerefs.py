"""pagerefs._absolute joins a plain absolute path without urljoin: the same URLs, in the same
order, as urljoin gives."""

from __future__ import annotations

from urllib.parse import urljoin

from hypothesis import given
from hypothesis import strategies as st
from w3lib.html import strip_html5_whitespace

from crawler.crawl.pagerefs import _absolute
from tests.fuzz.strategies import FUZZ


def _reference(refs: list[str], base_url: str) -> list[str]:
    """_absolute as it was: every reference through urljoin."""
    out: dict[str, None] = {}
    for ref in refs:
        ref = strip_html5_whitespace(ref)
        if not ref or ref.startswith(("#", "data:", "javascript:", "about:", "blob:")):
            continue
        try:
            url = urljoin(base_url, ref).split("#", 1)[0]
        except ValueError:
            continue
        if url.startswith(("http://", "https://")):
            out.setdefault(url, None)
    return list(out)


_PIECE = st.sampled_from(["/", "a", "B", ".", "..", "/.", "/..", "//", "-", "_", "~", "%20",
                          "?q=1", "#f", ";p", " ", "\t", "é", "x.css", ":", "@", "[", "data:x"])
REF = st.lists(_PIECE, max_size=8).map("".join)
BASE = st.sampled_from([
    "https://news.example/2026/11/story/", "HTTP://News.Example:8080/a?b=1#c",
    "https://user@host.example/x/y", "http://[::1]/p", "http://[bad/p", "ftp://files.example/",
    "file:///tmp/x.html", " https://news.example/s ", "https://news.example", "about:blank",
])


@FUZZ
@given(st.lists(REF, max_size=6), BASE)
def test_references_join_as_urljoin_joins_them(refs: list[str], base_url: str) -> None:
    assert _absolute(refs, base_url) == _reference(refs, base_url)
