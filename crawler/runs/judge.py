"""How a run ended, in words: its final status and reason from the exit code, Scrapy's final
stats and what the owner knows (cancelled, timed out). Pure functions."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
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


def fetch_problems(stats: dict[str, Any]) -> str | None:
    """What went wrong with the downloads, in words, most frequent first."""
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
        if not stats.get("response_received_count"):
            why = fetch_problems(stats) or last_error_line(stderr_path) or \
                "the outlet did not answer"
            return Verdict(FAILED, f"no page could be fetched: {why}")
        if stats.get("akhbar/articles/failed") and not any(
                stats.get(f"akhbar/articles/{k}") for k in ("new", "changed", "unchanged")):
            return Verdict(FAILED, "every article failed: " + (
                fetch_problems(stats) or "see the run's log"))
        if reason in ("finished", "closespider_pagecount", "closespider_itemcount"):
            return Verdict(SUCCEEDED, str(reason))
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
