"""Why a request failed, in words a person can act on, whatever the Scrapy release.

Scrapy 2.19 raises its own download errors (``ResponseDataLossError``,
``DownloadCancelledError``, ...), often with an empty message; Scrapy 2.13 raises Twisted's
(``ResponseFailed`` holding ``_DataLoss``, ``CancelledError``). A run log that says
``failed: URL ()`` helps nobody, so each kind is named here by its class name (no import of a
class one release lacks), with what to do where there is something to do.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from twisted.python.failure import Failure

_CUT_SHORT = (
    "the response was cut short: the server closed the connection before the whole body "
    "came; the page is not archived (a retry later may get it whole)"
)
_LOST = (
    "the server closed or reset the connection before the response was complete; "
    "the page is not archived (a retry later may get it)"
)
_WORDS = {
    "ResponseDataLossError": _CUT_SHORT,
    "_DataLoss": _CUT_SHORT,
    "PotentialDataLoss": _CUT_SHORT,
    "ConnectionLost": _LOST,
    "ConnectionDone": _LOST,
    "ConnectionAborted": _LOST,
    "ResponseNeverReceived": _LOST,
    "DownloadConnectionRefusedError": "the server refused the connection (is the site down?)",
    "ConnectionRefusedError": "the server refused the connection (is the site down?)",
    "CannotResolveHostError": "the host name could not be resolved (check the URL)",
    "DNSLookupError": "the host name could not be resolved (check the URL)",
    "NoRouteError": "there is no network route to the server",
    "SSLError": "the TLS handshake with the server failed (is it an https server?)",
    "UnsupportedURLSchemeError": "akhbar fetches http:// and https:// URLs only",
}
_DATA_LOSS = ("ResponseDataLossError", "_DataLoss", "PotentialDataLoss")
_TIMEOUTS = ("DownloadTimeoutError", "TimeoutError", "TCPTimedOutError", "UserTimeout")
_CANCELLED = ("DownloadCancelledError", "CancelledError")


def _name(exc: BaseException) -> str:
    """The class name, with every TLS error (OpenSSL's ``SSL.Error``, the ``ssl`` module's)
    called ``SSLError``."""
    module = type(exc).__module__ or ""
    if module.startswith(("OpenSSL", "ssl")):
        return "SSLError"
    return type(exc).__name__


def _inner_names(exc: BaseException, depth: int = 3) -> list[str]:
    """Class names of ``exc`` and of the failures it wraps (Twisted's ResponseFailed and
    ResponseNeverReceived carry a list of them; Scrapy 2.19's DownloadFailedError holds
    Twisted's as its cause), outermost first."""
    names = [_name(exc)]
    if depth <= 0:
        return names
    reasons = getattr(exc, "reasons", None)
    if reasons is None and exc.args and isinstance(exc.args[0], list):
        reasons = exc.args[0]
    for reason in reasons or ():
        value = reason.value if isinstance(reason, Failure) else reason
        if isinstance(value, BaseException):
            names += _inner_names(value, depth - 1)
    cause = exc.__cause__ or exc.__context__
    if cause is not None and cause is not exc:
        names += _inner_names(cause, depth - 1)
    return names


#: Short names of the ways a download fails (stats keys and the verdict's words), by class.
_KINDS = {
    **dict.fromkeys(_DATA_LOSS, "cut_short"),
    **dict.fromkeys(("ConnectionLost", "ConnectionDone", "ConnectionAborted",
                     "ResponseNeverReceived"), "connection_lost"),
    **dict.fromkeys(_TIMEOUTS, "timeout"),
    **dict.fromkeys(("DownloadConnectionRefusedError", "ConnectionRefusedError"), "refused"),
    **dict.fromkeys(("CannotResolveHostError", "DNSLookupError"), "dns"),
    **dict.fromkeys(("SSLError", "DownloadTLSError", "TLSError"), "tls"),
    "NoRouteError": "no_route",
}


def failure_kind(exc: BaseException) -> str:
    """A short name for how a download failed: ``refused``, ``dns``, ``timeout``, ``tls``,
    ``connection_lost``, ``cut_short``, ``no_route``, ``too_large``, ``cancelled``, else the
    exception's class name."""
    names = _inner_names(exc)
    if "SSLError" in names:  # under Twisted's "connection lost" or "never received"
        return "tls"
    if any(name in _DATA_LOSS for name in names):
        return "cut_short"
    for name in names:
        if name in _KINDS:
            return _KINDS[name]
        if name in _CANCELLED:
            message = str(exc)
            return "too_large" if not message or "max" in message else "cancelled"
    if "max redirections" in str(exc):
        return "redirect_loop"
    if names[0] == "ValueError" and str(exc).startswith("invalid hostname"):
        # Scrapy 2.13 refuses a host name no DNS could hold (a label over 63 characters)
        # before any lookup; later releases fail the lookup.
        return "dns"
    return names[-1]


def size_words(n: int) -> str:
    return f"{n // 1024 ** 2} MB" if n >= 1024**2 and n % 1024**2 == 0 else f"{n // 1024} KB"


def failure_reason(
    failure: Failure, *, max_size: int | None = None, timeout: float | None = None
) -> str:
    """One line saying why a request failed (never empty)."""
    exc: Any = failure.value
    response = getattr(exc, "response", None)  # Scrapy's HttpError; Twisted's have .code
    if response is not None and isinstance(getattr(response, "status", None), int):
        try:
            phrase = HTTPStatus(response.status).phrase
        except ValueError:
            phrase = ""
        return f"the server answered HTTP {response.status} {phrase}".rstrip()
    message = failure.getErrorMessage().strip()
    names = _inner_names(exc)
    if "max redirections reached" in message:
        return (
            "too many redirects in a row (more than REDIRECT_MAX_TIMES); the page is not archived"
        )
    if "SSLError" in names:  # under Twisted's "connection lost" or "never received"
        return _WORDS["SSLError"]
    if any(name in _DATA_LOSS for name in names):
        return _CUT_SHORT
    for name in names:
        if name in _TIMEOUTS:
            within = f" within {timeout:g} s" if timeout else ""
            return f"the server did not answer{within} (slow or down; the request timed out)"
        if name in _CANCELLED and (not message or "max size" in message or "maxsize" in message):
            limit = f" (limits.max_response_size = {size_words(max_size)})" if max_size else ""
            return (
                f"the response was larger than the size limit{limit} and was not kept; raise "
                "limits.max_response_size in the outlet file to archive such pages"
            )
        if name in _WORDS:
            return _WORDS[name]
    if message and not message.startswith("[<twisted.python.failure"):
        return message
    return f"the download failed ({names[-1]}) and no more was said"
