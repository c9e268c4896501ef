"""The survey of a query's matches: exact up to EXACT_COUNT, past it estimated from stripes of
ids (SQLite) with the rank window's start drawn from them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.catalog import Catalog, sqlite_url
from crawler.search import ArticleQuery, catch_up, search, survey
from crawler.search.query import parse
from tests.search.conftest import T0, add_article, fill


@given(st.integers(1, 10**9), st.integers(0, 10**7))
def test_stripes_lie_in_order_inside_their_stretches(low: int, length: int) -> None:
    plan = survey.stripes(low, low + length)
    assert plan[0].low == low and plan[-1].high == low + length
    for before, after in zip(plan, plan[1:], strict=False):
        assert before.high + 1 == after.low  # the stretches tile the range
    for stripe in plan:
        assert stripe.low <= stripe.first <= stripe.high
        # Each reads about 1/COVER of its stretch (the whole of a short range).
        width = stripe.high - stripe.first + 1
        stretch = stripe.high - stripe.low + 1
        assert width == stretch or width == stretch // survey.COVER


@given(st.lists(st.integers(0, 50), min_size=survey.STRIPES, max_size=survey.STRIPES),
       st.integers(1, 3000))
def test_the_window_starts_where_the_newest_estimates_reach_the_window(
        found: list[int], window: int) -> None:
    plan = [s.__class__(s.low, s.high, s.first, n)
            for s, n in zip(survey.stripes(1, 100_000), found, strict=True)]
    total = sum(s.estimate for s in plan)
    old = survey.RANK_WINDOW
    survey.RANK_WINDOW = window
    try:
        start = survey._window_start(plan)
    finally:
        survey.RANK_WINDOW = old
    if total < window:
        assert start is None
        return
    assert start is not None and 1 <= start <= 100_000
    above = sum(s.estimate * max(0, s.high + 1 - max(start, s.low)) / (s.high - s.low + 1)
                for s in plan)
    # The newest matches from the start hold the window (within one id's share of a stretch).
    assert above >= window - 1e-6
    assert above <= window + max(s.estimate for s in plan) / (plan[0].high - plan[0].low + 1) + 1


@pytest.fixture()
def striped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Catalog]:
    """A SQLite catalog of 128 articles with "qqzz" (every other one with "wwyy" too), and a
    survey scaled down: past 10 matches, 4 stripes each reading half its stretch."""
    cat = Catalog(sqlite_url(tmp_path / "catalog.sqlite"))
    fill(cat)
    for n in range(128):
        add_article(cat, "demo_en", f"/striped/{n}/", "t",
                    "qqzz " * (1 + n % 3) + ("wwyy" if n % 2 else "end"), "en",
                    "2026-11-01", T0 + timedelta(days=5, minutes=n))
    catch_up(cat)
    monkeypatch.setattr(survey, "EXACT_COUNT", 10)
    monkeypatch.setattr(survey, "STRIPES", 4)
    monkeypatch.setattr(survey, "COVER", 2)
    monkeypatch.setattr(survey, "RANK_WINDOW", 40)
    try:
        yield cat
    finally:
        cat.dispose()


def test_past_the_exact_count_the_stripes_estimate_and_place_the_window(
        striped: Catalog) -> None:
    with striped.session() as session:
        every = survey.survey(session, striped, parse("qqzz"), ArticleQuery(text="qqzz"))
        half = survey.survey(session, striped, parse("wwyy"), ArticleQuery(text="wwyy"))
        few = survey.survey(session, striped, parse("qqzz wwyy"),
                            ArticleQuery(text="qqzz wwyy", outlet="demo_ar"))
    # Every id of the range matches "qqzz": the stripes see it; "wwyy": every other id.
    assert (every.matches, every.exact) == (128, False)
    assert 56 <= half.matches <= 72 and not half.exact
    assert half.sample and len(every.sample) == 64  # half of each stretch: 4 x 16
    assert (few.matches, few.exact, few.start) == (0, True, None)
    # The window: the newest 40 of "qqzz" (one id's share of a stretch either way).
    assert every.start is not None
    newest = sorted(every.sample)[-1]
    assert 38 <= newest - every.start + 1 <= 42
    page = search(striped, ArticleQuery(text="qqzz", limit=50))
    assert not page.total_exact and page.total == 128
    # Ranked among the window alone: none of the older articles, the most repeated first.
    ranks = [int(h.url.rstrip("/").rsplit("/", 1)[1]) for h in page.hits]
    assert min(ranks) >= 128 - 42 and len(page.hits) <= 42
    assert all(n % 3 == 2 for n in ranks[:10])


def test_a_phrase_asked_by_positions_is_ranked_in_the_phrase_window(
        striped: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(survey, "PHRASE_WINDOW", 20)
    with striped.session() as session:
        words = survey.survey(session, striped, parse("qqzz wwyy"), ArticleQuery(text="x"))
        phrase = survey.survey(session, striped, parse('"qqzz wwyy"'), ArticleQuery(text="x"))
    # "qqzz wwyy" side by side in every other article: 64 matches, words and phrase alike.
    assert (words.window, phrase.window) == (40, 20)
    assert words.start is not None and phrase.start is not None and phrase.start > words.start
    page = search(striped, ArticleQuery(text='"qqzz wwyy"', limit=50))
    ranks = [int(h.url.rstrip("/").rsplit("/", 1)[1]) for h in page.hits]
    # The newest ~20 matches of 64 (every other id): ids from ~128 - 2 x 20 up.
    assert ranks and all(n % 2 for n in ranks) and min(ranks) >= 128 - 2 * 22
    assert len(page.hits) <= 22 and not page.total_exact
    # Never larger than the window of words (a test, or a deployment, may shrink that).
    monkeypatch.setattr(survey, "RANK_WINDOW", 10)
    assert survey.rank_window(parse('"qqzz wwyy"'), exact=True) == 10
