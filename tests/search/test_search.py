"""Search on the demo catalog, the same assertions on SQLite and on PostgreSQL: what issue 12's
table typed finds its article, the query syntax, ranking, paging, filters and versions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from crawler.catalog import Catalog
from crawler.errors import QueryError
from crawler.search import ArticleQuery, results, search, survey
from tests.search.conftest import T0, add_article

HOUSING = "tehran-housing-market-cools"
FILMS = "tehran-short-film-festival-opens"
VOLLEYBALL = "volleyball-team-asian-semifinal"
SENSOR = "low-cost-air-pollution-sensor"
AMMAN = "amman-reconstruction-ministers"
BANK = "central-bank-holds-rates-steady"


def found(catalog: Catalog, text: str, **kw: object) -> list[str]:
    page = search(catalog, ArticleQuery(text=text, limit=100, **kw))  # type: ignore[arg-type]
    assert page.total == len(page.hits)
    return [slug(hit.url) for hit in page.hits]


def slug(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


@pytest.mark.parametrize(("typed", "article"), [
    ("مسكن", HOUSING), ("مسکن", HOUSING),
    ("آبانماه", HOUSING), ("آبان ماه", HOUSING), ("آبان‌ماه", HOUSING), ('"آبان ماه"', HOUSING),
    ("60", FILMS), ("٦٠", FILMS), ("۶۰", FILMS),
    ("عمان", AMMAN), ("عمّان", AMMAN),
    ("الاعمار", AMMAN), ("الإعمار", AMMAN),
    ("bank rates", BANK), ("BANK", BANK),
])
def test_each_written_form_finds_the_other(catalog: Catalog, typed: str, article: str) -> None:
    assert article in found(catalog, typed)


COMPOUNDS = {"joined": "در آبانماه گذشته", "spaced": "در آبان ماه گذشته",
             "zwnj": "در آبان\u200cماه گذشته"}
THREE_PARTS = {"3-joined": "آنها را میخواهمشان", "3-zwnj": "آنها را می\u200cخواهم\u200cشان"}


def test_a_compound_joined_spaced_or_with_a_non_joiner_finds_every_form(
        catalog: Catalog) -> None:
    for n, (form, text) in enumerate((COMPOUNDS | THREE_PARTS).items()):
        add_article(catalog, "demo_fa", f"/compound/{form}", "ترکیب", text, "fa", "2026-11-01",
                    T0 + timedelta(hours=n + 1))
    for typed in ("آبانماه", "آبان ماه", "آبان\u200cماه", '"آبان ماه"', '"در آبان ماه"'):
        for exact in (False, True):
            assert set(found(catalog, typed, exact=exact)) >= set(COMPOUNDS), (typed, exact)
    for typed in ("میخواهمشان", "می خواهم شان", "می\u200cخواهم\u200cشان", '"می خواهم شان"'):
        assert set(found(catalog, typed)) >= set(THREE_PARTS), typed
    assert "spaced" not in found(catalog, "آبانماه -ماهگذشته")  # a pair excludes too


def test_arabic_yeh_finds_persian_yeh_and_its_derived_words(catalog: Catalog) -> None:
    for typed in ("ايران", "ایران"):
        assert set(found(catalog, typed)) == {VOLLEYBALL, FILMS, SENSOR}
    # Exact: the normalised form alone, without light stems (ایرانی is another word then).
    assert set(found(catalog, "ايران", exact=True)) == {VOLLEYBALL, FILMS}


def test_query_syntax(catalog: Catalog) -> None:
    assert found(catalog, '"central bank"') == [BANK]
    assert found(catalog, '"bank central"') == []
    assert set(found(catalog, "ایران -والیبال")) == {FILMS, SENSOR}
    assert set(found(catalog, 'ایران -"تیم ملی"')) == {FILMS, SENSOR}
    assert set(found(catalog, "مسکن OR عمّان")) == {HOUSING, AMMAN}
    assert BANK in found(catalog, "benchm*")
    assert found(catalog, "50%") == found(catalog, "50")
    assert found(catalog, "ban_k") == found(catalog, '"ban k"') == []


def test_ranking_puts_the_article_about_it_first(catalog: Catalog) -> None:
    hits = search(catalog, ArticleQuery(text="ایران")).hits
    assert slug(hits[0].url) == VOLLEYBALL  # three times, the others once
    assert hits[0].score is not None and hits[0].score > hits[-1].score  # type: ignore[operator]


def test_snippet_marks_the_word_as_written(catalog: Catalog) -> None:
    hit = search(catalog, ArticleQuery(text="عمان")).hits[0]
    assert "[عمّان]" in hit.snippet.marked()
    assert hit.snippet.parts()


def test_paging_gives_every_hit_once_with_the_total(catalog: Catalog) -> None:
    everything = found(catalog, "the")
    assert len(everything) > 4
    pages = [search(catalog, ArticleQuery(text="the", limit=2, offset=n))
             for n in range(0, len(everything), 2)]
    assert all(p.total == len(everything) for p in pages)
    assert [slug(h.url) for p in pages for h in p.hits] == everything
    assert pages[-1].next_offset is None and pages[0].next_offset == 2


def test_filters(catalog: Catalog) -> None:
    assert found(catalog, "ایران", outlet="demo_ar") == []
    assert set(found(catalog, "ایران", lang="fa")) == {VOLLEYBALL, FILMS, SENSOR}
    published = {slug(h.url): date.fromisoformat(h.published[:10]) for h in
                 search(catalog, ArticleQuery(text="ایران")).hits if h.published}
    assert len(published) == 3 and len(set(published.values())) == 3
    middle = sorted(published.values())[1]
    assert set(found(catalog, "ایران", published_from=middle)) == {
        s for s, d in published.items() if d >= middle}
    assert set(found(catalog, "ایران", published_to=middle)) == {
        s for s, d in published.items() if d <= middle}  # the day itself is included
    assert found(catalog, "ایران", published_to=date(2000, 1, 1)) == []
    by_date = search(catalog, ArticleQuery(text="ایران", sort="date")).hits
    dates = [h.published for h in by_date]
    assert dates == sorted(dates, reverse=True)


def test_unknown_outlet_or_language_or_bad_query_is_a_named_error(catalog: Catalog) -> None:
    for kw, parameter in (({"outlet": "nope"}, "outlet"), ({"lang": "xx"}, "lang"),
                          ({"text": '"open'}, "q"), ({"text": "-only"}, "q"),
                          ({"text": "%"}, "q"), ({"sort": "size"}, "sort")):
        with pytest.raises(QueryError) as err:
            search(catalog, ArticleQuery(**{"text": "ایران", **kw}))  # type: ignore[arg-type]
        assert err.value.parameter == parameter


def test_all_versions_searches_the_text_an_article_had_before(catalog: Catalog) -> None:
    latest = search(catalog, ArticleQuery(text="the", limit=100)).hits
    every = search(catalog, ArticleQuery(text="the", limit=100, all_versions=True)).hits
    assert len(every) > len(latest)
    old = [h for h in every if h.version < h.latest_version]
    assert old and all(h.version == h.latest_version for h in latest)


def test_pages_cut_from_few_candidates_are_the_pages_of_every_match(
        catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """Candidates so few that filters and older versions leave pages short: the search
    falls back to every match, and each page is still the same."""
    whole = [(slug(h.url), h.version) for h in search(
        catalog, ArticleQuery(text="the", lang="en", limit=100, all_versions=True)).hits]
    monkeypatch.setattr(results, "MIN_CANDIDATES", 1)
    monkeypatch.setattr(results, "CANDIDATES", 1)
    pages = [search(catalog, ArticleQuery(text="the", lang="en", limit=3, offset=n,
                                          all_versions=True)) for n in range(0, len(whole), 3)]
    assert [(slug(h.url), h.version) for p in pages for h in p.hits] == whole
    assert all(p.total == len(whole) and p.total_exact for p in pages)


def test_a_total_past_the_exact_count_is_an_estimate(catalog: Catalog,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    query = ArticleQuery(text="the", lang="en", limit=2)
    exact = search(catalog, query)
    assert exact.total_exact and exact.total > 3
    monkeypatch.setattr(survey, "EXACT_COUNT", 3)
    monkeypatch.setattr(survey, "SAMPLE", 1)  # the whole index as the sample: no error
    page = search(catalog, query)
    assert page.total == exact.total and not page.total_exact and page.next_offset == 2
    assert page.to_dict()["total_exact"] is False
    monkeypatch.setattr(survey, "SAMPLE", 1_000_000)  # a sample of nothing
    assert search(catalog, query).total >= 2


def test_a_short_page_is_the_last_and_its_total_is_exact(catalog: Catalog,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(survey, "EXACT_COUNT", 0)
    every = search(catalog, ArticleQuery(text="the", limit=100))
    assert every.total == len(every.hits) and every.total_exact
    last = search(catalog, ArticleQuery(text="the", limit=100, offset=len(every.hits) - 1))
    assert last.total == every.total and last.total_exact and last.next_offset is None


def test_a_common_word_is_ranked_among_its_newest_matches(
        catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    # Five versions, the oldest with the word five times: first when every match is ranked.
    for n in range(5):
        add_article(catalog, "demo_en", f"/window/{n}/", "t", "zyxw " * (5 - n) + "end", "en",
                    f"2026-11-0{n + 1}", T0 + timedelta(days=3, hours=n))
    assert found(catalog, "zyxw") == ["0", "1", "2", "3", "4"]
    monkeypatch.setattr(survey, "RANK_WINDOW", 2)
    page = search(catalog, ArticleQuery(text="zyxw"))
    assert [slug(h.url) for h in page.hits] == ["3", "4"]
    assert page.total == 5 and page.total_exact and page.next_offset is None
    # Date order sees every match; so does a date filter that few of the newest matches pass
    # (in the count's sample: here every match).
    assert len(search(catalog, ArticleQuery(text="zyxw", sort="date")).hits) == 5
    monkeypatch.setattr(survey, "SAMPLE", 1)
    assert found(catalog, "zyxw", published_to=date(2026, 11, 3)) == ["0", "1", "2"]
    dated = search(catalog, ArticleQuery(text="zyxw", published_from=date(2026, 11, 1)))
    assert [slug(h.url) for h in dated.hits] == ["3", "4"] and dated.next_offset is None
    # A language filter in a window: the newest in that language, ranked without the others.
    add_article(catalog, "demo_fa", "/window/fa/", "t", "zyxw " * 9, "fa", "2026-11-09",
                T0 + timedelta(days=4))
    for lang, expected in (("en", ["3", "4"]), ("fa", ["fa"]), ("ar", [])):
        page = search(catalog, ArticleQuery(text="zyxw", lang=lang))
        assert [slug(h.url) for h in page.hits] == expected, lang


def test_a_phrase_with_a_common_word_finds_the_two_side_by_side_only(catalog: Catalog) -> None:
    # On SQLite such a phrase is one token of the index (a common gram), on PostgreSQL
    # positions: the same articles either way, in both columns (stems and exact forms).
    seen = T0 + timedelta(days=3)
    add_article(catalog, "demo_en", "/gram/1/", "t", "Zyxq the bank. Rates", "en", None, seen)
    add_article(catalog, "demo_en", "/gram/2/", "t", "The zyxq, in a bank", "en", None, seen)
    add_article(catalog, "demo_fa", "/gram/3/", "t", "کتاب‌های خضظ که ماند", "fa", None, seen)
    add_article(catalog, "demo_fa", "/gram/4/", "t", "که خضظها ماند", "fa", None, seen)
    for exact in (False, True):
        assert found(catalog, '"zyxq the"', exact=exact) == ["1"]
        assert found(catalog, '"the zyxq"', exact=exact) == ["2"]
        assert found(catalog, '"bank rates"', exact=exact) == ["1"]  # across a full stop
        assert found(catalog, '"خضظ که"', exact=exact) == ["3"]
    assert found(catalog, '"که خضظ"') == ["4"]  # the stem of خضظها
    assert found(catalog, '"که خضظ"', exact=True) == []
