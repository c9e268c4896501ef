"""Boilerplate learned per outlet: lines that repeat across an outlet's articles.

An outlet's own boxes (its app or podcast promotion, a members' appeal, its closing blurb)
are worded its own way, so :mod:`._boilerplate`'s rules cannot know them; what gives them away
is that the same line stands in most of the outlet's articles, which prose never does.
:class:`RepeatedLines` counts, for one outlet, on how many distinct articles each line was
seen; a line seen on at least :data:`MIN_PAGES` of them and on :data:`MIN_SHARE` of the
articles counted (capped at :data:`WINDOW`) is boilerplate. Lines are compared by
:func:`line_key`: a digest of their words, casefolded, without Markdown's marks, so the text
and the Markdown of an article match the same key; lines with fewer than
:data:`MIN_LETTERS` letters (a table rule, a date, a number) are never counted.

An outlet's crawl meets thousands of lines once (its prose), and the counts live as long as
the crawl: every :data:`FORGET_EVERY` articles, the lines seen on one article only are
forgotten (counted again from 1 if they come back). Kept, they grew the crawl process by
~1.8 KB an article (36 MB in a crawl of 20,000). A boilerplate line, on 40% of the articles,
is counted twice within a few articles of its first; a line forgotten then missed at most
one count.

:func:`strip_repeated` removes such lines from one article and says which it removed.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ._boilerplate import fold_blank_lines

MIN_PAGES = 3
MIN_SHARE = 0.4
WINDOW = 200
MIN_LETTERS = 3
FORGET_EVERY = 1000
_MARKS = re.compile(r"^(?:[#>*\-+|]+\s*|\d+[.)]\s+)+")


def line_key(line: str) -> str | None:
    """The key a line is counted under, or None for a line too short to count."""
    words = " ".join(_MARKS.sub("", line.strip()).split()).casefold()
    if sum(char.isalpha() for char in words[:40]) < MIN_LETTERS:
        return None
    return hashlib.blake2b(words.encode("utf-8"), digest_size=10).hexdigest()


def article_keys(lines: Iterable[str]) -> set[str]:
    """The distinct keys of an article's lines."""
    return {key for key in map(line_key, lines) if key is not None}


def text_keys(text: str, boilerplate: Iterable[str]) -> frozenset[str]:
    """The keys :meth:`RepeatedLines.add` counts for an article: of its text's lines and of
    the lines removed from it as boilerplate."""
    return frozenset(article_keys([*text.split("\n"), *boilerplate]))


@dataclass
class RepeatedLines:
    """One outlet's line counts; :meth:`add` one article at a time, :attr:`learned` is the
    set of boilerplate keys after the articles added so far."""

    counts: Counter[str] = field(default_factory=Counter)
    pages: int = 0
    learned: frozenset[str] = frozenset()
    _seen: set[int] = field(default_factory=set)  # the pages counted, by 8-byte digest

    def threshold(self) -> int:
        return max(MIN_PAGES, math.ceil(MIN_SHARE * min(self.pages, WINDOW)))

    def add(self, page: str, lines: Iterable[str]) -> None:
        """Count the lines of one article (``page`` names it: an article is counted once)."""
        self.add_keys(page, article_keys(lines))

    def add_keys(self, page: str, keys: Iterable[str]) -> None:
        """:meth:`add` of an article whose lines' keys were made already (:func:`text_keys`,
        in an extraction worker)."""
        digest = int.from_bytes(hashlib.blake2b(page.encode(), digest_size=8).digest(), "big")
        if digest in self._seen:
            return
        self._seen.add(digest)
        self.pages += 1
        if self.pages % FORGET_EVERY == 0:
            self.counts = Counter({key: n for key, n in self.counts.items() if n > 1})
        keys = set(keys)
        self.counts.update(keys)
        need = self.threshold()
        # Keys already learned are checked again (the share grows with the pages counted);
        # of the others, only this article's can have reached the threshold.
        learned = {key for key in self.learned if self.counts[key] >= need}
        learned.update(key for key in keys if self.counts[key] >= need)
        if learned != self.learned:
            self.learned = frozenset(learned)


def strip_repeated(text: str, learned: frozenset[str]) -> tuple[str, list[str]]:
    """``text`` without its lines whose key is ``learned``, and the lines removed. A text that
    would be left with nothing is kept whole."""
    if not learned or not text:
        return text, []
    kept: list[str] = []
    removed: list[str] = []
    for line in text.split("\n"):
        key = line_key(line) if line.strip() else None
        (removed if key is not None and key in learned else kept).append(line)
    if not removed or not any(line.strip() for line in kept):
        return text, []
    return fold_blank_lines("\n".join(kept)).strip("\n"), removed
