from __future__ import annotations

import pytest

from crawler.extraction._dates import date_from_byline, normalise_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-12-22T09:30:00+03:30", "2024-12-22T09:30:00+03:30"),
        ("2024-12-22T06:00:00Z", "2024-12-22T06:00:00+00:00"),
        ("2024-12-22T09:30:00.123+03:30", "2024-12-22T09:30:00+03:30"),
        ("2024-12-22T09:30:00", "2024-12-22T09:30:00"),
        ("2024-12-22", "2024-12-22"),
        ("Fri, 20 Dec 2024 10:15:00 GMT", "2024-12-20T10:15:00+00:00"),
        ("٢٠٢٤-١٢-٢٠", "2024-12-20"),
        ("", None),
        (None, None),
        ("not a date", None),
        ("0001-01-01", None),
        ("2999-01-01", None),
    ],
)
def test_normalise_date(value: str | None, expected: str | None) -> None:
    assert normalise_date(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۱۴۰۵/۰۸/۲۸", ("2026-11-19", "byline-solar-hijri")),
        ("تاریخ انتشار: ۲۸ آبان ۱۴۰۳ - ۱۰:۳۵", ("2024-11-18", "byline-solar-hijri")),
        ("۱۸ دی ۱۴۰۳", ("2025-01-07", "byline-solar-hijri")),
        ("۱ فروردین ۱۴۰۳", ("2024-03-20", "byline-solar-hijri")),
        # Arabic yeh and kaf, as some Persian CMSes write them
        ("٢٨ آبان ١٤٠٣", ("2024-11-18", "byline-solar-hijri")),
        ("۲۸/۰۸/۱۴۰۳", ("2024-11-18", "byline-solar-hijri")),
        ("1403/08/28", ("2024-11-18", "byline-solar-hijri")),
        ("نشر في ٢٠٢٤/١٢/٢٠ الساعة ١٠:٣٠", ("2024-12-20", "byline")),
        ("٢٠ ديسمبر ٢٠٢٤", ("2024-12-20", "byline")),
        ("٥ كانون الثاني ٢٠٢٥", ("2025-01-05", "byline")),
        ("۲۰ دسامبر ۲۰۲۴", ("2024-12-20", "byline")),
    ],
)
def test_date_from_byline(text: str, expected: tuple[str, str]) -> None:
    assert date_from_byline(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "کد خبر: ۸۴۲۱۳",
        "١٤٤٦/٠٦/١٨",  # a lunar Hijri year, not Solar Hijri: would land decades ahead
        "2024/12/20",  # Latin digits, Gregorian: left to htmldate
        "۳۲ آبان ۱۴۰۳",
        "۱۴۰۳/۱۳/۰۱",
    ],
)
def test_date_from_byline_refuses(text: str) -> None:
    assert date_from_byline(text) is None
