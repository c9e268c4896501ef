"""Fuzzing URL canonicalisation and the article rules (crawler/urls.py)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from hypothesis import example, given
from hypothesis import strategies as st

from crawler.urls import (
    ArticleRules,
    _canonical,
    canonicalize,
    host_of,
    is_tracking_param,
    same_site,
)
from tests.fuzz.strategies import FUZZ

_SEGMENT = st.lists(
    st.one_of(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E),
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.sampled_from(["%", "%2F", "%zz", "%d8%a7", " ", "\t", "#", "?", "&", "="]),
    ),
    max_size=12,
).map("".join)
HOST = st.one_of(
    st.sampled_from(["example.com", "EXAMPLE.org", "127.0.0.1", "[::1]", "xn--mgbh0fb.com"]),
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}(\.[a-z]{2,5}){1,2}", fullmatch=True),
)
URL = st.one_of(
    st.builds(
        lambda scheme, host, port, path, query, frag: (
            f"{scheme}://{host}{port}/{'/'.join(path)}{query}{frag}"
        ),
        st.sampled_from(["http", "https", "HTTP", "HtTpS"]),
        HOST,
        st.sampled_from(["", ":80", ":443", ":8080", ":"]),
        st.lists(_SEGMENT, max_size=5),
        st.one_of(
            st.just(""),
            st.lists(st.tuples(st.sampled_from(["utm_source", "id", "q", "fbclid", "a", "Z"]),
                               _SEGMENT), max_size=4)
            .map(lambda kv: "?" + "&".join(f"{k}={v}" for k, v in kv)),
        ),
        st.one_of(st.just(""), _SEGMENT.map(lambda f: "#" + f)),
    ),
    st.text(max_size=80),
)


@FUZZ
@given(URL)
@example("http://example.com:80/a?utm_source=x&b=2&a=1#top")
@example("http://[::1")
@example("http://user:pass@example.com/")
@example("http://example.com/??utm_source=")
def test_canonicalize_never_raises_or_is_idempotent(url: str) -> None:
    try:
        once = canonicalize(url)
    except ValueError:
        # urllib refuses some spellings outright (an unclosed IPv6 bracket, a bad port):
        # the spider catches ValueError where it canonicalises a link.
        return
    assert isinstance(once, str)
    assert "#" not in once
    assert canonicalize(once) == once
    names = [name for name, _ in parse_qsl(urlsplit(once).query, keep_blank_values=True)]
    assert not any(is_tracking_param(name) for name in names), names


@FUZZ
@given(URL, st.lists(HOST, max_size=3))
def test_host_and_same_site_never_raise_beyond_value_error(url: str, hosts: list[str]) -> None:
    try:
        host = host_of(url)
        same = same_site(url, hosts)
    except ValueError:
        return
    assert host == host.lower()
    assert isinstance(same, bool)


@FUZZ
@given(URL)
def test_article_rules_answer_every_url(url: str) -> None:
    rules = ArticleRules(allow=[r"/\d{4}/\d{2}/[^/]+/?$", "(a+)+b"], deny=["/tag/"])
    try:
        urlsplit(url)
    except ValueError:
        return
    assert isinstance(rules.is_article(url), bool)
    assert isinstance(rules.denied(url), bool)


_PLAIN_LABEL = st.sampled_from(["example", "news", "a-b", "-a", "b-", "xn--mnchen-3ya", "ab--c",
                                "127", "0", "www", "a" * 63, "a" * 64, "ex"])
_PLAIN_SEGMENT = st.sampled_from(["", ".", "..", ".a", "a.", "2026", "Some-Title_1", "~u",
                                  "x.html", "A", "%41", "a b", "ä"])


@FUZZ
@given(st.sampled_from(["http://", "https://", "HTTP://"]),
       st.lists(_PLAIN_LABEL, min_size=1, max_size=4).map(".".join),
       st.sampled_from(["", ":80", ":443", ":8080", ":080", ":65535", ":65536", ":1"]),
       st.lists(_PLAIN_SEGMENT, max_size=4).map(lambda s: "".join("/" + p for p in s)),
       st.sampled_from(["", "/", "?", "?a=1", "#f", " "]))
def test_canonicalize_fast_path_changes_nothing(scheme: str, host: str, port: str, path: str,
                                                tail: str) -> None:
    url = scheme + host + port + path + tail
    try:
        expected = _canonical(url)
    except ValueError:
        expected = None
    try:
        got = canonicalize(url)
    except ValueError:
        got = None
    assert got == expected, url
