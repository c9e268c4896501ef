"""full-text search index: search_index (FTS5 on SQLite, tsvector + GIN on PostgreSQL) and
search_state (how far it is, with which analyzer)

Kept out of the ORM models on purpose: nothing reads these tables through the ORM, and FTS5
virtual tables cannot be declared there. crawler.search.backends is their only reader and writer.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 12:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'search_state',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column('analyzer_version', sa.Integer(), nullable=False),
        sa.Column('last_version_id', sa.BigInteger(), nullable=False),
        sa.Column('last_digest', sa.String(length=64), nullable=True),
    )
    # One row, always there: catch-up locks it to index alone. Analyzer version 0 is none, so
    # the first catch-up starts from the beginning.
    op.execute("INSERT INTO search_state (id, analyzer_version, last_version_id) VALUES (1, 0, 0)")
    if op.get_bind().dialect.name == 'sqlite':
        # Tokens are made in Python (crawler.search.normalize) and joined by spaces: the
        # 'ascii' tokenizer only splits at the spaces, so both databases see the same tokens.
        # Contentless: the text lives in article_versions; rowid is article_versions.id.
        op.execute("CREATE VIRTUAL TABLE search_index USING fts5("
                   "exact, stems, content='', tokenize='ascii', detail=full)")
    else:
        op.execute("CREATE TABLE search_index (version_id BIGINT PRIMARY KEY, "
                   "exact TSVECTOR NOT NULL, stems TSVECTOR NOT NULL)")
        op.execute("CREATE INDEX ix_search_index_exact ON search_index USING GIN (exact)")
        op.execute("CREATE INDEX ix_search_index_stems ON search_index USING GIN (stems)")


def downgrade() -> None:
    op.execute("DROP TABLE search_index")
    op.drop_table('search_state')
