"""Property tests of issue 18's pure cores: author names, keyword lists, dates shown in the
outlet's calendar."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from crawler.extraction._fields import MAX_TERMS, _terms, split_names
from crawler.web.present import fmt_article_date
from tests.fuzz.strategies import FUZZ, MIXED_TEXT


@FUZZ
@given(MIXED_TEXT)
def test_split_names_gives_clean_distinct_names(value: str) -> None:
    names = split_names(value)
    assert len(names) == len(set(names))
    for name in names:
        assert name and name == " ".join(name.split()) and len(name) <= 80
        assert not name.startswith(("http://", "https://"))


@FUZZ
@given(st.lists(MIXED_TEXT, max_size=40) | MIXED_TEXT)
def test_terms_are_distinct_trimmed_and_bounded(values: list[str] | str) -> None:
    terms = _terms(values)
    assert len(terms) == len(set(terms)) <= MAX_TERMS
    assert all(t and t == " ".join(t.split()) and "," not in t for t in terms)


@FUZZ
@given(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
       st.integers(min_value=-12 * 60, max_value=14 * 60), st.booleans())
def test_solar_hijri_dates_keep_the_gregorian_beside_them(moment: dt.datetime, minutes: int,
                                                          with_time: bool) -> None:
    zone = dt.timezone(dt.timedelta(minutes=minutes))
    value = moment.replace(tzinfo=zone, microsecond=0).isoformat() if with_time else (
        moment.date().isoformat())
    shown = fmt_article_date(value, "solar-hijri")
    solar, _, gregorian = shown.partition(" · ")
    assert gregorian == fmt_article_date(value) and gregorian.startswith(value[:10])
    assert solar and solar[0] in "۰۱۲۳۴۵۶۷۸۹"


@FUZZ
@given(MIXED_TEXT)
def test_any_stored_date_text_is_shown_without_error(value: str) -> None:
    assert isinstance(fmt_article_date(value, "solar-hijri"), str)
