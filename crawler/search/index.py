"""Keeping the search index up to date: catch up with new article versions, or rebuild.

The catalog writer knows nothing of the index. Instead, every article version whose id is
above the last one indexed is indexed by :func:`catch_up`, which runs before each search, when
a run ends and in `akhbar reindex --search`. ``search_state`` (one row) records how far the
index is, the digest of that last version and the analyzer version it was made with; when the
analyzer changed, or the catalog was rebuilt under it (the last version indexed is gone or
has another text), the index is rebuilt from the start.

Tokens are made outside any transaction; the write takes the state row's lock first and
checks nobody indexed the same versions meanwhile, so concurrent catch-ups never collide.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection, select, text

from crawler.catalog import Article, ArticleVersion, Catalog
from crawler.search.backends import IndexBackend, backend_for
from crawler.search.facets import IndexDoc, version_facets
from crawler.search.normalize import ANALYZER_VERSION, analyze

__all__ = ["IndexState", "catch_up", "rebuild"]

logger = logging.getLogger(__name__)

#: Versions tokenised and written per transaction. 2,000 indexed ~10% faster (100,000
#: articles: 2,650-2,852/s against 2,464-2,492/s) but held 110 MB more at its peak
#: (262 MB against 152) and the catalog's write lock four times as long.
BATCH = 500
#: A catch-up of at least this many versions ends with the backend's ``settle`` (on
#: PostgreSQL, ANALYZE: the planner's statistics of the new entries).
SETTLE_AFTER = 10_000


@dataclass(frozen=True)
class IndexState:
    analyzer_version: int
    last_version_id: int
    last_digest: str | None


def _state(conn: Connection) -> IndexState:
    row = conn.execute(text("SELECT analyzer_version, last_version_id, last_digest "
                            "FROM search_state WHERE id = 1")).one()
    return IndexState(row[0], row[1], row[2])


def _lock(conn: Connection) -> IndexState:
    # A write first: SQLite takes its write lock, PostgreSQL the row's; the read after it sees
    # what any catch-up that held the lock before us left.
    conn.execute(text("UPDATE search_state SET last_version_id = last_version_id WHERE id = 1"))
    return _state(conn)


def _save(conn: Connection, state: IndexState) -> None:
    conn.execute(text("UPDATE search_state SET analyzer_version = :a, last_version_id = :v, "
                      "last_digest = :d WHERE id = 1"),
                 {"a": state.analyzer_version, "v": state.last_version_id,
                  "d": state.last_digest})


def _is_current(conn: Connection, state: IndexState) -> bool:
    if state.analyzer_version != ANALYZER_VERSION:
        return False
    if state.last_version_id == 0:
        return True
    digest = conn.execute(select(ArticleVersion.text_digest)
                          .where(ArticleVersion.id == state.last_version_id)).scalar()
    return digest == state.last_digest


def catch_up(catalog: Catalog, *, batch: int = BATCH, settle_after: int = SETTLE_AFTER) -> int:
    """Index every article version not indexed yet; returns how many were."""
    backend = backend_for(catalog.engine.dialect.name)
    with catalog.engine.begin() as conn:
        backend.before_writes(conn)
    done = _catch_up(catalog, backend, batch)
    if done >= settle_after:
        with catalog.engine.begin() as conn:
            backend.settle(conn)
    return done


def _catch_up(catalog: Catalog, backend: IndexBackend, batch: int) -> int:
    done = 0
    while True:
        with catalog.engine.connect() as conn:
            state = _state(conn)
            current = _is_current(conn, state)
            conn.rollback()
            if not current:
                with conn.begin():
                    if not _is_current(conn, locked := _lock(conn)):
                        logger.info("search index: rebuilding (analyzer %s, now %s; or the "
                                    "catalog was rebuilt)", locked.analyzer_version,
                                    ANALYZER_VERSION)
                        backend.clear(conn)
                        _save(conn, IndexState(ANALYZER_VERSION, 0, None))
                continue
            rows = conn.execute(
                select(ArticleVersion.id, ArticleVersion.title, ArticleVersion.description,
                       ArticleVersion.text, ArticleVersion.text_digest, ArticleVersion.language,
                       Article.outlet_id)
                .join(Article, Article.id == ArticleVersion.article_id)
                .where(ArticleVersion.id > state.last_version_id)
                .order_by(ArticleVersion.id).limit(batch)).all()
            conn.rollback()  # no snapshot held while tokenising
            if not rows:
                return done
            docs = [IndexDoc(row.id, analyze(row.title, row.description, row.text),
                             version_facets(row.outlet_id, row.language)) for row in rows]
            with conn.begin():
                if _lock(conn) != state:
                    continue  # another process moved the index meanwhile: look again
                backend.write(conn, docs)
                _save(conn, IndexState(ANALYZER_VERSION, rows[-1].id, rows[-1].text_digest))
            done += len(rows)


def rebuild(catalog: Catalog) -> int:
    """Empty the index and index every article version again; returns how many."""
    with catalog.engine.begin() as conn:
        _lock(conn)
        backend_for(catalog.engine.dialect.name).clear(conn)
        _save(conn, IndexState(ANALYZER_VERSION, 0, None))
    return catch_up(catalog)
