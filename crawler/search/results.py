"""Search: a query in, a ranked page of hits with snippets and the total out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Subquery, select
from sqlalchemy.orm import Session

from crawler.catalog import ArticleVersion, Catalog
from crawler.errors import QueryError
from crawler.search.backends import backend_for
from crawler.search.index import catch_up
from crawler.search.query import SearchExpr, parse
from crawler.search.select import ArticleQuery, check_filters, count, keys, load
from crawler.search.snippet import Snippet, make_snippet
from crawler.search.survey import Survey, index_matches, survey

__all__ = ["DEFAULT_LIMIT", "SearchHit", "SearchPage", "matches_for", "search"]

DEFAULT_LIMIT = 20

#: Candidates taken from the index per row of the pages up to the one asked, at least
#: MIN_CANDIDATES: room for the older versions and the filters to drop some.
CANDIDATES = 4
MIN_CANDIDATES = 200
#: Tries with 16 times more candidates each before the query runs on every match.
CANDIDATE_ROUNDS = 2
#: With a date filter, the window is kept when at least 1 in this many of its matches (in the
#: survey's sample) fall within the dates.
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
    return expr, index_matches(catalog, expr, query)


def _dated(query: ArticleQuery) -> bool:
    return any(d is not None for d in (query.since, query.published_from, query.published_to,
                                       query.captured_from, query.captured_to))


def _passing(session: Session, query: ArticleQuery, ids: list[int]) -> int:
    """How many of these versions pass ``query``'s filters (the catalog's side)."""
    sample = (select(ArticleVersion.id.label("version_id")).where(ArticleVersion.id.in_(ids))
              .subquery("sample"))
    return int(session.execute(count(query, sample)).scalar_one())


def _window_holds_dates(session: Session, query: ArticleQuery, found: Survey) -> bool:
    """Whether enough of the window's matches fall within ``query``'s dates (at least 1 in
    DATED_WINDOW_SHARE of the survey's sample drawn in the window): the index is in the order
    of capture, so the newest matches may all fall outside them (then every match is ranked).
    """
    assert found.start is not None
    drawn = [i for i in found.sample if i >= found.start]
    if not drawn:
        return False
    return _passing(session, query, drawn) * DATED_WINDOW_SHARE >= len(drawn)


def _total(session: Session, catalog: Catalog, expr: SearchExpr, query: ArticleQuery,
           shown: int, limit: int, found: Survey | None, windowed: bool) -> tuple[int, bool]:
    """The number of rows the query has, and whether it is exact (else an estimate).
    ``found``: the index's survey, when already made; ``windowed``: the page was ranked in a
    window (a short page may then not be the last)."""
    if not windowed and ((shown and shown < limit) or (not shown and not query.offset)):
        return query.offset + shown, True  # a short page is the last one
    found = found or survey(session, catalog, expr, query, window=False)
    if found.countable:
        return session.execute(count(query, index_matches(catalog, expr, query, scored=False))
                               ).scalar_one(), True
    drawn = list(found.sample)
    kept = _passing(session, query, drawn) if drawn else 0
    estimate = round(found.matches * kept / len(drawn)) if drawn else found.matches
    return max(estimate, query.offset + shown), False


def search(catalog: Catalog, query: ArticleQuery) -> SearchPage:
    """One page of the versions matching ``query.text`` (required), best first: the best of
    the newest :data:`~crawler.search.survey.RANK_WINDOW` matches in the index
    (:data:`~crawler.search.survey.PHRASE_WINDOW` with a phrase asked by positions; with a
    date filter, unless too few of those fall within the dates: see
    :func:`_window_holds_dates`).

    Ranked pages are cut from the best few candidates of the index first (their join and
    filters are cheap); only when those hold too few to fill the page does the query run on
    every match. Either way the page is the same: the candidates are a prefix of the order.
    The total is exact up to :data:`~crawler.search.survey.EXACT_COUNT` matches in the index,
    an estimate past it (``total_exact`` says which; :mod:`crawler.search.survey`).
    """
    expr, _ = matches_for(catalog, query)
    if expr is None:
        raise QueryError("q", "nothing to search for: give at least one word")
    limit = query.limit or DEFAULT_LIMIT
    paged = replace(query, limit=limit)
    with catalog.session() as session:
        backend_for(catalog.engine.dialect.name).prepare(session)
        check_filters(session, query)
        # A ranked query surveys its matches first: how many, and where its window starts
        # (past its window's size of them); the survey serves the total too.
        found = survey(session, catalog, expr, query) if query.sort == "rank" else None
        start = found.start if found else None
        if found and start is not None and _dated(query) and not _window_holds_dates(
                session, query, found):
            start = None
        matches = index_matches(catalog, expr, query, from_id=start)
        # How many matches the index has in reach (the window's, or all): candidates as many
        # hold every one, and no match means no page to look for.
        reach = None if found is None else replace(found, start=start).reach
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
                candidates = index_matches(catalog, expr, ranked, top, from_id=start)
                page = list(session.execute(keys(paged, candidates)).all())
                if len(page) == limit or (reach is not None and reach <= top):
                    break
                top *= 16
            else:
                page = None
        if page is None:
            page = list(session.execute(keys(paged, matches)).all())
        total, exact = _total(session, catalog, expr, query, len(page), limit, found,
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
