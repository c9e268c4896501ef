"""Filters the index answers itself: a version's outlet and language, indexed as tokens of a
column of their own (``facets``) beside its words.

A search for a common word filtered by language would otherwise check every match of the word
against the catalog (a million-article archive holds a common word in tens of thousands of
versions); the index intersects the two lists instead. The catalog still applies the same
filters afterwards, so a facet can only narrow, never widen, what is found. A version's outlet
and language do not change once written (`akhbar reindex` rebuilds the catalog, and the index
notices, see :mod:`crawler.search.index`).

The tokens are ``o`` or ``l`` and the value's UTF-8 bytes in hex: letters and digits only,
whatever an outlet id or a language tag holds, so both tokenizers keep them whole. Every
version also has :data:`EVERY`, so the index can count what it holds (an FTS5 table without
content or column sizes cannot be scanned).
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.search.normalize import Analyzed

__all__ = ["EVERY", "IndexDoc", "facet_tokens", "version_facets"]

EVERY = "v"


@dataclass(frozen=True)
class IndexDoc:
    """One article version as the index receives it."""

    version_id: int
    analyzed: Analyzed
    facets: tuple[str, ...]


def facet_tokens(outlet: str | None, language: str | None) -> tuple[str, ...]:
    """The facet tokens of a filter on ``outlet`` and ``language``."""
    out = []
    if outlet:
        out.append("o" + outlet.encode().hex())
    if language:
        out.append("l" + language.encode().hex())
    return tuple(out)


def version_facets(outlet: str, language: str | None) -> tuple[str, ...]:
    """The facet tokens indexed for a version of ``outlet`` in ``language``."""
    return (EVERY, *facet_tokens(outlet, language))
