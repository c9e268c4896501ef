"""Parsers and checks for single config values (durations, sizes, URLs, regexes, cron, zones).

Each ``check_*`` function returns the cleaned value or raises :func:`invalid`, a pydantic error
that carries a ``problem`` and a ``hint``; the loader turns those into :class:`ConfigError`.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from datetime import timedelta
from typing import NoReturn
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic_core import PydanticCustomError

from crawler.urls import PatternError, compile_pattern

#: pydantic error type used for akhbar's own checks (ctx holds ``problem`` and ``hint``).
AKHBAR_ERROR_TYPE = "akhbar_invalid"

#: ISO 639-1/639-3 codes an outlet may declare. The first ones are what akhbar is built for.
KNOWN_LANGUAGES: frozenset[str] = frozenset(
    """en ar fa ps ckb ur ku kmr sdh prs tr az fr de es it pt nl ru uk pl ro bg el sq sr hr bs
    sl sk cs hu fi sv no nb nn da is et lv lt he yi hy ka zh ja ko vi th id ms fil tl hi bn pa sd
    ta te ml mr gu kn ne si my km lo mn bo ug uz tg tk ky kk ba tt so sw ha am ti om yo ig zu
    af ber kab syr arc bal glk mzn lrc lki zza""".split()
)

_LANGUAGE_NAMES = {
    "english": "en",
    "arabic": "ar",
    "persian": "fa",
    "farsi": "fa",
    "pashto": "ps",
    "urdu": "ur",
    "kurdish": "ku",
    "sorani": "ckb",
    "kurmanji": "kmr",
    "dari": "prs",
    "turkish": "tr",
    "french": "fr",
    "azeri": "az",
    "azerbaijani": "az",
    "hebrew": "he",
    "russian": "ru",
    "german": "de",
    "spanish": "es",
    "chinese": "zh",
}

_DURATION_RE = re.compile(r"(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?")
_SIZE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}

DURATION_HINT = 'Use a duration such as "90s", "30m", "2h", "1h30m", "1d" or whole seconds (600)'
SIZE_HINT = 'Use a size such as "512KB", "10MB", "1GB" (1 KB = 1024 bytes) or whole bytes'
CRON_HINT = 'Example: "0 */6 * * *"'
URL_HINT = "Use a full http:// or https:// URL, e.g. https://www.example.org/news/"


def invalid(problem: str, hint: str = "") -> NoReturn:
    """Fail a pydantic validator with akhbar's own problem and hint."""
    raise PydanticCustomError(AKHBAR_ERROR_TYPE, "{problem}", {"problem": problem, "hint": hint})


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest of ``choices`` to ``word`` when it looks like a typo, else None."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def show(value: object, limit: int = 60) -> str:
    """A value as it should appear in a message: quoted, and short."""
    text = f"'{value}'" if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def parse_duration(value: str | int | timedelta) -> timedelta:
    """``"90s"``, ``"30m"``, ``"2h"``, ``"1h30m"``, ``"1d"`` or whole seconds -> timedelta.

    Raises ValueError for anything else (negative numbers, unknown units, empty strings).
    """
    if isinstance(value, timedelta):
        if value < timedelta(0):
            raise ValueError(f"duration {value} is negative")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"{show(value)} is not a duration")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"duration {value} is negative")
        return _bounded(value, value)
    text = value.strip().lower()
    if text.isdigit():
        return _bounded(value, int(text))
    match = _DURATION_RE.fullmatch(text)
    if not text or match is None or not any(match.groups()):
        raise ValueError(f"{show(value)} is not a duration")
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return _bounded(value, seconds, minutes, hours, days)


def _bounded(value: object, seconds: int, minutes: int = 0, hours: int = 0,
             days: int = 0) -> timedelta:
    """The duration, or a ValueError in words when it is past what a timedelta holds."""
    try:
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise ValueError(f"duration {show(value)} is too long (at most "
                         f"{timedelta.max.days} days)") from None


def parse_size(value: str | int) -> int:
    """``"512KB"``, ``"10MB"``, ``"1GB"`` (binary multiples) or whole bytes -> bytes."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"{show(value)} is not a size")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"size {value} is negative")
        return value
    match = _SIZE_RE.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"{show(value)} is not a size")
    number, unit = match.groups()
    size = float(number) * _SIZE_UNITS[(unit or "")[:1].lower()]
    if not math.isfinite(size):
        raise ValueError(f"size {show(value)} is too large")
    return int(size)


def check_duration(value: object) -> timedelta:
    try:
        return parse_duration(value)  # type: ignore[arg-type]
    except ValueError as exc:
        invalid(str(exc), DURATION_HINT)


def check_size(value: object) -> int:
    try:
        return parse_size(value)  # type: ignore[arg-type]
    except ValueError as exc:
        invalid(str(exc), SIZE_HINT)


def check_http_url(value: str) -> str:
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        invalid(f"{show(value)} is not a valid URL ({exc})", URL_HINT)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        what = f"uses {parts.scheme}://" if parts.scheme and parts.netloc else "is not a full URL"
        invalid(f"{show(value)} {what}; only http(s) URLs can be crawled", URL_HINT)
    if parts.username is not None or parts.password is not None:
        # Not shown: the message would repeat the password into logs and terminals.
        invalid(
            "a URL holds a user name or password (user:password@); akhbar crawls public "
            "pages and does not keep credentials in outlet files",
            "Remove the 'user:password@' part; for a site that needs a login, name the login "
            "under the outlet's auth: (auth: {basic: LOGIN_NAME}) and set its value outside "
            "the outlet files (AKHBAR_SECRET_LOGIN_NAME)",
        )
    return value


def check_regex(value: str) -> str:
    try:
        compile_pattern(value)
    except PatternError as exc:
        invalid(
            f"{show(value)} is not a valid regular expression for akhbar: {exc}",
            "Patterns are regular expressions searched in the URL's path and query, run by "
            "RE2 so that no pattern can stall a crawl (no look-around, no back-references); "
            "escape literal '.', '?', '(' or '[' with a backslash and single-quote them in "
            "YAML, e.g. '/\\d{4}/\\d{2}/'",
        )
    return value


def check_language(value: str) -> str:
    code = value.strip().lower()
    if code in KNOWN_LANGUAGES:
        return code
    guess = _LANGUAGE_NAMES.get(code) or suggest(code, sorted(KNOWN_LANGUAGES))
    hint = "Use ISO 639 codes such as en, ar, fa, ps, ckb, ur, ku, tr, fr"
    if guess:
        hint = f"Did you mean '{guess}'? {hint}"
    invalid(f"{show(value)} is not a known language code", hint)


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        guess = suggest(value, available_timezones())
        hint = 'Use an IANA time zone name such as "Asia/Tehran", "Asia/Qatar" or "UTC"'
        if guess:
            hint = f"Did you mean '{guess}'? {hint}"
        invalid(f"{show(value)} is not a known time zone", hint)
    return value


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _cron_day(token: str, *, end: bool = False) -> int:
    if token.isdigit() and int(token) <= 7:
        return int(token) if end else int(token) % 7
    return _DAY_NAMES.index(token.lower())  # ValueError when unknown


def standard_weekdays(field: str) -> str:
    """A crontab weekday field with numbers (0 or 7 = Sunday) spelled as day names.

    APScheduler 3's ``from_crontab`` reads weekday numbers as 0 = Monday, so "0 0 * * 0" would
    fire on Mondays; names mean the same everywhere. Fields without digits are left alone.
    Raises ValueError when the field cannot be read.
    """
    if not any(c.isdigit() for c in field):
        return field
    days: set[int] = set()
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        if base == "*":
            low, high = 0, 6
        elif "-" in base:
            first, last = base.split("-", 1)
            low, high = _cron_day(first), _cron_day(last, end=True)
        else:
            low = _cron_day(base)
            high = 6 if step_text else low
        step = int(step_text) if step_text else 1
        if step < 1 or low > high:
            raise ValueError(f"weekday range {part!r}")
        days.update(day % 7 for day in range(low, high + 1, step))
    if len(days) == 7:
        return "*"
    return ",".join(_DAY_NAMES[day] for day in sorted(days))


def check_cron(expr: str, timezone: str) -> str:
    """A 5-field crontab line valid for APScheduler in ``timezone`` (falls back to UTC).

    Returned normalized: single spaces, and weekday numbers as names (see
    :func:`standard_weekdays`), so that ``CronTrigger.from_crontab`` on the result fires on the
    days a cron user means.
    """
    # Imported here: its cost is paid only when an outlet has a schedule. No stubs/py.typed.
    from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]

    try:
        tz = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")  # the time zone has its own error; still check the expression
    fields = expr.split()
    if len(fields) == 5:
        try:
            fields[4] = standard_weekdays(fields[4])
        except ValueError:
            pass  # APScheduler's own message below says what is wrong
    try:
        CronTrigger.from_crontab(" ".join(fields), timezone=tz)
    except ValueError as exc:
        reason = "5 fields: minute hour day month weekday" if len(expr.split()) != 5 else str(exc)
        invalid(f"'{expr}' is not a valid cron expression ({reason})", CRON_HINT)
    return " ".join(fields)
