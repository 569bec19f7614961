"""result.unit_id: 16 → 64 characters

Group keys of the engines' results (``type:regenerating``, ``province:新疆维吾尔自治区``) are
longer than a unit code; SQLite never enforced the length, PostgreSQL does.

Revision ID: 0003
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return  # SQLite does not enforce VARCHAR lengths; no table rebuild needed
    op.alter_column("result", "unit_id", existing_type=sa.String(16), type_=sa.String(64),
                    existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.alter_column("result", "unit_id", existing_type=sa.String(64), type_=sa.String(16),
                    existing_nullable=False)
