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


def check(table: RawTable, lay: Layout, *, cat: pd.DataFrame, cities: CityResolver, source: str,
          year: int | None) -> ChunkResult:
    """Validate one chunk (see the module docstring)."""
    file, sheet = table.file, table.sheet
    c, rejected_columns = cells(table, lay, year)
    isblank = numbers.blank(c["value_raw"])
    n_blank = int(isblank.sum())
    c = c[~isblank.to_numpy()].reset_index(drop=True)
    idx = c.index
    reason = pd.Series(pd.NA, index=idx, dtype=object)
    detail = pd.Series("", index=idx, dtype=object)
    rcol = pd.Series("", index=idx, dtype=object)
    rraw = pd.Series("", index=idx, dtype=object)

    def flag(mask, code, msg, column, raw):
        m = mask & reason.isna()
        if not m.any():
            return
        reason[m] = code
        detail[m] = msg[m] if isinstance(msg, pd.Series) else msg
        rcol[m] = column[m] if isinstance(column, pd.Series) else column
        rraw[m] = raw[m].astype(str) if isinstance(raw, pd.Series) else raw

    # year
    yr = pd.to_numeric(c["year_raw"].astype(str).str.strip(), errors="coerce")
    bad_year = yr.isna() | (yr != np.floor(yr))
    this_year = date.today().year
    flag(bad_year, "bad_year", "年份无效 not a year", lay.year_col or "", c["year_raw"])
    flag(~bad_year & ((yr < YEAR_MIN) | (yr > this_year)), "year_out_of_range",
         f"年份超出范围 year outside {YEAR_MIN}–{this_year}", lay.year_col or "", c["year_raw"])
    c["year"] = yr.where(~bad_year & (yr >= YEAR_MIN) & (yr <= this_year)).astype("Int64")

    # city: one resolution per distinct key
    keycols = ["code", "name", "province", "level_raw", "year"]
    k = c[keycols].astype(object)
    k = k.where(k.notna(), None)
    if len(k):
        grp = k.groupby(keycols, dropna=False, sort=False).ngroup().to_numpy()
        gids, first = np.unique(grp, return_index=True)
        res = cities.frame(k.iloc[first].reset_index(drop=True))
        pos = np.searchsorted(gids, grp)
        for col in ("unit_id", "city_reason", "city_msg"):
            c[col] = res[col].to_numpy(dtype=object)[pos]
    else:
        c = c.assign(unit_id=None, city_reason=None, city_msg="")
    city_col = lay.code_col or lay.name_col
    city_raw = c["code"].where(c["code"].notna(), c["name"]).astype(str)
    cr = c["city_reason"]
    for code in ROWWISE[:4]:
        flag(cr == code, code, c["city_msg"], city_col, city_raw)

    # indicator (and the 口径/price basis its header states)
    hr = c["hdr_reason"]
    flag(hr == "scope_mismatch", "scope_mismatch", c["hdr_msg"], c["ind_col"], c["ind_raw"])
    flag(c["indicator_id"].isna(), "unknown_indicator",
         "未知指标 unknown indicator; 见 see `rbcity indicators`", c["ind_col"], c["ind_raw"])

    # number (a percent-formatted cell states its own unit: %)
    num = numbers.parse(c["value_raw"])
    flag(num["formula"], "uncached_formula",
         "公式没有缓存值 formula without a cached value: 在 Excel 中打开并保存 open and save it in Excel, "
         "or paste values", c["column"], c["value_raw"])
    flag(num["is_bool"], "not_a_number", "不是数值 not a number (true/false)", c["column"], c["value_raw"])
    flag(num["value"].isna(), "not_a_number", "不是数值 not a number", c["column"], c["value_raw"])
    unit_raw = c["unit_raw"].astype(object).where(~num["percent"].to_numpy(), "%")

    # unit → factor to the catalogue unit
    c["cat_unit"] = c["indicator_id"].map(cat["unit"])
    ok_ind = c["indicator_id"].notna().to_numpy()
    ukey = unit_raw.where(unit_raw.notna(), "\x00").astype(str)
    pair = c["indicator_id"].astype(str) + "\x01" + ukey
    # one factor per distinct (indicator, unit) pair; rows take it by integer code
    codes, uniq = pd.factorize(pair.to_numpy(dtype=object))
    pf, pc, pm = np.full(len(uniq) + 1, np.nan), np.full(len(uniq) + 1, pd.NA, object), np.full(len(uniq) + 1, "", object)
    for j in np.unique(codes[ok_ind]):
        ind, ur = uniq[j].split("\x01", 1)
        try:
            pf[j] = factor(None if ur == "\x00" else ur, cat.at[ind, "unit"])
        except UnitProblem as exc:
            pc[j], pm[j] = exc.code, str(exc)
    codes = np.where(ok_ind, codes, len(uniq))  # rows without an indicator: no factor, no unit reason
    fac = pd.Series(pf[codes], index=idx)
    ucode = pd.Series(pc[codes], index=idx, dtype=object)
    umsg = pd.Series(pm[codes], index=idx, dtype=object)
    for code in ("unit_missing", "unit_incompatible"):
        flag(ucode == code, code, umsg + np.where(num["percent"], " (单元格为百分比格式 the cell is formatted as percent)", ""),
             c["unit_col"], unit_raw.where(unit_raw.notna(), "").astype(str))

    # value in the catalogue unit, at the precision the source states; range
    val = numbers.round_to_source(num["value"] * fac, num["decimals"], fac)
    lo = c["indicator_id"].map(cat["min_value"]).astype(float)
    hi = c["indicator_id"].map(cat["max_value"]).astype(float)
    out = ((lo.notna() & (val < lo)) | (hi.notna() & (val > hi))) & reason.isna()
    rng = pd.Series("", index=idx, dtype=object)
    if out.any():
        u, f_ = c.loc[out, "cat_unit"].astype(str), fac[out]
        rng[out] = ("超出有效范围 outside the valid range [" + lo[out].map(_fmt) + ", " + hi[out].map(_fmt) + "] "
                    + u + ": " + val[out].map(_fmt) + " " + u
                    + np.where(f_ != 1, " (converted ×" + f_.map(_fmt) + ")", ""))
    flag(out, "out_of_range", rng, c["column"], c["value_raw"])

    rejects = _rejects(c.assign(value=val, percent_cell=num["percent"].to_numpy()), reason, detail, rcol, rraw, lay, file, sheet)
    ok = reason.isna().to_numpy()
    acc = c[ok]
    src = acc["source_raw"].astype(object)
    src = src.where(src.notna() & (src.astype(str).str.strip() != ""), source).astype(str)
    accepted = pd.DataFrame({
        "unit_id": pd.Categorical(acc["unit_id"].astype(str)), "year": acc["year"].astype("int16").to_numpy(),
        "indicator_id": pd.Categorical(acc["indicator_id"].astype(str)), "value": val[ok].to_numpy(dtype=float),
        "unit": pd.Categorical(acc["cat_unit"].astype(str)), "source": pd.Categorical(src),
        "row": acc["row"].astype("int32").to_numpy(), "column": pd.Categorical(acc["column"].astype(str))})
    return ChunkResult(accepted, rejects, n_blank, rejected_columns)


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
