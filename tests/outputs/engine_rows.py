"""A small, hand-written set of engine runs written through the results contract's tables
(``run`` + long ``result``), so report tests know every number the report must show.

Not every registry city gets results: the report must list the rest as not computed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import insert

from rbcity.data import schema as s

YEAR = 2020

# (unit_id, name) of registry cities used below
DATONG, FUXIN, HEGANG, BAOTOU, TANGSHAN, JIAOZUO = "140200", "210900", "230400", "150200", "130200", "410800"

CLASSIFY = {  # unit → (resource, development, type, type_2013, moved, reason)
    DATONG: (0.61, 0.42, "mature", "mature", 0, "资源保障0.61≥0.50，发展0.42<0.55 / resource 0.61 ≥ 0.50, development 0.42 < 0.55"),
    FUXIN: (0.22, 0.58, "regenerating", "declining", 1, "发展得分0.58超过再生型阈值0.55（+0.03）/ development 0.58 crossed 0.55 by 0.03"),
    HEGANG: (0.30, 0.31, "declining", "declining", 0, "资源0.30<0.40，发展0.31<0.55 / resource 0.30 < 0.40, development 0.31 < 0.55"),
    BAOTOU: (0.52, 0.71, "regenerating", "regenerating", 0, "发展0.71≥0.55 / development 0.71 ≥ 0.55"),
    TANGSHAN: (0.45, 0.80, "regenerating", "regenerating", 0, "发展0.80≥0.55 / development 0.80 ≥ 0.55"),
}
CLASSIFY_MISSING = {JIAOZUO: "缺少2020年指标数据 / no indicator data for 2020"}
CLASSIFY_SUMMARY = {"cutoffs": {"resource": [0.4, 0.5], "development": 0.55},
                    "agreement": {"accuracy": 0.8, "majority_baseline": 0.54,
                                  "per_type_recall": {"declining": 0.5, "mature": 1.0}},
                    "transition": {"declining": {"declining": 1, "regenerating": 1},
                                    "mature": {"mature": 1}, "regenerating": {"regenerating": 2}}}

WARNING = {  # unit → (safety, level, label, color, reasons, obstacles)
    HEGANG: (38.5, 3, "重警", "orange", ["采矿业从业占比下降4.1个百分点 / mining employment share fell 4.1 pt"],
             [{"indicator_id": "gdp_per_capita", "share": 0.31}, {"indicator_id": "urban_unemployment", "share": 0.22}]),
    FUXIN: (55.0, 2, "中警", "yellow", ["财政自给率低于0.4 / fiscal self-sufficiency below 0.4"],
            [{"indicator_id": "fiscal_self_sufficiency", "share": 0.4}]),
    DATONG: (71.2, 1, "轻警", "blue", [], []),
    TANGSHAN: (88.0, 0, "无警", "green", [], []),
}

COORD = {  # unit → (U_resource, U_urban, C, T, D, grade, stage, lagging)
    DATONG: (0.42, 0.51, 0.99, 0.465, 0.678, "初级协调", "磨合", "resource"),
    HEGANG: (0.20, 0.35, 0.96, 0.275, 0.514, "勉强协调", "磨合", "resource"),
    TANGSHAN: (0.60, 0.81, 0.99, 0.705, 0.835, "良好协调", "协调", "resource"),
}

TARGETS = {  # group/unit → indicator → (value, baseline, target, share, status, arrow, projection)
    "national": {"urbanization_rate": (63.1, 57.8, 60.0, 0.92, "achieved", "↑", 64.0),
                 "forest_coverage": (21.5, 20.1, 23.0, 0.85, "off_track", "➚", 22.0)},
    "type:declining": {"urbanization_rate": (58.0, 55.0, 60.0, 0.9, "on_track", "➚", 60.5)},
    DATONG: {"urbanization_rate": (70.5, 65.0, 68.0, 1.0, "achieved", "↑", 71.0)},
}

EXHAUSTED = {  # unit → (score, rank, grade, action)
    FUXIN: (82.5, 1, "优秀", "reward"),
    HEGANG: (61.0, 2, "合格", "keep"),
    JIAOZUO: (48.0, 3, "较差", "exit_watch"),
}

IDENTIFY_SUMMARY = {"rule_set": "mining_share", "threshold": 5.0,
                    "confusion": {"tp": 150, "fp": 30, "fn": 40, "tn": 120},
                    "precision": 0.833, "recall": 0.789, "f1": 0.811,
                    "sweep": [{"threshold": t, "precision": p, "recall": r, "f1": f}
                              for t, p, r, f in [(2, 0.6, 0.95, 0.735), (5, 0.833, 0.789, 0.811),
                                                 (8, 0.9, 0.6, 0.72)]]}


def _run(conn, engine_name: str, summary: dict, spec: dict | None = None) -> int:
    res = conn.execute(insert(s.run).values(
        engine=engine_name, year=YEAR, spec=spec or {"engine": engine_name, "weights": "entropy"},
        spec_hash=f"{engine_name[:4]}0123456789abcdef", data_revision=7, version="0.1.0",
        created_at=datetime(2026, 11, 29, 12, 0, tzinfo=UTC), summary=summary))
    return int(res.inserted_primary_key[0])


def write_fixture_runs(engine) -> dict[str, int]:
    """Write one run per engine with the rows above; returns engine → run id."""
    rows: list[dict] = []
    ids: dict[str, int] = {}

    def put(run_id, unit, key, value=None, text=None):
        rows.append(dict(run_id=run_id, unit_id=unit, year=YEAR, key=key, value=value, text=text))

    with engine.begin() as conn:
        rid = ids["identify"] = _run(conn, "identify", IDENTIFY_SUMMARY)
        put(rid, DATONG, "mining_employment_share", 12.5)
        put(rid, DATONG, "predicted", 1)
        put(rid, DATONG, "in_2013_list", 1)
        rid = ids["classify"] = _run(conn, "classify", CLASSIFY_SUMMARY)
        for u, (r, d, t, t13, moved, why) in CLASSIFY.items():
            put(rid, u, "resource_score", r)
            put(rid, u, "development_score", d)
            put(rid, u, "type", text=t)
            put(rid, u, "type_2013", text=t13)
            put(rid, u, "moved", moved)
            put(rid, u, "reason", text=why)
        for u, why in CLASSIFY_MISSING.items():
            put(rid, u, "type", text="")
            put(rid, u, "missing", text=why)
        rid = ids["targets"] = _run(conn, "targets", {"indicators": 2})
        for unit, inds in TARGETS.items():
            for ind, (v, b, tg, sh, st, ar, pr) in inds.items():
                for f, val in (("value", v), ("baseline", b), ("target", tg), ("share_covered", sh),
                               ("projection", pr)):
                    put(rid, unit, f"{ind}.{f}", val)
                put(rid, unit, f"{ind}.status", text=st)
                put(rid, unit, f"{ind}.arrow", text=ar)
        rid = ids["warning"] = _run(conn, "warning", {"method": "entropy-topsis"})
        for u, (sc, lv, lab, col, reasons, obs) in WARNING.items():
            put(rid, u, "safety_score", sc)
            put(rid, u, "level", lv)
            put(rid, u, "level_label", text=lab)
            put(rid, u, "color", text=col)
            put(rid, u, "reasons", text=json.dumps(reasons, ensure_ascii=False))
            put(rid, u, "top_obstacles", text=json.dumps(obs, ensure_ascii=False))
        rid = ids["coordination"] = _run(conn, "coordination", {"k": 2, "focus_types": ["growth", "mature"]})
        for u, (ur, uu, c, t, d, g, st, lag) in COORD.items():
            for k, v in (("U_resource", ur), ("U_urban", uu), ("C", c), ("T", t), ("D", d)):
                put(rid, u, k, v)
            put(rid, u, "grade", text=g)
            put(rid, u, "stage", text=st)
            put(rid, u, "lagging", text=lag)
        rid = ids["exhausted_assessment"] = _run(conn, "exhausted_assessment", {"contents": ["economy"]})
        for u, (sc, rk, g, a) in EXHAUSTED.items():
            put(rid, u, "score", sc)
            put(rid, u, "rank", rk)
            put(rid, u, "grade", text=g)
            put(rid, u, "action", text=a)
            put(rid, u, "content.economy", sc / 2)
        conn.execute(insert(s.result), rows)
    return ids


#: gdp_per_capita (元) by unit and year: 鹤岗/大庆/伊春 in 黑龙江, 阜新 in 辽宁.
OBS = {HEGANG: (30000, 31000, 32000), "230600": (100000, 105000, 110000),
       "230700": (20000, 21000, 22000), FUXIN: (25000, 26000, 27000)}


def write_fixture_observations(engine) -> None:
    """One indicator with three years for four cities (hand-checkable averages)."""
    with engine.begin() as conn:
        conn.execute(insert(s.indicator).values(
            indicator_id="gdp_per_capita", name_zh="人均地区生产总值", name_en="GDP per capita", unit="元",
            direction=1, dimension="economy", definition="", source="test fixture"))
        bid = conn.execute(insert(s.import_batch).values(
            file="fixture.csv", sha256="0" * 64, kind="observations", source="测试数据 test fixture",
            status="committed", n_rows=12, n_accepted=12, created_at=datetime(2026, 11, 29, tzinfo=UTC))
        ).inserted_primary_key[0]
        conn.execute(insert(s.observation), [
            dict(unit_id=u, year=y, indicator_id="gdp_per_capita", value=float(v), unit="元",
                 source="test fixture", revision=1, batch_id=bid)
            for u, vals in OBS.items() for y, v in zip((2018, 2019, 2020), vals, strict=True)])
