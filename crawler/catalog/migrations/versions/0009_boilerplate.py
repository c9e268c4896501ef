"""article versions: the lines removed from the text as boilerplate

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 00:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: versions recorded before this revision did not say what was removed.
    with op.batch_alter_table('article_versions') as batch:
        batch.add_column(sa.Column('boilerplate', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('article_versions') as batch:
        batch.drop_column('boilerplate')
