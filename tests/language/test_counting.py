"""The fast counting paths give exactly what the plain regexes and loops give."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.language import arabic_script, blocks, latin, profiles, segments

FIXTURES = Path(__file__).parent / "fixtures"
SEED = (FIXTURES / "seed_irangate_en_fa.txt").read_text(encoding="utf-8")
# Letters, digits of three scripts, marks, joiners, punctuation, symbols and odd spaces.
POOL = (
    "abcXYZ éßİſ ي ی ك ک ا ل م ن پ چ ژ گ ة ى أ إ ؤ ء ً ّ ٰ ـ ۀ"
    " 0123 ٠١٢٣ ۰۱۲۳ ²½ _ . , - ' ’ ? : ، ؛ ؟ « » ( ) @ # % & / \u200c\u200d\u200e\u200f"
    " \u00a0\u2009\u3000\u2028\t\n 中文 ひら Ελλ Рус"
)


def _samples() -> list[str]:
    rng = random.Random(7)
    texts = [line for line in SEED.splitlines() if line.strip()]
    texts += ["".join(rng.choice(POOL) for _ in range(rng.randint(0, 80))) for _ in range(3000)]
    texts += ["", " ", "x", "_", "a_b", "x² y", "12 34", "می‌خواهم", "--- ...", "a-b c.d"]
    return texts


SAMPLES = _samples()


def test_letters_and_words_are_the_regex_counts() -> None:
    for text in SAMPLES:
        letters = sum(map(len, blocks._LETTER_RE.findall(text)))
        words = len(blocks._WORD_RE.findall(text))
        assert blocks._letters_and_words(text) == (letters, words), repr(text)


def test_the_characters_deleted_before_counting_are_not_letters() -> None:
    for char in blocks._NOT_LETTERS:
        assert not blocks._LETTER_RE.match(char) and not char.isspace()


def test_ascii_letters_are_latin_and_never_arabic() -> None:
    ascii_text = "".join(map(chr, range(128)))
    letters = sum(map(len, blocks._LETTER_RE.findall(ascii_text)))
    assert sum(map(len, blocks._LATIN_RE.findall(ascii_text))) == letters
    assert not blocks._ARABIC_RE.search(ascii_text)
    assert not segments._ARABIC_LETTER.search(ascii_text)


def _reference_evidence(text: str) -> latin.LatinEvidence:
    tokens = [token.lower().replace("’", "'") for token in latin._TOKEN_RE.findall(text)]
    en_function = en_news = 0
    foreign: dict[str, int] = {}
    for token in tokens:
        base = token.split("'", 1)[0]
        if base in latin.EN_FUNCTION:
            en_function += 1
            continue
        if base in latin.EN_NEWS:
            en_news += 1
        for lang in latin._FOREIGN_INDEX.get(token, ()):
            foreign[lang] = foreign.get(lang, 0) + 1
    non_ascii = len(latin._NON_ASCII_LETTER_RE.findall(text))
    return latin.LatinEvidence(len(tokens), en_function, en_news, foreign, non_ascii)


@pytest.mark.parametrize(
    "text",
    [
        SEED,
        "Le président a dit que la situation est grave et que les élèves ne sont pas là.",
        "Der Minister sagte, dass die Lage ernst ist und die Schüler nicht da sind.",
        "It's the government's plan: we'll see what's done, isn't it? DE LA EL de la el",
        "O governo disse que a situação é grave e que os alunos não estão lá, com ele.",
        "İstanbul'da ve Ankara'da bir toplantı için çok daha fazla insan geldi.",
    ],
)
def test_latin_evidence_is_the_token_by_token_count(text: str) -> None:
    for sample in (text, *SAMPLES[:500]):
        expected = _reference_evidence(sample)
        found = latin.evidence(sample)
        assert found == expected, repr(sample)
        assert list(found.foreign) == list(expected.foreign)  # same order too


def test_no_listed_word_holds_an_apostrophe() -> None:
    """evidence() sorts tokens without one by set operations on these lists."""
    words = latin.EN_FUNCTION | latin.EN_NEWS | latin._FOREIGN_INDEX.keys()
    assert not [word for word in words if "'" in word or "’" in word]


def test_ascii_tokens_are_the_unicode_pattern_tokens() -> None:
    for text in [*SAMPLES, SEED, "It's the government's plan, isn't it? a'b 'x y' z''w"]:
        ascii_text = text.encode("ascii", "ignore").decode("ascii").lower()
        assert latin._ASCII_TOKEN_RE.findall(ascii_text) == latin._TOKEN_RE.findall(ascii_text)


def test_digit_runs_are_the_regex_counts() -> None:
    for text in [*SAMPLES, "۱۲٣۴ ٠٠ ۹", "١٢٣", "۱۴۰۳/۰۹/۰۱"]:
        present = set(arabic_script._COUNTED_RE.findall(text))  # as analyse() finds them
        persian = arabic_script._runs(
            arabic_script._PERSIAN_DIGITS_RE, arabic_script._PERSIAN_DIGITS, text, present
        )
        arabic = arabic_script._runs(
            arabic_script._ARABIC_DIGITS_RE, arabic_script._ARABIC_DIGITS, text, present
        )
        assert persian == len(re.findall("[۰-۹]+", text))
        assert arabic == len(re.findall("[٠-٩]+", text))


def test_two_script_test_is_false_on_ascii() -> None:
    assert not segments.has_two_scripts("Plain English only, " * 5)
    assert segments.has_two_scripts("The minister said: جهت مشاهده مطالب تفکیک شده مرتبط ")


def test_detection_answers_are_cached_and_unchanged(monkeypatch) -> None:
    monkeypatch.setattr(profiles, "_CACHE", {})
    text = "Read also: Routes membranes joined coming attention spot indoors decision energy"
    first = profiles.detect_probabilities(text, "latin")
    first["xx"] = 1.0  # the caller's copy: the cache keeps its own
    second = profiles.detect_probabilities(text, "latin")
    assert "xx" not in second
    assert len(profiles._CACHE) == 1
    profiles._CACHE.clear()
    assert profiles.detect_probabilities(text, "latin") == second
    with_priors = profiles.detect_probabilities(text, "latin", {"fr": 1.0})
    assert len(profiles._CACHE) == 2 and with_priors != second


def test_the_detection_cache_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(profiles, "_CACHE", {})
    monkeypatch.setattr(profiles, "_CACHE_MAX", 3)
    for n in range(7):
        profiles.detect_probabilities(f"word{n} " * 5, "latin")
        assert len(profiles._CACHE) <= 3


# Whitespace of every kind str.split and \s know, Arabic-class characters at its edges and
# beyond it (U+0620, U+063B, U+0640, marks, U+FDFD), Latin-class letters at its edges.
SCRIPT_CHARS = (
    "ا ل ی ي ء ؠ ػ ـ ً ٮ ٯ ٰ ٱ ۓ ۔ ە ۖ ۮ ۯ ۺ ۼ ۽ ۿ ݐ ݿ ࢠ ࣉ ࣊ ﭐ ﷽ ﷿ ﹰ ﻼ ﻽ ＡＢ"
    " a Z À Ö × Ø ö ÷ ø ɏ ɐ Ḁ ỿ ‘ ’ 1 ١ ۱ . ، \u200c\u200d"
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _reference_script_letters(text: str) -> tuple[int, int]:
    return (sum(map(len, blocks._LATIN_RE.findall(text))),
            sum(map(len, blocks._ARABIC_RE.findall(text))))


def test_script_letters_are_the_regex_counts() -> None:
    for text in [*SAMPLES, SEED]:
        assert blocks._script_letters(text) == _reference_script_letters(text), repr(text)


@settings(max_examples=500, deadline=None)
@given(st.text(SCRIPT_CHARS, max_size=60) | st.text(max_size=40))
def test_script_letters_are_the_regex_counts_on_any_text(text: str) -> None:
    assert blocks._script_letters(text) == _reference_script_letters(text)
    assert blocks._script_letters("ا" + text) == _reference_script_letters("ا" + text)
