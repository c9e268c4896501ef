"""Every folding issue 12 lists, searched on SQLite and on PostgreSQL: an article holds one
written form, another article the other form, and a search for either finds both. Then the
non-joiner (joined, split, spaced) and the light stems, with exact-form search still exact."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.catalog import Catalog, sqlite_url
from crawler.search import ArticleQuery, search
from tests.search.conftest import add_article

# (rule, one written form, the other): each pair shares no word with any other pair.
FOLDINGS = [
    ("hamza above alef", "أحمد", "احمد"),
    ("hamza below alef", "إعمار", "اعمار"),
    ("madda alef", "آبادان", "ابادان"),
    ("alef maksura", "مستشفى", "مستشفي"),
    ("Persian yeh", "ایران", "ايران"),
    ("yeh barree", "نئے", "نئي"),
    ("keheh", "مسکن", "مسكن"),
    ("teh marbuta", "مدرسة", "مدرسه"),
    ("heh with yeh", "خانۀ", "خانه"),
    ("heh goal", "ہفتہ", "هفته"),
    ("tatweel", "جـــديد", "جديد"),
    ("harakat U+064B-U+0652", "شُكْرًا", "شكرا"),
    ("shadda", "عمّان", "عمان"),
    ("hamza above U+0654", "نامهٔ", "نامه"),
    ("Persian digits", "۱۴۰۳", "1403"),
    ("Arabic-Indic digits", "٢٠٢٦", "2026"),
    ("Persian and Arabic-Indic digits", "۶۰", "٦٠"),
    ("Latin case", "Sanctions", "SANCTIONS"),
]

# A compound with the non-joiner, joined, with a space: each form typed (as words, or the
# spaced one as a phrase) finds every form written.
COMPOUND = {"non-joiner": "آبان‌ماه", "joined": "آبانماه", "space": "آبان ماه"}

# (what the article has, what is typed): the non-joiner and the light stems.
FINDS = [
    *((has, typed) for has in COMPOUND.values()
      for typed in (*COMPOUND.values(), '"آبان ماه"') if typed != has),
    ("الاقتصاد", "اقتصاد"), ("والاقتصاد", "اقتصاد"), ("بالاقتصاد", "الاقتصاد"),
    ("کتاب‌ها", "کتاب"), ("کتابها", "کتاب"), ("ایرانیان", "ایرانی"), ("تحریمات", "تحریم"),
]

ARTICLES = sorted({form for _, a, b in FOLDINGS for form in (a, b)}
                  | {form for has, _ in FINDS for form in (has,)}
                  | {"کتاب", "تحریم", "وزیر", "و زیر"})


def path_of(form: str) -> str:
    return f"/{ARTICLES.index(form)}/"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def catalog(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    url = (sqlite_url(Path(tmp_path_factory.mktemp("folding")) / "c.sqlite")
           if request.param == "sqlite" else request.getfixturevalue("pg_module_url"))
    cat = Catalog(url)
    for form in ARTICLES:
        add_article(cat, "demo_fa", path_of(form), "خبر", f"متن {form} پایان", "fa",
                    "2026-11-01", datetime(2026, 11, 1, tzinfo=UTC))
    try:
        yield cat
    finally:
        cat.dispose()


def found(catalog: Catalog, text: str, exact: bool = False) -> set[str]:
    page = search(catalog, ArticleQuery(text=text, limit=100, exact=exact))
    return {hit.url.removeprefix("http://demo.test") for hit in page.hits}


@pytest.mark.parametrize(("rule", "one", "other"), FOLDINGS, ids=[f[0] for f in FOLDINGS])
def test_each_form_finds_the_other(catalog: Catalog, rule: str, one: str, other: str) -> None:
    both = {path_of(one), path_of(other)}
    assert found(catalog, one, exact=True) == found(catalog, other, exact=True) == both
    # With light stems (the default) also the words that share the stem (ایرانیان).
    assert found(catalog, one) == found(catalog, other) >= both


@pytest.mark.parametrize(("has", "typed"), FINDS)
def test_non_joiner_and_light_stems(catalog: Catalog, has: str, typed: str) -> None:
    assert path_of(has) in found(catalog, typed)


def test_exact_search_keeps_the_form_it_is_given(catalog: Catalog) -> None:
    assert found(catalog, "تحریم", exact=True) == {path_of("تحریم")}
    assert found(catalog, "تحریم") == {path_of("تحریم"), path_of("تحریمات")}
    assert path_of("کتابها") not in found(catalog, "کتاب", exact=True)


def test_single_letters_are_no_halves(catalog: Catalog) -> None:
    # و زیر ("and under") is not وزیر ("minister"), nor the other way round.
    assert path_of("و زیر") not in found(catalog, "وزیر")
    assert path_of("وزیر") not in found(catalog, "و زیر") | found(catalog, '"و زیر"')
    assert path_of("وزیر") in found(catalog, "وزیر")


def test_the_snippet_marks_both_halves(catalog: Catalog) -> None:
    page = search(catalog, ArticleQuery(text="آبانماه", limit=100))
    spaced = next(hit for hit in page.hits if hit.url.endswith(path_of("آبان ماه")))
    assert "[آبان] [ماه]" in spaced.snippet.marked()
