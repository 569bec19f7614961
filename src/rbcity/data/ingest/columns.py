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


def as_category(values, n: int | None = None) -> pd.Categorical:
    """A column as a categorical, in order of appearance (each distinct text is then handled
    once; Arrow text is dictionary-encoded in C). ``values`` None: ``n`` missing cells."""
    if values is None:
        return pd.Categorical.from_codes(np.full(n, -1, np.int8), categories=pd.Index([], dtype=object))
    codes, uniq = pd.factorize(values, use_na_sentinel=True)
    return pd.Categorical.from_codes(codes, categories=uniq)


def _constant_per_part(values: list, part: np.ndarray) -> pd.Categorical:
    """Row ``i`` takes ``values[part[i]]`` (one value per wide column), as a categorical."""
    codes, uniq = pd.factorize(np.array(values, dtype=object), use_na_sentinel=True)
    return pd.Categorical.from_codes(codes[part], categories=uniq)


def cells(table: RawTable, lay: Layout, year: int | None) -> tuple[pd.DataFrame, dict[str, int]]:
    """One row per value cell (``row, code, name, province, level_raw, year_raw, source_raw,
    column, ind_raw, value_raw, unit_raw, indicator_id, ind_col, unit_col, hdr_reason, hdr_msg``),
    and for wide layouts the count of non-blank cells of each rejected column.

    Every column but ``row`` and ``value_raw`` is categorical: a file of a million values has a
    few thousand distinct cities and a few dozen indicators, and the checks run once per
    distinct text (:mod:`~rbcity.data.ingest.validate`)."""
    df = table.frame
    n = len(df)

    def col(c):
        return as_category(df[c] if c is not None else None, n)

    keys = {"code": col(lay.code_col), "name": col(lay.name_col), "province": col(lay.prov_col),
            "level_raw": col(lay.level_col),
            "year_raw": col(lay.year_col) if lay.year_col else as_category(np.full(n, str(year), dtype=object)),
            "source_raw": col(lay.src_col)}
    rows = table.rows.to_numpy()
    if lay.kind == "long":
        raw = as_category(df[lay.ind_col])
        # each distinct indicator text is parsed once; rows take its result by integer code
        heads = [parse_header(v) if str(v).strip() else None for v in raw.categories]

        def per_row(attr):
            vals = [getattr(h, attr) if h is not None else None for h in heads] + [None]
            return _constant_per_part(vals, np.where(raw.codes < 0, len(heads), raw.codes))

        unit_raw = col(lay.unit_col)
        hunit = per_row("unit")
        # a unit inside the indicator text (地区生产总值_万元) counts where the unit column is blank
        if lay.unit_col:
            ublank = blank(pd.Series(unit_raw.categories, dtype=object)).to_numpy()
            ub = np.where(unit_raw.codes < 0, True, ublank[np.maximum(unit_raw.codes, 0)] if len(ublank) else True)
        else:
            ub = np.ones(n, bool)
        use_h = ub & (hunit.codes >= 0)
        if use_h.any():
            merged = np.where(use_h, hunit.astype(object), unit_raw.astype(object))
            unit_raw = as_category(pd.Series(merged, dtype=object))
        const = np.zeros(n, np.int64)
        out = pd.DataFrame({"row": rows, **keys, "column": _constant_per_part([lay.val_col], const),
                            "ind_raw": raw, "value_raw": df[lay.val_col].array, "unit_raw": unit_raw,
                            "ind_col": _constant_per_part([lay.ind_col], const),
                            "unit_col": _constant_per_part([lay.unit_col or ""], const),
                            "indicator_id": per_row("indicator_id"), "hdr_reason": per_row("reason_code"),
                            "hdr_msg": per_row("reason")})
        return out, {}
    used, rejected = [], {}
    for c, hd in lay.value_columns.items():
        if hd.indicator_id is None:
            rejected[c] = int((~blank(df[c])).sum())
            continue
        used.append((c, hd))
    k = len(used)
    part = np.repeat(np.arange(k), n)

    def rep(cat: pd.Categorical) -> pd.Categorical:
        return pd.Categorical.from_codes(np.tile(cat.codes, k), categories=cat.categories)

    value_raw = (pd.concat([df[c] for c, _ in used], ignore_index=True).array if k
                 else pd.array([], dtype=object))
    out = pd.DataFrame({"row": np.tile(rows, k), **{name: rep(v) for name, v in keys.items()},
                        "column": _constant_per_part([c for c, _ in used], part),
                        "ind_raw": _constant_per_part([c for c, _ in used], part),
                        "value_raw": value_raw,
                        "unit_raw": _constant_per_part([hd.unit for _, hd in used], part),
                        "indicator_id": _constant_per_part([hd.indicator_id for _, hd in used], part),
                        "ind_col": _constant_per_part([c for c, _ in used], part),
                        "unit_col": _constant_per_part([c for c, _ in used], part),
                        "hdr_reason": _constant_per_part([None] * k, part),
                        "hdr_msg": _constant_per_part([""] * k, part)})
    return out, rejected
