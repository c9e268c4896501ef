"""The two homes of the search index, behind one interface.

Both are fed the same tokens (made in Python by :mod:`crawler.search.normalize`) at the same
positions, and both are asked the same parsed query, so they find the same versions:

- SQLite: an FTS5 table (``search_index``, contentless, rowid = ``article_versions.id``) whose
  ``ascii`` tokenizer only splits the space-joined tokens again; ranked by bm25. It keeps no
  column sizes (``columnsize=0``): bm25 would read one ``%_docsize`` row per match, three
  quarters of its cost over many matches, so it ranks without length normalisation, as
  ``ts_rank`` does (in effect BM25 with k1 = 0.3 and b = 0). After each column's tokens come
  its common grams (:func:`crawler.search.normalize.grams_with`): a phrase of two words one of
  which is common is asked as its gram, one doclist, where its positions were a walk through
  the common word's (and bm25's IDF walks a phrase's matches once more). Same matches, same
  scores.
- PostgreSQL: a table of ``tsvector`` columns (GIN-indexed) written as tsvector literals
  (lexeme and positions, no parser and no dictionary involved); ranked by ``ts_rank``.
  PostgreSQL keeps at most 256 positions of a lexeme and none past 16,383, so a phrase deep in
  a very long text may be found by SQLite alone. The joined pairs of neighbouring words
  (:func:`crawler.search.normalize.tokens`) are kept apart, in ``search_pairs``: in the
  main tsvectors they pushed many rows past the TOAST threshold, and every phrase's recheck
  decompressed them. Only a word that may be such a pair looks there.

Both index a third column, ``facets``: the outlet and the language as tokens of their own
(:mod:`crawler.search.facets`), so that the index itself answers "this word, in Persian"
instead of the catalog checking every match of the word.

The tables are made by migrations 0004, 0007 and 0011.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Select,
    String,
    Subquery,
    TableClause,
    TextClause,
    and_,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    not_,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from crawler.search.facets import IndexDoc
from crawler.search.normalize import joinable
from crawler.search.query import (
    All,
    Either,
    Node,
    Phrase,
    SearchExpr,
    Term,
    to_fts5,
    to_tsquery,
    tsquery_of,
)

__all__ = ["IndexBackend", "PostgresIndex", "SqliteIndex", "backend_for"]

#: The SQLite page cache of a connection that searched (KiB).
SQLITE_CACHE_KIB = 65536

#: The FTS5 index's matches of the bound ``:fts`` (the survey's statements, written as text).
_FTS5_MATCHES = "FROM search_index WHERE search_index MATCH :fts"

#: Positions PostgreSQL keeps: at most 256 per lexeme, none above 16,383.
_PG_MAX_POSITIONS = 256
_PG_MAX_POSITION = 16383


class IndexBackend(Protocol):
    def write(self, conn: Connection, docs: Sequence[IndexDoc]) -> None:
        """Add (or replace) the index entries of these article versions."""

    def clear(self, conn: Connection) -> None:
        """Empty the index."""

    def before_writes(self, conn: Connection) -> None:
        """Once before a catch-up's writes: settings the index's writes need."""

    def prepare(self, session: Session) -> None:
        """Settings for the transaction of one search."""

    def settle(self, conn: Connection) -> None:
        """After a large catch-up: what the database needs to plan searches of the new
        entries well."""

    def matches(self, expr: SearchExpr, *, exact: bool, facets: Sequence[str] = (),
                top: int | None = None, scored: bool = True,
                from_id: int | None = None, to_id: int | None = None) -> Subquery:
        """``(version_id, score)`` of every version the query matches that has every one of
        ``facets``; higher scores rank first. ``exact`` searches the normalised forms instead
        of the stems. ``top``: only the best ``top`` (by score, then newest version), the
        candidates of a page. ``scored=False``: ``version_id`` alone (for counting).
        ``from_id``, ``to_id``: only the versions from this id up, up to this one."""

    def nth_newest(self, expr: SearchExpr, *, exact: bool, facets: Sequence[str],
                   n: int) -> Select[Any]:
        """The version id of the ``n``-th newest match (no row when there are fewer)."""


class SqliteIndex:
    """FTS5 seeks to a range of ids within a match list: a few narrow ranges cost a few
    narrow reads (:meth:`ends` and :meth:`stripes`, for :mod:`crawler.search.survey`)."""

    def write(self, conn: Connection, docs: Sequence[IndexDoc]) -> None:
        # Contentless: a rowid is written once (catch-up only adds versions above the last
        # one indexed, under a lock; a rebuild clears first), never replaced row by row.
        if not docs:
            return
        conn.execute(
            text("INSERT INTO search_index (rowid, exact, stems, facets) "
                 "VALUES (:id, :exact, :stems, :facets)"),
            [{"id": doc.version_id, "exact": " ".join(doc.analyzed.exact + doc.analyzed.grams[0]),
              "stems": " ".join(doc.analyzed.stems + doc.analyzed.grams[1]),
              "facets": " ".join(doc.facets)}
             for doc in docs])

    def clear(self, conn: Connection) -> None:
        conn.execute(text("INSERT INTO search_index (search_index) VALUES ('delete-all')"))

    def before_writes(self, conn: Connection) -> None:
        _fts5_hashsize(conn)

    def prepare(self, session: Session) -> None:
        # A common word's match list is megabytes: a page cache of 64 MiB (not 2) on the
        # connections that search keeps the hot ones (10-15% less CPU at a million articles).
        session.execute(text(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))

    def settle(self, conn: Connection) -> None:
        pass  # FTS5 plans its MATCH itself, from the index

    def _fts(self, expr: SearchExpr, exact: bool, facets: Sequence[str]) -> str:
        return ("{" + ("exact" if exact else "stems") + "} : (" + to_fts5(expr, stems=not exact)
                + ")" + "".join(
            f' AND {{facets}} : "{_facet(f)}"' for f in facets))

    def _match(self, expr: SearchExpr, exact: bool, facets: Sequence[str]) -> ColumnElement[bool]:
        # (The MATCH names the table, not a column: no table object to share.)
        match = bindparam("fts_query", self._fts(expr, exact, facets), type_=String, unique=True)
        return literal_column("search_index").op("MATCH")(match)

    def count_upto(self, expr: SearchExpr, *, exact: bool, facets: Sequence[str],
                   upto: int) -> TextClause:
        """The number of matches, counted up to ``upto``."""
        return text(f"SELECT count(*) FROM (SELECT rowid {_FTS5_MATCHES} LIMIT :upto)"
                    ).bindparams(fts=self._fts(expr, exact, facets), upto=upto)

    def ends(self, expr: SearchExpr, *, exact: bool, facets: Sequence[str]) -> TextClause:
        """One row: the oldest match's id and the newest's (FTS5 reads a match list from
        either end; a word and a facet that never meet are walked to the end, hence apart
        from :meth:`count_upto`)."""
        return text(f"SELECT (SELECT rowid {_FTS5_MATCHES} ORDER BY rowid LIMIT 1), "
                    f"(SELECT rowid {_FTS5_MATCHES} ORDER BY rowid DESC LIMIT 1)"
                    ).bindparams(fts=self._fts(expr, exact, facets))

    def stripes(self, expr: SearchExpr, *, exact: bool, facets: Sequence[str],
                ranges: Sequence[tuple[int, int]]) -> TextClause:
        """A row per range of ids: its number, its matches' count and their ids
        (comma-separated). Built as text: a SQLAlchemy union of many FTS5 subqueries cost
        more to build than the reads (6 ms against 2, at a million articles)."""
        parts = " UNION ALL ".join(
            f"SELECT {n}, count(*), group_concat(rowid) {_FTS5_MATCHES} "
            f"AND rowid BETWEEN :low{n} AND :high{n}"
            for n in range(len(ranges)))
        bounds = {f"{end}{n}": value for n, (low, high) in enumerate(ranges)
                  for end, value in (("low", low), ("high", high))}
        return text(parts).bindparams(fts=self._fts(expr, exact, facets), **bounds)

    def nth_newest(self, expr: SearchExpr, *, exact: bool, facets: Sequence[str],
                   n: int) -> Select[Any]:
        # FTS5 walks a match list backwards by rowid: this reads n entries, and no more.
        index = _fts5_index()
        return (select(index.c.rowid).where(self._match(expr, exact, facets))
                .order_by(index.c.rowid.desc()).limit(1).offset(n - 1))

    def matches(self, expr: SearchExpr, *, exact: bool, facets: Sequence[str] = (),
                top: int | None = None, scored: bool = True,
                from_id: int | None = None, to_id: int | None = None) -> Subquery:
        name = "exact" if exact else "stems"
        index = _fts5_index()
        where = self._match(expr, exact, facets)
        if from_id is not None:  # FTS5 seeks to a rowid in its match lists
            where = where & (index.c.rowid >= bindparam("from_id", from_id, unique=True))
        if to_id is not None:
            where = where & (index.c.rowid <= bindparam("to_id", to_id, unique=True))
        if not scored:
            return select(index.c.rowid.label("version_id")).where(where).subquery("matches")
        # bm25() is lower for better matches; weights: only the searched column counts.
        weights = (0.0, 1.0, 0.0) if name == "stems" else (1.0, 0.0, 0.0)
        score: ColumnElement[float] = -func.bm25(literal_column("search_index"), *weights,
                                                 type_=Float)
        stmt = select(index.c.rowid.label("version_id"), score.label("score")).where(where)
        if top is not None:
            stmt = stmt.order_by(score.desc(), index.c.rowid.desc()).limit(top)
        return stmt.subquery("matches")


class PostgresIndex:
    def write(self, conn: Connection, docs: Sequence[IndexDoc]) -> None:
        if not docs:
            return
        conn.execute(
            text("INSERT INTO search_index (version_id, exact, stems, facets) "
                 "VALUES (:id, CAST(:exact AS tsvector), CAST(:stems AS tsvector), "
                 "CAST(:facets AS tsvector)) "
                 "ON CONFLICT (version_id) DO UPDATE SET exact = EXCLUDED.exact, "
                 "stems = EXCLUDED.stems, facets = EXCLUDED.facets"),
            [{"id": doc.version_id, "exact": tsvector_literal(_words(doc.analyzed.exact, doc)),
              "stems": tsvector_literal(_words(doc.analyzed.stems, doc)),
              "facets": tsvector_literal(doc.facets, positions=False)} for doc in docs])
        # The joined pairs apart (see migration 0011), without positions.
        paired = [doc for doc in docs if doc.analyzed.pairs]
        if paired:
            conn.execute(
                text("INSERT INTO search_pairs (version_id, exact, stems) "
                     "VALUES (:id, CAST(:exact AS tsvector), CAST(:stems AS tsvector)) "
                     "ON CONFLICT (version_id) DO UPDATE SET exact = EXCLUDED.exact, "
                     "stems = EXCLUDED.stems"),
                [{"id": doc.version_id,
                  "exact": tsvector_literal(_pairs(doc.analyzed.exact, doc), positions=False),
                  "stems": tsvector_literal(_pairs(doc.analyzed.stems, doc), positions=False)}
                 for doc in paired])
        if len(paired) < len(docs):  # a version written again may have had pairs
            conn.execute(text("DELETE FROM search_pairs WHERE version_id = ANY(:ids)"),
                         {"ids": [doc.version_id for doc in docs if not doc.analyzed.pairs]})

    def clear(self, conn: Connection) -> None:
        conn.execute(text("DELETE FROM search_index"))
        conn.execute(text("DELETE FROM search_pairs"))

    def before_writes(self, conn: Connection) -> None:
        return

    def settle(self, conn: Connection) -> None:
        # Without statistics of the new entries the planner walked the primary key (a word at
        # 100,000 articles: 379 ms at p50 before ANALYZE, 58 after); without those of the
        # catalog's tables a search joins, p95 stayed at 300-350 ms (102 after). Autovacuum,
        # where it is on, gets there within a minute or so; a search right after a rebuild
        # or a large import should not wait, and some servers run with it off.
        conn.execute(text("ANALYZE search_index, search_pairs, article_versions, articles"))

    def prepare(self, session: Session) -> None:
        # A search's statements each take a few milliseconds: starting parallel workers for
        # them cost more than they saved (a sampled count: 25-60 ms with two workers, 8-10 ms
        # without, on the 2-core test machine).
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))

    def _match(self, index: TableClause, expr: SearchExpr, exact: bool,
               facets: Sequence[str]) -> ColumnElement[bool]:
        where = _pg_where(index, "exact" if exact else "stems", expr)
        if facets:
            wanted = " & ".join(f"'{_facet(f)}'" for f in facets)
            where = where & index.c.facets.op("@@")(
                cast(bindparam("facet_query", wanted, unique=True), TSQUERY))
        return where

    def nth_newest(self, expr: SearchExpr, *, exact: bool, facets: Sequence[str],
                   n: int) -> Select[Any]:
        # "+ 0": the matches from the GIN index, sorted, never a walk down the primary key
        # testing each row (slow for a rare word).
        index = _pg_index()
        return (select(index.c.version_id).where(self._match(index, expr, exact, facets))
                .order_by((index.c.version_id + 0).desc()).limit(1).offset(n - 1))

    def matches(self, expr: SearchExpr, *, exact: bool, facets: Sequence[str] = (),
                top: int | None = None, scored: bool = True,
                from_id: int | None = None, to_id: int | None = None) -> Subquery:
        index = _pg_index()
        vector = index.c.exact if exact else index.c.stems
        query = cast(bindparam("ts_query", to_tsquery(expr), unique=True), TSQUERY)
        where = self._match(index, expr, exact, facets)
        if from_id is not None:
            where = where & (index.c.version_id >= bindparam("from_id", from_id, unique=True))
        if to_id is not None:
            where = where & (index.c.version_id <= bindparam("to_id", to_id, unique=True))
        if not scored:
            return select(index.c.version_id).where(where).subquery("matches")
        score = func.ts_rank(vector, query, type_=Float)
        stmt = select(index.c.version_id, score.label("score")).where(where)
        if top is not None:
            stmt = stmt.order_by(score.desc(), index.c.version_id.desc()).limit(top)
        return stmt.subquery("matches")


#: FTS5's buffer of tokens not yet written out (bytes; FTS5's default is 1 MiB): each time it
#: fills, FTS5 writes a segment, and later merges segments: fewer, larger segments to merge
#: (with batches of 2,000 as well, 100,000 bench articles indexed in ~16% less CPU; the batch
#: is 500 again, see index.BATCH). A setting of the index (its config table), the same for
#: every connection; what the index holds does not change.
FTS5_HASHSIZE = 8 * 1024 * 1024


def _fts5_hashsize(conn: Connection) -> None:
    """Set :data:`FTS5_HASHSIZE` on the index, once (an index made before it had the
    default)."""
    current = conn.execute(text("SELECT v FROM search_index_config WHERE k = 'hashsize'")
                           ).scalar()
    if current != FTS5_HASHSIZE:
        conn.execute(text("INSERT INTO search_index (search_index, rank) "
                          "VALUES ('hashsize', :size)"), {"size": FTS5_HASHSIZE})


def _fts5_index() -> TableClause:
    return table("search_index", column("rowid"))


def _pg_index() -> TableClause:
    return table("search_index", column("version_id"), column("exact"), column("stems"),
                 column("facets"))


def _words(tokens: list[str], doc: IndexDoc) -> list[str]:
    return tokens[:len(tokens) - doc.analyzed.pairs]


def _pairs(tokens: list[str], doc: IndexDoc) -> list[str]:
    return tokens[len(tokens) - doc.analyzed.pairs:]


def _tsquery_param(node: Node) -> ColumnElement[Any]:
    return cast(bindparam("ts_query", tsquery_of(node), unique=True), TSQUERY)


def _may_be_pair(node: Node) -> bool:
    """Whether ``node`` holds a word that may be two words joined (found in search_pairs)."""
    if isinstance(node, Term):
        return not node.prefix and not node.spaced and joinable(node.token)
    if isinstance(node, Phrase):  # pairs have no positions (nor did they at the end)
        return False
    if isinstance(node, Either):
        return any(map(_may_be_pair, node.options))
    return any(map(_may_be_pair, (*node.required, *node.excluded)))


def _pg_where(index: TableClause, name: str, expr: SearchExpr) -> ColumnElement[bool]:
    """``expr`` over the ``name`` tsvectors: one tsquery as far as it goes; a word that may be
    a joined pair is looked for in search_pairs as well (a GIN lookup there, whose ids the
    primary key finds: PostgreSQL ORs the two bitmaps)."""
    return or_(*(_node_where(index, name, group) for group in expr.groups))


def _node_where(index: TableClause, name: str, node: Node) -> ColumnElement[bool]:
    vector = index.c[name]
    if not _may_be_pair(node):
        return vector.op("@@")(_tsquery_param(node))
    if isinstance(node, Term):
        query = _tsquery_param(node)
        pairs = table("search_pairs", column("version_id"), column(name))
        paired = select(pairs.c.version_id).where(pairs.c[name].op("@@")(query))
        return or_(vector.op("@@")(query),
                   index.c.version_id == func.any(func.array(paired.scalar_subquery())))
    if isinstance(node, Either):
        return or_(*(_node_where(index, name, option) for option in node.options))
    assert isinstance(node, All)
    plain = tuple(child for child in node.required if not _may_be_pair(child))
    return and_(*([vector.op("@@")(_tsquery_param(All(plain)))] if plain else []),
                *(_node_where(index, name, child) for child in node.required
                  if _may_be_pair(child)),
                *(not_(_node_where(index, name, child)) for child in node.excluded))


def _facet(token: str) -> str:
    if not token.isalnum() or not token.isascii():
        raise ValueError(f"not a facet token: {token!r}")
    return token


def tsvector_literal(tokens: Sequence[str], *, positions: bool = True) -> str:
    """``tokens`` as tsvector input text: each lexeme once, with its positions (1-based)
    unless ``positions`` is false."""
    where_found: dict[str, list[int]] = {}
    for n, token in enumerate(tokens, 1):
        found = where_found.setdefault(token, [])
        if positions and len(found) < _PG_MAX_POSITIONS and n <= _PG_MAX_POSITION:
            found.append(n)
    # Tokens are letters and digits only; quotes and backslashes are escaped all the same.
    return " ".join(
        "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"
        + (":" + ",".join(map(str, where)) if where else "")
        for lexeme, where in where_found.items())


def backend_for(dialect: str) -> IndexBackend:
    """The index of a catalog whose engine speaks ``dialect``."""
    if dialect == "sqlite":
        return SqliteIndex()
    if dialect == "postgresql":
        return PostgresIndex()
    raise ValueError(f"no search index for {dialect} catalogs (sqlite or postgresql)")
