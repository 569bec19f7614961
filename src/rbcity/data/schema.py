"""The one SQL schema of rbcity (SQLAlchemy Core), for SQLite and PostgreSQL alike.

Migrations in ``migrations/versions`` create and change these tables; this module is the
current shape the code reads and writes. Canonical data is long:
``observation(unit_id, year, indicator_id) → value`` with unit, source and revision; every
earlier value is kept in ``observation_revision``; every rejected input cell in ``rejected_row``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

unit = Table(
    "unit", metadata,
    Column("unit_id", String(16), primary_key=True, comment="2013 code for registry cities; else the unit's code"),
    Column("name", String(64), nullable=False),
    Column("province", String(32), nullable=False, default=""),
    Column("level", String(16), nullable=False),
    Column("parent_id", String(16), nullable=False, default=""),
    Column("in_registry", Boolean, nullable=False, default=False),
    Column("lon", Float), Column("lat", Float),
    Column("coord_source", String(128)),
)

city = Table(
    "city", metadata,
    Column("unit_id", String(16), ForeignKey("unit.unit_id"), primary_key=True),
    Column("seq", Integer, nullable=False, unique=True),
    Column("name", String(64), nullable=False),
    Column("province", String(32), nullable=False),
    Column("level", String(16), nullable=False),
    Column("parent", String(64), nullable=False, default=""),
    Column("parent_id", String(16), nullable=False, default=""),
    Column("type_2013", String(16), nullable=False),
    Column("exhausted_batch", Integer),
    Column("admin_code_2013", String(6), nullable=False, default=""),
    Column("admin_codes_now", String(64), nullable=False, default=""),
    Column("names_now", String(128), nullable=False, default=""),
    Column("successor_code", String(6), nullable=False, default=""),
    Column("successor_name", String(64), nullable=False, default=""),
    Column("resource_kind", String(32), nullable=False, default=""),
    Column("evidence", String(16), nullable=False, default=""),
    Column("verification", String(1), nullable=False),
    Column("source", Text, nullable=False),
    Column("note", Text, nullable=False, default=""),
)

code_history = Table(
    "code_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_id", String(16), ForeignKey("unit.unit_id"), nullable=False, index=True),
    Column("code", String(6), nullable=False, default=""),
    Column("name", String(64), nullable=False),
    Column("valid_from", Integer), Column("valid_to", Integer),
    Column("event", Text, nullable=False),
    Column("source", Text, nullable=False),
)

indicator = Table(
    "indicator", metadata,
    Column("indicator_id", String(64), primary_key=True),
    Column("name_zh", String(128), nullable=False),
    Column("name_en", String(128), nullable=False),
    Column("unit", String(32), nullable=False),
    Column("direction", Integer, nullable=False, comment="+1 higher is better, -1 lower is better"),
    Column("dimension", String(32), nullable=False),
    Column("definition", Text, nullable=False, default=""),
    Column("source", Text, nullable=False, default=""),
    Column("min_value", Float), Column("max_value", Float),
)

target = Table(
    "target", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator_id", String(64), ForeignKey("indicator.indicator_id"), nullable=False),
    Column("scope", String(32), nullable=False, default="national"),
    Column("baseline_year", Integer), Column("baseline_value", Float),
    Column("target_year", Integer, nullable=False), Column("target_value", Float, nullable=False),
    Column("comparator", String(4), nullable=False, default=">="),
    Column("mode", String(16), nullable=False, default="level", comment="level | change | cumulative"),
    Column("attribute", String(16), nullable=False, default="", comment="预期性 expected / 约束性 binding"),
    Column("source", Text, nullable=False),
    Column("status", String(32), nullable=False, default=""),
    Column("batch_id", Integer, ForeignKey("import_batch.id")),
    UniqueConstraint("indicator_id", "scope", "target_year", "source", name="uq_target"),
)

import_batch = Table(
    "import_batch", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file", Text, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("kind", String(32), nullable=False, default="observations"),
    Column("source", Text, nullable=False, default=""),
    Column("status", String(16), nullable=False, comment="committed | failed | no-op"),
    Column("n_rows", Integer, nullable=False, default=0),
    Column("n_accepted", Integer, nullable=False, default=0),
    Column("n_rejected", Integer, nullable=False, default=0),
    Column("n_new", Integer, nullable=False, default=0),
    Column("n_revised", Integer, nullable=False, default=0),
    Column("user", String(64), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("message", Text, nullable=False, default=""),
)

observation = Table(
    "observation", metadata,
    Column("unit_id", String(16), ForeignKey("unit.unit_id"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("indicator_id", String(64), ForeignKey("indicator.indicator_id"), primary_key=True),
    Column("value", Float, nullable=False),
    Column("unit", String(32), nullable=False),
    Column("source", Text, nullable=False),
    Column("revision", Integer, nullable=False, default=1),
    Column("batch_id", Integer, ForeignKey("import_batch.id"), nullable=False),
)
Index("ix_observation_indicator_year", observation.c.indicator_id, observation.c.year)

observation_revision = Table(
    "observation_revision", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_id", String(16), nullable=False),
    Column("year", Integer, nullable=False),
    Column("indicator_id", String(64), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", String(32), nullable=False),
    Column("source", Text, nullable=False),
    Column("batch_id", Integer, ForeignKey("import_batch.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("unit_id", "year", "indicator_id", "revision", name="uq_obs_revision"),
)

rejected_row = Table(
    "rejected_row", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, ForeignKey("import_batch.id"), nullable=False, index=True),
    Column("file", Text, nullable=False),
    Column("sheet", String(64), nullable=False, default=""),
    Column("row", Integer), Column("column", String(128), nullable=False, default=""),
    Column("raw_value", Text, nullable=False, default=""),
    Column("reason_code", String(32), nullable=False),
    Column("reason", Text, nullable=False),
)

run = Table(
    "run", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("engine", String(32), nullable=False, index=True),
    Column("year", Integer),
    Column("spec", JSON, nullable=False),
    Column("spec_hash", String(64), nullable=False),
    Column("data_revision", Integer, nullable=False, comment="max import_batch.id the run saw"),
    Column("version", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("summary", JSON),
)

result = Table(
    "result", metadata,
    Column("run_id", Integer, ForeignKey("run.id"), primary_key=True),
    Column("unit_id", String(64), primary_key=True, comment="a unit, or a group key like 'type:growth' (0003: 16 → 64)"),
    Column("year", Integer, primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("value", Float),
    Column("text", Text),
)

app_user = Table(
    "app_user", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(32), nullable=False, default="analyst", comment="0008: 16 → 32 (province_reviewer)"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # 0006: a disabled account cannot sign in and its sessions end; the time of the last password
    # change (sessions started before it are no longer valid)
    Column("disabled_at", DateTime(timezone=True), nullable=True),
    Column("password_changed_at", DateTime(timezone=True), nullable=True),
)

#: 0006 — server-side web sessions: the cookie carries a random token whose SHA-256 is ``id``; a
#: session ends on sign-out, password change, account disable, idle or absolute timeout
web_session = Table(
    "web_session", metadata,
    Column("id", String(64), primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("end_reason", String(32), nullable=True),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("username", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("detail", JSON),
)

check_finding = Table(
    "check_finding", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String(32), nullable=False, comment="config/checks.yaml rule id"),
    Column("unit_id", String(16), nullable=False),
    Column("year", Integer, nullable=False),
    Column("indicator_id", String(64), nullable=False),
    Column("revision", Integer, nullable=False, comment="the observation revision the finding is about"),
    Column("value", Float, nullable=False),
    Column("detail", JSON, comment="the other values involved"),
    Column("severity", String(16), nullable=False, comment="error holds the value out of the engines"),
    Column("status", String(16), nullable=False, default="open", comment="open | confirmed | corrected"),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(64), nullable=False, default=""),
    Column("decided_at", DateTime(timezone=True)),
    UniqueConstraint("rule", "unit_id", "year", "indicator_id", "revision", name="uq_check_finding"),
)
Index("ix_check_finding_value", check_finding.c.unit_id, check_finding.c.year, check_finding.c.indicator_id)


# --- reporting system (issue 17, migration 0008) -------------------------------------------
# the place a role is scoped to: a reporter's city (unit_id), a province reviewer's province
app_user.append_column(Column("scope_unit", String(16), nullable=False, default="", server_default=""))
app_user.append_column(Column("scope_province", String(32), nullable=False, default="", server_default=""))

report_form = Table(
    "report_form", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_id", String(16), ForeignKey("unit.unit_id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("status", String(16), nullable=False, comment="draft | submitted | returned | accepted | published"),
    Column("version", Integer, nullable=False, comment="optimistic lock: +1 on every change"),
    Column("deadline", Date, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("batch_id", Integer, ForeignKey("import_batch.id"), comment="the import batch that published it"),
    UniqueConstraint("unit_id", "year", name="uq_report_form"),
)

report_value = Table(
    "report_value", metadata,
    Column("form_id", Integer, ForeignKey("report_form.id"), primary_key=True),
    Column("item", String(64), primary_key=True, comment="indicator_id, or note:<section> for free text"),
    Column("value", Float),
    Column("unit", String(32), nullable=False),
    Column("text", Text),
    Column("row", Integer, comment="the sheet row it came from"),
)

report_reject = Table(
    "report_reject", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("form_id", Integer, ForeignKey("report_form.id"), nullable=False, index=True),
    Column("row", Integer), Column("column", String(128), nullable=False),
    Column("raw_value", Text, nullable=False), Column("reason_code", String(32), nullable=False),
    Column("reason", Text, nullable=False),
)

report_comment = Table(
    "report_comment", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("form_id", Integer, ForeignKey("report_form.id"), nullable=False, index=True),
    Column("item", String(64), nullable=False),
    Column("comment", Text, nullable=False),
    Column("username", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)


ingest_profile = Table(  # migration 0005 (issue 13)
    "ingest_profile", metadata,
    Column("name", String(64), primary_key=True),
    Column("mapping", JSON, nullable=False, comment="header → [indicator_id, unit]"),
    Column("note", Text, nullable=False, default=""),
    Column("user", String(64), nullable=False, default=""),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
