"""The SURT key of a URL as ``cdxj-indexer`` makes it (``surt.surt``), cheaper for plain URLs.

``surt.surt`` parses the URL into an object and runs some twenty canonicalization steps on it
(~60 us a URL, one for every response record the crawl writes). For a URL made only of a
scheme, a host, a port and a path of plain characters, most of those steps leave it as it
is; :func:`url_key` then does the few that change it (lower case, ``www.`` dropped, a default
port dropped, a trailing slash dropped, the host's labels reversed) and hands every other
URL to ``surt.surt``. tests/archive/test_surt.py compares the two on generated URLs.
"""

from __future__ import annotations

import re
from importlib import metadata

__all__ = ["url_key"]

#: The surt releases the fast path was checked against (tests/archive/test_surt.py); under any
#: other, every URL goes to surt.surt.
CHECKED_SURT = ("0.3.1",)

# What the fast path takes: http(s), a host of letters, digits and hyphens in dot-separated
# labels, an optional port without leading zeros, a path of unreserved characters without
# empty, "." or ".." segments (no normalization to do). No user, query, fragment, "%" or
# "(" (surt's session-id patterns need one), nothing it would strip.
_PLAIN_URL = re.compile(
    r"(https?)://([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)(?::([1-9][0-9]{0,4}))?"
    r"((?:/(?!\.\.?(?:/|\Z))[A-Za-z0-9_.~-]+)*/?)\Z",
    re.ASCII,
)
# surt takes a host of digits and dots as an IP address (and asks the resolver for its
# dotted form): only the canonical dotted quad is the same afterwards.
_DIGITS_AND_DOTS = re.compile(r"[0-9.]+\Z")
_DOTTED_QUAD = re.compile(r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[1-9])\.)"
                          r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){2}"
                          r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\Z")
_WWW = re.compile(r"www[0-9]*\.")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _plain_key(url: str) -> str | None:
    """The SURT of a plain URL (see :data:`_PLAIN_URL`), None for any other."""
    match = _PLAIN_URL.match(url)
    if match is None:
        return None
    scheme, host, port_text, path = match.groups()
    host = host.lower()
    if _DIGITS_AND_DOTS.match(host) and not _DOTTED_QUAD.match(host):
        return None
    if www := _WWW.match(host):
        host = host[www.end():]
    key = ",".join(reversed(host.split(".")))
    if port_text is not None:
        port = int(port_text)
        if port > 65535:
            return None
        if port != _DEFAULT_PORTS[scheme]:
            key += f":{port}"
    path = path.lower() or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return key + ")" + path


def _fast_path_checked() -> bool:
    try:
        return metadata.version("surt") in CHECKED_SURT
    except metadata.PackageNotFoundError:
        return False


_FAST = _fast_path_checked()


def url_key(url: str, *, fast: bool = _FAST) -> str:
    """``CDXJIndexer.get_url_key``: the SURT, or the URL itself when surt fails."""
    key = _plain_key(url) if fast else None
    if key is not None:
        return key
    # surt brings tldextract, requests and chardet (~0.08 s of CPU and ~7 MB in a crawl
    # process): imported by the first URL the fast path does not take, not by every crawl.
    import surt

    try:
        slow: str = surt.surt(url)
    except Exception:
        return url
    return slow
