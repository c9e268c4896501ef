"""A snippet of the stored text around the first match, with the matching words marked.

Made in Python from the original text (never the normalised one) by running each word of it
through the analyzer, so both databases give the same snippet and the reader sees the words as
the outlet wrote them: عمّان is marked for a search for عمان.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from crawler.search.normalize import stem, stem_prefix, tokens

__all__ = ["Snippet", "make_snippet"]

# A word as written: letters and digits with the marks, tatweel and joiners inside it.
_WRITTEN_WORD = re.compile(
    r"(?:[^\W_]|[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d])+")


@dataclass(frozen=True)
class Snippet:
    """``text`` with the spans ``highlights`` ([start, end) offsets in it) marked."""

    text: str
    highlights: tuple[tuple[int, int], ...]

    def marked(self, open_: str = "[", close: str = "]") -> str:
        out, pos = [], 0
        for start, end in self.highlights:
            out += [self.text[pos:start], open_, self.text[start:end], close]
            pos = end
        out.append(self.text[pos:])
        return "".join(out)

    def parts(self) -> list[tuple[str, bool]]:
        """The text in pieces, each marked or not (for templates)."""
        out, pos = [], 0
        for start, end in self.highlights:
            out += [(self.text[pos:start], False), (self.text[start:end], True)]
            pos = end
        out.append((self.text[pos:], False))
        return [(piece, hit) for piece, hit in out if piece]


class _Matcher:
    def __init__(self, terms: Iterable[str]) -> None:
        self.exact: set[str] = set()
        self.prefixes: list[str] = []
        for term in terms:
            if term.endswith("*"):
                self.prefixes += [term[:-1], stem_prefix(term[:-1])]
            else:
                self.exact.add(term)
        self.stems = {stem(t) for t in self.exact}

    def __call__(self, word: str) -> bool:
        for token in tokens(word):
            if token in self.exact or stem(token) in self.stems:
                return True
            if any(token.startswith(p) or stem_prefix(token).startswith(p)
                   for p in self.prefixes):
                return True
        return False


def make_snippet(text: str | None, terms: Iterable[str], width: int = 240) -> Snippet:
    """About ``width`` characters of ``text`` around its first word that matches ``terms``
    (normalised query tokens; ``tok*`` for a prefix), with every matching word marked."""
    text = text or ""
    matcher = _Matcher(terms)
    words = list(_WRITTEN_WORD.finditer(text))
    first = next((m for m in words if matcher(m.group())), None)
    start = 0
    if first is not None and first.start() > width // 3:
        start = text.rfind(" ", 0, first.start() - width // 3) + 1
    end = len(text) if len(text) - start <= width else max(
        text.rfind(" ", start, start + width), first.end() if first else start + width)
    piece = text[start:end]
    lead = "… " if start > 0 else ""
    tail = " …" if end < len(text) else ""
    shift = len(lead) - start
    spans = tuple((m.start() + shift, m.end() + shift) for m in words
                  if m.start() >= start and m.end() <= end and matcher(m.group()))
    return Snippet(lead + piece.replace("\n", " ") + tail, spans)
