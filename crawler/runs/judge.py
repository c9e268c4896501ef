"""How a run ended, in words: its final status and reason from the exit code, Scrapy's final
stats and what the owner knows (cancelled, timed out). Pure functions."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from crawler.runs.states import CANCELLED, DISK_FULL, FAILED, SUCCEEDED, TIMED_OUT

# Scrapy's download exceptions, as a person would say them.
_EXCEPTION_WORDS = {
    "ConnectionRefusedError": "the outlet's server refused the connection",
    "DownloadConnectionRefusedError": "the outlet's server refused the connection",
    "DNSLookupError": "the outlet's host name could not be resolved",
    "TimeoutError": "the outlet's server did not answer in time",
    "TCPTimedOutError": "the outlet's server did not answer in time",
    "DownloadTimeoutError": "the outlet's server did not answer in time",
    "ResponseNeverReceived": "the connection closed before a response came",
    "ConnectionLost": "the connection was lost in the middle of a response",
    "ConnectionDone": "the connection was closed in the middle of a response",
    "ResponseFailed": "the response was cut off",
    "NoRouteError": "there is no network route to the outlet's server",
    "SSLError": "the TLS handshake with the outlet's server failed",
}
_EXC_KEY = re.compile(r"^downloader/exception_type_count/(?:[\w.]+\.)?(\w+)$")


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str | None


def run_figures(stats: dict[str, Any]) -> dict[str, int]:
    """A run row's figures (pages, articles, errors, bytes) from Scrapy's stats."""
    return {
        "pages": int(stats.get("response_received_count", 0)),
        "articles_new": int(stats.get("akhbar/articles/new", 0)),
        "articles_changed": int(stats.get("akhbar/articles/changed", 0)),
        "articles_unchanged": int(stats.get("akhbar/articles/unchanged", 0)),
        "errors": int(stats.get("log_count/ERROR", 0))
        + int(stats.get("akhbar/requests_failed", 0)),
        "bytes_received": int(stats.get("downloader/response_bytes", 0)),
    }


# How each kind of failed fetch (crawler.crawl.outcomes) is said, naming the host.
_KIND_WORDS = {
    "refused": "connection refused by {host}",
    "dns": "no address found for the host name {name}",
    "timeout": "timed out waiting for {host}",
    "tls": "TLS handshake failed with {host}",
    "connection_lost": "{host} closed the connection before a whole response",
    "cut_short": "responses from {host} were cut short",
    "no_route": "no network route to {host}",
    "too_large": "responses from {host} were over the size limit",
    "cancelled": "downloads from {host} were cancelled",
    "redirect_loop": "too many redirects at {host}",
}
_FAILED_KEY = re.compile(r"^akhbar/fetch_failed/([^/]+)/([^/]+)/([^/]+)$")


def _kind_words(kind: str, host: str) -> str:
    if kind.startswith("http_") and kind[5:].isdigit():
        status = int(kind[5:])
        try:
            phrase = " " + HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        return f"HTTP {status}{phrase} from {host}"
    words = _KIND_WORDS.get(kind, "downloads from {host} failed (" + kind + ")")
    return words.format(host=host, name=host.rsplit(":", 1)[0])


def _what(counts: dict[str, int]) -> str:
    pages = counts.get("page", 0)
    parts = ["robots.txt"] if counts.get("robots.txt") else []
    if pages:
        parts.append(f"{pages} page{'s' if pages != 1 else ''}")
    return " and ".join(parts)


def failure_kinds(stats: dict[str, Any]) -> dict[str, int]:
    """Requests that finally failed (after their retries), by kind: ``refused``,
    ``timeout``, ``dns``..., and HTTP answers as ``http_4xx``/``http_5xx``; robots.txt
    included. Empty for a run before crawler.crawl.outcomes counted them."""
    kinds: dict[str, int] = {}
    for key, count in stats.items():
        if (m := _FAILED_KEY.match(key)) and isinstance(count, int):
            kind = m[1]
            if kind.startswith("http_") and kind[5:].isdigit():
                kind = f"http_{kind[5]}xx"
            kinds[kind] = kinds.get(kind, 0) + count
    return kinds


def failed_fetches(stats: dict[str, Any]) -> str | None:
    """Failed fetches by host and kind, from crawler.crawl.outcomes' counts, most first:
    "connection refused by 127.0.0.1:9999 (robots.txt and 3 pages)"."""
    found: dict[tuple[str, str], dict[str, int]] = {}
    for key, count in stats.items():
        if (m := _FAILED_KEY.match(key)) and isinstance(count, int):
            what = found.setdefault((m[1], m[2]), {})
            what[m[3]] = what.get(m[3], 0) + count
    if not found:
        return None
    ranked = sorted(found.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    return "; ".join(f"{_kind_words(kind, host)} ({_what(counts)})"
                     for (kind, host), counts in ranked)


def fetch_problems(stats: dict[str, Any]) -> str | None:
    """What went wrong with the downloads, in words, most frequent first."""
    by_host = failed_fetches(stats)
    if by_host:
        return by_host
    # Stats of a crawl before crawler.crawl.outcomes counted by host: by class alone.
    seen: dict[str, int] = {}
    for key, count in stats.items():
        m = _EXC_KEY.match(key)
        if m and isinstance(count, int):
            words = _EXCEPTION_WORDS.get(m[1], f"downloads failed ({m[1]})")
            seen[words] = seen.get(words, 0) + count
    errors = {k.rsplit("/", 1)[1]: v for k, v in stats.items()
              if k.startswith("downloader/response_status_count/")
              and k.rsplit("/", 1)[1][:1] in "45" and isinstance(v, int)}
    if errors:
        seen["HTTP " + ", ".join(f"{code} x{n}" for code, n in sorted(errors.items()))] = sum(
            errors.values())
    if not seen:
        return None
    return "; ".join(f"{words} ({n} time{'s' if n != 1 else ''})" if "HTTP" not in words
                     else words for words, n in sorted(seen.items(), key=lambda kv: -kv[1]))


def robots_failed(stats: dict[str, Any]) -> str | None:
    """The hosts whose robots.txt could not be fetched, and how: Scrapy then crawls them as
    if robots.txt allowed every page."""
    words = [_kind_words(m[1], m[2]) for key in sorted(stats)
             if (m := _FAILED_KEY.match(key)) and m[3] == "robots.txt"]
    return "; ".join(words) or None


def no_page_answered(stats: dict[str, Any]) -> bool:
    """Pages were asked for and none was answered with a status below 400 (every one
    refused, timed out, 404, 5xx...): what crawler.crawl.outcomes counted."""
    if not stats.get("response_received_count"):
        return True
    pages_failed = any((m := _FAILED_KEY.match(k)) and m[3] == "page" for k in stats)
    return pages_failed and not stats.get("akhbar/fetch_ok")


def _output(stderr_path: Path) -> list[str]:
    try:
        return stderr_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def last_error_line(stderr_path: Path) -> str | None:
    """The last line of a crawl's own output that says what went wrong: an exception's own
    line (``OSError: [Errno 28] No space left on device``) rather than a traceback's frame."""
    for line in reversed(_output(stderr_path)):
        text = line.strip()
        if not text or line[:1].isspace() or text.startswith("Traceback"):
            continue
        if _EXCEPTION_LINE.match(text) or any(m in text for m in (" ERROR", " CRITICAL",
                                                                   "error:")):
            return text[:500]
    return None


_EXCEPTION_LINE = re.compile(r"^[\w.]+(Error|Exception|Exit|Interrupt)\b")
_DISK_FULL_WORDS = ("No space left on device", "database or disk is full")
DISK_FULL_VERDICT = ("the disk holding the data directory is full: the crawl stopped (what it "
                     "archived is kept); free some space, then `akhbar verify --repair`")


# Free bytes below which the disk of the run's files counts as full: a crawl that died there
# without stats met it, even when its own stderr (on that disk) could not say so.
DISK_FULL_BELOW = 1 << 20


def disk_was_full(stderr_path: Path) -> bool:
    if any(w in line for line in _output(stderr_path) for w in _DISK_FULL_WORDS):
        return True
    try:
        return shutil.disk_usage(stderr_path.parent).free < DISK_FULL_BELOW
    except OSError:
        return False


def judge(exit_code: int | None, stats: dict[str, Any], *, cancelled: bool, timed_out: bool,
          stderr_path: Path) -> Verdict:
    """``exit_code`` None or -1: the process was not our child or was lost (adopted, or a
    shared crawl process died); then a stats file with a finish_reason stands for a clean
    end."""
    reason = stats.get("finish_reason")
    clean = exit_code in (0, None, -1) and bool(reason)
    if cancelled:
        return Verdict(CANCELLED, "cancelled by request")
    if reason == "closespider_timeout":
        return Verdict(TIMED_OUT, "stopped at the outlet's max_duration")
    if reason == DISK_FULL or (not reason and disk_was_full(stderr_path)):
        return Verdict(FAILED, DISK_FULL_VERDICT)
    if timed_out:
        return Verdict(TIMED_OUT, "stopped by its owner past the outlet's max_duration "
                       f"(exit code {exit_code})")
    if clean:
        if stats.get("log_count/CRITICAL"):
            return Verdict(FAILED, last_error_line(stderr_path) or "critical error in crawl")
        if no_page_answered(stats):
            why = fetch_problems(stats) or last_error_line(stderr_path) or \
                "the outlet did not answer"
            return Verdict(FAILED, f"no page could be fetched: {why}")
        if stats.get("akhbar/articles/failed") and not any(
                stats.get(f"akhbar/articles/{k}") for k in ("new", "changed", "unchanged")):
            return Verdict(FAILED, "every article failed: " + (
                fetch_problems(stats) or "see the run's log"))
        if reason in ("finished", "closespider_pagecount", "closespider_itemcount"):
            robots = robots_failed(stats)
            return Verdict(SUCCEEDED, str(reason) if not robots else (
                f"{reason}, but robots.txt could not be fetched: {robots}; every page "
                "of that host was allowed"))
        return Verdict(FAILED, str(reason))
    if exit_code == -1:
        return Verdict(FAILED, "the crawl process ended without a record of how (killed or "
                       "crashed)" + _detail(stderr_path))
    if exit_code is not None and exit_code < 0:
        return Verdict(FAILED, f"the crawl process was killed by signal {-exit_code}"
                       + _detail(stderr_path))
    return Verdict(FAILED, f"the crawl process exited with code {exit_code}"
                   + _detail(stderr_path))


def _detail(stderr_path: Path) -> str:
    line = last_error_line(stderr_path)
    return f": {line}" if line else ""
