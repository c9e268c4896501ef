"""Tag one block (a paragraph, a line) of text: script first, langdetect where needed.

The Unicode script of a block's letters decides most of the work cheaply:
Latin text goes to the English word check and, when that is not enough, to
langdetect's Latin profiles; Arabic-script text goes to the letter and word
analysis of :mod:`.arabic_script`, with langdetect consulted only when that is
undecided; a script only one language writes names that language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import filterfalse

from . import arabic_script, latin
from .profiles import PROFILE_SETS, detect_probabilities
from .result import UNDETERMINED

# What a block needs before it gets a language: a bare name or a date does not.
MIN_WORDS = 2
MIN_LETTERS = 4
# How much of a block the word analyses read; the rest adds letters, not evidence.
ANALYSIS_CHARS = 1200
# Log-odds added for a language the outlet declares or the page's lang attribute names.
PRIOR_WEIGHT = 1.0
# A short Arabic-script text whose Arabic/Persian log-odds stay under this is ``und``:
# two names, or two words both languages write alike.
UNDECIDED_LOG_ODDS = 0.3
# English is the archive's Latin-script language: with no other word to go on, it wins.
ENGLISH_DEFAULT_PRIOR = 1.0

_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]+")
_ARABIC_CLASS = (
    r"\u0621-\u063a\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc"
    r"\u06ff\u0750-\u077f\u08a0-\u08c9\ufb50-\ufdff\ufe70-\ufefc"
)
_ARABIC_RE = re.compile(f"[{_ARABIC_CLASS}]+")
# What is neither Arabic script nor whitespace: in an Arabic-script block, the few characters
# between its words (see _script_letters).
_NOT_ARABIC_RE = re.compile(rf"[^\s{_ARABIC_CLASS}]+")
_LETTER_RE = re.compile(r"[^\W\d_]+")
_WORD_RE = re.compile(r"\S*[^\W\d_]\S*")
# Addresses say nothing of a text's language (langdetect drops them too).
_ADDRESS_RE = re.compile(r"(?:https?://|www\.)\S+|[-\w.+]+@[-\w]+\.[-\w.]+")
# Characters that are neither letters nor whitespace and are common inside or around words
# (punctuation, the non-joiner, Arabic vowel marks): see _letters_and_words.
_NOT_LETTERS = ".,-'?:\u060c\u061b\u061f\u064b\u0651\u200c"
# Scripts written without spaces between words: their letters, not words, count.
_UNSPACED_RE = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u4e00-\u9fff]")

# Scripts that one language (as far as this archive cares) writes: (first, last, lang).
_SINGLE_LANGUAGE_SCRIPTS: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, "el"),
    (0x0530, 0x058F, "hy"),
    (0x0590, 0x05FF, "he"),
    (0x0980, 0x09FF, "bn"),
    (0x0A00, 0x0A7F, "pa"),
    (0x0A80, 0x0AFF, "gu"),
    (0x0B80, 0x0BFF, "ta"),
    (0x0C00, 0x0C7F, "te"),
    (0x0C80, 0x0CFF, "kn"),
    (0x0D00, 0x0D7F, "ml"),
    (0x0D80, 0x0DFF, "si"),
    (0x0E00, 0x0E7F, "th"),
    (0x0E80, 0x0EFF, "lo"),
    (0x0F00, 0x0FFF, "bo"),
    (0x1000, 0x109F, "my"),
    (0x10A0, 0x10FF, "ka"),
    (0x1200, 0x137F, "am"),
    (0x1780, 0x17FF, "km"),
    (0x3040, 0x30FF, "ja"),
    (0xAC00, 0xD7AF, "ko"),
    (0x1100, 0x11FF, "ko"),
)
_MULTI_LANGUAGE_SCRIPTS: tuple[tuple[int, int, str], ...] = (
    (0x0400, 0x04FF, "cyrillic"),
    (0x0900, 0x097F, "devanagari"),
    (0x4E00, 0x9FFF, "han"),
)


@dataclass(frozen=True)
class BlockTag:
    lang: str
    confidence: float
    letters: int
    words: int

    @property
    def substantive(self) -> bool:
        """Four words and twenty letters: more than a menu item, a byline or a button."""
        return self.words >= 4 and self.letters >= 20


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def tag_block(text: str, priors: Mapping[str, float]) -> BlockTag:
    """Tag one block. ``priors`` are log-odds bonuses per language code."""
    if "://" in text or "@" in text or "www." in text:
        text = _ADDRESS_RE.sub(" ", text)
    letters, words = _letters_and_words(text)
    if words < MIN_WORDS and letters >= MIN_LETTERS and _UNSPACED_RE.search(text):
        words = letters // 2  # about two characters a word in Chinese, Japanese, Thai
    if words < MIN_WORDS or letters < MIN_LETTERS:
        return BlockTag(UNDETERMINED, 0.0, letters, words)
    if text.isascii():
        # ASCII letters are [A-Za-z]: all of them Latin, none Arabic.
        latin_letters, arabic_letters = letters, 0
    else:
        latin_letters, arabic_letters = _script_letters(text)
    other_letters = letters - latin_letters - arabic_letters
    if arabic_letters >= latin_letters and arabic_letters >= other_letters:
        lang, confidence = _arabic_script(text, words, priors, arabic_letters)
    elif latin_letters >= other_letters:
        lang, confidence = _latin_script(text, priors)
    else:
        lang, confidence = _other_script(text)
    return BlockTag(lang, confidence, letters, words)


def _letters_and_words(text: str) -> tuple[int, int]:
    """``(letters, words)``: how many characters ``_LETTER_RE`` matches, and how many
    whitespace-separated tokens hold one (what ``_WORD_RE`` finds).

    The same counts as the regexes, with less work per character. Deleting characters that
    are neither letters nor whitespace (common punctuation) changes neither count; then
    ``str.split`` splits where ``\\s`` does, and every character of an ``isalpha()`` token is a
    letter (so the token is a word of ``len(token)`` letters). Only the tokens left that are
    not alphabetic (digits, symbols) go through the regexes.
    """
    for char in _NOT_LETTERS:
        if char in text:
            text = text.replace(char, "")
    tokens = text.split()
    alpha = list(filter(str.isalpha, tokens))
    letters, words = sum(map(len, alpha)), len(alpha)
    if words < len(tokens):
        rest = " ".join(filterfalse(str.isalpha, tokens))
        letters += sum(map(len, _LETTER_RE.findall(rest)))
        words += len(_WORD_RE.findall(rest))
    return letters, words


def _script_letters(text: str) -> tuple[int, int]:
    """``(latin, arabic)``: how many characters ``_LATIN_RE`` and ``_ARABIC_RE`` match.

    In an Arabic-script block (it holds alef or lam) the Arabic characters are counted as what
    is left once the whitespace (str.split's, which is ``\\s``'s) and the few other characters
    are taken away, and the Latin letters are looked for among those few: the classes do not
    overlap, so the counts are the same, without a string made for every word."""
    if "\u0627" in text or "\u0644" in text:
        rest = "".join(_NOT_ARABIC_RE.findall(text))
        spaces = len(text) - len("".join(text.split()))
        return sum(map(len, _LATIN_RE.findall(rest))), len(text) - spaces - len(rest)
    return sum(map(len, _LATIN_RE.findall(text))), sum(map(len, _ARABIC_RE.findall(text)))


def _arabic_script(
    text: str, words: int, priors: Mapping[str, float], arabic_letters: int
) -> tuple[str, float]:
    sample = text[:ANALYSIS_CHARS]
    if len(text) <= ANALYSIS_CHARS:
        sample_letters = arabic_letters
    else:
        sample_letters = sum(map(len, _ARABIC_RE.findall(sample)))
    verdict = arabic_script.analyse(sample, sample_letters)
    if verdict.lang is not None:
        return verdict.lang, verdict.own_confidence
    score = verdict.fa_vs_ar + priors.get("fa", 0.0) - priors.get("ar", 0.0)
    if abs(verdict.fa_vs_ar) < 3.0:
        probabilities = detect_probabilities(sample, "arabic")
        fa, ar = probabilities.get("fa", 0.0), probabilities.get("ar", 0.0)
        # langdetect is sure of itself even on two words: trust it less there.
        # It also folds Persian ی into Arabic ي, so it cannot see the keyboard.
        weight = 1.0 if words >= 6 else 0.35 if words >= 4 else 0.2
        score += weight * max(-2.5, min(2.5, math.log((fa + 0.01) / (ar + 0.01))))
    if abs(score) < UNDECIDED_LOG_ODDS and words < 4:
        return UNDETERMINED, 0.0
    return ("fa" if score > 0 else "ar"), _sigmoid(abs(score))


def _latin_script(text: str, priors: Mapping[str, float]) -> tuple[str, float]:
    sample = text[:ANALYSIS_CHARS]
    ev = latin.evidence(sample)
    if ev.clearly_english:
        return "en", min(0.999, 0.9 + ev.en_function / max(ev.tokens, 1) / 3)
    latin_langs = PROFILE_SETS["latin"]
    hinted = {lang: p for lang, p in priors.items() if lang in latin_langs}
    scores: dict[str, float] = {"en": 1.0 * ev.en_function + 0.7 * ev.en_news}
    if not hinted:
        scores["en"] += ENGLISH_DEFAULT_PRIOR
    for lang, n in ev.foreign.items():
        scores[lang] = float(n)
    for lang, bonus in hinted.items():
        scores[lang] = scores.get(lang, 0.0) + bonus
    use_model = ev.tokens >= 6 or bool(ev.foreign) or ev.non_ascii > 0
    if use_model:
        probabilities = detect_probabilities(sample, "latin")
        weight = min(1.0, ev.tokens / 12)
        if ev.tokens >= 6 or ev.non_ascii:
            # On a few plain ASCII words langdetect's n-grams guess (IranGate -> id):
            # there it may only weigh the languages the words already speak for.
            for lang in probabilities:
                scores.setdefault(lang, 0.0)
        for lang in scores:
            if lang in latin_langs:  # a language langdetect has no profile for is not judged
                scores[lang] += weight * math.log(max(probabilities.get(lang, 0.0), 1e-3))
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    best, top = ranked[0]
    if best == "en" and not ev.en_function + ev.en_news and "en" not in hinted:
        # Not one English word: the default prior alone must not make it English ("Guten
        # Morgen", "Ez te hez dikim"). Another language only when something speaks for it.
        probabilities = detect_probabilities(sample, "latin")
        guess = max(probabilities.items(), key=lambda item: (item[1], item[0]), default=None)
        if guess is not None and guess[0] == "en":
            return "en", min(0.6, guess[1])
        if len(ranked) > 1 and ranked[1][0] != "en" and use_model and ev.tokens >= 3:
            best, top = ranked[1]
            ranked = ranked[1:]
        else:
            return UNDETERMINED, 0.0
    if len(ranked) == 1:
        confidence = 0.6
    else:
        confidence = _sigmoid(top - ranked[1][1])
    if not use_model:
        # Nothing but the priors and a few known words: say so in the confidence.
        confidence = min(confidence, 0.6 + 0.1 * (ev.en_function + ev.en_news))
    return best, min(confidence, 0.999)


def _other_script(text: str) -> tuple[str, float]:
    counts: dict[str, int] = {}
    for ch in text:
        code = ord(ch)
        if code < 0x0370 or not ch.isalpha():
            continue
        for first, last, name in _SINGLE_LANGUAGE_SCRIPTS + _MULTI_LANGUAGE_SCRIPTS:
            if first <= code <= last:
                counts[name] = counts.get(name, 0) + 1
                break
    if not counts:
        return UNDETERMINED, 0.0
    name = max(counts.items(), key=lambda item: (item[1], item[0]))[0]
    if name not in PROFILE_SETS:
        return name, 0.9
    if name == "han" and counts.get("ja"):
        return "ja", 0.9
    probabilities = detect_probabilities(text, name)
    if not probabilities:
        return UNDETERMINED, 0.0
    lang, p = max(probabilities.items(), key=lambda item: (item[1], item[0]))
    return lang, min(p, 0.999)
