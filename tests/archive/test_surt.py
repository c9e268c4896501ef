"""archive._surt.url_key: the same key as surt.surt (what cdxj-indexer writes) for every URL."""

from __future__ import annotations

from importlib import metadata

import pytest
import surt
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import _surt
from archive._surt import _plain_key, url_key
from tests.support import python_output


def reference(url: str) -> str:
    try:
        key: str = surt.surt(url)
    except Exception:
        return url
    return key


_LABELS = st.sampled_from(["www", "WWW2", "www3x", "news", "Example", "com", "ir",
                           "xn--mgba3a4f16a", "a-b", "-", "0", "1", "01", "127", "255", "256",
                           "999", "00", ""])
_HOSTS = st.lists(_LABELS, min_size=1, max_size=5).map(".".join)
_SEGMENTS = st.sampled_from(["", ".", "..", "...", ".a", "A", "news", "2026", "Article-Title_1",
                             "x.aspx", "(s(abcdefghijklmnopqrstuvwx))", "%D8%A7", "%41", "a%2Fb",
                             "~u", "a,b", "a;b", "a b", "a?b=1", "#f", "ç", "سلام"])
_PATHS = st.lists(_SEGMENTS, max_size=5).map(lambda parts: "".join("/" + p for p in parts))
_PORTS = st.sampled_from(["", ":", ":0", ":80", ":443", ":8080", ":080", ":65535", ":65536",
                          ":99999", ":x"])
_SCHEMES = st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "http:///", ""])
_TAILS = st.sampled_from(["", "/", "?", "?b=2&a=1", "#top", "//", " ", "\t"])


@settings(max_examples=1500, deadline=None)
@given(_SCHEMES, _HOSTS, _PORTS, _PATHS, _TAILS)
def test_same_key_as_surt(scheme: str, host: str, port: str, path: str, tail: str) -> None:
    url = scheme + host + port + path + tail
    assert url_key(url) == reference(url), url


@pytest.mark.parametrize(("url", "key"), [
    ("http://127.0.0.1:18201/2026/11/Some-Title-12/", "1,0,0,127:18201)/2026/11/some-title-12"),
    ("https://www.Example.com/", "com,example)/"),
    ("https://www2.example.com:443/a/b.html", "com,example)/a/b.html"),
    ("http://example.com", "com,example)/"),
    ("http://example.com:8080/A/", "com,example:8080)/a"),
])
def test_plain_urls_take_the_fast_path(url: str, key: str) -> None:
    assert _plain_key(url) == key == reference(url)


@pytest.mark.parametrize("url", [
    "http://1.2/", "http://01.2.3.4/", "http://example.com/a/../b", "http://example.com/a//b",
    "http://example.com/%D8%A7", "http://example.com/?q=1", "http://u@example.com/",
    "http://example.com:99999/", "http://example.com./",
])
def test_other_urls_go_to_surt(url: str) -> None:
    assert _plain_key(url) is None
    assert url_key(url) == reference(url)


def test_the_fast_path_is_taken_only_under_a_checked_surt() -> None:
    # A new surt release may canonicalize otherwise: the fast path is for the releases the
    # comparisons above ran against, and url_key gives surt's own key under any other.
    assert _surt._FAST == (metadata.version("surt") in _surt.CHECKED_SURT)
    url = "http://WWW.Example.com:8080/News/"
    assert url_key(url, fast=False) == reference(url) == url_key(url)


def test_surt_is_imported_by_the_first_url_the_fast_path_does_not_take() -> None:
    """surt brings tldextract, requests and chardet (~7 MB, ~0.08 s of CPU): a crawl whose
    URLs all take the fast path never imports them."""
    out = python_output(
        "import sys\nfrom archive._surt import url_key, _FAST\n"
        "key = url_key('http://www.example.com/news/1')\n"
        "print(_FAST, key, 'surt' in sys.modules, 'requests' in sys.modules)\n"
        "key = url_key('http://example.com/news?id=1')\n"
        "print(key, 'surt' in sys.modules)\n")
    first, second = out.splitlines()[-2:]
    if first.split()[0] == "False":
        pytest.skip("an unchecked surt release: every URL goes to surt")
    assert first.split()[1:] == ["com,example)/news/1", "False", "False"]
    assert second.split() == ["com,example)/news?id=1", "True"]
