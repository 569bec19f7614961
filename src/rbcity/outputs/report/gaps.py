"""What could not be computed, as the report shows it: one row per (engine, city, reason),
counted by engine and reason for the appendix, and written in full as a CSV beside the report.

Reasons come from the engines (the ``not_computed`` list of a run just made, else the run
summary's, else a result's ``missing`` text, else the run's scope) — never invented. The
per-city text often ends in the list of missing indicators; :func:`reason_group` drops that
tail so the appendix counts cities by the reason itself.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from rbcity.outputs.report.results import ENGINES, EngineResult
from rbcity.registry.labels import TYPES

#: Result key that says an engine produced its main result for a unit.
MAIN_KEY = {"classify": "type", "warning": "level", "coordination": "grade",
            "exhausted_assessment": "score", "identify": "predicted"}

NO_ROW = ("无结果：存储的运行中没有该城市的结果（通常因缺少数据）",
          "no result stored for this city in the run (usually missing data)")

_TAIL = re.compile(r"(;|；)\s*(missing|缺少)\b.*$|\s*\(e\.g\..*$", re.S)
#: a value held out by a plausibility finding: "…held out: 北京市 2011 so2_industrial = 154714
#: flagged by yoy_break (finding #1; …)" — counted by rule, the values are listed by ``rbcity checks``
_HELD = re.compile(r"^(.*?held out:).*?flagged by (\w+).*$", re.S)


def reason_group(reason: str) -> str:
    """The reason without its per-city tail (the list of missing indicators; for a held-out
    value, the city, year and value, so the appendix counts them by rule)."""
    held = _HELD.match(reason)
    if held:
        return (f"{held[1]} 数据合理性检查标记的数值 values flagged by plausibility rule {held[2]}"
                " (附录B appendix B; rbcity checks)")
    return _TAIL.sub("", reason).strip().rstrip(";；,，")


def _text(v) -> str:
    return "" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v)


def _part(text: str, lang: str) -> str:
    from rbcity.outputs.terms import lang_part, strip_zh

    out = lang_part(text, lang)
    if lang != "zh" and any("\u4e00" <= ch <= "\u9fff" for ch in out):
        out = strip_zh(out) or out
    return out


def scope_reason(name: str, res: EngineResult, type_2013: str, lang: str) -> str:
    """Why a city has no result, as far as the run's summary says (else '')."""
    summ = res.summary
    t = (lambda zh, en: zh) if lang == "zh" else (lambda zh, en: en)
    if name == "coordination" and summ.get("focus_types") and type_2013 not in summ["focus_types"]:
        focus = "、".join(TYPES.get(x, (x, x))[0 if lang == "zh" else 1] for x in summ["focus_types"])
        return t(f"不在评价范围：规格只评价2013年类型为{focus}的城市（focus_types）",
                 f"out of scope: the spec evaluates only 2013 types {focus} (focus_types)")
    if name == "exhausted_assessment" and summ.get("contents_without_data"):
        miss = ", ".join(map(str, summ["contents_without_data"]))
        return t(f"考核内容缺少数据：{miss}", f"assessment contents without data: {miss}")
    return ""


def _summary_items(res: EngineResult):
    for item in res.summary.get("not_computed") or []:
        if isinstance(item, list | tuple):
            yield str(item[-2]), str(item[-1])
        elif isinstance(item, dict):
            yield str(item.get("unit_id") or "*"), str(item.get("reason") or "")


def gap_rows(results: dict[str, EngineResult], cities: pd.DataFrame, year, lang: str,
             detail: list[tuple[str, str, str]] | None = None) -> list[dict]:
    """Every not-computed item: ``engine, unit_id ('*' = engine-wide), name, province, reason, group``.

    ``cities`` limits the per-city rows (a profile passes its one city); engine-wide rows are
    kept only for the whole registry (more than one city).
    """
    t = (lambda zh, en: zh) if lang == "zh" else (lambda zh, en: en)
    whole = len(cities) > 1
    names = dict(zip(cities["unit_id"], cities["name"], strict=True))
    provs = dict(zip(cities["unit_id"], cities["province"], strict=True))
    types = dict(zip(cities["unit_id"], cities["type_2013"], strict=True))
    per_unit: dict[tuple[str, str], str] = {}
    out: list[dict] = []

    def add(eng: str, uid: str, why: str) -> None:
        why = _part(why, lang)
        out.append({"engine": eng, "engine_title": t(*ENGINES[eng]), "unit_id": uid,
                    "name": names.get(uid, "" if uid == "*" else uid), "province": provs.get(uid, ""),
                    "reason": why, "group": reason_group(why)})

    sources = [(e, u, w) for e, u, w in detail or []]
    for name, res in results.items():
        if res.computed and not any(e == name for e, _, _ in sources):
            sources += [(name, u, w) for u, w in _summary_items(res)]
    for eng, unit, why in sources:
        if eng not in results:
            continue
        if unit == "*":
            if whole:
                add(eng, "*", why)
        elif unit in names:
            per_unit.setdefault((eng, unit), why)
        elif whole:  # a unit outside the registry (a control unit the engine also scores)
            add(eng, unit, why)
    for name, res in results.items():
        if not res.computed:
            if whole:
                add(name, "*", t(f"未计算：存储中没有该引擎{year or ''}年的运行记录（运行 rbcity run 或 rbcity assess 后重新生成报告）",
                                 f"not computed: no {year or ''} run of this engine in the store (run rbcity run or rbcity assess, then regenerate)"))
            continue
        if name == "targets":
            continue
        expected = (list(cities.loc[cities["exhausted_batch"].notna(), "unit_id"]) if name == "exhausted_assessment"
                    else list(cities["unit_id"]))
        df = res.frame.drop_duplicates("unit_id", keep="last").set_index("unit_id") if not res.frame.empty \
            else pd.DataFrame()
        key = MAIN_KEY[name]
        for uid in expected:
            if uid in df.index and key in df.columns and _text(df.loc[uid, key]) != "":
                continue
            why = per_unit.get((name, uid), "")
            if not why and uid in df.index and "missing" in df.columns:
                why = _text(df.loc[uid, "missing"])
            add(name, uid, why or scope_reason(name, res, types.get(uid, ""), lang) or t(*NO_ROW))
    return out


def gap_counts(rows: list[dict]) -> list[dict]:
    """Counts by engine and reason group, in engine order, biggest first within an engine."""
    order = {k: i for i, k in enumerate(ENGINES)}
    agg: dict[tuple[str, str], dict] = {}
    for r in rows:
        k = (r["engine"], r["group"])
        a = agg.setdefault(k, {"engine": r["engine"], "engine_title": r["engine_title"], "reason": r["group"],
                               "n_cities": 0, "engine_wide": False})
        if r["unit_id"] == "*":
            a["engine_wide"] = True
        else:
            a["n_cities"] += 1
    return sorted(agg.values(), key=lambda a: (order.get(a["engine"], 99), a["engine_wide"], -a["n_cities"]))


def not_scored(rows: list[dict], engine: str) -> int:
    """How many cities engine ``engine`` did not score."""
    return len({r["unit_id"] for r in rows if r["engine"] == engine and r["unit_id"] != "*"})


def write_gaps_csv(rows: list[dict], path: Path, lang: str) -> Path:
    """The full per-city list (UTF-8 with BOM, so Excel opens the Chinese correctly)."""
    head = (["引擎", "engine", "单位代码", "名称", "省份", "原因"] if lang == "zh"
            else ["engine title", "engine", "unit_id", "name", "province", "reason"])
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        for r in rows:
            w.writerow([r["engine_title"], r["engine"], r["unit_id"], r["name"], r["province"], r["reason"]])
    return path
