"""alerts: raised once per condition, cleared when it ends, with their webhook deliveries

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 12:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=100), nullable=False),
        sa.Column('severity', sa.String(length=20), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('deliveries', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_alerts_key', 'alerts', ['key'])
    op.create_index('ix_alerts_open', 'alerts', ['cleared_at', 'key'])
    op.create_index('uq_alerts_open_key', 'alerts', ['key'], unique=True,
                    postgresql_where=sa.text('cleared_at IS NULL'),
                    sqlite_where=sa.text('cleared_at IS NULL'))


def downgrade() -> None:
    op.drop_table('alerts')
