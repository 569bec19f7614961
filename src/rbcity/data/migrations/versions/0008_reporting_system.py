"""reporting system: forms, scoped roles, workflow (issue 17)

``app_user`` gains the place a role is scoped to (a reporter's city, a province reviewer's
province); ``report_form`` is one city's annual form with its status and an optimistic
``version``; ``report_value`` holds the values a form carries until publication (staging: the
engines read ``observation`` only, which a publication fills as one import batch);
``report_reject`` every rejected cell of the last upload; ``report_comment`` a reviewer's
comment per cell when a form is returned. ``app_user.role`` widens 16 → 32 characters
(``province_reviewer``, ``national_reviewer``; PostgreSQL enforces the length).

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":  # SQLite does not enforce lengths (see 0003)
        op.alter_column("app_user", "role", existing_type=sa.String(16), type_=sa.String(32),
                        existing_nullable=False)
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("scope_unit", sa.String(16), nullable=False, server_default=""))
        batch.add_column(sa.Column("scope_province", sa.String(32), nullable=False, server_default=""))
    op.create_table(
        "report_form",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit_id", sa.String(16), sa.ForeignKey("unit.unit_id"), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batch.id")),
        sa.UniqueConstraint("unit_id", "year", name="uq_report_form"),
    )
    op.create_table(
        "report_value",
        sa.Column("form_id", sa.Integer, sa.ForeignKey("report_form.id"), primary_key=True),
        sa.Column("item", sa.String(64), primary_key=True),
        sa.Column("value", sa.Float),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("row", sa.Integer),
    )
    op.create_table(
        "report_reject",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("form_id", sa.Integer, sa.ForeignKey("report_form.id"), nullable=False, index=True),
        sa.Column("row", sa.Integer), sa.Column("column", sa.String(128), nullable=False),
        sa.Column("raw_value", sa.Text, nullable=False), sa.Column("reason_code", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "report_comment",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("form_id", sa.Integer, sa.ForeignKey("report_form.id"), nullable=False, index=True),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for name in ("report_comment", "report_reject", "report_value", "report_form"):
        op.drop_table(name)
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("scope_province")
        batch.drop_column("scope_unit")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("app_user", "role", existing_type=sa.String(32), type_=sa.String(16),
                        existing_nullable=False)
