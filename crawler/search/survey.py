"""What the index knows of a query's matches before any is ranked: how many there are (exact,
or estimated past :data:`EXACT_COUNT`), a sample of their ids (for the catalog's filters to
estimate the total from), and the window a ranked page is ranked in.

A common word is in a third of a million articles, and a phrase of two common words costs a
position check in each article holding both: a pass over every match costs tens of
milliseconds, and bm25 already makes one (for its IDF). So where the index seeks to a range
of ids (SQLite's FTS5), past EXACT_COUNT matches the survey reads :data:`STRIPES` narrow
stripes of ids spread over the matches' range (1/:data:`COVER` of it in all) and estimates
from them: the number of matches, the sample, and where the newest :data:`RANK_WINDOW`
matches begin (:data:`PHRASE_WINDOW` for a query with a phrase asked by positions).
PostgreSQL's GIN index finds every match before it filters ids, so there one pass counts them
all and draws the sample by a hash of the id.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from math import ceil

from sqlalchemy import ColumnElement, String, Subquery, case, cast, func, select
from sqlalchemy.orm import Session

from crawler.catalog import Catalog
from crawler.search.backends import IndexBackend, SqliteIndex, backend_for
from crawler.search.facets import facet_tokens
from crawler.search.query import SearchExpr, positional, stemmed
from crawler.search.select import ArticleQuery

__all__ = ["COVER", "EXACT_COUNT", "MAX_SAMPLE", "PHRASE_WINDOW", "RANK_WINDOW", "SAMPLE",
           "STRIPES", "Survey", "index_matches", "rank_window", "stripes", "survey"]

#: Up to this many matches in the index, the total is counted exactly; past it, it is
#: estimated from a sample: counting every match of a common word in a million articles
#: against the catalog would cost more than finding the page.
EXACT_COUNT = 5_000
#: A ranked page is ranked among the newest RANK_WINDOW of its matches in the index (all of
#: them up to that many): ranking costs per match ranked. The total still counts every match.
RANK_WINDOW = 20_000
#: The window of a query with a phrase asked by positions (not a common gram): each match
#: costs a walk of two match lists and their positions, and bm25's IDF walks every match
#: once more. At 1 M articles a phrase of two words each in ~40,000 articles (~35,000
#: matches) spent ~2/3 of its ranking in a window of 20,000.
PHRASE_WINDOW = 5_000
#: SQLite: the stripes read past EXACT_COUNT matches, and the share of the matches' id range
#: they cover together (1/COVER). A word in 1 in 8 of a million articles leaves ~3,900 matches
#: in them: the estimate is within ~2% (a few hundred matches: within ~10%).
STRIPES = 16
COVER = 32
#: The most ids the catalog checks to estimate how many matches pass its filters (~5%).
MAX_SAMPLE = 400
#: PostgreSQL: the sample is the matches whose id hashes below 1/SAMPLE of the 32-bit range.
SAMPLE = 128


@dataclass(frozen=True)
class Survey:
    """``matches``: how many the index has (an estimate unless ``exact``); ``sample``: ids of
    some of them, spread over the archive (empty when ``exact`` and no window needs them);
    ``start``: the oldest id a ranked page ranks (None: every match); ``window``: how many
    of the newest matches a ranked page ranks past that many (:func:`rank_window`)."""

    matches: int
    exact: bool
    sample: tuple[int, ...]
    start: int | None
    window: int

    @property
    def countable(self) -> bool:
        """Whether the catalog counts the query's rows exactly (few enough matches)."""
        return self.exact and self.matches <= EXACT_COUNT

    @property
    def reach(self) -> int | None:
        """How many matches a ranked page is ranked among (None: not known exactly)."""
        return self.window if self.start is not None else self.matches if self.exact else None


def rank_window(expr: SearchExpr, exact: bool) -> int:
    """How many of its newest matches a ranked page of ``expr`` (as asked: stemmed unless
    ``exact``) ranks past that many: RANK_WINDOW, or PHRASE_WINDOW when it has a phrase asked
    by positions (the same on both backends, so that they rank the same window)."""
    return min(RANK_WINDOW, PHRASE_WINDOW) if positional(expr, not exact) else RANK_WINDOW


def index_matches(catalog: Catalog, expr: SearchExpr, query: ArticleQuery,
                  top: int | None = None, scored: bool = True, from_id: int | None = None,
                  to_id: int | None = None) -> Subquery:
    """The index's matches of ``expr`` under ``query``'s outlet and language (see
    :meth:`IndexBackend.matches`)."""
    backend = backend_for(catalog.engine.dialect.name)
    return backend.matches(expr if query.exact else stemmed(expr), exact=query.exact,
                           facets=facet_tokens(query.outlet, query.lang), top=top,
                           scored=scored, from_id=from_id, to_id=to_id)


def survey(session: Session, catalog: Catalog, expr: SearchExpr, query: ArticleQuery,
           window: bool = True) -> Survey:
    """The :class:`Survey` of ``expr``'s matches; ``window``: whether a ranked page needs its
    window's start."""
    backend = backend_for(catalog.engine.dialect.name)
    asked, exact, facets = _asked(expr, query)
    size = rank_window(asked, exact)
    if not isinstance(backend, SqliteIndex):
        return _hashed(session, backend, catalog, expr, query, window, size)
    found = session.execute(backend.count_upto(asked, exact=exact, facets=facets,
                                               upto=EXACT_COUNT + 1)).scalar_one()
    if found > EXACT_COUNT:
        low, high = session.execute(backend.ends(asked, exact=exact, facets=facets)).one()
        return _striped(session, backend, expr, query, window, size, stripes(low, high))
    if not (window and found > size):
        return Survey(found, True, (), None, size)
    # (Only with EXACT_COUNT raised above the window.)
    start = _nth_newest(session, backend, expr, query, size)
    some = index_matches(catalog, expr, query, scored=False)
    return Survey(found, True, _hash_sample(session, some), start, size)


def _asked(expr: SearchExpr, query: ArticleQuery) -> tuple[SearchExpr, bool, tuple[str, ...]]:
    """What the index is asked: the expression (stemmed unless exact), exact, the facets."""
    return (expr if query.exact else stemmed(expr), query.exact,
            tuple(facet_tokens(query.outlet, query.lang)))


def _nth_newest(session: Session, backend: IndexBackend, expr: SearchExpr,
                query: ArticleQuery, n: int) -> int:
    """The version id of the ``n``-th newest match in the index."""
    asked, exact, facets = _asked(expr, query)
    return int(session.scalar(backend.nth_newest(asked, exact=exact, facets=facets,
                                                 n=n)) or 0)


def _in_sample(ids: ColumnElement[int]) -> ColumnElement[bool]:
    # Knuth's multiplicative hash of the id: a sample spread over the whole archive, not
    # tied to how ids were handed out (by outlet, by date).
    return (ids * 2654435761) % 4294967296 < 4294967296 // SAMPLE


def _hash_sample(session: Session, matches: Subquery) -> tuple[int, ...]:
    return tuple(session.scalars(select(matches.c.version_id)
                                 .where(_in_sample(matches.c.version_id))))


def _hashed(session: Session, backend: IndexBackend, catalog: Catalog, expr: SearchExpr,
            query: ArticleQuery, window: bool, size: int) -> Survey:
    """One pass over every match counts them and draws the hash sample (~1 in SAMPLE)."""
    index = index_matches(catalog, expr, query, scored=False)
    in_sample = case((_in_sample(index.c.version_id), cast(index.c.version_id, String)))
    found, ids = session.execute(
        select(func.count(), func.aggregate_strings(in_sample, ",")).select_from(index)).one()
    start = (_nth_newest(session, backend, expr, query, size)
             if window and found > size else None)
    return Survey(found, True, tuple(int(i) for i in ids.split(",")) if ids else (), start,
                  size)


@dataclass(frozen=True)
class _Stripe:
    low: int  # the ids of the stretch the stripe stands for
    high: int
    first: int  # the ids the stripe reads (the top of its stretch)
    found: int = 0
    ids: tuple[int, ...] = ()

    @property
    def estimate(self) -> float:
        return self.found * (self.high - self.low + 1) / (self.high - self.first + 1)


def stripes(low: int, high: int) -> list[_Stripe]:
    """STRIPES stretches of equal length over ``low``..``high``, and in each the top 1/COVER
    of its ids to read; one stretch read whole when the range is short."""
    span = high - low + 1
    if span < STRIPES * COVER * 4:
        return [_Stripe(low, high, low)]
    bounds = [low + span * n // STRIPES for n in range(STRIPES + 1)]
    return [_Stripe(bounds[n], bounds[n + 1] - 1,
                    bounds[n + 1] - (bounds[n + 1] - bounds[n]) // COVER)
            for n in range(STRIPES)]


def _striped(session: Session, backend: SqliteIndex, expr: SearchExpr, query: ArticleQuery,
             window: bool, size: int, plan: list[_Stripe]) -> Survey:
    """The survey from the stripes of ``plan``; ``window``: whether a ranked page needs the
    start of its window, of ``size`` matches."""
    asked, exact, facets = _asked(expr, query)
    read = {n: (found, ids) for n, found, ids in session.execute(backend.stripes(
        asked, exact=exact, facets=facets, ranges=[(s.first, s.high) for s in plan]))}
    plan = [replace(s, found=read[n][0],
                    ids=tuple(int(i) for i in read[n][1].split(",")) if read[n][1] else ())
            for n, s in enumerate(plan)]
    estimate = max(EXACT_COUNT + 1, round(sum(s.estimate for s in plan)))
    drawn = [i for s in plan for i in s.ids]
    sample = tuple(drawn[::ceil(len(drawn) / MAX_SAMPLE)]) if drawn else ()
    return Survey(estimate, False, sample,
                  _window_start(plan, size) if window and estimate > size else None, size)


def _window_start(plan: list[_Stripe], window: int | None = None) -> int | None:
    """Where the newest ``window`` matches (RANK_WINDOW unless given) begin, as the stripes
    tell: the stretches' estimates summed from the newest, the last one cut in proportion."""
    wanted = float(RANK_WINDOW if window is None else window)
    for stripe in reversed(plan):
        if stripe.estimate >= wanted:
            share = wanted / stripe.estimate
            return max(stripe.low, stripe.high + 1 - ceil(share * (stripe.high - stripe.low + 1)))
        wanted -= stripe.estimate
    return None
