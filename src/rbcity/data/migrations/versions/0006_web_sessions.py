"""web: server-side sessions, sign-in throttle (issue 12)

``web_session``: one row per signed-in browser session (the cookie holds a random token, the
row its SHA-256), so a session can be ended on the server: on sign-out, password change,
account disable, idle or absolute timeout. ``app_user`` gains ``disabled_at`` and
``password_changed_at``.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(32), nullable=True),
    )
    op.create_index("ix_web_session_username", "web_session", ["username"])
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("password_changed_at")
        batch.drop_column("disabled_at")
    op.drop_index("ix_web_session_username", table_name="web_session")
    op.drop_table("web_session")
