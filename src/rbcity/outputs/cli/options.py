"""Options shared by many commands: the database URL, language and output format."""

from __future__ import annotations

from typing import Annotated

import typer

from rbcity.errors import UserError

Db = Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL (default: $RBCITY_DB or a SQLite file in the user data dir)")]
Lang = Annotated[str, typer.Option("--lang", help="zh (default) or en")]
Fmt = Annotated[str, typer.Option("--format", "-f", help="table | csv | json | xlsx")]
Output = Annotated[str | None, typer.Option("--output", "-o", help="write to this file instead of stdout")]


def check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise UserError(f"无效的语言 invalid --lang: {lang!r}; allowed: zh, en")
    return lang


def store(db: str | None):
    """A migrated store with the registry loaded (cheap when it already is)."""
    from sqlalchemy import func, select

    from rbcity.data import schema as s
    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store

    engine = open_store(db)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(s.city)).scalar_one()
    if n != 262:
        load_registry_into(engine)
    return engine
