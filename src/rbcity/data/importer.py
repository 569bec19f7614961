"""``rbcity import``: one file → one import batch, validated cell by cell, nothing lost.

Pipeline (vectorised with pandas; each distinct city name and unit is resolved once):

1. read the file into text cells (:mod:`rbcity.data.reader`); a file that cannot be read at all
   becomes a *failed* batch with one reject saying why (broken, empty, header only, wrong sheet);
2. find the layout: **long** (city, year, indicator, value[, unit, source]) or **wide** (city,
   year, one column per indicator; headers like ``地区生产总值_当年价格_全市_万元`` or ``gdp[万元]``);
3. check every cell — city resolved through the registry for the data's year (scope ``all``, so
   control cities and counties land too), year, indicator, stated unit (converted to the
   catalogue unit), number, valid range, duplicate keys with different values;
4. in **one transaction**: the batch, every reject (file, sheet, row, column, raw value, reason),
   the new values, and for changed values a new revision: ``observation`` holds the current
   value, the superseded one moves to ``observation_revision`` (so nothing is overwritten).

Re-importing the same bytes with the same options is a no-op; a file whose values are all
already stored is recorded as a ``no-op`` batch (its rejects are still shown and kept).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.data.catalogue import load_catalogue, match_header, match_indicator, sync_catalogue
from rbcity.data.formats.colmap import ColumnMap, auto_map, scope_of
from rbcity.data.reader import (
    CITY_CODE_COLUMNS,
    CITY_NAME_COLUMNS,
    RawTable,
    ReadProblem,
    read_table,
)
from rbcity.data.units import UnitProblem, factor, normalise_unit
from rbcity.errors import UserError

YEAR_MIN = 1949
PROVINCE_COLUMNS = ("province", "省", "省份", "省区")
YEAR_COLUMNS = ("year", "年份", "年度", "年")
INDICATOR_COLUMNS = ("indicator", "indicator_id", "指标", "指标名称", "指标代码", "variable")
VALUE_COLUMNS = ("value", "值", "数值", "数据", "指标值")
UNIT_COLUMNS = ("unit", "单位", "计量单位")
SOURCE_COLUMNS = ("source", "来源", "数据来源")
BLANKS = {"", "nan", "NaN", "NA", "N/A", "n/a", "null", "NULL", "None", "-", "--", "—", "——", "…",
          "……", "...", ".."}

#: reason code → (中文, English) label
REASONS: dict[str, tuple[str, str]] = {
    "unknown_city": ("未知城市", "unknown city"),
    "ambiguous_city": ("城市有歧义", "ambiguous city"),
    "unknown_indicator": ("未知指标", "unknown indicator"),
    "unit_missing": ("未注明单位", "unit missing"),
    "unit_incompatible": ("单位不兼容", "unit incompatible"),
    "not_a_number": ("不是数值", "not a number"),
    "out_of_range": ("超出有效范围", "outside the valid range"),
    "duplicate_conflict": ("文件内重复且数值不同", "duplicate key with different values"),
    "bad_year": ("年份无效", "not a year"),
    "year_out_of_range": ("年份超出范围", "year out of range"),
    "broken_file": ("文件损坏", "broken file"),
    "empty_file": ("文件为空", "empty file"),
    "wrong_sheet": ("工作表错误", "wrong sheet"),
    "bad_layout": ("无法识别表格结构", "layout not recognised"),
    "unsupported_format": ("不支持的格式", "unsupported format"),
    "bad_field": ("字段无效", "invalid field"),
}


@dataclass
class Reject:
    """One rejected cell or row, where it was and why."""

    file: str
    sheet: str
    row: int | None
    column: str
    raw_value: str
    reason_code: str
    reason: str


@dataclass
class ImportReport:
    """What an import did. ``n_rows`` counts data rows of the file, ``n_accepted`` accepted
    values (= new + revised + unchanged), ``n_rejected`` reject records."""

    batch_id: int | None
    status: str  # committed | no-op | failed | dry-run
    n_rows: int = 0
    n_accepted: int = 0
    n_new: int = 0
    n_revised: int = 0
    n_rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    accepted: pd.DataFrame = field(default_factory=pd.DataFrame)
    file: str = ""
    sheet: str = ""
    source: str = ""
    n_unchanged: int = 0
    n_blank: int = 0
    n_duplicate: int = 0
    message: str = ""
    #: one :class:`~rbcity.data.formats.colmap.ColumnMap` per value column (wide layouts)
    mapping: list = field(default_factory=list)
    #: which format reader read the file ('' = plain table) and what it skipped
    kind: str = ""
    notes: list = field(default_factory=list)

    def reasons(self) -> dict[str, int]:
        """Reject counts by reason code."""
        out: dict[str, int] = {}
        for r in self.rejects:
            out[r.reason_code] = out.get(r.reason_code, 0) + 1
        return out


def _pick(headers: list[str], names: tuple[str, ...]) -> str | None:
    low = {str(h).strip().lower(): h for h in headers}
    for n in names:
        if n.lower() in low:
            return low[n.lower()]
    return None


def ensure_ready(engine: Engine) -> None:
    """The registry units and the catalogue must be in the store before anything lands."""
    from rbcity.data.registry_store import load_registry_into

    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(s.city)).scalar_one()
    if n != 262:
        load_registry_into(engine)
    sync_catalogue(engine)


def _hash_file(path: Path, extra: dict) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    h.update(json.dumps(extra, sort_keys=True, ensure_ascii=False, default=str).encode())
    return h.hexdigest()


def _done_batch(engine: Engine, digest: str, kind: str, once: bool = False) -> int | None:
    """The batch that already imported these bytes with these options, if the store still holds
    what it imported: a committed batch none of whose values was superseded since, or a no-op
    batch with no committed batch after it. Otherwise the file is processed again (re-importing
    an old file after a correction restores its values, as a new revision). ``once``: any such
    batch counts (bundled data load once, so later corrections are never undone by a rerun)."""
    b = s.import_batch.c
    with engine.connect() as conn:
        rows = conn.execute(select(b.id, b.status).where(
            b.sha256 == digest, b.kind == kind, b.status.in_(("committed", "no-op"))).order_by(b.id.desc())).all()
        if not rows:
            return None
        bid, status = rows[0]
        if once:
            return bid
        if status == "committed" and kind == "observations":
            superseded = conn.execute(select(func.count()).select_from(s.observation_revision).where(
                s.observation_revision.c.batch_id == bid)).scalar()
            return None if superseded else bid
        later = conn.execute(select(func.count()).select_from(s.import_batch).where(
            b.id > bid, b.status == "committed", b.kind == kind)).scalar()
        return None if later and kind == "observations" else bid


def import_file(engine: Engine, path, *, source: str | None = None, sheet: str | None = None,
                user: str = "", dry_run: bool = False, columns: dict | None = None,
                year: int | None = None, level: str | None = None, label: str | None = None,
                once: bool = False) -> ImportReport:
    """Import one CSV/XLSX/Parquet file of observations (see the module docstring).

    ``columns`` maps a raw header to ``(indicator_id, unit)`` where the header alone does not
    say it; ``year`` gives the year of a cross-section without a year column; ``level``
    ('prefecture'/'county') narrows name ties; ``label`` is the file name recorded (default:
    the path); ``once`` imports these bytes at most once, whatever happened since (bundled data).
    Raises :class:`~rbcity.errors.UserError`
    (``ImportFileError``) only when there is no file to record a batch for.
    """
    p = Path(path)
    if level not in (None, "prefecture", "county"):
        raise UserError(f"无效的级别 invalid level {level!r}; allowed: prefecture, county")
    ensure_ready(engine)
    opts = {"sheet": sheet, "source": source, "columns": columns, "year": year, "level": level}
    if not p.is_file():
        read_table(p)  # raises ImportFileError
    src = source or p.name
    shown = label or str(p)
    from rbcity.data.formats import prepare

    try:
        prep = prepare(p, sheet)
    except ReadProblem as exc:
        return _failed(engine, shown, sheet or "", src, _hash_file(p, opts), exc.code, str(exc), user, dry_run)
    if prep is not None:
        opts["maps"] = [(m.column, m.indicator_id, m.unit, m.note) for m in prep.maps]
    digest = _hash_file(p, opts)
    if not dry_run:
        prev = _done_batch(engine, digest, "observations", once=once)
        if prev is not None:
            return ImportReport(prev, "no-op", file=shown, sheet=sheet or "", source=src,
                                message=f"同一文件已导入 same file already imported (batch {prev})")
    try:
        table = prep.table if prep is not None else read_table(p, sheet)
    except ReadProblem as exc:
        return _failed(engine, shown, sheet or "", src, digest, exc.code, str(exc), user, dry_run)
    table.file = shown
    rep = import_frame(engine, table, source=src, user=user, dry_run=dry_run, columns=columns,
                       year=year if year is not None or prep is None else prep.year,
                       level=level or (prep.level if prep else None),
                       digest=digest, maps={m.column: m for m in prep.maps} if prep else None)
    if prep is not None:
        rep.kind, rep.notes = prep.kind, prep.notes
    return rep


def _failed(engine, file, sheet, source, digest, code, message, user, dry_run, kind="observations"):
    rej = Reject(file, sheet, None, "", "", code, f"{REASONS.get(code, (code, code))[0]} {message}")
    rep = ImportReport(None, "failed" if not dry_run else "dry-run", n_rejected=1, rejects=[rej],
                       file=file, sheet=sheet, source=source, message=message)
    if dry_run:
        return rep
    with engine.begin() as conn:
        rep.batch_id = _insert_batch(conn, file, digest, kind, source, user, "failed", message)
        _insert_rejects(conn, rep.batch_id, [rej])
        conn.execute(update(s.import_batch).where(s.import_batch.c.id == rep.batch_id).values(n_rejected=1))
    return rep


def _insert_batch(conn, file, digest, kind, source, user, status, message="") -> int:
    res = conn.execute(insert(s.import_batch).values(
        file=file, sha256=digest, kind=kind, source=source, status=status, n_rows=0, n_accepted=0,
        n_rejected=0, n_new=0, n_revised=0, user=user, created_at=datetime.now(UTC), message=message))
    return int(res.inserted_primary_key[0])


def bulk_insert(conn, table, columns: list[str], rows) -> None:
    """``executemany`` of plain tuples straight to the driver (no per-row SQLAlchemy parameter
    processing: ~3× faster for a million rows); portable through the dialect's paramstyle."""
    rows = list(rows)
    if not rows:
        return
    q = conn.dialect.identifier_preparer
    mark = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": None, "named": None}.get(conn.dialect.paramstyle)
    if mark is None:  # pragma: no cover - other drivers: let SQLAlchemy bind
        conn.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in rows])
        return
    sql = (f"INSERT INTO {q.format_table(table)} ({', '.join(q.quote(c) for c in columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    conn.exec_driver_sql(sql, rows)


def _insert_rejects(conn, batch_id: int, rejects: list[Reject]) -> None:
    bulk_insert(conn, s.rejected_row, ["batch_id", "file", "sheet", "row", "column", "raw_value", "reason_code", "reason"],
                ((batch_id, r.file, r.sheet, r.row, r.column, r.raw_value, r.reason_code, r.reason) for r in rejects))


# ------------------------------------------------------------------------------ cells
def _cells(table: RawTable, columns: dict | None, year: int | None, maps: dict | None = None):
    """The table as one row per value cell, plus column-level rejects and the layout facts."""
    df, rows = table.frame, table.rows
    headers = [str(c) for c in df.columns]
    df.columns = headers
    code_col, name_col = _pick(headers, CITY_CODE_COLUMNS), _pick(headers, CITY_NAME_COLUMNS)
    if code_col is None and name_col is None:
        where = f"工作表 sheet {table.sheet!r}: " if table.sheet else ""
        raise ReadProblem("bad_layout", f"{where}找不到城市列 no city column; expected one of: "
                          + ", ".join(CITY_NAME_COLUMNS[:4] + CITY_CODE_COLUMNS[:4]))
    year_col = _pick(headers, YEAR_COLUMNS)
    if year_col is None and year is None:
        raise ReadProblem("bad_layout", "找不到年份列 no year column (年份/year); for a cross-section pass --year")
    prov_col, src_col = _pick(headers, PROVINCE_COLUMNS), _pick(headers, SOURCE_COLUMNS)
    ind_col, val_col = _pick(headers, INDICATOR_COLUMNS), _pick(headers, VALUE_COLUMNS)
    unit_col = _pick(headers, UNIT_COLUMNS)
    n = len(df)

    def col(c):
        return df[c] if c is not None else pd.Series([None] * n, index=df.index, dtype=object)

    base = pd.DataFrame({
        "row": rows.to_numpy(), "code": col(code_col).to_numpy(), "name": col(name_col).to_numpy(),
        "province": col(prov_col).to_numpy(),
        "year_raw": (col(year_col) if year_col else pd.Series([str(year)] * n, index=df.index)).to_numpy(),
        "source_raw": col(src_col).to_numpy()})
    meta = dict(code_col=code_col, name_col=name_col, year_col=year_col or "", level_hint=None, maps=[])
    col_rejects: list[Reject] = []
    if ind_col is not None and val_col is not None:
        cells = base.assign(column=val_col, ind_raw=col(ind_col).to_numpy(), value_raw=df[val_col].to_numpy(),
                            unit_raw=col(unit_col).to_numpy(), ind_col=ind_col, unit_col=unit_col or "")
        cells["indicator_id"] = cells["ind_raw"].map(_indicator_map(cells["ind_raw"]))
        meta["layout"] = "long"
        return cells, col_rejects, meta
    meta["layout"] = "wide"
    skip = {c for c in (code_col, name_col, year_col, prov_col, src_col, unit_col) if c}
    parts = []
    prefecture = False
    for c in headers:
        if c in skip:
            continue
        if columns and c in columns:
            ind, unit = columns[c]
            ind = match_indicator(ind) if ind else None  # an id or a catalogue name
            cm = ColumnMap(c, ind, unit, scope_of(ind), maps[c].label if maps and c in maps else "", "--map")
        else:
            cm = maps[c] if maps and c in maps else auto_map(c)
            ind, unit = cm.indicator_id, cm.unit
            prefecture = prefecture or match_header(c).prefecture
        meta["maps"].append(cm)
        vals = df[c]
        nonblank = int((~_blank(vals)).sum())
        if ind is None:
            if nonblank:
                why = cm.note or "见 see `rbcity indicators`"
                col_rejects.append(Reject(table.file, table.sheet, None, c, c, "unknown_indicator",
                                          f"未知指标 unknown indicator: 列 column {c!r} 未导入 not imported "
                                          f"({nonblank} values); {why}"))
            continue
        parts.append(base.assign(column=c, ind_raw=c, value_raw=vals.to_numpy(), unit_raw=unit,
                                 indicator_id=ind, ind_col=c, unit_col=c))
    if not parts and not col_rejects:
        raise ReadProblem("bad_layout", "没有指标列 no indicator columns (wide) and no indicator/value columns (long)")
    cells = pd.concat(parts, ignore_index=True) if parts else base.iloc[0:0].assign(
        column="", ind_raw="", value_raw=None, unit_raw=None, indicator_id=None, ind_col="", unit_col="")
    meta["level_hint"] = "prefecture" if prefecture else None
    return cells, col_rejects, meta


def _indicator_map(raw: pd.Series) -> dict:
    return {v: match_indicator(v) for v in pd.unique(raw.dropna()) if str(v).strip()}


def _blank(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values.isna()
    st = values.astype(object)
    return st.isna() | st.astype(str).str.strip().isin(BLANKS)


def _numbers(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        out = values.astype(float)
    else:
        out = pd.to_numeric(values, errors="coerce")
        miss = out.isna() & values.notna()
        if miss.any():  # thousands separators, spaces: clean only the cells that need it
            txt = values[miss].astype(str).str.strip().str.replace(r"[,，\s]", "", regex=True)
            out[miss] = pd.to_numeric(txt, errors="coerce")
        out = out.astype(float)
    return out.where(np.isfinite(out))


# ------------------------------------------------------------------------------ resolve
def _resolve_cities(keys: pd.DataFrame, level: str | None, units_in_store: set, by_id: bool = False) -> pd.DataFrame:
    """Resolve each distinct (code, name, province, year) once. A ``unit_id`` column (rbcity's
    own ids, as exported) is taken as is when the store has that unit; codes and names go
    through the registry resolver (code first, then name)."""
    from rbcity.registry.resolve import get_resolver

    resolver = get_resolver("all")
    out = []
    yearless: dict[tuple, tuple] = {}  # a name that is unique (or unknown) without a year is so in every year
    for code, name, prov, yr in keys.itertuples(index=False):
        if by_id and code is not None and str(code).strip() in units_in_store:
            out.append((str(code).strip(), None, ""))
            continue
        k = (code, name, prov)
        if k not in yearless:
            yearless[k] = _resolve_one(resolver, code, name, prov, None, level, units_in_store)
        if yearless[k][1] != "ambiguous_city":
            out.append(yearless[k])
            continue
        out.append(_resolve_one(resolver, code, name, prov, yr, level, units_in_store))
    res = keys.copy()
    res["unit_id"] = [o[0] for o in out]
    res["city_reason"] = [o[1] for o in out]
    res["city_msg"] = [o[2] for o in out]
    return res


def _resolve_one(resolver, code, name, prov, yr, level, units_in_store) -> tuple:
    """(unit_id, None, "") or (None, reason_code, message) for one city key: code first, then name."""
    from rbcity.registry.resolve import AmbiguousCity, UnknownCity

    uid, reason, msg = None, "unknown_city", []
    for q in (code, name):
        if q is None or (isinstance(q, float) and pd.isna(q)) or not str(q).strip():
            continue
        q = str(q).strip()
        try:
            m = resolver.resolve(q, None if pd.isna(yr) else int(yr),
                                 province=None if prov is None or pd.isna(prov) else str(prov), level=level)
            cand = m.unit_id
        except AmbiguousCity as exc:
            uid, reason, msg = None, "ambiguous_city", [str(exc)]
            break
        except UnknownCity as exc:
            msg.append(str(exc))
            continue
        if cand in units_in_store:
            uid, reason, msg = cand, None, []
            break
        msg.append(f"{q!r} → {cand}: 不在单位表 not in the store's unit table")
    if uid is None and not msg:
        msg = ["城市为空 no city name or code in this row"]
    return (uid, reason, "; ".join(msg))


# ------------------------------------------------------------------------------ main
def import_frame(engine: Engine, table: RawTable, *, source: str, user: str = "", dry_run: bool = False,
                 columns: dict | None = None, year: int | None = None, level: str | None = None,
                 digest: str | None = None, kind: str = "observations", maps: dict | None = None) -> ImportReport:
    """Validate and store a :class:`RawTable` (what :func:`import_file` reads; bundled sources
    and derived series build one in memory and come through here too)."""
    ensure_ready(engine)
    if digest is None:
        h = hashlib.sha256(pd.util.hash_pandas_object(table.frame.astype(str), index=False).to_numpy().tobytes())
        h.update(json.dumps({"source": source, "columns": columns, "year": year, "level": level,
                             "cols": list(map(str, table.frame.columns))}, sort_keys=True,
                            ensure_ascii=False, default=str).encode())
        digest = h.hexdigest()
        if not dry_run:
            prev = _done_batch(engine, digest, kind)
            if prev is not None:
                return ImportReport(prev, "no-op", file=table.file, sheet=table.sheet, source=source,
                                    message=f"同一数据已导入 same data already imported (batch {prev})")
    file, sheet = table.file, table.sheet
    n_rows = len(table.frame)
    try:
        cells, rejects, meta = _cells(table, columns, year, maps)
    except ReadProblem as exc:
        return _failed(engine, file, sheet, source, digest, exc.code, str(exc), user, dry_run)
    level = level or meta["level_hint"]
    cat = load_catalogue().set_index("indicator_id")

    blank = _blank(cells["value_raw"])
    n_blank = int(blank.sum())
    cells = cells[~blank.to_numpy()].reset_index(drop=True)
    reason = pd.Series(pd.NA, index=cells.index, dtype=object)
    detail = pd.Series("", index=cells.index, dtype=object)
    rcol = pd.Series("", index=cells.index, dtype=object)   # column the reject points at
    rraw = pd.Series("", index=cells.index, dtype=object)   # raw value the reject shows

    def flag(mask, code, msg, column, raw):
        m = mask & reason.isna()
        if not m.any():
            return
        reason[m] = code
        detail[m] = msg[m] if isinstance(msg, pd.Series) else msg
        rcol[m] = column[m] if isinstance(column, pd.Series) else column
        rraw[m] = raw[m].astype(str) if isinstance(raw, pd.Series) else raw

    # year
    yr = pd.to_numeric(cells["year_raw"].astype(str).str.strip(), errors="coerce")
    bad_year = yr.isna() | (yr != np.floor(yr))
    this_year = date.today().year
    flag(bad_year, "bad_year", "年份无效 not a year", meta["year_col"], cells["year_raw"])
    flag(~bad_year & ((yr < YEAR_MIN) | (yr > this_year)), "year_out_of_range",
         f"年份超出范围 year outside {YEAR_MIN}–{this_year}", meta["year_col"], cells["year_raw"])
    cells["year"] = yr.where(~bad_year).astype("Int64")

    # city (each distinct code/name/province/year once)
    keycols = ["code", "name", "province", "year"]
    k = cells[keycols].astype(object)
    k = k.where(k.notna(), None)
    with engine.connect() as conn:
        units_in_store = set(conn.execute(select(s.unit.c.unit_id)).scalars())
    # one resolution per distinct key, mapped back by group number (no 4-column merge)
    grp = k.groupby(keycols, dropna=False, sort=False).ngroup().to_numpy()
    gids, first = np.unique(grp, return_index=True)
    resolved = _resolve_cities(k.iloc[first].reset_index(drop=True), level, units_in_store,
                               by_id=meta["code_col"] == "unit_id")
    pos = np.searchsorted(gids, grp)
    for c in ("unit_id", "city_reason", "city_msg"):
        cells[c] = resolved[c].to_numpy(dtype=object)[pos]
    for c in ("code", "name"):
        cells[c] = k[c].to_numpy()
    city_col = meta["code_col"] or meta["name_col"]
    city_raw = cells["code"].where(cells["code"].notna(), cells["name"]).astype(str)
    for code in ("unknown_city", "ambiguous_city"):
        flag(cells["city_reason"] == code, code, cells["city_msg"], city_col, city_raw)

    # indicator
    flag(cells["indicator_id"].isna(), "unknown_indicator",
         "未知指标 unknown indicator; 见 see `rbcity indicators`", cells["ind_col"], cells["ind_raw"])

    # unit
    cells["cat_unit"] = cells["indicator_id"].map(cat["unit"])
    fac = pd.Series(np.nan, index=cells.index)
    umsg = pd.Series("", index=cells.index, dtype=object)
    ucode = pd.Series(pd.NA, index=cells.index, dtype=object)
    ok_ind = cells["indicator_id"].notna()
    pairs = cells.loc[ok_ind, ["indicator_id", "unit_raw"]].astype(object).drop_duplicates()
    for ind, ur in pairs.itertuples(index=False):
        try:
            f, code, msg = factor(None if ur is None or pd.isna(ur) else str(ur), cat.at[ind, "unit"]), None, ""
        except UnitProblem as exc:
            f, code, msg = np.nan, exc.code, str(exc)
        m = ok_ind & (cells["indicator_id"] == ind) & (
            cells["unit_raw"].isna() if ur is None or pd.isna(ur) else cells["unit_raw"] == ur)
        fac[m], ucode[m], umsg[m] = f, code, msg
    for code in ("unit_missing", "unit_incompatible"):
        flag(ucode == code, code, umsg, cells["unit_col"],
             cells["unit_raw"].where(cells["unit_raw"].notna(), "").astype(str))

    # number, range
    num = _numbers(cells["value_raw"])
    flag(num.isna(), "not_a_number", "不是数值 not a number", cells["column"], cells["value_raw"])
    val = (num * fac).astype(float)
    lo = cells["indicator_id"].map(cat["min_value"]).astype(float)
    hi = cells["indicator_id"].map(cat["max_value"]).astype(float)
    out = ((lo.notna() & (val < lo)) | (hi.notna() & (val > hi))) & reason.isna()
    rng = pd.Series("", index=cells.index, dtype=object)
    if out.any():
        u, f_ = cells.loc[out, "cat_unit"].astype(str), fac[out]
        rng[out] = ("超出有效范围 outside the valid range [" + lo[out].map(_fmt) + ", " + hi[out].map(_fmt) + "] "
                    + u + ": " + val[out].map(_fmt) + " " + u
                    + np.where(f_ != 1, " (converted ×" + f_.map(_fmt) + ")", ""))
    flag(out, "out_of_range", rng, cells["column"], cells["value_raw"])
    cells["value"] = val

    # duplicates inside the file
    ok = reason.isna()
    good = cells[ok]
    key = ["unit_id", "year", "indicator_id"]
    dupmask = good.duplicated(key, keep=False)
    n_duplicate = 0
    if dupmask.any():
        d = good[dupmask].assign(rv=good.loc[dupmask, "value"].round(9))
        nun = d.groupby(key)["rv"].transform("nunique")
        conflict = d.index[nun > 1]
        rows_by_key = d.loc[conflict].groupby(key)["row"].apply(lambda r: ", ".join(map(str, r)))
        msgs = d.loc[conflict].join(rows_by_key.rename("others"), on=key)["others"]
        m = pd.Series(False, index=cells.index)
        m[conflict] = True
        flag(m, "duplicate_conflict", "文件内重复且数值不同 same city/year/indicator with different values in rows "
             + msgs.astype(object).reindex(cells.index).fillna("").astype(str), cells["column"], cells["value_raw"])
        same = d.index[nun == 1]
        extra = d.loc[same].duplicated(key, keep="first")
        n_duplicate = int(extra.sum())
        drop = pd.Series(False, index=cells.index)
        drop[extra.index[extra.to_numpy()]] = True
        ok = reason.isna() & ~drop
    else:
        ok = reason.isna()

    # rejects
    rejected = cells[reason.notna()].assign(reason_code=reason[reason.notna()], reason=detail[reason.notna()],
                                            rcol=rcol[reason.notna()], rraw=rraw[reason.notna()])
    # a header without a usable unit loses the whole column: one reject per column (wide)
    colwise = rejected["reason_code"].isin(["unit_missing", "unit_incompatible"])
    if meta["layout"] == "wide" and colwise.any():
        cw = rejected[colwise]
        cnt = cw.groupby("column")["row"].transform("size")
        cw = cw.assign(row=None, rraw=cw["unit_raw"].where(cw["unit_raw"].notna(), "").astype(str),
                       reason=cw["reason"] + "：列 column " + cw["column"].map(repr) + " 未导入 not imported ("
                       + cnt.astype(str) + " values); 用 --map 'HEADER=INDICATOR:UNIT' 注明单位 state the unit")
        rejected = pd.concat([rejected[~colwise], cw.drop_duplicates(["column", "reason_code"])])
    # a bad city or year loses the whole row: one reject per row, not per cell
    rowwise = rejected["reason_code"].isin(["unknown_city", "ambiguous_city", "bad_year", "year_out_of_range"])
    if meta["layout"] == "wide" and rowwise.any():
        rw = rejected[rowwise]
        cnt = rw.groupby(["row", "reason_code"])["column"].transform("size")
        rw = rw.assign(reason=rw["reason"] + "（本行 " + cnt.astype(str) + " 个数值未导入 values in this row not imported）")
        rejected = pd.concat([rejected[~rowwise], rw.drop_duplicates(["row", "reason_code"])])
    rejected = rejected.sort_values(["row"], kind="stable", na_position="first")
    labels = rejected["reason_code"].map(lambda c: REASONS.get(c, (c, c))[0])
    rejects += [Reject(file, sheet, None if r is None or pd.isna(r) else int(r), str(c), str(v), code, str(msg))
                for r, c, v, code, msg in zip(rejected["row"], rejected["rcol"], rejected["rraw"],
                                              rejected["reason_code"], rejected["reason"], strict=True)]
    del labels

    acc = cells[ok]
    src = acc["source_raw"].where(acc["source_raw"].notna() & (acc["source_raw"].astype(str).str.strip() != ""), source)
    accepted = pd.DataFrame({"unit_id": acc["unit_id"].astype(str), "year": acc["year"].astype(int),
                             "indicator_id": acc["indicator_id"].astype(str), "value": acc["value"].astype(float),
                             "unit": acc["cat_unit"].astype(str), "source": src.astype(str),
                             "row": acc["row"].astype(int), "column": acc["column"].astype(str)})
    rep = _store(engine, accepted, rejects, file=file, sheet=sheet, source=source, user=user, dry_run=dry_run,
                 digest=digest, kind=kind, n_rows=n_rows, n_blank=n_blank, n_duplicate=n_duplicate)
    rep.mapping = meta["maps"]
    return rep


def _fmt(v) -> str:
    if v is None or pd.isna(v):
        return "∞" if v is not None else ""
    return f"{v:.6g}"


def _existing(conn, accepted: pd.DataFrame) -> pd.DataFrame:
    inds = sorted(accepted["indicator_id"].unique())
    o = s.observation.c
    q = select(o.unit_id, o.year, o.indicator_id, o.value.label("old_value"), o.revision.label("old_revision"),
               o.unit.label("old_unit"), o.source.label("old_source"), o.batch_id.label("old_batch")
               ).where(o.indicator_id.in_(inds))
    return pd.read_sql(q, conn)


OLD = ["old_value", "old_revision", "old_unit", "old_source", "old_batch"]


def _store(engine, accepted, rejects, *, file, sheet, source, user, dry_run, digest, kind, n_rows,
           n_blank, n_duplicate) -> ImportReport:
    key = ["unit_id", "year", "indicator_id"]
    with engine.connect() as conn:
        old = _existing(conn, accepted) if len(accepted) else pd.DataFrame(columns=key + OLD)
    if len(accepted):
        old["year"] = old["year"].astype(int)
        merged = accepted.merge(old, on=key, how="left")
        same = np.isclose(merged["value"], merged["old_value"].astype(float), rtol=1e-12, atol=0.0)
        merged["status"] = np.where(merged["old_value"].isna(), "new", np.where(same, "unchanged", "revised"))
        merged["revision"] = np.where(merged["old_value"].isna(), 1,
                                      merged["old_revision"].fillna(0).astype(int)
                                      + (merged["status"] == "revised").astype(int))
    else:
        merged = accepted.assign(status=pd.Series(dtype=object), revision=pd.Series(dtype=int),
                                 **{c: pd.Series(dtype=object) for c in OLD})
    n_new = int((merged["status"] == "new").sum())
    n_rev = int((merged["status"] == "revised").sum())
    n_acc = len(merged)
    if n_acc == 0 and rejects:
        status = "failed"
    elif n_new + n_rev == 0:
        status = "no-op"
    else:
        status = "committed"
    rep = ImportReport(None, "dry-run" if dry_run else status, n_rows, n_acc, n_new, n_rev, len(rejects), rejects,
                       merged.drop(columns=OLD), file, sheet, source, n_unchanged=n_acc - n_new - n_rev, n_blank=n_blank,
                       n_duplicate=n_duplicate)
    if dry_run:
        return rep
    now = datetime.now(UTC)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":  # room for the primary-key and index pages of a big batch
            conn.exec_driver_sql("PRAGMA cache_size=-262144")
        bid = _insert_batch(conn, file, digest, kind, source, user, status)
        _insert_rejects(conn, bid, rejects)
        # in primary-key order: B-tree appends instead of random page splits
        changed = merged[merged["status"] != "unchanged"].sort_values(["unit_id", "year", "indicator_id"])
        if len(changed):
            cols = ["unit_id", "year", "indicator_id", "value", "unit", "source", "revision"]
            ch = changed[cols].astype(object)
            ch["year"] = changed["year"].astype(int).tolist()
            ch["revision"] = changed["revision"].astype(int).tolist()
            ch["value"] = changed["value"].astype(float).tolist()
            isnew = (changed["status"] == "new").to_numpy()
            new = ch[isnew]
            bulk_insert(conn, s.observation, cols + ["batch_id"],
                        zip(*[new[c].tolist() for c in cols], [bid] * len(new), strict=True))
            rev = ch[~isnew]
            if len(rev):
                # the superseded values move to observation_revision (recorded_at = when superseded)
                old_rows = changed[~isnew]
                stamp = f"{now:%Y-%m-%d %H:%M:%S.%f}" if conn.dialect.name == "sqlite" else now
                bulk_insert(conn, s.observation_revision, cols + ["batch_id", "recorded_at"], zip(
                    old_rows["unit_id"].tolist(), old_rows["year"].astype(int).tolist(),
                    old_rows["indicator_id"].tolist(), old_rows["old_value"].astype(float).tolist(),
                    old_rows["old_unit"].tolist(), old_rows["old_source"].tolist(),
                    old_rows["old_revision"].astype(int).tolist(), old_rows["old_batch"].astype(int).tolist(),
                    [stamp] * len(old_rows), strict=True))
                o = s.observation.c
                conn.execute(update(s.observation).where(
                    o.unit_id == bindparam("b_unit"), o.year == bindparam("b_year"),
                    o.indicator_id == bindparam("b_ind")).values(
                    value=bindparam("value"), unit=bindparam("unit"), source=bindparam("source"),
                    revision=bindparam("revision"), batch_id=bindparam("batch_id")),
                    [dict(b_unit=u, b_year=y, b_ind=i, value=v, unit=un, source=sr, revision=rv, batch_id=bid)
                     for u, y, i, v, un, sr, rv in zip(*[rev[c].tolist() for c in cols], strict=True)])
        conn.execute(update(s.import_batch).where(s.import_batch.c.id == bid).values(
            n_rows=n_rows, n_accepted=n_acc, n_rejected=len(rejects), n_new=n_new, n_revised=n_rev,
            message=f"blank {n_blank}, duplicate {n_duplicate}, unchanged {n_acc - n_new - n_rev}"))
    rep.batch_id = bid
    return rep


def normalised_unit(u: str) -> str:  # re-exported for the CLI
    return normalise_unit(u)
