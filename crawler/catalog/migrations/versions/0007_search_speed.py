"""search speed: facets in the search index, no column sizes in FTS5, and a covering index of
article_versions for the search's join, filters and count

- search_index gets a ``facets`` column (outlet and language as tokens, see
  crawler.search.facets), so a filtered search is answered by the index. On SQLite the FTS5
  table is made again, with ``columnsize=0``: bm25 then reads no %_docsize row per match.
  search_state goes back to "nothing indexed": the next catch-up (any search, or
  `akhbar reindex --search`) indexes every version again.
- ix_article_versions_search covers what a search reads of a matched version (its article,
  its number, language, dates), so neither database reads the version's row (which holds the
  whole text) to filter or count matches. On PostgreSQL an index-only scan needs the
  visibility map: autovacuum keeps it, or VACUUM after a bulk load.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 17:30:00
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_COVERED = "article_id, version, language, published, captured_at"


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TABLE search_index")
        op.execute("CREATE VIRTUAL TABLE search_index USING fts5("
                   "exact, stems, facets, content='', tokenize='ascii', detail=full, "
                   "columnsize=0)")
        op.execute(f"CREATE INDEX ix_article_versions_search ON article_versions (id, {_COVERED})")
    else:
        op.execute("DELETE FROM search_index")
        op.execute("ALTER TABLE search_index ADD COLUMN facets TSVECTOR NOT NULL DEFAULT ''")
        op.execute("CREATE INDEX ix_search_index_facets ON search_index USING GIN (facets)")
        op.execute(f"CREATE INDEX ix_article_versions_search ON article_versions (id) "
                   f"INCLUDE ({_COVERED})")
    op.execute("UPDATE search_state SET analyzer_version = 0, last_version_id = 0, "
               "last_digest = NULL WHERE id = 1")


def downgrade() -> None:
    op.execute("DROP INDEX ix_article_versions_search")
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TABLE search_index")
        op.execute("CREATE VIRTUAL TABLE search_index USING fts5("
                   "exact, stems, content='', tokenize='ascii', detail=full)")
    else:
        op.execute("DROP INDEX ix_search_index_facets")
        op.execute("DELETE FROM search_index")
        op.execute("ALTER TABLE search_index DROP COLUMN facets")
    op.execute("UPDATE search_state SET analyzer_version = 0, last_version_id = 0, "
               "last_digest = NULL WHERE id = 1")
