"""run logs in the catalog: each run's JSON-lines log, copied in chunks of whole lines
(crawler/runs/logstore.py), so that every host reads every worker's logs

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 00:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'run_log_chunks',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('run_id', sa.String(length=80), nullable=False),
        sa.Column('start', sa.BigInteger(), nullable=False),
        sa.Column('end', sa.BigInteger(), nullable=False),
        sa.Column('lines', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('run_id', 'start', name='uq_run_log_chunks_start'),
    )


def downgrade() -> None:
    op.drop_table('run_log_chunks')
