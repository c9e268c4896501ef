"""The query syntax: any text either parses or is a QueryError naming ``q``, and what parses
is a query both databases accept (never a 500)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.errors import QueryError
from crawler.search.query import (
    All,
    Either,
    Phrase,
    Term,
    parse,
    positional,
    stemmed,
    to_fts5,
    to_tsquery,
)

QUERY_TEXT = st.text(st.sampled_from(list('ab ایران"«»“”-*%_()OR\u200cعمّان٦0')), max_size=30)


def parsed_or_none(text: str) -> object:
    try:
        return parse(text)
    except QueryError as exc:
        assert exc.parameter == "q" and str(exc).startswith("q: ")
        return None


def test_words_phrases_or_exclusion_prefix() -> None:
    expr = parse('bank "central bank" -Iraq OR نفت*')
    first, second = expr.groups
    assert first.required == (Term("bank"), Phrase(("central", "bank")))
    assert first.excluded == (Term("iraq"),)
    assert second.required == (Term("نفت", prefix=True),)
    assert parse("آبان‌ماه").groups[0].required == (Term("ابانماه"),)
    assert parse("a‌b‌c").groups[0].required == (Either((Term("abc"), Phrase(("a", "b", "c")))),)
    assert parse("bank-rates").groups[0].required == (Phrase(("bank", "rates")),)


def test_two_arabic_words_side_by_side_are_also_searched_joined() -> None:
    assert parse("آبان ماه bank").groups[0].required == (Either((
        All((Term("ابان"), Term("ماه"), Term("bank"))),
        All((Term("ابانماه"), Term("bank"))))),)
    assert parse('"در آبان ماه"').groups[0].required == (Either((
        Phrase(("در", "ابان", "ماه")), Phrase(("درابان", "ماه")), Phrase(("در", "ابانماه")),
        Term("درابانماه"))),)
    # Not across an exclusion, nor with a single letter.
    assert parse("آبان -x ماه").groups[0].required == (Term("ابان"), Term("ماه"))
    assert parse("و زیر").groups[0].required == (Term("و"), Term("زير"))


@pytest.mark.parametrize("text", ['"open', "-only", "OR x", "x OR", "x OR OR y", "% _ ()", ""])
def test_what_cannot_be_parsed_is_named(text: str) -> None:
    with pytest.raises(QueryError) as err:
        parse(text)
    assert err.value.parameter == "q"


@pytest.fixture(scope="module")
def fts5() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(exact, stems, content='', tokenize='ascii')")
    conn.execute("INSERT INTO t (rowid, exact, stems) VALUES (1, 'ab ايران', 'ab اير')")
    yield conn
    conn.close()


@given(QUERY_TEXT)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=300)
def test_any_parsed_query_runs_on_fts5(fts5: sqlite3.Connection, text: str) -> None:
    expr = parsed_or_none(text)
    if expr is not None:
        for e, stems in ((expr, None), (expr, False), (stemmed(expr), True)):  # type: ignore[arg-type]
            fts5.execute("SELECT rowid FROM t WHERE t MATCH ?",
                         ("{stems} : (" + to_fts5(e, stems) + ")",)).fetchall()


def test_a_phrase_with_a_common_word_is_its_gram_on_fts5() -> None:
    # One token of the index (see normalize.grams_with), not a walk of "the"'s positions.
    assert to_fts5(parse('"in the"'), stems=True) == '("in\u2027the")'
    assert to_fts5(parse('"the bank rates"'), stems=True) == '("the bank rates")'
    assert to_fts5(parse('"bank rates"'), stems=True) == '("bank rates")'
    assert to_fts5(parse('"the bank"*'), stems=True) == '("the bank" *)'
    assert to_fts5(parse('"in the"')) == '("in the")'
    # Persian: the phrase as its gram, or the two words joined (a compound written apart);
    # against the exact column, a word is common by its stem (برای: برا).
    assert to_fts5(stemmed(parse('"که این"')), stems=True) == '(("كه\u2027اين" OR "كها"))'
    assert to_fts5(parse('"برای ما"'), stems=False) == '(("براي\u2027ما" OR "برايما"))'


def test_a_phrase_asked_by_positions_is_told_from_words_and_grams() -> None:
    # The survey ranks such a query in a smaller window (survey.PHRASE_WINDOW).
    def walks(text: str, stems: bool = True) -> bool:
        return positional(stemmed(parse(text)) if stems else parse(text), stems)
    assert walks('"bank rates"') and walks('"the bank rates"') and walks('"the bank"*')
    assert walks('nafta OR "bank rates"') and walks('"آبان ماه"')
    assert not walks('"in the"') and not walks("bank rates") and not walks('"که این"')
    assert not walks('"برای ما"', stems=False) and not walks("bank -\"bank rates\"")
    assert walks('bank-rates')  # a word the analyzer splits is its parts in a row


def test_a_phrase_its_own_word_finds_is_not_asked_against_the_stems() -> None:
    # هفته‌ی: هفتهی or the parts هفته ی; stemmed, هفته finds every article the phrase does.
    assert stemmed(parse("هفته‌ی")) == stemmed(parse("هفته"))
    assert to_fts5(parse("هفته‌ی")) == '(("هفتهي" OR "هفته ي"))'


@given(QUERY_TEXT)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=100,
          deadline=None)
def test_any_parsed_query_is_a_tsquery(pg_available: bool, text: str) -> None:
    assert pg_available
    expr = parsed_or_none(text)
    if expr is not None:
        with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres") as conn:
            conn.execute("SELECT CAST(%s AS tsquery)", (to_tsquery(expr),))  # type: ignore[arg-type]
