"""``rbcity targets import FILE``: official target rows (e.g. the plan's 专栏1 once its text is
recovered) from a CSV/XLSX/Parquet file, validated like any import.

Columns (Chinese headers in brackets also accepted): ``indicator_id`` (指标) — an id or a
catalogue name; ``target_year`` (目标年份); ``target_value`` (目标值); ``source`` (来源, required:
where the number is printed); optional ``scope`` (default national), ``baseline_year``,
``baseline_value``, ``comparator`` (>=, <=, >, <, =, ~; default >=), ``mode`` (level | change |
cumulative | count; default level), ``attribute`` (预期性/约束性 or expected/binding), ``status``
(default imported). A row is stored whole or rejected with the field and reason; the key
(indicator, scope, target year, source) is updated in place when it exists.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.data.catalogue import COMPARATORS, MODES, load_catalogue, match_indicator
from rbcity.data.importer import (
    ImportReport,
    Reject,
    _done_batch,
    _failed,
    _hash_file,
    _insert_batch,
    _insert_rejects,
    ensure_ready,
)
from rbcity.data.reader import ReadProblem, read_table

FIELDS = {
    "indicator_id": ("indicator_id", "indicator", "指标", "指标名称", "指标代码"),
    "scope": ("scope", "范围"),
    "baseline_year": ("baseline_year", "基期年份", "基期"),
    "baseline_value": ("baseline_value", "基期值", "基期数值"),
    "target_year": ("target_year", "目标年份", "年份"),
    "target_value": ("target_value", "目标值"),
    "comparator": ("comparator", "比较", "比较符"),
    "mode": ("mode", "类型", "方式"),
    "attribute": ("attribute", "属性"),
    "source": ("source", "来源", "出处"),
    "status": ("status", "状态"),
}
ATTRIBUTES = {"预期性": "预期性", "expected": "预期性", "约束性": "约束性", "binding": "约束性", "": ""}
KIND = "targets"


def _col(headers, names):
    low = {str(h).strip().lower(): h for h in headers}
    return next((low[n.lower()] for n in names if n.lower() in low), None)


def import_targets(engine: Engine, path, *, sheet: str | None = None, user: str = "",
                   dry_run: bool = False) -> ImportReport:
    """Validate and store target rows from ``path``; one batch (kind ``targets``)."""
    p = Path(path)
    ensure_ready(engine)
    if not p.is_file():
        read_table(p)
    digest = _hash_file(p, {"sheet": sheet, "kind": KIND})
    if not dry_run and (prev := _done_batch(engine, digest, KIND)) is not None:
        return ImportReport(prev, "no-op", file=str(p), message=f"同一文件已导入 same file already imported (batch {prev})")
    try:
        t = read_table(p, sheet)
    except ReadProblem as exc:
        return _failed(engine, str(p), sheet or "", "", digest, exc.code, str(exc), user, dry_run, kind=KIND)
    cols = {k: _col(t.frame.columns, v) for k, v in FIELDS.items()}
    missing = [k for k in ("indicator_id", "target_year", "target_value", "source") if cols[k] is None]
    if missing:
        return _failed(engine, str(p), t.sheet, "", digest, "bad_layout",
                       f"缺少列 missing columns: {', '.join(missing)}", user, dry_run, kind=KIND)
    cat = load_catalogue().set_index("indicator_id")
    rejects: list[Reject] = []
    good: dict[tuple, tuple[int, dict]] = {}
    conflicted: set[tuple] = set()

    def get(rec, k):
        c = cols[k]
        v = rec.get(c) if c is not None else None
        return None if v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == "" else str(v).strip()

    for rec, row in zip(t.frame.to_dict("records"), t.rows, strict=True):
        def bad(field, code, msg, rec=rec, row=row):
            rejects.append(Reject(str(p), t.sheet, int(row), cols[field] or field, get(rec, field) or "", code, msg))

        ind_raw = get(rec, "indicator_id")
        ind = match_indicator(ind_raw) if ind_raw else None
        if ind is None:
            bad("indicator_id", "unknown_indicator", "未知指标 unknown indicator; 见 see `rbcity indicators`")
            continue
        out = {"indicator_id": ind, "scope": get(rec, "scope") or "national",
               "comparator": get(rec, "comparator") or ">=", "mode": get(rec, "mode") or "level",
               "source": get(rec, "source"), "status": get(rec, "status") or "imported"}
        ok = True
        for f in ("target_year", "baseline_year"):
            v = get(rec, f)
            if v is None:
                out[f] = None
                if f == "target_year":
                    bad(f, "bad_year", "缺少目标年份 target year missing")
                    ok = False
                continue
            n = pd.to_numeric(v, errors="coerce")
            if pd.isna(n) or n != int(n):
                bad(f, "bad_year", "年份无效 not a year")
                ok = False
            elif not 1949 <= n <= 2100:
                bad(f, "year_out_of_range", "年份超出范围 year outside 1949–2100")
                ok = False
            else:
                out[f] = int(n)
        for f in ("target_value", "baseline_value"):
            v = get(rec, f)
            if v is None:
                out[f] = None
                if f == "target_value":
                    bad(f, "not_a_number", "缺少目标值 target value missing")
                    ok = False
                continue
            n = pd.to_numeric(v.replace(",", ""), errors="coerce")
            if pd.isna(n):
                bad(f, "not_a_number", "不是数值 not a number")
                ok = False
            else:
                out[f] = float(n)
        if out["comparator"] not in COMPARATORS:
            bad("comparator", "bad_field", f"比较符无效 comparator must be one of {', '.join(COMPARATORS)}")
            ok = False
        if out["mode"] not in MODES:
            bad("mode", "bad_field", f"类型无效 mode must be one of {', '.join(MODES)}")
            ok = False
        attr = get(rec, "attribute") or ""
        if attr.lower() not in ATTRIBUTES and attr not in ATTRIBUTES:
            bad("attribute", "bad_field", "属性无效 attribute must be 预期性/约束性 (expected/binding)")
            ok = False
        out["attribute"] = ATTRIBUTES.get(attr, ATTRIBUTES.get(attr.lower(), ""))
        if out["source"] is None:
            bad("source", "bad_field", "缺少来源 source missing: say where the number is printed")
            ok = False
        if ok and out["mode"] == "level":
            lo, hi = cat.at[ind, "min_value"], cat.at[ind, "max_value"]
            if (pd.notna(lo) and out["target_value"] < lo) or (pd.notna(hi) and out["target_value"] > hi):
                bad("target_value", "out_of_range", f"超出有效范围 outside the valid range [{lo}, {hi}] {cat.at[ind, 'unit']}")
                ok = False
        if not ok:
            continue
        key = (ind, out["scope"], out["target_year"], out["source"])
        if key in good and good[key][1] != out:
            conflicted.add(key)
            bad("target_value", "duplicate_conflict", f"文件内重复且数值不同 same key as row {good[key][0]} with different values")
            continue
        good.setdefault(key, (int(row), out))
    for key in conflicted:
        row, rec = good.pop(key)
        rejects.append(Reject(str(p), t.sheet, row, cols["target_value"], str(rec["target_value"]), "duplicate_conflict",
                              "文件内重复且数值不同 same key appears again with different values"))
    rows = [r for _, r in good.values()]
    accepted = pd.DataFrame(rows)
    status = "failed" if not rows and rejects else ("committed" if rows else "no-op")
    rep = ImportReport(None, "dry-run" if dry_run else status, len(t.frame), len(rows), 0, 0, len(rejects),
                       rejects, accepted, str(p), t.sheet, "")
    if dry_run:
        return rep
    with engine.begin() as conn:
        bid = _insert_batch(conn, str(p), digest, KIND, "", user, status)
        _insert_rejects(conn, bid, rejects)
        tc = s.target.c
        for r in rows:
            where = and_(tc.indicator_id == r["indicator_id"], tc.scope == r["scope"],
                         tc.target_year == r["target_year"], tc.source == r["source"])
            old = conn.execute(select(s.target).where(where)).mappings().first()
            if old is None:
                conn.execute(insert(s.target).values(**r, batch_id=bid))
                rep.n_new += 1
            elif any(old[k] != v for k, v in r.items()):
                conn.execute(update(s.target).where(where).values(**r, batch_id=bid))
                rep.n_revised += 1
        if rows and rep.n_new + rep.n_revised == 0:
            rep.status = status = "no-op"
        conn.execute(update(s.import_batch).where(s.import_batch.c.id == bid).values(
            status=status, n_rows=len(t.frame), n_accepted=len(rows), n_rejected=len(rejects),
            n_new=rep.n_new, n_revised=rep.n_revised))
    rep.batch_id = bid
    return rep
