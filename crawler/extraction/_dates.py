"""Normalise publication dates and read them from bylines in Persian or Arabic script.

A date with a time keeps it, with the page's own UTC offset ("2024-12-22T09:30:00+03:30");
a date alone is "YYYY-MM-DD". Bylines written with Persian (۰-۹) or Arabic-Indic (٠-٩) digits
are read as Solar Hijri when the year is 13xx-14xx (or a Persian month is named) and as
Gregorian when it is 19xx-20xx.
"""

from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as dateparser
from persiantools.jdatetime import JalaliDate

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# Arabic-script letters that Persian pages spell with either codepoint.
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "\u200c": " "})

SOLAR_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("فروردین",),
            ("اردیبهشت",),
            ("خرداد",),
            ("تیر",),
            ("مرداد", "امرداد"),
            ("شهریور",),
            ("مهر",),
            ("آبان",),
            ("آذر",),
            ("دی",),
            ("بهمن",),
            ("اسفند",),
        ],
        start=1,
    )
    for name in names
}

# Spelled after _LETTERS: Arabic yeh is folded to Persian yeh.
GREGORIAN_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("ینایر", "کانون الثانی", "ژانویه"),
            ("فبرایر", "شباط", "فوریه"),
            ("مارس", "آذار"),
            ("أبریل", "ابریل", "إبریل", "نیسان", "آوریل"),
            ("مایو", "أیار", "ایار", "مه"),
            ("یونیو", "یونیه", "حزیران", "ژوئن"),
            ("یولیو", "یولیه", "تموز", "ژوئیه"),
            ("أغسطس", "اغسطس", "آب", "اوت"),
            ("سبتمبر", "أیلول", "ایلول", "سپتامبر"),
            ("أکتوبر", "اکتوبر", "تشرین الأول", "اکتبر"),
            ("نوفمبر", "تشرین الثانی", "نوامبر"),
            ("دیسمبر", "کانون الأول", "دسامبر"),
        ],
        start=1,
    )
    for name in names
}


def _alternation(names: dict[str, int]) -> str:
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


_NUMERIC = re.compile(
    r"(?<!\d)(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})(?!\d)"  # year first
    r"|(?<!\d)(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})(?!\d)"  # day first
)
_SOLAR_NAMED = re.compile(
    rf"(?<!\d)(\d{{1,2}})\s*(?:ام\s*)?({_alternation(SOLAR_MONTHS)})"
    rf"\s*(?:ماه\s*)?(?:سال\s*)?(\d{{4}})(?!\d)"
)
_GREGORIAN_NAMED = re.compile(
    rf"(?<!\d)(\d{{1,2}})\s*(?:[/\-]\s*)?({_alternation(GREGORIAN_MONTHS)})"
    rf"\s*(?:[/\-،,]\s*)?(\d{{4}})(?!\d)"
)
_EASTERN_DIGIT = re.compile("[۰-۹٠-٩]")


def _plausible(day: dt.date) -> bool:
    # A lunar Hijri year (1446) read as Solar Hijri lands decades ahead; refuse such dates.
    return 1900 <= day.year <= dt.date.today().year + 1


def normalise_date(value: str | None) -> str | None:
    """ISO date or datetime from a metadata value; ``None`` when it cannot be read."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip().translate(_DIGITS)
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = dateparser.parse(value, fuzzy=False)
        except (ValueError, OverflowError):
            return None
    if not _plausible(parsed.date()):
        return None
    has_time = "T" in value or ":" in value
    if not has_time:
        return parsed.date().isoformat()
    try:
        return parsed.isoformat(timespec="seconds")
    except ValueError:  # dateutil keeps an offset of a day or more ("+99:00") until asked
        return None


def _solar(year: int, month: int, day: int) -> dt.date | None:
    if not (1300 <= year <= 1499 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    try:
        gregorian = JalaliDate(year, month, day).to_gregorian()
    except ValueError:
        return None
    return gregorian if _plausible(gregorian) else None


def _gregorian(year: int, month: int, day: int) -> dt.date | None:
    if not 1900 <= year <= 2099:
        return None
    try:
        day_ = dt.date(year, month, day)
    except ValueError:
        return None
    return day_ if _plausible(day_) else None


def date_from_byline(text: str) -> tuple[str, str] | None:
    """Find a Solar Hijri or Gregorian date in byline text: ``(ISO date, source)``.

    The source is "byline-solar-hijri" or "byline". Gregorian dates are only taken from text
    written with Persian or Arabic-Indic digits or month names; Latin ones are htmldate's job.
    """
    if not text:
        return None
    eastern = _EASTERN_DIGIT.search(text) is not None
    folded = text.translate(_DIGITS).translate(_LETTERS)
    for match in _SOLAR_NAMED.finditer(folded):
        found = _solar(int(match[3]), SOLAR_MONTHS[match[2]], int(match[1]))
        if found:
            return found.isoformat(), "byline-solar-hijri"
    for match in _NUMERIC.finditer(folded):
        if match[1]:
            year, month, day = int(match[1]), int(match[2]), int(match[3])
        else:
            year, month, day = int(match[6]), int(match[5]), int(match[4])
        solar = _solar(year, month, day)
        if solar:
            return solar.isoformat(), "byline-solar-hijri"
        gregorian = _gregorian(year, month, day) if eastern else None
        if gregorian:
            return gregorian.isoformat(), "byline"
    for match in _GREGORIAN_NAMED.finditer(folded):
        gregorian = _gregorian(int(match[3]), GREGORIAN_MONTHS[match[2]], int(match[1]))
        if gregorian:
            return gregorian.isoformat(), "byline"
    return None
