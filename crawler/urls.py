"""URL rules: canonical form, tracking parameters, article allow/deny patterns. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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


def canonicalize(url: str) -> str:
    """One spelling per page: tracking parameters and fragment dropped, query sorted,
    scheme and host lower-cased, default port removed, percent-encoding normalised."""
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


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


@dataclass
class ArticleRules:
    """Which URLs are article candidates: any `allow` pattern matches (or none are given) and
    no `deny` pattern matches. Patterns are searched in the URL's path and query."""

    allow: list[str] = field(default_factory=list)
    deny: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._allow = [re.compile(p) for p in self.allow]
        self._deny = [re.compile(p) for p in self.deny]

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
