"""ingestion: saved mapping profiles (issue 13)

``ingest_profile``: named, reusable column mappings (``--map`` overrides saved with
``rbcity import --save-profile NAME``, applied with ``--profile NAME``), kept in the store so
everyone on the same store (CLI and web) shares them.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_profile",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("mapping", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("user", sa.String(64), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ingest_profile")
