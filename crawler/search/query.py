"""Search query syntax: parsed once into a small tree, then written for FTS5 or tsquery.

Syntax: words (all must match), ``"a phrase"`` (also «…» and “…”), ``OR`` between words or
groups, ``-word`` or ``-"a phrase"`` to exclude, ``prefix*``. ``%`` and ``_`` are plain
characters (punctuation, like any other: they separate words). Words go through the same
analyzer as the indexed text (:mod:`crawler.search.normalize`); a word the analyzer splits
(``bank-rates``) is searched as a phrase; a word written with a zero-width non-joiner
(آبان‌ماه) is searched joined (the index holds every compound joined, however written; a word
of three parts or more is searched as its parts in a row too). Two neighbouring Arabic-script
words, typed or in a phrase (آبان ماه), are also searched joined (ابانماه), and so are three
(می خواهم شان: ميخواهمشان), so that they find the compound written as one word.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from crawler.errors import QueryError
from crawler.search.normalize import (
    COMMON,
    MAX_TOKEN,
    gram,
    joinable,
    normalize,
    stem,
    stem_prefix,
    word_terms,
    words,
)

__all__ = ["All", "Either", "Node", "Phrase", "SearchExpr", "Term", "parse", "positional",
           "to_fts5", "to_tsquery", "tsquery_of"]


@dataclass(frozen=True)
class Term:
    """A token; ``spaced``: the join of words typed apart, whose every spaced occurrence the
    words themselves find (so PostgreSQL's search_pairs need not be asked for it)."""

    token: str
    prefix: bool = False
    spaced: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Phrase:
    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Either:
    options: tuple[Node, ...]


@dataclass(frozen=True)
class All:
    """Every one of ``required`` and none of ``excluded``."""

    required: tuple[Node, ...]
    excluded: tuple[Node, ...] = ()


Node = Term | Phrase | Either | All


@dataclass(frozen=True)
class SearchExpr:
    """A parsed query: groups joined by OR."""

    groups: tuple[All, ...]

    def terms(self) -> set[str]:
        """Every normalised token the query looks for (not the excluded ones), for snippets."""
        found: set[str] = set()
        for group in self.groups:
            _collect(group, found)
        return found


def _collect(node: Node, into: set[str]) -> None:
    if isinstance(node, Term):
        into.add(node.token + ("*" if node.prefix else ""))
    elif isinstance(node, Phrase):
        into.update(node.tokens[:-1])
        into.add(node.tokens[-1] + ("*" if node.prefix else ""))
    elif isinstance(node, Either):
        for option in node.options:
            _collect(option, into)
    else:
        for child in node.required:
            _collect(child, into)


_QUOTES = {'"': '"', "«": "»", "“": "”", "„": "“"}
_LEXEME = re.compile(r'\s*(-?)(?:(["«“„])|([^\s"«“„]+))')


def parse(text: str) -> SearchExpr:
    """The query ``text`` as a tree; :class:`QueryError` (parameter ``q``) when it cannot be."""
    groups: list[All] = []
    required: list[Node] = []
    excluded: list[Node] = []
    joins: list[int] = []  # i: required[i] and required[i + 1] were typed side by side
    pos, after_or, side_by_side = 0, False, False
    text = text.strip()
    while pos < len(text):
        m = _LEXEME.match(text, pos)
        if m is None:  # only trailing blanks
            break
        negate, quote, bare = m.groups()
        pos = m.end()
        node: Node | None
        if quote:
            close = text.find(_QUOTES[quote], pos)
            if close < 0:
                raise QueryError("q", f"the phrase opened by {quote} at character {pos} is not "
                                      f"closed; close it with {_QUOTES[quote]}")
            node, pos = _phrase(text[pos:close]), close + 1
            if pos < len(text) and text[pos] == "*" and node is not None:
                node, pos = _with_prefix(node), pos + 1
        elif bare == "OR" and not negate:
            if not required or after_or:
                raise QueryError("q", "OR needs a word on each side (e.g. تحریم OR sanctions)")
            groups.append(_group(required, excluded, joins))
            required, excluded, joins, after_or, side_by_side = [], [], [], True, False
            continue
        else:
            node = _word(bare)
        if node is None:  # punctuation only
            continue
        after_or = False
        (excluded if negate else required).append(node)
        half = not negate and not quote and _half(node)
        if half and side_by_side:
            joins.append(len(required) - 2)
        side_by_side = half
    if after_or:
        raise QueryError("q", "OR needs a word on each side (e.g. تحریم OR sanctions)")
    if required or excluded:
        groups.append(_group(required, excluded, joins))
    if not groups:
        raise QueryError("q", "nothing to search for: give at least one word (letters or digits)")
    return SearchExpr(tuple(groups))


#: At most this many joined alternatives of one group of words or one phrase.
MAX_JOINS = 4


def _half(node: Node) -> bool:
    """Whether ``node`` is a word that may be one half of a compound (see normalize.joinable)."""
    return isinstance(node, Term) and joinable(node.token)


def _group(required: list[Node], excluded: list[Node], joins: list[int]) -> All:
    if not required:
        raise QueryError("q", "a query cannot only exclude (-word): add a word to search for")
    # آبان ماه: both words, or the compound written as one (ابانماه).
    options: list[Node] = []
    for i in joins:
        first, second = required[i], required[i + 1]
        if isinstance(first, Term) and isinstance(second, Term) and not first.prefix:
            joined = Term((first.token + second.token)[:MAX_TOKEN], second.prefix, spaced=True)
            options.append(All((*required[:i], joined, *required[i + 2:])))
    for i in joins:  # three in a row: the compound of three (می خواهم شان: ميخواهمشان)
        if i + 1 in joins and all(isinstance(n, Term) and not n.prefix
                                  for n in required[i:i + 2]):
            third = required[i + 2]
            if isinstance(third, Term):
                tokens = "".join(n.token for n in required[i:i + 3] if isinstance(n, Term))
                options.append(All((*required[:i], Term(tokens[:MAX_TOKEN], third.prefix, True),
                                    *required[i + 3:])))
    if not options:
        return All(tuple(required), tuple(excluded))
    return All((Either((All(tuple(required)), *options[:MAX_JOINS])),), tuple(excluded))


def _with_prefix(node: Node) -> Node:
    if isinstance(node, Term):
        return Term(node.token, True, node.spaced)
    if isinstance(node, Phrase):
        return Phrase(node.tokens, True)
    if isinstance(node, Either):  # a phrase and its joined forms
        return Either(tuple(map(_with_prefix, node.options)))
    return node


def _word(raw: str) -> Node | None:
    prefix = raw.endswith("*")
    found = words(raw.rstrip("*"))
    if not found:
        return None
    if len(found) == 1:
        joined, parts = word_terms(found[0])
        # Two halves are in the index joined however the text wrote them (with a non-joiner,
        # a space, or neither); other parts are searched in a row as well.
        if not prefix and (len(parts) > 2 or (len(parts) == 2 and not all(map(joinable, parts)))):
            return Either((Term(joined), Phrase(tuple(parts))))
        return Term(joined, prefix)
    return _phrase_of(tuple(word_terms(w)[0] for w in found), prefix)


def _phrase(inner: str) -> Node | None:
    found = [word_terms(w)[0] for w in words(inner)]
    if not found:
        return None
    return _phrase_of(tuple(found), False)


def _phrase_of(tokens: tuple[str, ...], prefix: bool) -> Node:
    """The phrase, or, when two of its neighbouring words may be the halves of a compound, the
    phrase or the phrase with them joined ("آبان ماه": آبان ماه or ابانماه)."""
    if len(tokens) == 1:
        return Term(tokens[0], prefix)
    options: list[Node] = [Phrase(tokens, prefix)]
    for i in range(len(tokens) - 1):
        if len(options) > MAX_JOINS:
            break
        if joinable(tokens[i]) and joinable(tokens[i + 1]):
            with_join = (*tokens[:i], (tokens[i] + tokens[i + 1])[:MAX_TOKEN], *tokens[i + 2:])
            options.append(Term(with_join[0], prefix, spaced=True) if len(with_join) == 1
                           else Phrase(with_join, prefix))
    for i in range(len(tokens) - 2):  # three in a row joined (a compound of three)
        if len(options) <= MAX_JOINS and all(map(joinable, tokens[i:i + 3])):
            with_join = (*tokens[:i], "".join(tokens[i:i + 3])[:MAX_TOKEN], *tokens[i + 3:])
            options.append(Term(with_join[0], prefix, spaced=True) if len(with_join) == 1
                           else Phrase(with_join, prefix))
    return options[0] if len(options) == 1 else Either(tuple(options))


def stemmed(expr: SearchExpr) -> SearchExpr:
    """The query as it runs against the stems: each token stemmed (a prefix only loses its
    article, so that الاقتصا* still finds الاقتصادية)."""
    return SearchExpr(tuple(_stem_all(g) for g in expr.groups))


def _stem_all(group: All) -> All:
    return All(tuple(map(_stem, group.required)), tuple(map(_stem, group.excluded)))


def _stem(node: Node) -> Node:
    if isinstance(node, Term):
        return Term((stem_prefix if node.prefix else stem)(node.token), node.prefix,
                    node.spaced)
    if isinstance(node, Phrase):
        last = (stem_prefix if node.prefix else stem)(node.tokens[-1])
        return Phrase((*map(stem, node.tokens[:-1]), last), node.prefix)
    if isinstance(node, Either):
        return _without_implied(Either(tuple(map(_stem, node.options))))
    return _stem_all(node)


def _without_implied(either: Either) -> Node:
    """``either`` without the phrases one of its words finds already: هفته‌ی is searched as
    هفتهی or the phrase هفته ی, whose stems are هفته, and هفته ی; the phrase only cost a walk
    of ی's positions, a letter in nearly every Persian article."""
    words = {o.token for o in either.options if isinstance(o, Term) and not o.prefix}
    kept = tuple(o for o in either.options
                 if not (isinstance(o, Phrase) and words.intersection(o.tokens)))
    return kept[0] if len(kept) == 1 else Either(kept)


# Tokens are runs of letters and digits (see normalize.words), so neither syntax needs escapes
# inside its quotes; the writers still refuse anything else rather than trust that.
def _checked(token: str) -> str:
    if not token or any(c in token for c in "\"'\\ ") or token != normalize(token):
        raise ValueError(f"not a normalised token: {token!r}")
    return token


def _writer(term: Callable[[str, bool], str], phrase: Callable[[tuple[str, ...], bool], str],
            both: str, either: str, not_: Callable[[str, str], str]) -> Callable[[Node], str]:
    def write(node: Node) -> str:
        if isinstance(node, Term):
            return term(_checked(node.token), node.prefix)
        if isinstance(node, Phrase):
            return phrase(tuple(map(_checked, node.tokens)), node.prefix)
        if isinstance(node, Either):
            return "(" + either.join(map(write, node.options)) + ")"
        positive = "(" + both.join(map(write, node.required)) + ")"
        if not node.excluded:
            return positive
        return not_(positive, "(" + either.join(map(write, node.excluded)) + ")")
    return write


def _fts5_phrase(grams: Callable[[str], str] | None) -> Callable[[tuple[str, ...], bool], str]:
    """FTS5's phrase; with ``grams`` (a token to the stem it is indexed as common by), two
    words one of which is common are written as their gram, one token of the index."""
    def phrase(tokens: tuple[str, ...], prefix: bool) -> str:
        if grams is not None and _is_gram(tokens, prefix, grams):
            return f'"{gram(*tokens)}"'
        return '"' + " ".join(tokens) + '"' + (" *" if prefix else "")
    return phrase


def _is_gram(tokens: tuple[str, ...], prefix: bool, grams: Callable[[str], str]) -> bool:
    """Whether SQLite asks this phrase as one common gram (two words, one of them common)."""
    return len(tokens) == 2 and not prefix and any(grams(t) in COMMON for t in tokens)


def _fts5(grams: Callable[[str], str] | None) -> Callable[[Node], str]:
    return _writer(
        term=lambda t, p: f'"{t}"' + (" *" if p else ""), phrase=_fts5_phrase(grams),
        both=" AND ", either=" OR ", not_=lambda pos, neg: f"({pos} NOT {neg})")


def _same(token: str) -> str:
    return token


_tsquery = _writer(
    term=lambda t, p: f"'{t}'" + (":*" if p else ""),
    phrase=lambda ts, p: "(" + " <-> ".join(f"'{t}'" for t in ts) + (":*" if p else "") + ")",
    both=" & ", either=" | ", not_=lambda pos, neg: f"({pos} & !{neg})")


def positional(expr: SearchExpr, stems: bool) -> bool:
    """Whether ``expr`` (as :func:`to_fts5` writes it against the stems, or the exact forms
    when ``stems`` is false) looks for a phrase by positions: two words or more, not one
    common gram. Such a phrase costs a walk of its words' match lists and positions per match
    (bm25's IDF walks every match once more): :mod:`crawler.search.survey` ranks it among fewer
    of its newest matches."""
    grams = _same if stems else stem
    return any(_positional(group, grams) for group in expr.groups)


def _positional(node: Node, grams: Callable[[str], str]) -> bool:
    if isinstance(node, Term):
        return False
    if isinstance(node, Phrase):
        return not _is_gram(node.tokens, node.prefix, grams)
    if isinstance(node, Either):
        return any(_positional(option, grams) for option in node.options)
    return any(_positional(child, grams) for child in node.required)


def to_fts5(expr: SearchExpr, stems: bool | None = None) -> str:
    """The query in FTS5's MATCH syntax: against the stems column (``stems`` true: the
    expression is :func:`stemmed`) or the exact one (false), a phrase of two words with a
    common one as their gram; phrases by positions alone when ``stems`` is None."""
    write = _fts5(None if stems is None else _same if stems else stem)
    return " OR ".join(map(write, expr.groups))


def tsquery_of(node: Node) -> str:
    """One node of a query as PostgreSQL tsquery text."""
    return _tsquery(node)


def to_tsquery(expr: SearchExpr) -> str:
    """The query as PostgreSQL tsquery text (lexemes given as is, no parser, no dictionary)."""
    return " | ".join(map(_tsquery, expr.groups))
