"""Loading the registry (cities, all known units, code history) into the store, idempotently.

Re-running replaces the registry tables' rows with the shipped ones inside one transaction,
so the store always holds exactly the registry of this rbcity version; observations keyed by
``unit_id`` are untouched.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.registry.codes import all_codes, coordinates, history, prefecture_entities
from rbcity.registry.load import load_registry


def _unit_rows() -> list[dict]:
    coords = coordinates()
    reg = load_registry()
    rows: dict[str, dict] = {}
    for r in reg.itertuples():
        lonlat = None
        for code, how in ((r.admin_code_2013, "2013代码"), (r.successor_code, "今代码"), (r.parent_id, "上级")):
            if code and code in coords:
                lonlat = coords[code] + (f"cpca 0.5.5 ({how} {code})",)
                break
        rows[r.unit_id] = dict(unit_id=r.unit_id, name=r.name, province=r.province, level=r.level,
                               parent_id=r.parent_id, in_registry=True,
                               lon=lonlat[0] if lonlat else None, lat=lonlat[1] if lonlat else None,
                               coord_source=lonlat[2] if lonlat else None)
    codes = all_codes()
    for e in prefecture_entities().itertuples():
        if e.code not in rows:
            c = coords.get(e.code)
            rows[e.code] = dict(unit_id=e.code, name=e.canonical_name_zh, province=e.province_name_zh,
                                level="prefecture", parent_id="", in_registry=False,
                                lon=c[0] if c else None, lat=c[1] if c else None,
                                coord_source="cpca 0.5.5" if c else None)
    for code, name in codes.items():
        if code in rows or code.endswith("0000"):
            continue
        c = coords.get(code)
        rows[code] = dict(unit_id=code, name=name, province=codes.get(code[:2] + "0000", ""),
                          level="prefecture" if code.endswith("00") else "county",
                          parent_id="" if code.endswith("00") else code[:4] + "00", in_registry=False,
                          lon=c[0] if c else None, lat=c[1] if c else None,
                          coord_source="cpca 0.5.5" if c else None)
    return list(rows.values())


def load_registry_into(engine: Engine) -> dict[str, int]:
    """Write the registry into the store; returns the row counts written."""
    reg = load_registry()
    city_cols = [c.name for c in s.city.columns]
    cities = []
    for r in reg.to_dict("records"):
        row = {k: r[k] for k in city_cols if k in r}
        row["exhausted_batch"] = None if r["exhausted_batch"] is None or str(r["exhausted_batch"]) == "<NA>" else int(r["exhausted_batch"])
        cities.append(row)
    hist = [dict(unit_id=uid, code=e.code, name=e.name, valid_from=e.valid_from, valid_to=e.valid_to,
                 event=e.event, source=e.source)
            for uid in reg["unit_id"] for e in history(uid)]
    units = _unit_rows()
    with engine.begin() as conn:
        existing = conn.execute(select(func.count()).select_from(s.city)).scalar_one()
        conn.execute(delete(s.code_history))
        conn.execute(delete(s.city))
        # units referenced by observations must survive: upsert by delete-missing + insert-new
        have = {r["unit_id"]: dict(r) for r in conn.execute(select(s.unit)).mappings()}
        new_units = [u for u in units if u["unit_id"] not in have]
        for u in units:
            if u["unit_id"] in have and have[u["unit_id"]] != u:
                conn.execute(s.unit.update().where(s.unit.c.unit_id == u["unit_id"]).values(**u))
        if new_units:
            conn.execute(insert(s.unit), new_units)
        conn.execute(insert(s.city), cities)
        conn.execute(insert(s.code_history), hist)
    return {"cities": len(cities), "units": len(units), "code_history": len(hist), "replaced": existing}
