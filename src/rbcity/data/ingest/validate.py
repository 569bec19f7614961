"""Check every cell of one chunk: year, city, indicator, unit, number, range.

Vectorised: each distinct city key, indicator/unit pair and column is handled once. Returns
the accepted values (compact dtypes, so millions of rows stay small) and the rejects; duplicates
across the whole file are checked later (:func:`duplicates`), once every chunk is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from rbcity.data.ingest import numbers
from rbcity.data.ingest.cities import CityResolver
from rbcity.data.ingest.columns import Layout, cells
from rbcity.data.ingest.keys import frame_keys, repeated
from rbcity.data.ingest.report import Reject, label
from rbcity.data.ingest.table import RawTable
from rbcity.data.units import UnitProblem, factor

YEAR_MIN = 1949
ROWWISE = ("unknown_city", "ambiguous_city", "city_keys_disagree", "city_not_in_year", "bad_year",
           "year_out_of_range")
ACCEPTED_COLUMNS = ["unit_id", "year", "indicator_id", "value", "unit", "source", "row", "column"]


@dataclass
class ChunkResult:
    accepted: pd.DataFrame
    rejects: list[Reject]
    n_blank: int
    rejected_columns: dict[str, int]


def _fmt(v) -> str:
    if v is None or pd.isna(v):
        return "∞" if v is not None else ""
    return f"{v:.6g}"


def _per_category(cat: pd.Series, fn, fill=None) -> np.ndarray:
    """``fn`` applied to the distinct values of categorical ``cat`` (a Series of them in, an
    array-like out), taken back to every row by code; ``fill`` for missing cells."""
    c = cat.array
    vals = np.asarray(fn(pd.Series(np.asarray(c.categories, dtype=object), dtype=object)), dtype=object)
    return np.append(vals, np.array([fill], dtype=object))[np.where(c.codes < 0, len(vals), c.codes)]


def _group(*cats: pd.Series) -> np.ndarray:
    """One integer per distinct combination of the categorical columns ``cats`` (0 … k−1)."""
    key = np.zeros(len(cats[0]), np.int64)
    for c in cats:
        codes = c.array.codes.astype(np.int64) + 1
        key = pd.factorize(key * (int(codes.max(initial=0)) + 1) + codes)[0].astype(np.int64)
    return key


def _object(col: pd.Series) -> pd.Series:
    """A (categorical) column as plain objects, missing cells as None."""
    o = col.astype(object)
    return o.where(o.notna(), None)


def check(table: RawTable, lay: Layout, *, cat: pd.DataFrame, cities: CityResolver, source: str,
          year: int | None) -> ChunkResult:
    """Validate one chunk (see the module docstring). Text columns are categorical
    (:func:`~rbcity.data.ingest.columns.cells`): each check runs once per distinct text and
    reaches the rows by integer code; only the value column is parsed cell by cell."""
    file, sheet = table.file, table.sheet
    c, rejected_columns = cells(table, lay, year)
    plain = numbers.simple(c["value_raw"])  # plain decimal numbers: converted in bulk
    isblank = numbers.blank(c["value_raw"], plain).to_numpy()
    n_blank = int(isblank.sum())
    c = c[~isblank].reset_index(drop=True)
    plain = plain[~isblank] if plain is not None else None
    n = len(c)
    idx = c.index
    has = np.zeros(n, bool)
    reason = np.full(n, None, dtype=object)
    detail = np.full(n, "", dtype=object)
    rcol = np.full(n, "", dtype=object)
    rraw = np.full(n, "", dtype=object)

    def at(x, m, text=False):
        if callable(x):  # already the flagged rows' values
            x = x(m)
            return np.asarray(x, dtype=object).astype(str) if text else x
        if isinstance(x, pd.Series):
            x = x[m]
            return (x.astype(object).astype(str) if text else x.astype(object)).to_numpy()
        if isinstance(x, np.ndarray):
            return x[m]
        return x

    def flag(mask, code, msg, column, raw):
        """The first reason found for a cell is its reason; ``msg``/``column``/``raw`` are a
        value, a Series, an array or a function of the mask (computed for flagged rows only)."""
        m = np.asarray(mask, dtype=bool) & ~has
        if not m.any():
            return
        has[m] = True
        reason[m] = code
        detail[m] = at(msg, m)
        rcol[m] = at(column, m)
        rraw[m] = at(raw, m, text=True)

    # year: each distinct text once
    def years(v):
        return pd.to_numeric(v.astype(str).str.strip(), errors="coerce").to_numpy(dtype=float)

    yr = _per_category(c["year_raw"], years, np.nan).astype(float)
    bad_year = np.isnan(yr) | (yr != np.floor(yr))
    this_year = date.today().year
    flag(bad_year, "bad_year", "年份无效 not a year", lay.year_col or "", c["year_raw"])
    in_range = ~bad_year & (yr >= YEAR_MIN) & (yr <= this_year)
    flag(~bad_year & ~in_range, "year_out_of_range",
         f"年份超出范围 year outside {YEAR_MIN}–{this_year}", lay.year_col or "", c["year_raw"])
    c["year"] = pd.array(np.where(in_range, yr, np.nan), dtype="Float64").astype("Int64")

    # city: one resolution per distinct (code, name, province, level, year) key
    if n:
        grp = _group(c["code"], c["name"], c["province"], c["level_raw"], c["year_raw"])
        gids, first = np.unique(grp, return_index=True)
        ks = pd.DataFrame({k: _object(c[k].iloc[first]).to_numpy()
                           for k in ("code", "name", "province", "level_raw")})
        ks["year"] = _object(c["year"].iloc[first]).to_numpy()
        res = cities.frame(ks.reset_index(drop=True))
        pos = np.searchsorted(gids, grp)
        g_unit = res["unit_id"].to_numpy(dtype=object)
        g_reason = res["city_reason"].to_numpy(dtype=object)
        g_msg = res["city_msg"].to_numpy(dtype=object)
    else:
        pos = np.zeros(0, np.int64)
        g_unit = g_reason = g_msg = np.zeros(0, dtype=object)
    city_col = lay.code_col or lay.name_col
    for code in ROWWISE[:4]:
        hit = g_reason == code
        if hit.any():
            m_ = hit[pos]

            def city_raw(m):
                return np.where(c["code"].array.codes[m] >= 0, _object(c["code"][m]).astype(str),
                                _object(c["name"][m]).astype(str))

            flag(m_, code, lambda m: g_msg[pos[m]], city_col, city_raw)

    # indicator (and the 口径/price basis its header states)
    ind = c["indicator_id"].array
    flag(np.asarray(c["hdr_reason"] == "scope_mismatch"), "scope_mismatch", c["hdr_msg"], c["ind_col"], c["ind_raw"])
    flag(ind.codes < 0, "unknown_indicator",
         "未知指标 unknown indicator; 见 see `rbcity indicators`", c["ind_col"], c["ind_raw"])

    # number (a percent-formatted cell states its own unit: %)
    num = numbers.parse(c["value_raw"], plain)
    percent = num["percent"].to_numpy()
    flag(num["formula"].to_numpy(), "uncached_formula",
         "公式没有缓存值 formula without a cached value: 在 Excel 中打开并保存 open and save it in Excel, "
         "or paste values", c["column"], c["value_raw"])
    flag(num["is_bool"].to_numpy(), "not_a_number", "不是数值 not a number (true/false)", c["column"], c["value_raw"])
    flag(num["value"].isna().to_numpy(), "not_a_number", "不是数值 not a number", c["column"], c["value_raw"])

    # unit → factor to the catalogue unit: one per distinct (indicator, unit as written) pair
    ind_ids = np.asarray(ind.categories, dtype=object)
    cat_units = cat["unit"].reindex(ind_ids).to_numpy(dtype=object)
    unit_cat = c["unit_raw"].array
    ucodes = np.where(percent, -2, unit_cat.codes.astype(np.int64))  # -2: the cell says %
    pair = pd.factorize((ind.codes.astype(np.int64) + 1) * (len(unit_cat.categories) + 3) + ucodes + 2)[0]
    npair = int(pair.max(initial=-1)) + 1
    pf = np.full(npair + 1, np.nan)
    pc_ = np.full(npair + 1, None, object)
    pm = np.full(npair + 1, "", object)
    ok_ind = ind.codes >= 0
    if n:
        pids, pfirst = np.unique(pair, return_index=True)
        for j, r in zip(pids, pfirst, strict=True):
            if not ok_ind[r]:
                continue
            u = "%" if ucodes[r] == -2 else (None if ucodes[r] == -1 else unit_cat.categories[ucodes[r]])
            try:
                pf[j] = factor(u, cat_units[ind.codes[r]])
            except UnitProblem as exc:
                pc_[j], pm[j] = exc.code, str(exc)
    pair = np.where(ok_ind, pair, npair)  # rows without an indicator: no factor, no unit reason
    fac = pf[pair]
    ucode = pc_[pair]

    def unit_shown(m):
        return np.where(percent[m], "%", _object(c["unit_raw"][m]).where(lambda s: s.notna(), "").astype(str))

    for code in ("unit_missing", "unit_incompatible"):
        flag(ucode == code, code,
             lambda m: pm[pair[m]] + np.where(percent[m], " (单元格为百分比格式 the cell is formatted as percent)", ""),
             c["unit_col"], unit_shown)

    # value in the catalogue unit, at the precision the source states; range
    val = numbers.round_to_source(num["value"] * fac, num["decimals"], pd.Series(fac, index=idx)).to_numpy()
    lo_c = pd.to_numeric(cat["min_value"].reindex(ind_ids), errors="coerce").to_numpy(dtype=float)
    hi_c = pd.to_numeric(cat["max_value"].reindex(ind_ids), errors="coerce").to_numpy(dtype=float)
    icode = np.where(ok_ind, ind.codes, len(ind_ids))
    lo, hi = np.append(lo_c, np.nan)[icode], np.append(hi_c, np.nan)[icode]
    with np.errstate(invalid="ignore"):
        out = ((~np.isnan(lo) & (val < lo)) | (~np.isnan(hi) & (val > hi))) & ~has

    def range_msg(m):
        u = np.append(cat_units, "")[icode[m]].astype(str)
        f_ = fac[m]
        return np.array([f"超出有效范围 outside the valid range [{_fmt(a)}, {_fmt(b)}] {uu}: {_fmt(v)} {uu}"
                         + (f" (converted ×{_fmt(ff)})" if ff != 1 else "")
                         for a, b, uu, v, ff in zip(lo[m], hi[m], u, val[m], f_, strict=True)], dtype=object)

    flag(out, "out_of_range", range_msg, c["column"], c["value_raw"])

    rej = c[has].assign(value=val[has], percent_cell=percent[has])
    rej = rej.astype({k: object for k in rej.columns if isinstance(rej[k].dtype, pd.CategoricalDtype)})
    ri = rej.index
    rejects = _rejects(rej, pd.Series(reason[has], index=ri, dtype=object), pd.Series(detail[has], index=ri),
                       pd.Series(rcol[has], index=ri), pd.Series(rraw[has], index=ri), lay, file, sheet)
    ok = ~has
    # accepted values, compact: categoricals by code, never a string per row
    src = c["source_raw"].array
    src_vals = pd.Series(np.asarray(src.categories, dtype=object), dtype=object)
    src_vals = src_vals.where(src_vals.astype(str).str.strip() != "", source).astype(str).tolist() + [source]
    accepted = pd.DataFrame({
        "unit_id": _by_code(g_unit, pos[ok]),
        "year": c["year"][ok].astype("int16").to_numpy(),
        "indicator_id": _by_code(ind_ids, ind.codes[ok]),
        "value": val[ok].astype(float),
        "unit": _by_code(cat_units, icode[ok]),
        "source": _by_code(np.array(src_vals, dtype=object), np.where(src.codes < 0, len(src_vals) - 1, src.codes)[ok]),
        "row": c["row"][ok].astype("int32").to_numpy(),
        "column": _by_code(np.asarray(c["column"].array.categories, dtype=object), c["column"].array.codes[ok])})
    return ChunkResult(accepted, rejects, n_blank, rejected_columns)


def _by_code(values: np.ndarray, codes: np.ndarray) -> pd.Categorical:
    """Row ``i`` takes ``values[codes[i]]``, as a categorical of text with only the values used
    (``values`` small: one per distinct city, indicator, unit …)."""
    codes = np.asarray(codes, dtype=np.int64)
    used = np.unique(codes)
    inv, cats = pd.factorize(pd.Series(np.asarray(values, dtype=object)[used], dtype=object).astype(str))
    remap = np.zeros(len(values) if len(values) else 1, np.int64)
    remap[used] = inv
    return pd.Categorical.from_codes(remap[codes], categories=pd.Index(cats, dtype=str))


def _rejects(c, reason, detail, rcol, rraw, lay: Layout, file, sheet) -> list[Reject]:
    has = reason.notna()
    if not has.any():
        return []
    rej = c[has].assign(reason_code=reason[has], reason=detail[has], rcol=rcol[has], rraw=rraw[has])
    # a header without a usable unit loses the whole column: one reject per column (wide)
    colwise = rej["reason_code"].isin(["unit_missing", "unit_incompatible"]) & ~rej["percent_cell"]
    if lay.kind == "wide" and colwise.any():
        cw = rej[colwise]
        cnt = cw.groupby("column")["row"].transform("size")
        cw = cw.assign(row=None, rraw=cw["unit_raw"].where(cw["unit_raw"].notna(), "").astype(str),
                       reason=cw["reason"] + "：列 column " + cw["column"].map(repr) + " 未导入 not imported ("
                       + cnt.astype(str) + " values); 用 --map 'HEADER=INDICATOR:UNIT' 注明单位 state the unit")
        rej = pd.concat([rej[~colwise], cw.drop_duplicates(["column", "reason_code"])])
    # a bad city or year loses the whole row: one reject per row, not per cell
    rowwise = rej["reason_code"].isin(ROWWISE)
    if lay.kind == "wide" and rowwise.any():
        rw = rej[rowwise]
        cnt = rw.groupby(["row", "reason_code"])["column"].transform("size")
        rw = rw.assign(reason=rw["reason"] + "（本行 " + cnt.astype(str) + " 个数值未导入 values in this row not imported）")
        rej = pd.concat([rej[~rowwise], rw.drop_duplicates(["row", "reason_code"])])
    rej = rej.sort_values(["row"], kind="stable", na_position="first")
    return [Reject(file, sheet, None if r is None or pd.isna(r) else int(r), str(col), str(v), code, str(msg))
            for r, col, v, code, msg in zip(rej["row"], rej["rcol"], rej["rraw"], rej["reason_code"],
                                            rej["reason"], strict=True)]


def column_rejects(lay: Layout, counts: dict[str, int], file: str, sheet: str) -> list[Reject]:
    """One reject per rejected wide column that held values (its reason from the header)."""
    out = []
    for col, n in counts.items():
        if not n:
            continue
        hd = lay.value_columns[col]
        code = hd.reason_code or "unknown_indicator"
        msg = hd.reason or f"{label(code)} {col!r}"
        out.append(Reject(file, sheet, None, col, col, code, f"{msg}: 列 column {col!r} 未导入 not imported ({n} values)"))
    return out


SHOWN_ROWS = 20


def _row_list(rows: pd.Series) -> str:
    """The rows of one repeated key, the first ``SHOWN_ROWS`` of them named."""
    shown = ", ".join(map(str, rows.iloc[:SHOWN_ROWS]))
    return shown if len(rows) <= SHOWN_ROWS else f"{shown} … ({len(rows):,} 行 rows in all)"


def duplicates(acc: pd.DataFrame, file: str, sheet: str) -> tuple[pd.DataFrame, list[Reject], int]:
    """Keys repeated in the file: equal values (after conversion to the catalogue unit and
    rounding) are one value; different values reject every copy. Returns the kept rows, the
    rejects and the number of equal repeats dropped."""
    key = ["unit_id", "year", "indicator_id"]
    if acc.empty:
        return acc, [], 0
    dup = repeated(frame_keys(acc))  # int64 keys: no hash table of millions of tuples
    if not dup.any():
        return acc, [], 0
    d = acc[dup]
    nun = d.groupby(key, observed=True)["value"].transform("nunique")
    conflict = d[(nun > 1).to_numpy()]
    rejects = []
    if len(conflict):
        # at most SHOWN_ROWS row numbers per key: 200,000 copies of one key must not make
        # 200,000 messages of 200,000 numbers each
        rows_by_key = conflict.groupby(key, observed=True)["row"].apply(_row_list)
        others = conflict.join(rows_by_key.rename("others"), on=key)["others"]
        rejects = [Reject(file, sheet, int(r), str(col), _fmt(v), "duplicate_conflict",
                          f"文件内重复且数值不同 same city/year/indicator with different values in rows {o}")
                   for r, col, v, o in zip(conflict["row"], conflict["column"], conflict["value"], others, strict=True)]
    same = d[(nun == 1).to_numpy()]
    extra = same.index[same.duplicated(key, keep="first").to_numpy()]
    drop = conflict.index.union(extra)
    return acc.drop(index=drop), rejects, len(extra)
