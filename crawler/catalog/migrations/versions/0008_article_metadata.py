"""article metadata: modified date, authors, lead image, section, keywords, tags, where each
came from, the extractor that gave the text, and the text as Markdown

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 17:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_COLUMNS = (
    ('modified', sa.String(length=40)),
    ('authors', sa.JSON()),
    ('lead_image', sa.Text()),
    ('section', sa.Text()),
    ('keywords', sa.JSON()),
    ('tags', sa.JSON()),
    ('metadata_sources', sa.JSON()),
    ('extractor', sa.String(length=40)),
    ('markdown', sa.Text()),
)


def upgrade() -> None:
    # Nullable: versions recorded before this revision have none of these (`akhbar reindex`
    # fills them from the WARCs).
    with op.batch_alter_table('article_versions') as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('article_versions') as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
