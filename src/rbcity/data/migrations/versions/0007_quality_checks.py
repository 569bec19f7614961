"""data quality: plausibility findings (issue 14)

One row per finding of a plausibility rule on one observation revision (``check_finding``);
open findings of severity ``error`` hold the value out of the engines.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'check_finding',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('rule', sa.String(32), nullable=False, comment='config/checks.yaml rule id'),
        sa.Column('unit_id', sa.String(16), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.String(64), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False,
                  comment='the observation revision the finding is about'),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('detail', sa.JSON(), comment='the other values involved'),
        sa.Column('severity', sa.String(16), nullable=False, comment='error holds the value out of the engines'),
        sa.Column('status', sa.String(16), nullable=False, comment='open | confirmed | corrected'),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by', sa.String(64), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True)),
        sa.UniqueConstraint('rule', 'unit_id', 'year', 'indicator_id', 'revision', name='uq_check_finding'),
    )
    op.create_index('ix_check_finding_value', 'check_finding', ['unit_id', 'year', 'indicator_id'])


def downgrade() -> None:
    op.drop_index('ix_check_finding_value', table_name='check_finding')
    op.drop_table('check_finding')
