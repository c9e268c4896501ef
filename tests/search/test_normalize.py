"""The analyzer: every folding the issue lists, the non-joiner, light stems; and, for any text,
idempotent and never raising."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.search.normalize import analyze, normalize, stem, tokens


@pytest.mark.parametrize(("written", "typed"), [
    ("مسکن", "مسكن"),            # Persian keheh / Arabic kaf
    ("ایران", "ايران"),          # Persian yeh / Arabic yeh
    ("مستشفى", "مستشفي"),        # alef maksura
    ("۶۰", "60"), ("٦٠", "60"),  # Persian and Arabic-Indic digits
    ("عمّان", "عمان"),            # shadda
    ("الإعمار", "الاعمار"), ("أحمد", "احمد"), ("آب", "اب"), ("ٱلله", "الله"),  # hamza forms
    ("مدرسة", "مدرسه"), ("خانۀ", "خانه"),  # teh marbuta, heh with yeh
    ("كَتَبَ", "كتب"), ("جـــديد", "جديد"),  # harakat, tatweel
    ("Bank RATES", "bank rates"), ("ﻻ", "لا"),
])
def test_written_and_typed_forms_fold_together(written: str, typed: str) -> None:
    assert normalize(written) == normalize(typed)
    assert tokens(written) == tokens(typed)


def test_a_word_with_a_non_joiner_is_indexed_joined_and_split() -> None:
    assert tokens("در آبان‌ماه گذشته") == ["در", "ابانماه", "گذشته", "ابان", "ماه",
                                         "درابانماه", "ابانماهگذشته"]
    assert tokens("آبانماه") == ["ابانماه"]


def test_two_arabic_script_words_side_by_side_are_indexed_joined_too() -> None:
    assert tokens("آبان ماه") == ["ابان", "ماه", "ابانماه"]
    # Not a lone letter, not across punctuation or a line, not Latin.
    assert tokens("و زیر. میز\nکار bank rates") == ["و", "زير", "ميز", "كار", "bank", "rates"]


def test_percent_and_underscore_are_separators_not_wildcards() -> None:
    assert tokens("50% a_b") == ["50", "a", "b"]


def test_light_stems_meet_and_keep_three_letters() -> None:
    assert stem(normalize("الإعمار")) == stem(normalize("إعمار"))
    assert stem(normalize("ایرانیان")) == stem(normalize("ایرانی")) == stem(normalize("ایران"))
    assert stem(normalize("کتاب‌ها".replace("\u200c", ""))) == normalize("کتاب")
    assert stem(normalize("عمان")) == normalize("عمان")  # ان would leave two letters
    assert stem(normalize("بانک")) == normalize("بانک")  # a lone ب is not a prefix
    assert stem("rates") == "rates"


def test_analyze_gives_one_stem_per_token() -> None:
    doc = analyze("خبر", None, "وزارتخانه‌ها و کتابها")
    assert len(doc.exact) == len(doc.stems)
    assert doc.exact[:3] == ["خبر", "وزارتخانهها", "و"]
    assert doc.stems[:4] == ["خبر", "وزارتخانه", "و", "كتاب"]


@given(st.text())
def test_normalize_is_idempotent_and_total(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    for token in tokens(text):
        assert token and " " not in token and normalize(token) == token


_ARABIC_SCRIPT = st.text(st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
                         | st.sampled_from(" \u200c\u0640"))


@given(_ARABIC_SCRIPT)
def test_each_token_is_its_own_only_token(text: str) -> None:
    for token in tokens(text):
        assert tokens(token) == [token]


def test_what_nfkc_makes_is_folded_too() -> None:
    # NFKC makes ᴮ (a modifier letter) B, and ﬀ ff: a second pass folds what the first made.
    assert normalize("ᴮ") == "b" and normalize("ᴮank") == "bank"
    assert normalize("Straße ﬀ") == "strasse ff"
