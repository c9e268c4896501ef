"""Fuzzing date parsing (crawler/extraction/_dates.py): metadata values and bylines."""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given
from hypothesis import strategies as st

from crawler.extraction._dates import (
    GREGORIAN_MONTHS,
    SOLAR_MONTHS,
    date_from_byline,
    normalise_date,
)
from tests.fuzz.strategies import FUZZ, MIXED_TEXT

_DIGITS = st.sampled_from("0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")
_NUMBER = st.lists(_DIGITS, min_size=1, max_size=6).map("".join)
_PIECE = st.one_of(
    _NUMBER,
    st.sampled_from(sorted(SOLAR_MONTHS) + sorted(GREGORIAN_MONTHS)),
    st.sampled_from(["-", "/", ".", ":", "T", "Z", "+03:30", " ", "،", "ماه", "سال", "ام",
                     "January", "Dec", "PM", "UTC", "GMT+99"]),
)
DATE_LIKE = st.one_of(st.lists(_PIECE, max_size=10).map("".join), MIXED_TEXT)


def _is_iso(value: str) -> bool:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return 1900 <= parsed.year <= dt.date.today().year + 1


@FUZZ
@given(DATE_LIKE)
@example("9999-99-99T99:99")
@example("1403/13/40")
@example("10000000000000000000000")
@example("2024-12-22T09:30:00+99:00")
def test_normalise_date_gives_an_iso_date_or_none(value: str) -> None:
    result = normalise_date(value)
    assert result is None or _is_iso(result), result


@FUZZ
@given(DATE_LIKE)
@example("۱۴۰۳/۱۲/۳۱")
@example("۳۰ اسفند ۱۴۰۳")
@example("٣١ فبراير ٢٠٢٤")
def test_date_from_byline_gives_an_iso_date_and_a_source_or_none(text: str) -> None:
    found = date_from_byline(text)
    if found is not None:
        day, source = found
        assert _is_iso(day) and len(day) == 10
        assert source in ("byline", "byline-solar-hijri")
