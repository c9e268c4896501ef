"""search pairs apart on PostgreSQL: neighbouring Arabic-script words joined (آبان ماه:
ابانماه, see crawler.search.normalize) go to a table of their own, ``search_pairs``, instead
of the tsvectors of ``search_index``

They made those tsvectors a quarter bigger, past the TOAST threshold for many more rows, and
every phrase rechecked on a row decompressed them (phrases 3x slower at 100,000 articles). A
search consults ``search_pairs`` only for the words that may be such a pair. search_state goes
back to "nothing indexed" (the analyzer version changed too): the next catch-up indexes every
version again. SQLite keeps the pairs in its FTS5 table: nothing changes there.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 03:15:00
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.execute("DELETE FROM search_index")
        # No positions and no facets: a pair is only ever searched as one word.
        op.execute("CREATE TABLE search_pairs (version_id BIGINT PRIMARY KEY, "
                   "exact TSVECTOR NOT NULL, stems TSVECTOR NOT NULL)")
        op.execute("CREATE INDEX ix_search_pairs_exact ON search_pairs USING GIN (exact)")
        op.execute("CREATE INDEX ix_search_pairs_stems ON search_pairs USING GIN (stems)")
    op.execute("UPDATE search_state SET analyzer_version = 0, last_version_id = 0, "
               "last_digest = NULL WHERE id = 1")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.execute("DROP TABLE search_pairs")
        op.execute("DELETE FROM search_index")
    op.execute("UPDATE search_state SET analyzer_version = 0, last_version_id = 0, "
               "last_digest = NULL WHERE id = 1")
