"""arabic_script.analyse gives exactly what its character-by-character form gave: the same
verdict, its score bit for bit (the counted characters found in one regex scan, the words'
steps looked up with map and added with reduce, in the same order)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.language import arabic_script as A
from crawler.language.arabic_script import ArabicScriptVerdict

SEED = (Path(__file__).parent / "fixtures" / "seed_irangate_en_fa.txt").read_text("utf-8")
# Words the rules weigh (whole, with an article or a prefix, -شناسی), the letters and digits
# counted, the own letters of Urdu, Pashto, Kurdish, Sindhi, Uyghur, marks and spaces.
WORDS = [
    *list(A._WORD_WEIGHTS)[::3], *list(A._NOT_AR_ARTICLE)[::4], *A._NOT_AR_PREFIXED,
    *[word for words in A.OWN_WORDS.values() for word in words],
    "الحكومة", "والشعب", "بالمدينة", "للبنان", "کارشناسی", "هواشناس", "ال", "وال", "شناسی",
    "است", "في", "كان", "مي‌خواهم", "ۀ", "ﻻ", "ـ", "حتماً", "مدرّسة", "abc",
]
CHARS = "".join(sorted(A._COUNTED)) + "یکيكاةىأإٱۀ\u200c\u0640\u064b\u0655\u065f ،.؟\n0"


def _reference_steps(token: str) -> tuple[float, ...]:
    steps: list[float] = []
    word_weight = A._WORD_WEIGHTS.get(token)
    if word_weight is not None:
        steps.append(word_weight)
    elif len(token) > 3 and token.startswith("ال") and token not in A._NOT_AR_ARTICLE:
        steps.append(A.ARTICLE_WEIGHT)
    elif len(token) > 4 and token.startswith(A._AR_PREFIXES) and token not in A._NOT_AR_PREFIXED:
        steps.append(-1.0)
    if token.endswith(("شناسی", "شناس")) and len(token) > 6:
        steps.append(1.5)
    return tuple(steps)


def _reference(text: str, letters: int) -> ArabicScriptVerdict:
    """analyse() as it was: every weighed letter counted, word by word in a Python loop."""
    folded = A.fold(text)
    tokens = A._WORD_RE.findall(folded)
    own, own_confidence = A._own_language(text, letters, tokens)
    score = 0.0
    evidence = 0
    for ch, weight in A._LETTER_WEIGHTS.items():
        n = text.count(ch)
        if n:
            score += weight * min(n, 4)
            evidence += n
    persian_forms = text.count("ی") + text.count("ک")
    arabic_forms = text.count("ي") + text.count("ك")
    if persian_forms + arabic_forms:
        score += A.KEYBOARD_WEIGHT * (persian_forms - arabic_forms) / (persian_forms + arabic_forms)
        evidence += 1
    n_persian_digits = len(A._PERSIAN_DIGITS_RE.findall(text))
    n_arabic_digits = len(A._ARABIC_DIGITS_RE.findall(text))
    score += 0.8 * min(n_persian_digits, 3) - 0.8 * min(n_arabic_digits, 3)
    evidence += n_persian_digits + n_arabic_digits
    for token in tokens:
        steps = _reference_steps(token)
        for step in steps:
            score += step
        evidence += len(steps)
    return ArabicScriptVerdict(own, own_confidence, score, evidence)


def _same(text: str, letters: int) -> None:
    found, expected = A.analyse(text, letters), _reference(text, letters)
    assert found == expected, repr(text)
    assert found.fa_vs_ar.hex() == expected.fa_vs_ar.hex()  # bit for bit, -0.0 too


def test_the_seed_article_lines() -> None:
    for line in SEED.splitlines():
        for letters in (0, 5, len(line)):
            _same(line, letters)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(CHARS, max_size=12)), max_size=60),
       st.sampled_from([" ", "  ", "، ", "\u200c", "\n", "."]), st.integers(0, 400))
def test_words_and_letters_score_as_before(words: list[str], sep: str, letters: int) -> None:
    _same(sep.join(words), letters)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.integers(0, 100))
def test_any_text_scores_as_before(text: str, letters: int) -> None:
    _same(text, letters)


def test_the_word_cache_is_bounded_and_gives_the_same_steps() -> None:
    cache = A._StepsCache(3)
    for token in ["الحكومة", "است", "x", "في", "الحكومة", "کارشناسی"]:
        assert cache[token] == _reference_steps(token)
        assert len(cache) <= 3
