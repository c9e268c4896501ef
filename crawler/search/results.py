"""Search: a query in, a ranked page of hits with snippets and the total out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, Subquery, case, cast, func, select
from sqlalchemy.orm import Session

from crawler.catalog import ArticleVersion, Catalog
from crawler.errors import QueryError
from crawler.search.backends import backend_for
from crawler.search.facets import facet_tokens
from crawler.search.index import catch_up
from crawler.search.query import SearchExpr, parse, stemmed
from crawler.search.select import ArticleQuery, check_filters, count, keys, load
from crawler.search.snippet import Snippet, make_snippet

__all__ = ["DEFAULT_LIMIT", "SearchHit", "SearchPage", "matches_for", "search"]

DEFAULT_LIMIT = 20

#: Up to this many matches in the index, the total is counted exactly; past it, it is
#: estimated from a sample (``total_exact`` false): counting every match of a common word in
#: a million articles against the catalog would cost more than finding the page.
EXACT_COUNT = 5_000
#: The sample: the matches whose version id hashes below 1/SAMPLE of the 32-bit range (past
#: EXACT_COUNT matches, at least ~40 of them: the estimate is within ~15%, and within ~3% at
#: 100,000 matches, when a word is in a million articles).
SAMPLE = 128

#: Candidates taken from the index per row of the pages up to the one asked, at least
#: MIN_CANDIDATES: room for the older versions and the filters to drop some.
CANDIDATES = 4
MIN_CANDIDATES = 200
#: Tries with 16 times more candidates each before the query runs on every match.
CANDIDATE_ROUNDS = 2
#: A ranked page is ranked among the newest RANK_WINDOW of its matches in the index (all of
#: them up to that many): ranking costs per match ranked, and a common word is in a third of a
#: million articles. The total still counts every match.
RANK_WINDOW = 20_000
#: With a date filter, the window is kept when at least 1 in this many of its matches (in the
#: count's sample) fall within the dates.
DATED_WINDOW_SHARE = 8


@dataclass(frozen=True)
class SearchHit:
    url: str
    outlet: str
    language: str | None
    title: str | None
    author: str | None
    published: str | None
    captured_at: datetime
    version: int
    latest_version: int
    score: float | None
    snippet: Snippet

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "outlet": self.outlet, "language": self.language,
                "title": self.title, "author": self.author, "published": self.published,
                "captured_at": self.captured_at.isoformat(), "version": self.version,
                "latest_version": self.latest_version, "score": self.score,
                "snippet": self.snippet.text,
                "highlights": [list(span) for span in self.snippet.highlights]}


@dataclass(frozen=True)
class SearchPage:
    query: str
    total: int
    offset: int
    limit: int
    hits: list[SearchHit]
    total_exact: bool = True

    @property
    def next_offset(self) -> int | None:
        after = self.offset + len(self.hits)
        # A short page is the last (the rank window may hold fewer than the total).
        more = len(self.hits) == self.limit and (after < self.total or not self.total_exact)
        return after if more else None

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "total_exact": self.total_exact,
                "offset": self.offset,
                "limit": self.limit, "next_offset": self.next_offset,
                "hits": [hit.to_dict() for hit in self.hits]}


def matches_for(catalog: Catalog, query: ArticleQuery) -> tuple[SearchExpr | None,
                                                                 Subquery | None]:
    """The parsed ``query.text`` and the versions it matches (after the index caught up);
    (None, None) without a text. QueryError (parameter ``q``) when it does not parse."""
    if not query.text:
        return None, None
    expr = parse(query.text)
    catch_up(catalog)
    return expr, _matches(catalog, expr, query)


def _matches(catalog: Catalog, expr: SearchExpr, query: ArticleQuery,
             top: int | None = None, scored: bool = True,
             from_id: int | None = None) -> Subquery:
    backend = backend_for(catalog.engine.dialect.name)
    return backend.matches(expr if query.exact else stemmed(expr), exact=query.exact,
                           facets=facet_tokens(query.outlet, query.lang), top=top,
                           scored=scored, from_id=from_id)


def _dated(query: ArticleQuery) -> bool:
    return any(d is not None for d in (query.since, query.published_from, query.published_to,
                                       query.captured_from, query.captured_to))


def _window_holds_dates(session: Session, query: ArticleQuery, ids: str | None,
                        start: int) -> bool:
    """Whether enough of the window's matches fall within ``query``'s dates (at least 1 in
    DATED_WINDOW_SHARE of the count's sample drawn in the window): the index is in the order
    of capture, so the newest matches may all fall outside them (then every match is ranked).
    """
    drawn = [int(i) for i in ids.split(",") if int(i) >= start] if ids else []
    if not drawn:
        return False
    sample = (select(ArticleVersion.id.label("version_id")).where(ArticleVersion.id.in_(drawn))
              .subquery("sample"))
    return session.execute(count(query, sample)).scalar_one() * DATED_WINDOW_SHARE >= len(drawn)


def _window_start(session: Session, catalog: Catalog, expr: SearchExpr,
                  query: ArticleQuery) -> int:
    """The oldest version id ranked: that of the RANK_WINDOW-th newest match in the index."""
    backend = backend_for(catalog.engine.dialect.name)
    return int(session.scalar(backend.nth_newest(
        expr if query.exact else stemmed(expr), exact=query.exact,
        facets=facet_tokens(query.outlet, query.lang), n=RANK_WINDOW)) or 0)


def _in_sample(matches: Subquery) -> ColumnElement[bool]:
    # Knuth's multiplicative hash of the id: a sample spread over the whole archive, not
    # tied to how ids were handed out (by outlet, by date).
    return (matches.c.version_id * 2654435761) % 4294967296 < 4294967296 // SAMPLE


def _index_count(session: Session, catalog: Catalog, expr: SearchExpr,
                 query: ArticleQuery) -> tuple[int, str | None]:
    """How many matches the index has, and the sample's ids (comma-separated)."""
    index = _matches(catalog, expr, query, scored=False)
    # One pass over the index's matches counts them and draws the sample's ids (~1 in
    # SAMPLE: a thousand at 130,000 matches), so the catalog checks those ids alone and the
    # query (a phrase of common words costs tens of ms at a million articles) runs once.
    in_sample = case((_in_sample(index), cast(index.c.version_id, String)))
    in_index, ids = session.execute(
        select(func.count(), func.aggregate_strings(in_sample, ",")).select_from(index)).one()
    return in_index, ids


def _total(session: Session, catalog: Catalog, expr: SearchExpr, query: ArticleQuery,
           shown: int, limit: int, counted: tuple[int, str | None] | None,
           windowed: bool) -> tuple[int, bool]:
    """The number of rows the query has, and whether it is exact (else an estimate).
    ``counted``: the index's count, when already made; ``windowed``: the page was ranked in a
    window (a short page may then not be the last)."""
    if not windowed and ((shown and shown < limit) or (not shown and not query.offset)):
        return query.offset + shown, True  # a short page is the last one
    in_index, ids = counted or _index_count(session, catalog, expr, query)
    if in_index <= EXACT_COUNT:
        return session.execute(count(query, _matches(catalog, expr, query, scored=False))
                               ).scalar_one(), True
    drawn = [int(i) for i in ids.split(",")] if ids else []
    sample = (select(ArticleVersion.id.label("version_id")).where(ArticleVersion.id.in_(drawn))
              .subquery("sample"))
    kept = session.execute(count(query, sample)).scalar_one() if drawn else 0
    estimate = round(in_index * kept / len(drawn)) if drawn else in_index
    return max(estimate, query.offset + shown), False


def search(catalog: Catalog, query: ArticleQuery) -> SearchPage:
    """One page of the versions matching ``query.text`` (required), best first: the best of
    the newest :data:`RANK_WINDOW` matches in the index (with a date filter, unless too few of
    those fall within the dates: see :func:`_window_holds_dates`).

    Ranked pages are cut from the best few candidates of the index first (their join and
    filters are cheap); only when those hold too few to fill the page does the query run on
    every match. Either way the page is the same: the candidates are a prefix of the order.
    The total is exact up to :data:`EXACT_COUNT` matches in the index, an estimate past it
    (``total_exact`` says which).
    """
    expr, _ = matches_for(catalog, query)
    if expr is None:
        raise QueryError("q", "nothing to search for: give at least one word")
    limit = query.limit or DEFAULT_LIMIT
    paged = replace(query, limit=limit)
    with catalog.session() as session:
        backend_for(catalog.engine.dialect.name).prepare(session)
        check_filters(session, query)
        # A query that may be windowed counts its matches first: the walk to the window's
        # start is only made past RANK_WINDOW of them, and the count serves the total.
        counted = _index_count(session, catalog, expr, query) if query.sort == "rank" else None
        start = (_window_start(session, catalog, expr, query)
                 if counted and counted[0] > RANK_WINDOW else None)
        if start is not None and _dated(query) and not _window_holds_dates(
                session, query, counted[1] if counted else None, start):
            start = None
        matches = _matches(catalog, expr, query, from_id=start)
        # How many matches the index has in reach (the window's, or all): candidates as many
        # hold every one, and no match means no page to look for.
        reach = None if counted is None else RANK_WINDOW if start is not None else counted[0]
        page: list[Any] | None = [] if reach == 0 else None
        # In a window, a language filter is left to the catalog: bm25 would also walk the
        # language's whole match list (a third of the index) for its IDF. (Not an outlet:
        # its window may span many times more matches of the words alone.)
        ranked = (replace(query, lang=None) if start is not None and not query.outlet
                  else query)
        if ranked is not query:
            reach = None
        if query.sort == "rank" and page is None:
            top = max(CANDIDATES * (query.offset + limit), MIN_CANDIDATES)
            for _ in range(CANDIDATE_ROUNDS):  # more each time filters leave the page short
                candidates = _matches(catalog, expr, ranked, top, from_id=start)
                page = list(session.execute(keys(paged, candidates)).all())
                if len(page) == limit or (reach is not None and reach <= top):
                    break
                top *= 16
            else:
                page = None
        if page is None:
            page = list(session.execute(keys(paged, matches)).all())
        total, exact = _total(session, catalog, expr, query, len(page), limit, counted,
                              windowed=start is not None)
        loaded = {version.id: (article, version) for article, version, _capture
                  in session.execute(load([vid for vid, _ in page]))}
        terms = expr.terms()
        hits = [SearchHit(
            url=article.url, outlet=article.outlet_id, language=version.language,
            title=version.title, author=version.author, published=version.published,
            captured_at=version.captured_at, version=version.version,
            latest_version=article.latest_version,
            score=round(score, 6) if score is not None else None,
            snippet=make_snippet(version.text or version.description, terms))
            for (article, version), score in ((loaded[vid], score) for vid, score in page)]
    return SearchPage(query.text or "", total, query.offset, limit, hits, total_exact=exact)
