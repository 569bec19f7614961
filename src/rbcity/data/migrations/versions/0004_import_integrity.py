"""import integrity: batch status, revision provenance (issue 11)

Reserved slot in the migration chain (filled by the work that needs it; empty until then).

Revision ID: 0004
Revises: 0003
"""

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
