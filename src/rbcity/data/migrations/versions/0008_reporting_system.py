"""reporting system: forms, scoped roles, workflow (issue 17)

Reserved slot in the migration chain (filled by the work that needs it; empty until then).

Revision ID: 0008
Revises: 0007
"""

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
