"""URL rules: canonical form, tracking parameters, article allow/deny patterns. Pure functions.

Article patterns come from outlet files, written by people and never to be trusted with a
backtracking engine: ``'/(a+)+b'`` against a URL of 40 a's would run for hours under Python's
``re``. They run under RE2 (google-re2), whose time is linear in the URL's length. RE2 has no
look-around and no back-references; such a pattern is refused when the outlet file is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import re2  # type: ignore[import-untyped]  # google-re2 ships no types
from w3lib.url import canonicalize_url as _w3_canonicalize

#: Query parameters that only track where a reader came from; they never change the page.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid",
        "igshid", "yclid", "_ga", "_gl", "ref_src", "ocid", "cmpid", "at_medium", "at_campaign",
        "ito", "xtor", "s_cid", "__twitter_impression",
    }
)
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_")


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


# A URL canonicalize() leaves as it is (but for a default port, or an empty path): http(s), a
# lower-case host, a path of unreserved characters without dot segments, no query or
# fragment. Most URLs the crawl meets are (links already canonical, requisites); w3lib's
# canonicalize_url costs ~30 us of them. tests/fuzz/test_fuzz_urls.py compares.
_PLAIN_URL = re.compile(
    r"(https?)://([a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*)(?::([1-9][0-9]{0,4}))?"
    r"(/[A-Za-z0-9_.~/-]*)?\Z", re.ASCII)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _plain(url: str) -> str | None:
    match = _PLAIN_URL.match(url)
    if match is None:
        return None
    scheme, host, port, path = match.groups()
    if path is not None and "/." in path or any(
            label.startswith("-") or label.endswith("-") or label[2:4] == "--"
            for label in host.split(".")):
        return None  # dot segments to resolve; a host label IDNA may refuse or rewrite
    if port is not None and (int(port) > 65535 or port == _DEFAULT_PORTS[scheme]):
        return None
    return url if path else url + "/"


# A reference that is a plain absolute path: joined to an http(s) base it is the base's
# scheme and host and the path, as urljoin gives it (no dot segment to resolve, no params,
# query or fragment, nothing to quote). Most of a listing page's links and of a page's
# requisites are; urljoin costs ~5 us of each. tests/crawl/test_links.py and
# tests/crawl/test_pagerefs.py compare with urljoin.
_PLAIN_PATH = re.compile(r"/(?!/)[A-Za-z0-9_.~/-]*\Z")


def is_plain_path(ref: str) -> bool:
    """Whether ``origin + ref`` is what urljoin gives for an http(s) base of that origin."""
    return _PLAIN_PATH.match(ref) is not None and "/." not in ref


def canonicalize(url: str) -> str:
    """One spelling per page: tracking parameters and fragment dropped, query sorted,
    scheme and host lower-cased, default port removed, percent-encoding normalised."""
    plain = _plain(url)
    return plain if plain is not None else _canonical(url)


def _canonical(url: str) -> str:
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not is_tracking_param(k)]
    netloc = parts.netloc.lower()
    if parts.scheme == "http" and netloc.endswith(":80"):
        netloc = netloc[:-3]
    elif parts.scheme == "https" and netloc.endswith(":443"):
        netloc = netloc[:-4]
    cleaned = urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))
    return _w3_canonicalize(cleaned, keep_fragments=False)


class PatternError(ValueError):
    """An article pattern RE2 cannot run; the message says why, in words."""


# What RE2 says -> what a person can do about it.
_RE2_LIMITS = (
    ("invalid perl operator: (?=", "look-ahead (?=...) is not supported"),
    ("invalid perl operator: (?!", "negative look-ahead (?!...) is not supported"),
    ("invalid perl operator: (?<", "look-behind (?<=...) and (?<!...) are not supported"),
    ("invalid escape sequence: \\1", "back-references such as \\1 are not supported"),
    ("invalid escape sequence: \\2", "back-references such as \\2 are not supported"),
    ("pattern too large", "the pattern is too large"),
)


def compile_pattern(pattern: str) -> Any:
    """``pattern`` compiled for RE2 (linear-time search); :class:`PatternError` if it cannot be.

    RE2 reads Python's syntax for everything else (classes, groups, ``(?P<name>...)``,
    ``(?i)``, ``{m,n}``); ``\\d`` and ``\\w`` are ASCII-only, which canonical URLs are.
    """
    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern to stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else ""
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        detail = str(detail) or "RE2 refused it"
        for said, meant in _RE2_LIMITS:
            if said in detail:
                detail = meant
                break
        raise PatternError(detail) from None


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


@dataclass
class ArticleRules:
    """Which URLs are article candidates: any `allow` pattern matches (or none are given) and
    no `deny` pattern matches. Patterns are searched in the URL's path and query."""

    allow: list[str] = field(default_factory=list)
    deny: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._allow = [compile_pattern(p) for p in self.allow]
        self._deny = [compile_pattern(p) for p in self.deny]

    @staticmethod
    def _target(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def denied(self, url: str) -> bool:
        target = self._target(url)
        return any(p.search(target) for p in self._deny)

    def is_article(self, url: str) -> bool:
        target = self._target(url)
        if any(p.search(target) for p in self._deny):
            return False
        return not self._allow or any(p.search(target) for p in self._allow)


def same_site(url: str, hosts: Iterable[str]) -> bool:
    host = host_of(url)
    return any(host == h or host.endswith("." + h) for h in hosts)
