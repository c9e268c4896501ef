"""One query over article versions for search and export alike: filters, the full-text match,
the order and the page, as a SQLAlchemy statement."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Float, Select, Subquery, and_, cast, func, null, select
from sqlalchemy.orm import Session

from crawler.catalog import Article, ArticleVersion, Capture, Outlet
from crawler.errors import QueryError

__all__ = ["ArticleQuery", "Sort", "check_filters", "count", "filtered", "keys", "load",
           "parse_day", "rows"]

Sort = Literal["rank", "date"]
SORTS: tuple[str, ...] = ("rank", "date")


@dataclass
class ArticleQuery:
    """What to find: the same filters serve `search`, `export`, the API and the web page.

    ``since`` keeps articles seen since then; ``captured_from``/``captured_to`` bound when the
    version was captured, ``published_from``/``published_to`` (ISO dates, inclusive) its
    publication date. ``all_versions`` searches every version, not only the latest. ``exact``
    matches the normalised words without light stemming. Without ``text`` the order is outlet
    and URL; with it, ``sort`` is ``rank`` (bm25 / ts_rank) or ``date`` (newest published first).
    """

    outlet: str | None = None
    lang: str | None = None
    since: datetime | None = None
    text: str | None = None
    limit: int | None = None
    offset: int = 0
    all_versions: bool = False
    exact: bool = False
    sort: Sort = "rank"
    published_from: date | None = None
    published_to: date | None = None
    captured_from: datetime | None = None
    captured_to: datetime | None = None


_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def parse_day(parameter: str, value: str | None) -> date | None:
    """An ISO date (2026-11-29) given as ``parameter``; QueryError names it."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise QueryError(parameter, f"{value!r} is not an ISO date (e.g. 2026-11-29)") from None


def check_filters(session: Session, query: ArticleQuery) -> None:
    """An outlet or a language the catalog does not know is an error, not an empty answer.
    (One indexed lookup each; the lists for the message are read only when it fails.)"""
    if query.outlet and not _known_outlet(session, query.outlet):
        known = set(session.scalars(select(Outlet.id)))
        known.update(session.scalars(select(Article.outlet_id).distinct()))
        listed = ", ".join(sorted(known)) or "none yet"
        raise QueryError("outlet", f"no outlet {query.outlet!r} in the catalog (known: {listed})")
    if query.lang and not _known_language(session, query.lang):
        langs = {lang for lang in session.scalars(select(Article.language).distinct()) if lang}
        for configured in session.scalars(select(Outlet.languages)):
            langs.update(configured or ())
        listed = ", ".join(sorted(langs | {"und"}))
        raise QueryError("lang", f"no language {query.lang!r} in the catalog (known: {listed})")
    if query.sort not in SORTS:
        raise QueryError("sort", f"{query.sort!r} is not a sort order; use rank or date")
    if query.offset < 0 or (query.limit is not None and query.limit < 1):
        raise QueryError("offset" if query.offset < 0 else "limit",
                         "offset must be 0 or more and limit 1 or more")


def _known_outlet(session: Session, outlet: str) -> bool:
    return (session.scalar(select(Outlet.id).where(Outlet.id == outlet)) is not None
            or session.scalar(select(Article.id).where(Article.outlet_id == outlet).limit(1))
            is not None)


def _known_language(session: Session, lang: str) -> bool:
    if not _LANG.match(lang):
        return False
    if lang == "und" or session.scalar(
            select(Article.id).where(Article.language == lang).limit(1)) is not None:
        return True
    return any(lang in (configured or ()) for configured in session.scalars(
        select(Outlet.languages)))


def filtered(stmt: Select[Any], query: ArticleQuery, matches: Subquery | None) -> Select[Any]:
    """``stmt`` (over ``articles``) joined to its versions, the captures and the matches, and
    filtered."""
    on = ArticleVersion.article_id == Article.id
    if not query.all_versions:
        on = and_(on, ArticleVersion.version == Article.latest_version)
    stmt = stmt.join(ArticleVersion, on)
    if matches is not None:
        stmt = stmt.join(matches, matches.c.version_id == ArticleVersion.id)
    if query.outlet:
        stmt = stmt.where(Article.outlet_id == query.outlet)
    if query.lang:
        stmt = stmt.where(ArticleVersion.language == query.lang)
    if query.since:
        stmt = stmt.where(Article.last_seen >= query.since)
    if query.published_from:
        stmt = stmt.where(ArticleVersion.published >= query.published_from.isoformat())
    if query.published_to:
        day_after = (query.published_to + timedelta(days=1)).isoformat()
        stmt = stmt.where(ArticleVersion.published < day_after)
    if query.captured_from:
        stmt = stmt.where(ArticleVersion.captured_at >= query.captured_from)
    if query.captured_to:
        stmt = stmt.where(ArticleVersion.captured_at <= query.captured_to)
    return stmt


def rows(query: ArticleQuery, matches: Subquery | None) -> Select[Any]:
    """(Article, ArticleVersion, Capture | None, score | None) rows, ordered and paged."""
    score = matches.c.score if matches is not None else cast(null(), Float)
    stmt = filtered(select(Article, ArticleVersion, Capture, score.label("score"))
                    .select_from(Article), query, matches)
    stmt = stmt.outerjoin(Capture, Capture.id == ArticleVersion.capture_id)
    return _ordered(stmt, query, matches)


def keys(query: ArticleQuery, matches: Subquery) -> Select[Any]:
    """The (version id, score) of :func:`rows`, in its order and page: columns the covering
    index ``ix_article_versions_search`` holds, so that sorting every match by date never
    carries the matches' whole texts (1 M articles: seconds, against a tenth of one)."""
    stmt = filtered(select(ArticleVersion.id, matches.c.score).select_from(Article), query,
                    matches)
    return _ordered(stmt, query, matches)


def load(ids: list[int]) -> Select[Article, ArticleVersion, Capture]:
    """(Article, ArticleVersion, Capture | None) of these versions, in no order."""
    return (select(Article, ArticleVersion, Capture)
            .join(ArticleVersion, ArticleVersion.article_id == Article.id)
            .outerjoin(Capture, Capture.id == ArticleVersion.capture_id)
            .where(ArticleVersion.id.in_(ids)))


def _ordered(stmt: Select[Any], query: ArticleQuery, matches: Subquery | None) -> Select[Any]:
    if query.sort == "date":
        stmt = stmt.order_by(ArticleVersion.published.desc().nulls_last(),
                             ArticleVersion.id.desc())
    elif matches is not None:
        stmt = stmt.order_by(matches.c.score.desc(), ArticleVersion.id.desc())
    else:
        stmt = stmt.order_by(Article.outlet_id, Article.url, ArticleVersion.version)
    if query.offset:
        stmt = stmt.offset(query.offset)
    if query.limit:
        stmt = stmt.limit(query.limit)
    return stmt


def count(query: ArticleQuery, matches: Subquery | None, cap: int | None = None) -> Select[Any]:
    """How many rows :func:`rows` has before paging (at most ``cap``)."""
    if cap is None:
        return filtered(select(func.count()).select_from(Article), query, matches)
    some = filtered(select(ArticleVersion.id).select_from(Article), query, matches).limit(cap)
    return select(func.count()).select_from(some.subquery())
