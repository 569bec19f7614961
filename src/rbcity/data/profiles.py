"""Named, reusable column mappings for ``rbcity import`` (``--save-profile`` / ``--profile``).

A profile is the ``--map`` overrides of one kind of file (header → indicator, unit), saved in
the store (table ``ingest_profile``, migration 0005) rather than in a user's data directory:
everyone working on the same store — the team's PostgreSQL, the web — gets the same mapping, it
is recorded with who saved it, and it cannot drift from the data it was used for. Saving under
an existing name replaces it (the previous mapping is returned so the CLI can say so).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.data.catalogue import match_indicator
from rbcity.errors import UserError

NAME = re.compile(r"^[\w\-.]{1,64}$")


class ProfileError(UserError, ValueError):
    """Unknown profile, bad name or a mapping to an unknown indicator."""


def _check_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise ProfileError(f"无效的配置名 invalid profile name {name!r}: letters, digits, _ - . (≤ 64)")
    return name


def save_profile(engine: Engine, name: str, mapping: dict, user: str = "", note: str = "") -> dict | None:
    """Store ``mapping`` (header → (indicator, unit)) as profile ``name``; returns the mapping it
    replaced (None when new). Every indicator must be in the catalogue."""
    _check_name(name)
    if not mapping:
        raise ProfileError("没有可保存的映射 nothing to save: give --map 'HEADER=INDICATOR:UNIT'")
    clean = {}
    for h, (ind, unit) in mapping.items():
        iid = match_indicator(ind)
        if iid is None:
            raise ProfileError(f"未知指标 unknown indicator {ind!r} in --map for {h!r}; 见 see `rbcity indicators`")
        clean[str(h)] = [iid, unit]
    old = load_profile(engine, name, missing_ok=True)
    with engine.begin() as conn:
        conn.execute(delete(s.ingest_profile).where(s.ingest_profile.c.name == name))
        conn.execute(insert(s.ingest_profile).values(name=name, mapping=clean, note=note, user=user,
                                                      updated_at=datetime.now(UTC)))
    return old


def load_profile(engine: Engine, name: str, missing_ok: bool = False) -> dict | None:
    """Profile ``name`` as header → (indicator, unit)."""
    with engine.connect() as conn:
        row = conn.execute(select(s.ingest_profile.c.mapping).where(s.ingest_profile.c.name == name)).first()
    if row is None:
        if missing_ok:
            return None
        raise ProfileError(f"没有映射配置 no import profile {name!r}; 见 see `rbcity import-profiles`")
    return {h: (v[0], v[1]) for h, v in row[0].items()}


def list_profiles(engine: Engine) -> list[dict]:
    """Every saved profile: name, number of columns, user, updated_at, note."""
    c = s.ingest_profile.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.name, c.mapping, c.user, c.updated_at, c.note).order_by(c.name)).all()
    return [dict(name=r.name, columns=len(r.mapping), user=r.user, updated_at=r.updated_at, note=r.note)
            for r in rows]
