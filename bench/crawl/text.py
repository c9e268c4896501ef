"""Deterministic filler text in English, Arabic and Persian.

A word-bigram chain per language, trained on the demo site's hand-written paragraphs, so that
the text has the letters, words and punctuation language detection and extraction expect.
"""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path

LANGS = ("en", "ar", "fa")
_CONTENT = Path(__file__).resolve().parents[2] / "crawler" / "demosite" / "content"
_SOURCES = {"en": ("demo_en",), "ar": ("demo_ar", "demo_ar1256"), "fa": ("demo_fa",)}
_STOPS = {"en": ".", "ar": ".", "fa": "."}
_END = "\0"


@cache
def _corpus(lang: str) -> tuple[tuple[str, ...], ...]:
    paragraphs: list[tuple[str, ...]] = []
    for name in _SOURCES[lang]:
        data = json.loads((_CONTENT / f"{name}.json").read_text(encoding="utf-8"))
        for article in data["articles"]:
            texts = [article["title"], *article["paragraphs"]]
            texts += [c["text"] for c in data.get("comments", [])]
            paragraphs += [tuple(t.split()) for t in texts if t.strip()]
    return tuple(paragraphs)


@cache
def _chain(lang: str) -> dict[str, tuple[str, ...]]:
    followers: dict[str, list[str]] = {}
    for words in _corpus(lang):
        for a, b in zip((_END, *words), (*words, _END), strict=True):
            followers.setdefault(a, []).append(b)
    return {k: tuple(v) for k, v in followers.items()}


@cache
def vocabulary(lang: str) -> tuple[str, ...]:
    """Words of the language without punctuation, for titles, names and slugs."""
    words = {w.strip(".,:;!?«»()\"'،؛؟") for p in _corpus(lang) for w in p}
    return tuple(sorted(w for w in words if len(w) > 2 and not any(c.isdigit() for c in w)))


def sentence(rng: random.Random, lang: str, min_words: int = 8, max_words: int = 28) -> str:
    chain = _chain(lang)
    words: list[str] = []
    current = _END
    limit = rng.randint(min_words, max_words)
    while len(words) < limit:
        current = rng.choice(chain[current])
        if current == _END:
            if len(words) >= min_words:
                break
            current = _END
            continue
        words.append(current)
    text = " ".join(words)
    if text[-1] not in ".!?؟":
        text += _STOPS[lang]
    return text


def paragraph(rng: random.Random, lang: str, sentences: tuple[int, int] = (2, 5)) -> str:
    return " ".join(sentence(rng, lang) for _ in range(rng.randint(*sentences)))


def title(rng: random.Random, lang: str) -> str:
    vocab = vocabulary(lang)
    words = [rng.choice(vocab) for _ in range(rng.randint(5, 10))]
    if lang == "en":
        words[0] = words[0].capitalize()
    return " ".join(words)


def name(rng: random.Random, lang: str) -> str:
    vocab = vocabulary(lang)
    first, last = rng.choice(vocab), rng.choice(vocab)
    return f"{first.capitalize()} {last.capitalize()}" if lang == "en" else f"{first} {last}"
