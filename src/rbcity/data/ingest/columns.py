"""The layout of a table: which columns are keys (city code/name, province, level, year,
source) and which carry values — **long** (indicator + value [+ unit] columns) or **wide**
(one column per indicator, its header saying indicator, 口径, price basis and unit) — and the
table as one row per value cell.

Columns ``rbcity export`` writes beside the keys (``name``, ``level``, ``in_registry``,
``revision``) are keys or bookkeeping, never indicators.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rbcity.data.catalogue import qualifiers
from rbcity.data.ingest.headers import Header, parse_header
from rbcity.data.ingest.numbers import blank
from rbcity.data.ingest.table import CITY_CODE_COLUMNS, CITY_NAME_COLUMNS, RawTable, ReadProblem

PROVINCE_COLUMNS = ("province", "省", "省份", "省区")
YEAR_COLUMNS = ("year", "年份", "年度", "年")
INDICATOR_COLUMNS = ("indicator", "indicator_id", "指标", "指标名称", "指标代码", "variable")
VALUE_COLUMNS = ("value", "值", "数值", "数据", "指标值")
UNIT_COLUMNS = ("unit", "单位", "计量单位")
SOURCE_COLUMNS = ("source", "来源", "数据来源")
LEVEL_COLUMNS = ("level", "级别", "行政级别")
#: bookkeeping columns of rbcity's own exports: never indicators
BOOKKEEPING_COLUMNS = ("in_registry", "revision", "seq", "batch_id")


def pick(headers: list[str], names: tuple[str, ...]) -> str | None:
    """The first header equal (case-insensitively) to one of ``names``."""
    low = {str(h).strip().lower(): h for h in headers}
    for n in names:
        if n.lower() in low:
            return low[n.lower()]
    return None


@dataclass
class Layout:
    """Key columns and value columns of a table (found once, from its headers)."""

    kind: str  # long | wide
    code_col: str | None
    name_col: str | None
    year_col: str | None
    prov_col: str | None
    src_col: str | None
    level_col: str | None
    unit_col: str | None = None
    ind_col: str | None = None
    val_col: str | None = None
    #: wide: header → what it says (indicator_id None = rejected column, with its reason)
    value_columns: dict[str, Header] = field(default_factory=dict)


def find_layout(table: RawTable, columns: dict | None, year: int | None) -> Layout:
    """The :class:`Layout` of ``table``; :class:`ReadProblem` ``bad_layout`` when it has none."""
    headers = [str(c) for c in table.frame.columns]
    code_col, name_col = pick(headers, CITY_CODE_COLUMNS), pick(headers, CITY_NAME_COLUMNS)
    if code_col is None and name_col is None:
        where = f"工作表 sheet {table.sheet!r}: " if table.sheet else ""
        raise ReadProblem("bad_layout", f"{where}找不到城市列 no city column; expected one of: "
                          + ", ".join(CITY_NAME_COLUMNS[:4] + CITY_CODE_COLUMNS[:4]))
    year_col = pick(headers, YEAR_COLUMNS)
    if year_col is None and year is None:
        raise ReadProblem("bad_layout", "找不到年份列 no year column (年份/year); for a cross-section pass --year")
    lay = Layout("long", code_col, name_col, year_col, pick(headers, PROVINCE_COLUMNS),
                 pick(headers, SOURCE_COLUMNS), pick(headers, LEVEL_COLUMNS), pick(headers, UNIT_COLUMNS),
                 pick(headers, INDICATOR_COLUMNS), pick(headers, VALUE_COLUMNS))
    if lay.ind_col is not None and lay.val_col is not None:
        return lay
    lay.kind = "wide"
    skip = {c for c in (code_col, name_col, year_col, lay.prov_col, lay.src_col, lay.unit_col, lay.level_col) if c}
    skip |= {h for h in headers if h.strip().lower() in BOOKKEEPING_COLUMNS}
    if code_col is not None and code_col.lower() == "unit_id":  # an rbcity export: 'name' is a key
        skip |= {h for h in headers if h.strip().lower() == "name"}
    for c in headers:
        if c in skip:
            continue
        info = table.info(c)
        if columns and c in columns:
            ind, unit = columns[c]
            hd = parse_header(ind) if ind else Header(None, reason_code="unknown_indicator",
                                                       reason=f"--map {c!r}: no indicator")
            lay.value_columns[c] = Header(hd.indicator_id, unit, hd.scope, hd.price_basis, hd.reason_code, hd.reason)
        elif info.note:  # a reader that knows this column cannot be imported (issue 13)
            lay.value_columns[c] = Header(None, info.unit, info.scope, info.price_basis, "unknown_indicator", info.note)
        elif info.indicator_id:  # a reader that knows (a profile, a codebook)
            if info.indicator_id in qualifiers():
                lay.value_columns[c] = Header(info.indicator_id, info.unit, info.scope, info.price_basis)
            else:
                lay.value_columns[c] = Header(None, reason_code="unknown_indicator",
                                              reason=f"未知指标 unknown indicator {info.indicator_id!r} "
                                                     f"({info.matched_by or 'reader'})")
        else:
            hd = parse_header(c)
            if hd.indicator_id and hd.unit is None and info.unit:
                hd = Header(hd.indicator_id, info.unit, hd.scope, hd.price_basis)
            lay.value_columns[c] = hd
    if not lay.value_columns:
        raise ReadProblem("bad_layout", "没有指标列 no indicator columns (wide) and no indicator/value columns (long)")
    return lay


def cells(table: RawTable, lay: Layout, year: int | None) -> tuple[pd.DataFrame, dict[str, int]]:
    """One row per value cell (``row, code, name, province, level_raw, year_raw, source_raw,
    column, ind_raw, value_raw, unit_raw, indicator_id, ind_col, unit_col, hdr_reason, hdr_msg``),
    and for wide layouts the count of non-blank cells of each rejected column."""
    df = table.frame
    n = len(df)

    def col(c):
        return df[c].to_numpy(dtype=object) if c is not None else pd.Series([None] * n, dtype=object).to_numpy()

    base = pd.DataFrame({
        "row": table.rows.to_numpy(), "code": col(lay.code_col), "name": col(lay.name_col),
        "province": col(lay.prov_col), "level_raw": col(lay.level_col),
        "year_raw": col(lay.year_col) if lay.year_col else pd.Series([str(year)] * n).to_numpy(),
        "source_raw": col(lay.src_col)})
    if lay.kind == "long":
        raw = df[lay.ind_col]
        # each distinct indicator text is parsed once; rows take its result by integer code
        codes, uniq = pd.factorize(raw.to_numpy(dtype=object), use_na_sentinel=True)
        heads = [parse_header(v) if str(v).strip() else None for v in uniq]

        def per_row(attr):
            vals = np.array([getattr(h, attr) if h is not None else None for h in heads] + [None], dtype=object)
            return vals[codes]  # code -1 (a missing cell) takes the trailing None

        out = base.assign(column=lay.val_col, ind_raw=raw.to_numpy(dtype=object),
                          value_raw=df[lay.val_col].to_numpy(), unit_raw=col(lay.unit_col),
                          ind_col=lay.ind_col, unit_col=lay.unit_col or "")
        out["indicator_id"] = per_row("indicator_id")
        out["hdr_reason"] = per_row("reason_code")
        out["hdr_msg"] = per_row("reason")
        # a unit inside the indicator text (地区生产总值_万元) counts where the unit column is blank
        hunit = pd.Series(per_row("unit"), index=out.index)
        ublank = blank(out["unit_raw"]) if lay.unit_col else pd.Series(True, index=out.index)
        out["unit_raw"] = out["unit_raw"].where(~ublank.to_numpy() | hunit.isna(), hunit)
        return out, {}
    parts, rejected = [], {}
    for c, hd in lay.value_columns.items():
        vals = df[c]
        if hd.indicator_id is None:
            rejected[c] = int((~blank(vals)).sum())
            continue
        parts.append(base.assign(column=c, ind_raw=c, value_raw=vals.to_numpy(), unit_raw=hd.unit,
                                 indicator_id=hd.indicator_id, ind_col=c, unit_col=c, hdr_reason=None, hdr_msg=""))
    if parts:
        return pd.concat(parts, ignore_index=True), rejected
    empty = base.iloc[0:0].assign(column="", ind_raw="", value_raw=None, unit_raw=None, indicator_id=None,
                                  ind_col="", unit_col="", hdr_reason=None, hdr_msg="")
    return empty, rejected
