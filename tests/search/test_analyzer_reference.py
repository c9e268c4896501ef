"""The analyzer's fast path (regex scans, str.replace, map and compress) against a
straightforward reference written a character and a word at a time: the same tokens, at the
same positions, the same stems and grams, for any text. (A difference would change what an
index built under the same ANALYZER_VERSION holds.)"""

from __future__ import annotations

import unicodedata
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.demosite import load_content
from crawler.search.normalize import (
    _FOLD,
    COMMON,
    GRAM_JOIN,
    MAX_TOKEN,
    ZWNJ,
    analyze,
    normalize,
    stem,
    tokens,
)


def _reference_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text.casefold()).translate(_FOLD)
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def reference_normalize(text: str) -> str:
    out = _reference_once(text)
    while (again := _reference_once(out)) != out:
        out = again
    return out


def _joinable(token: str) -> bool:
    return len(token) > 1 and "\u0620" <= token[0] <= "\u06ff"


def reference_tokens(text: str) -> tuple[list[str], list[str], list[str]]:
    """Words (joined across non-joiners), their parts, and neighbouring joinable words
    joined; a run ends at any character other than a letter, a digit, a space, a tab or a
    non-joiner."""
    runs, run = [], ""
    for char in reference_normalize(text):
        if char.isalnum() or char in " \t" + ZWNJ:
            run += char
        else:
            runs.append(run)
            run = ""
    runs.append(run)
    words: list[str] = []
    parts: list[str] = []
    pairs: list[str] = []
    for run in runs:
        in_run = []
        for chunk in run.replace("\t", " ").split(" "):
            word = chunk.strip(ZWNJ)
            if not word:
                continue
            in_run.append(word.replace(ZWNJ, "")[:MAX_TOKEN])
            if ZWNJ in word:
                parts.extend(part[:MAX_TOKEN] for part in word.split(ZWNJ) if part)
        words.extend(in_run)
        for first, second in pairwise(in_run):
            if _joinable(first) and _joinable(second):
                pairs.append((first + second)[:MAX_TOKEN])
    return words, parts, pairs


def reference_analyze(*texts: str | None) -> tuple[list[str], list[str], int, list[str],
                                                   list[str]]:
    words, parts, pairs = reference_tokens("\n".join(t for t in texts if t))
    exact = words + parts + pairs
    stems = [stem(t) for t in exact]
    grams: list[str] = []
    stem_grams: list[str] = []
    for n in range(len(exact) - 1):
        if stems[n] in COMMON or stems[n + 1] in COMMON:
            grams.append(exact[n] + GRAM_JOIN + exact[n + 1])
            stem_grams.append(stems[n] + GRAM_JOIN + stems[n + 1])
    return exact, stems, len(pairs), grams, stem_grams


def _same(*texts: str | None) -> None:
    doc = analyze(*texts)
    assert (doc.exact, doc.stems, doc.pairs, *doc.grams) == reference_analyze(*texts)


_PIECES = st.sampled_from([
    *"ابتثجحخدذرسشصضطظعغفقكلمنهوي",                  # Arabic letters
    *"پچژگکیۀہےىأإآٱةﻻ",                               # Persian and foldable forms
    *"\u064b\u064e\u0651\u0652\u0670\u0610\u06d6\u0640",  # harakat, Quranic marks, tatweel
    *"٠١٢٣۴۵۶۷9\u0966\U0001d7ce\U000104a0",           # digits of many scripts
    *"aZß\u1d2e\u0301éÉ5_",                            # Latin, ᴮ, a combining mark, underscore
    *"  \t\t\n.,!?%«»\"'-",                            # separators
    ZWNJ, ZWNJ, "\u200d", "\u200f", "\u00ad", "\ufeff",  # (non-)joiners and invisible marks
    "the", "in", "of", " في ", " و ", "در", "که", "این", "ها", "می" + ZWNJ,
    "ال", "وال", "ات", "ين", "ان", "ی",
])
_TEXT = st.lists(_PIECES | st.characters() | st.text(st.sampled_from("اب" + ZWNJ + "x1"),
                                                    min_size=40, max_size=120),
                 max_size=60).map("".join)


@settings(max_examples=600, deadline=None)
@given(_TEXT, st.one_of(st.none(), _TEXT))
def test_the_fast_path_makes_what_the_reference_makes(body: str, title: str | None) -> None:
    assert normalize(body) == reference_normalize(body)
    words, parts, pairs = reference_tokens(body)
    assert tokens(body) == words + parts + pairs
    _same(title, None, body)


@given(st.text())
def test_any_text_too(text: str) -> None:
    _same(text)


def test_the_demo_articles_and_a_text_of_every_case() -> None:
    for outlet in load_content().outlets:
        for article in outlet.articles:
            _same(article.title, None, "\n".join(article.paragraphs))
    long = "ب" * 70
    _same(f"{long}{ZWNJ}{long} {long} x{ZWNJ * 3}y ‌ب  ت {ZWNJ}در{ZWNJ} زير ¡ما بين_کار"
          "\tخانه \t\u200c\tکتاب\n")
