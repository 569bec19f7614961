"""A small store written by hand per the results contract: indicators, one import batch of
observations, and one run of each engine with known values. The web tests, browser tests and
``bench/bench_web.py`` read it, so every figure a page shows can be checked against this file."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from sqlalchemy import insert

from rbcity.data import schema as s
from store_urls import fresh_url

PASSWORD = "correct horse battery"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
HEGANG, JIUTAI, FUXIN, DAQING = "230400", "220181", "210900", "230600"

#: (unit, indicator, year) → value
OBS = {(HEGANG, "gdp_per_capita", y): 30000.0 + 1000 * (y - 2013) for y in range(2013, 2019)}
OBS |= {(HEGANG, "mining_employment_share", y): 20.0 - (y - 2013) for y in range(2013, 2019)}
OBS |= {(JIUTAI, "gdp_per_capita", y): 50000.0 + 500 * (y - 2013) for y in range(2013, 2016)}


def _run(conn, engine: str, year: int, summary: dict, rows: list[tuple]) -> int:
    rid = conn.execute(insert(s.run).values(
        engine=engine, year=year, spec={"engine": engine, "year": year}, spec_hash="h-" + engine,
        data_revision=1, version="test", created_at=NOW, summary=summary)).inserted_primary_key[0]
    conn.execute(insert(s.result), [
        dict(run_id=rid, unit_id=u, year=year, key=k,
             value=v if not isinstance(v, str) else None, text=v if isinstance(v, str) else None)
        for u, k, v in rows])
    return rid


def seed(engine) -> dict[str, int]:
    """Write the fixture rows into a migrated store with the registry loaded; returns run ids."""
    from rbcity.data.importer import ensure_ready

    ensure_ready(engine)  # registry and the indicator catalogue (gdp_per_capita, mining_employment_share)
    with engine.begin() as conn:
        bid = conn.execute(insert(s.import_batch).values(
            file="seed.csv", sha256="0" * 64, source="test seed", status="committed", n_rows=16,
            n_accepted=15, n_rejected=1, n_new=15, user="seed", created_at=NOW)).inserted_primary_key[0]
        conn.execute(insert(s.observation), [
            dict(unit_id=u, year=y, indicator_id=i, value=v, unit="元/人" if i == "gdp_per_capita" else "%",
                 source="test seed", revision=1, batch_id=bid) for (u, i, y), v in OBS.items()])
        conn.execute(insert(s.rejected_row).values(
            batch_id=bid, file="seed.csv", sheet="", row=7, column="value", raw_value="n/a",
            reason_code="not_a_number", reason="值不是数字 value is not a number"))
        runs = {}
        runs["classify"] = _run(conn, "classify", 2018, {
            "cutoffs": {"resource": 0.5}, "agreement_year": {"accuracy": 0.5, "year": 2018},
            "transition": {"declining": {"regenerating": 1, "declining": 1}}}, [
            (HEGANG, "type", "regenerating"), (HEGANG, "type_2013", "declining"), (HEGANG, "moved", 1.0),
            (HEGANG, "resource_score", 0.31), (HEGANG, "development_score", 0.72),
            (HEGANG, "reason", "发展得分0.72高于再生型门槛0.60（+0.12） / development score 0.72 above the regenerating cut-off 0.60 by 0.12"),
            (JIUTAI, "type", "declining"), (JIUTAI, "type_2013", "declining"), (JIUTAI, "moved", 0.0),
            (JIUTAI, "resource_score", 0.44), (JIUTAI, "development_score", 0.35),
            (JIUTAI, "reason", "未跨越门槛 no cut-off crossed"),
        ])
        runs["warning"] = _run(conn, "warning", 2018, {"levels": 5}, [
            (HEGANG, "safety_score", 38.5), (HEGANG, "level", 3.0), (HEGANG, "level_label", "重警"),
            (HEGANG, "color", "orange"),
            (HEGANG, "reasons", json.dumps(["采矿业比重高 / mining share high", "人口流失 / population loss"], ensure_ascii=False)),
            (HEGANG, "top_obstacles", json.dumps([{"indicator_id": "mining_employment_share", "share": 0.41}])),
            (JIUTAI, "safety_score", 81.0), (JIUTAI, "level", 0.0), (JIUTAI, "level_label", "无警"),
            (JIUTAI, "color", "green"), (JIUTAI, "reasons", "[]"), (JIUTAI, "top_obstacles", "[]"),
        ])
        runs["coordination"] = _run(conn, "coordination", 2018, {}, [
            (HEGANG, "U_resource", 0.3), (HEGANG, "U_urban", 0.5), (HEGANG, "C", 0.9), (HEGANG, "T", 0.4),
            (HEGANG, "D", 0.6), (HEGANG, "grade", "初级协调"), (HEGANG, "stage", "城市滞后"), (HEGANG, "lagging", "urban"),
        ])
        runs["targets"] = _run(conn, "targets", 2018, {}, [
            ("national", "gdp_per_capita.value", 41000.0), ("national", "gdp_per_capita.baseline", 30000.0),
            ("national", "gdp_per_capita.target", 45000.0), ("national", "gdp_per_capita.share_covered", 0.8),
            ("national", "gdp_per_capita.status", "on_track"), ("national", "gdp_per_capita.arrow", "➚"),
            ("national", "gdp_per_capita.projection", 47000.0),
            ("type:declining", "mining_employment_share.value", 15.0), ("type:declining", "mining_employment_share.target", 12.0),
            ("type:declining", "mining_employment_share.status", "off_track"), ("type:declining", "mining_employment_share.arrow", "↓"),
            (HEGANG, "gdp_per_capita.value", 35000.0), (HEGANG, "gdp_per_capita.target", 34000.0),
            (HEGANG, "gdp_per_capita.status", "achieved"), (HEGANG, "gdp_per_capita.arrow", "↑"),
        ])
        runs["exhausted_assessment"] = _run(conn, "exhausted_assessment", 2018, {}, [
            (FUXIN, "score", 88.5), (FUXIN, "rank", 1.0), (FUXIN, "grade", "优秀"), (FUXIN, "action", "reward"),
            (HEGANG, "score", 61.0), (HEGANG, "rank", 2.0), (HEGANG, "grade", "合格"), (HEGANG, "action", "keep"),
            (JIUTAI, "score", 40.0), (JIUTAI, "rank", 3.0), (JIUTAI, "grade", "较差"), (JIUTAI, "action", "exit_watch"),
        ])
        # an older exhausted run for 2017 so year selection is visible
        runs["exhausted_2017"] = _run(conn, "exhausted_assessment", 2017, {}, [
            (JIUTAI, "score", 70.0), (JIUTAI, "rank", 1.0), (JIUTAI, "grade", "良好"), (JIUTAI, "action", "keep"),
        ])
    return runs


def seeded_store(path) -> str:
    """URL of a new store with the registry, the seed rows and two accounts (analyst, viewer)."""
    from rbcity.data.store import open_store
    from rbcity.outputs.web.auth import add_user

    url = fresh_url(path)
    engine = open_store(url)
    seed(engine)
    add_user(engine, "ana", PASSWORD)
    add_user(engine, "vic", PASSWORD, role="viewer")
    engine.dispose()
    return url


def basic(user: str = "ana", password: str = PASSWORD) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
