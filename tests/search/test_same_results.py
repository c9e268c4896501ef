"""SQLite and PostgreSQL give the same results: random documents in the three languages, with
the spellings the analyzer folds, and random queries in the full syntax, on both."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.catalog import Catalog, sqlite_url
from crawler.errors import QueryError
from crawler.search import ArticleQuery, search
from tests.search.conftest import add_article

# Words in several spellings each (the analyzer folds them together), a few that only share a
# stem or a prefix, and common words (a phrase with one is searched as its gram on SQLite).
VOCABULARY = ["مسکن", "مسكن", "ایران", "ايران", "ایرانی", "ایرانیان", "آبان‌ماه", "آبانماه",
              "آبان", "ماه", "عمّان", "عمان", "الإعمار", "إعمار", "۶۰", "٦٠", "60", "Bank",
              "bank", "rates", "rate", "نفت", "النفط", "کتاب‌ها", "كتاب", "تحریم", "تحريمات",
              "a%b", "x_y", "ـــ", "the", "in", "که", "این", "في", "وفي"]
QUERY_WORDS = VOCABULARY + ["OR", "-", '"', "*", "«", "»", "ماه*", "ban*", "-نفت"]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory,
         pg_module_url: str) -> Iterator[tuple[Catalog, Catalog]]:
    lite = Catalog(sqlite_url(Path(tmp_path_factory.mktemp("same")) / "c.sqlite"))
    pg = Catalog(pg_module_url)
    for catalog in (lite, pg):
        docs = random.Random(12)
        for n in range(60):
            words = docs.choices(VOCABULARY, k=docs.randrange(3, 12))
            lang = docs.choice(["en", "ar", "fa"])
            add_article(catalog, f"demo_{lang}", f"/{n}/", " ".join(words[:2]),
                        " ".join(words[2:]), lang, f"2026-11-{1 + n % 28:02d}",
                        datetime(2026, 11, 1, tzinfo=UTC))
    yield lite, pg
    lite.dispose()
    pg.dispose()


def answer(catalog: Catalog, query: ArticleQuery) -> tuple[int, set[str]] | str:
    try:
        page = search(catalog, query)
    except QueryError as exc:
        return str(exc)
    return page.total, {hit.url for hit in page.hits}


@given(words=st.lists(st.sampled_from(QUERY_WORDS), min_size=1, max_size=5),
       exact=st.booleans(), lang=st.sampled_from([None, "fa", "ar"]))
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_same_query_finds_the_same_articles(both: tuple[Catalog, Catalog],
                                                words: list[str], exact: bool,
                                                lang: str | None) -> None:
    query = ArticleQuery(text=" ".join(words), exact=exact, lang=lang, limit=100)
    lite, pg = both
    assert answer(lite, query) == answer(pg, query)


def test_the_vocabulary_finds_something(both: tuple[Catalog, Catalog]) -> None:
    lite, pg = both
    for word in ("مسكن", "ايران", "آبان ماه", "60", "عمان", "الاعمار", "bank"):
        found = answer(lite, ArticleQuery(text=word, limit=100))
        assert isinstance(found, tuple) and found[0] > 0, word
        assert found == answer(pg, ArticleQuery(text=word, limit=100))
