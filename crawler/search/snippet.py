"""A snippet of the stored text around the first match, with the matching words marked.

Made in Python from the original text (never the normalised one) by running each word of it
through the analyzer, so both databases give the same snippet and the reader sees the words as
the outlet wrote them: عمّان is marked for a search for عمان, and آبان ماه (two words) for a
search for آبانماه.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from crawler.search.normalize import MAX_TOKEN, joinable, stem, stem_prefix, tokens

__all__ = ["Snippet", "make_snippet"]

# A word as written: letters and digits with the marks, tatweel and joiners inside it.
_WRITTEN_WORD = re.compile(
    r"(?:[^\W_]|[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d])+")
# Between the halves of a compound written with a space (as normalize._BETWEEN_HALVES).
_BETWEEN_HALVES = re.compile(r"[ \t\u200c]+")


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
        # The first halves a compound searched for may have when written with a space.
        self.heads = {t[:i] for t in self.exact if joinable(t) for i in range(2, len(t) - 1)}
        self.verdicts: dict[str, bool] = {}  # a written word's, worked out once

    def hit(self, word: str) -> bool:
        """Whether a written word matches (remembered: the page's snippets share words)."""
        verdict = self.verdicts.get(word)
        if verdict is None:
            if len(self.verdicts) > _MAX_VERDICTS:
                self.verdicts.clear()
            verdict = self.verdicts[word] = self(word)
        return verdict

    def halves(self, first: str, second: str) -> bool:
        """Whether two written words side by side are a compound searched for (آبان ماه)."""
        one, two = _forms(first), _forms(second)  # a word of marks alone has no token
        if not one or not two or one[0][0] not in self.heads:
            return False
        joined = (one[0][0] + two[0][0])[:MAX_TOKEN]  # each joined across its non-joiners
        return joined in self.exact or stem(joined) in self.stems

    def __call__(self, word: str) -> bool:
        for token, token_stem, bare in _forms(word):
            if token in self.exact or token_stem in self.stems:
                return True
            if any(token.startswith(p) or bare.startswith(p) for p in self.prefixes):
                return True
        return False


#: Verdicts a matcher remembers at most.
_MAX_VERDICTS = 50_000


@lru_cache(maxsize=16)
def _matcher(terms: frozenset[str]) -> _Matcher:
    """The matcher of a query's terms, shared by the snippets of its page (and the next)."""
    return _Matcher(terms)


@lru_cache(maxsize=100_000)
def _forms(word: str) -> tuple[tuple[str, str, str], ...]:
    """A written word's tokens, each with its stem and its form without article prefix
    (words repeat across snippets: each is analysed once)."""
    return tuple((t, stem(t), stem_prefix(t)) for t in tokens(word))


def make_snippet(text: str | None, terms: Iterable[str], width: int = 240) -> Snippet:
    """About ``width`` characters of ``text`` around its first word that matches ``terms``
    (normalised query tokens; ``tok*`` for a prefix), with every matching word marked."""
    text = text or ""
    matcher = _matcher(frozenset(terms))
    hit = matcher.hit
    first = next(_hits(text, matcher, hit, 0, len(text)), None)
    start = 0
    if first is not None and first[0] > width // 3:
        start = text.rfind(" ", 0, first[0] - width // 3) + 1
    end = len(text) if len(text) - start <= width else max(
        text.rfind(" ", start, start + width), first[1] if first else start + width)
    lead = "… " if start > 0 else ""
    tail = " …" if end < len(text) else ""
    shift = len(lead) - start
    spans = tuple((a + shift, b + shift) for a, b in _hits(text, matcher, hit, start, end))
    return Snippet(lead + text[start:end].replace("\n", " ") + tail, spans)


def _hits(text: str, matcher: _Matcher, hit: Callable[[str], bool], start: int,
          end: int) -> Iterator[tuple[int, int]]:
    """The spans of the words in ``text[start:end]`` that match, in order: each word alone, and
    two words side by side that match together (آبان ماه for ابانماه)."""
    before: re.Match[str] | None = None
    before_marked = False
    for m in _WRITTEN_WORD.finditer(text, start, end):
        marked = hit(m.group())
        if (before is not None and matcher.heads
                and _BETWEEN_HALVES.fullmatch(text, before.end(), m.start())
                and matcher.halves(before.group(), m.group())):
            if not before_marked:
                yield before.span()
            marked = True
        if marked:
            yield m.span()
        before, before_marked = m, marked
