"""The search analyzer: one pure normalisation for indexed text and queries alike.

What is folded (after Lucene's ArabicNormalizer, PersianNormalizer, PersianCharFilter and
DecimalDigitFilter, plus what they leave out):

- Unicode NFKC first (presentation forms such as ﻻ become لا, full-width Latin becomes ASCII);
- hamza forms of alef أ إ آ and alef wasla ٱ -> ا;
- alef maksura ى, Persian yeh ی and yeh barree ے -> Arabic yeh ي;
- Persian keheh ک -> Arabic kaf ك;
- teh marbuta ة, heh with yeh ۀ and heh goal ہ -> heh ه (as Lucene does: a word written
  with or without the final dots is one word for a reader searching it);
- tatweel ـ and every Arabic mark deleted: harakat U+064B–U+065F (fatha … sukun, shadda, hamza
  above/below), superscript alef U+0670, Quranic marks U+0610–U+061A and U+06D6–U+06ED;
- every decimal digit (Arabic-Indic ٠–٩, Persian ۰–۹ and the others Unicode knows) -> 0–9;
- Latin (and any cased script) case-folded;
- bidi marks, soft hyphen and the zero-width joiner deleted. The zero-width non-joiner (ZWNJ,
  U+200C) is kept by :func:`normalize`: :func:`tokens` uses it to index a word written with it
  both joined and split (آبان‌ماه is found by آبانماه, by آبان ماه and by itself).

A compound is also written with a space (آبان ماه): :func:`tokens` indexes each two
neighbouring Arabic-script words (only a space or a non-joiner between them, two letters or
more each) joined as well, so that آبانماه and آبان‌ماه find it; the query side
(:mod:`crawler.search.query`) searches two neighbouring words also joined, so that آبان ماه finds
آبانماه. A single letter is never joined (و زیر, "and under", is not وزیر, "minister").

A phrase of two words, one of them among the most common words of the three languages (in the,
كه اين), is costly to find by positions: the common word is in most articles. SQLite's index
also holds each two neighbouring words of which one is common as one token (in‧the, after
Lucene's CommonGrams), and such a phrase is searched as that token (:func:`gram`).
Stored text is never changed; only the index and the query go through here. When anything in
this module changes what it produces, raise :data:`ANALYZER_VERSION`: the index notices and
rebuilds itself (or `akhbar reindex --search` does it at once).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, islice, pairwise, repeat
from operator import add, itemgetter, or_

__all__ = [
    "ANALYZER_VERSION",
    "COMMON",
    "MAX_TOKEN",
    "ZWNJ",
    "Analyzed",
    "analyze",
    "gram",
    "grams_with",
    "joinable",
    "normalize",
    "stem",
    "stem_prefix",
    "tokens",
    "word_terms",
    "words",
]

#: Raised whenever the tokens this module produces for a text change.
ANALYZER_VERSION = 5

ZWNJ = "\u200c"

#: Longest token kept (characters): PostgreSQL refuses lexemes over 2 KB.
MAX_TOKEN = 100

_FOLD: dict[int, str | None] = {
    **{ord(c): "ا" for c in "أإآٱ"},
    **{ord(c): "ي" for c in "ىیے"},
    ord("ک"): "ك",
    **{ord(c): "ه" for c in "ةۀہ"},
    ord("ـ"): None,  # tatweel
    **{cp: None for cp in range(0x0610, 0x061B)},
    **{cp: None for cp in range(0x064B, 0x0660)},
    0x0670: None,
    **{cp: None for cp in range(0x06D6, 0x06EE) if cp not in (0x06DD, 0x06DE, 0x06E5, 0x06E6)},
    # Invisible formatting: soft hyphen, zero-width space and joiner, bidi marks and embeddings.
    **{cp: None for cp in (0x00AD, 0x200B, 0x200D, 0x200E, 0x200F, 0x061C, 0xFEFF)},
    **{cp: None for cp in range(0x202A, 0x202F)},
    **{cp: None for cp in range(0x2066, 0x206A)},
}

# A word: letters and digits, possibly in parts joined by non-joiners.
_WORD = re.compile(r"[^\W_]+(?:\u200c+[^\W_]+)*")

# :data:`_FOLD` as its letters replaced one by one (str.replace scans a text in C; translate
# looked each character up in the dict: a fifth of the analyzer's time) and, in one regex
# with the decimal digits other than 0-9 (Arabic-Indic, Persian and the rest Unicode knows),
# the characters it deletes. No letter replaced is one that is folded or deleted, so the
# order does not matter.
_REPLACED = tuple((chr(cp), to) for cp, to in _FOLD.items() if to is not None)
_DELETED = frozenset(chr(cp) for cp, to in _FOLD.items() if to is None)
_DELETED_OR_DIGIT = re.compile(
    "[" + "".join(sorted(map(re.escape, _DELETED))) + r"]|[^\D0-9]")


def _deleted_or_ascii(match: re.Match[str]) -> str:
    char = match.group()
    return "" if char in _DELETED else str(unicodedata.decimal(char))


def _fold(text: str) -> str:
    """``text.translate(_FOLD)``, and every decimal digit made 0-9."""
    if text.isascii():  # nothing in _FOLD is ASCII, nor a digit other than 0-9
        return text
    for char, to in _REPLACED:
        text = text.replace(char, to)
    return _DELETED_OR_DIGIT.sub(_deleted_or_ascii, text)


def _once(text: str) -> str:
    return _fold(unicodedata.normalize("NFKC", text.casefold()))


def normalize(text: str) -> str:
    """``text`` folded as described in the module docstring; non-joiners are kept."""
    out = _once(text)
    # Case folding can undo NFKC and NFKC can yield foldable characters; a second pass settles
    # the rare text where one pass is not the same as two (ᴮ: NFKC makes it B). A text already
    # in NFKC and case-folded needs none: the fold is last in a pass and leaves nothing it
    # would fold again.
    if out == out.casefold() and unicodedata.is_normalized("NFKC", out):
        return out
    while True:
        again = _once(out)
        if again == out:
            return out
        out = again


# Light stemming. Arabic article prefixes (with the conjunction و, the prepositions ب ك ف and
# ل+ال): a lone و or ب is not stripped, because too many Persian and Arabic words begin with
# one (بانك, وزارت). Suffixes: plurals and duals (ها ان ات ون ين) and the adjective and
# indefinite ی (folded to ي), one after the other (ايرانيان, ايراني and ايران meet). A stem keeps 3
# letters.
_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "ي")
_MIN_STEM = 3


def _arabic(word: str) -> bool:
    return "\u0620" <= word[0] <= "\u06ff"


def stem_prefix(word: str) -> str:
    """``word`` without an article prefix (what a prefix query matches against stems)."""
    if not _arabic(word):
        return word
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_STEM:
            return word[len(prefix):]
    return word


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The light stem of a normalised token (tokens in other scripts come back unchanged)."""
    if not _arabic(word):
        return word
    word = stem_prefix(word)
    while suffix := next((s for s in _SUFFIXES
                          if word.endswith(s) and len(word) - len(s) >= _MIN_STEM), ""):
        word = word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """The normalised words of ``text``, non-joiners kept inside them."""
    return _WORD.findall(normalize(text))


def joinable(token: str) -> bool:
    """Whether ``token`` (joined) may be one half of a compound written with a space: Arabic
    script and at least two letters (a lone letter is a word of its own: و, ب)."""
    return len(token) >= 2 and _arabic(token)


def word_terms(word: str) -> tuple[str, list[str]]:
    """A normalised word (non-joiners kept) as its joined token and its parts."""
    parts = [p[:MAX_TOKEN] for p in word.split(ZWNJ) if p]
    return "".join(parts)[:MAX_TOKEN], parts


# Every word, from its start (never from within one: each match takes a whole word, and the
# one after it starts past a letter or digit), in one scan of the text: group 1 when the word
# is joinable and so is the next word, in the same run (only spaces, tabs and non-joiners
# between them; a compound cannot span punctuation or a line), else group 2. Joinable (see
# :func:`joinable`): Arabic script and two letters or more, the non-joiners aside.
_JOINABLE_HERE = r"(?=[\u0620-\u06ff])(?=[^\W_]\u200c*[^\W_])"
_WHOLE_WORD = r"(?>[^\W_]+(?:\u200c+[^\W_]+)*)"
_WORD_AND_LINK = re.compile(
    rf"{_JOINABLE_HERE}({_WHOLE_WORD})(?=[ \t\u200c]+{_JOINABLE_HERE})|({_WHOLE_WORD})")


def tokens(text: str) -> list[str]:
    """The tokens indexed for ``text``, in order: each word as one token (joined across
    non-joiners); then, at the end, the parts of every word that had a non-joiner, so that a
    search for a part, or for the parts as a phrase, finds it too; then every two neighbouring
    :func:`joinable` words joined (آبان ماه: ابانماه), so that a search for the compound
    written as one word finds it written with a space."""
    words_and_parts, pairs = _tokens(text)
    return words_and_parts + pairs


def _tokens(text: str) -> tuple[list[str], list[str]]:
    """:func:`tokens` in two: the words and parts, and the joined pairs."""
    # (Built by C loops, map, compress and join, never a Python step per word: this was
    # half of indexing's CPU.)
    text = normalize(text)
    found = _WORD_AND_LINK.findall(text)
    if not found:
        return [], []
    linked = list(map(itemgetter(0), found))
    joined = list(map(add, linked, map(itemgetter(1), found)))  # one of the two is ""
    parts: list[str] = []
    if ZWNJ in text:
        split = list(compress(joined, map(str.__contains__, joined, repeat(ZWNJ))))
        if split:  # (words hold no spaces; a word's non-joiners always have letters around)
            parts = list(filter(None, ZWNJ.join(split).split(ZWNJ)))
            joined = " ".join(joined).replace(ZWNJ, "").split(" ")
    if max(map(len, joined)) > MAX_TOKEN:  # (a part is never longer than its word)
        joined = [word[:MAX_TOKEN] for word in joined]
        parts = [part[:MAX_TOKEN] for part in parts]
    pairs = list(map(add, compress(joined, linked), compress(islice(joined, 1, None), linked)))
    if pairs and max(map(len, pairs)) > MAX_TOKEN:
        pairs = [pair[:MAX_TOKEN] for pair in pairs]
    return joined + parts, pairs


#: Between the two words of a common gram: not a letter or a digit (so never inside a word),
#: not ASCII (so FTS5's ascii tokenizer keeps it inside a token).
GRAM_JOIN = "\u2027"

#: The most common words of English, Arabic and Persian (written as a reader types them; kept
#: as their stems): a phrase with one of them is searched as one token. Function words only,
#: so that the grams they make add about half as many tokens again, not twice as many.
_COMMON_WORDS = """
the a an of in on at to for and or but is was are were be been has have had it its that this
with as by from not he she they we his her their will would said than which who also
في من على إلى عن أن إن ما لا هذا هذه التي الذي الذين مع كان قد بعد بين أو ثم كل لم لن ذلك
عند حتى أنه وفي ومن وأن كما
و در به از که این با را است برای آن تا بر هم یک خود شد شده می نیز اما یا هر ها های
"""


def gram(first: str, second: str) -> str:
    """Two neighbouring tokens as one (indexed by SQLite when one of them is common)."""
    return first + GRAM_JOIN + second


def grams_with(common: frozenset[str], tokens: list[str], stems: list[str]) -> tuple[
        list[str], list[str]]:
    """The grams of each two neighbouring tokens one of whose stems is in ``common``: of the
    tokens, and of their stems (each in its column; the same pairs in both)."""
    # (C loops, map and compress: Python steps per token were an eighth of indexing's CPU.)
    flags = list(map(common.__contains__, stems))
    at = list(map(or_, flags, islice(flags, 1, None)))
    return (list(map(GRAM_JOIN.join, compress(pairwise(tokens), at))),
            list(map(GRAM_JOIN.join, compress(pairwise(stems), at))))


#: The stems of :data:`_COMMON_WORDS`.
COMMON = frozenset(stem(word_terms(w)[0]) for w in words(_COMMON_WORDS))


@dataclass(frozen=True)
class Analyzed:
    """A text as indexed: exact (normalised) tokens and their stems, position for position;
    the last ``pairs`` of them are neighbouring words joined (PostgreSQL keeps those apart).
    ``grams``: the common grams of the tokens and of the stems (SQLite's index alone)."""

    exact: list[str]
    stems: list[str]
    pairs: int = 0
    grams: tuple[list[str], list[str]] = field(default_factory=lambda: ([], []))


def analyze(*texts: str | None) -> Analyzed:
    """Title, description and body as one stream of tokens."""
    words_and_parts, pairs = _tokens("\n".join(t for t in texts if t))
    exact = words_and_parts + pairs
    stems = list(map(stem, exact))
    return Analyzed(exact, stems, len(pairs), grams_with(COMMON, exact, stems))
