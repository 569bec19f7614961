"""``rbcity export``: the panel to CSV, XLSX or Parquet, long or wide, for Stata/R/Excel.

Long (one row per value): ``unit_id, name, province, level, in_registry, year, indicator_id,
value, unit, source, revision``. Wide (one row per unit-year, one column per indicator) comes
with a codebook (indicator, 中文名, English name, unit, dimension, sources, years): a second sheet
``codebook`` in XLSX, a ``*_codebook.csv`` file beside CSV/Parquet output. Wide CSV/XLSX headers
carry their unit (``gdp[万元]``); Parquet keeps plain ids (valid Stata/R variable names) and the
importer reads the units from the codebook beside it. Both layouts re-import with ``rbcity
import`` to the same values. XLSX holds at most 1,048,576 rows per sheet: more is a clear error.
Stata ``.dta`` carries the codebook as variable labels (中文 / English, unit).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.data.catalogue import load_catalogue
from rbcity.data.coverage import year_ranges
from rbcity.data.panel import load_panel, to_wide
from rbcity.errors import UserError

FORMATS = ("csv", "xlsx", "parquet", "dta")
XLSX_MAX_ROWS = 1_048_576  # Excel's sheet limit, header row included
LAYOUTS = ("long", "wide")


class ExportError(UserError, ValueError):
    """Bad export options (format, layout, filters)."""


#: a text cell starting with one of these is a formula to Excel/LibreOffice (OWASP "CSV injection")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """``value`` with a leading apostrophe when it is text a spreadsheet would run as a formula
    (``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``); anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` safe to open in a spreadsheet: text cells that start with = + - @, tab or CR
    get a leading apostrophe (OWASP's advice for CSV/XLSX exports). Only text columns change:
    numbers stay numbers (a negative value in a numeric column is not prefixed). Used by every
    CSV/XLSX writer — the CLI's export and the web API's downloads."""
    text = [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])]
    if not text:
        return df
    out = df.copy()
    for c in text:
        out[c] = out[c].map(neutralise_cell, na_action="ignore")
    return out


def _units(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(select(s.unit.c.unit_id, s.unit.c.name, s.unit.c.province, s.unit.c.level,
                                  s.unit.c.in_registry), conn)


def codebook(long_df: pd.DataFrame) -> pd.DataFrame:
    cat = load_catalogue()[["indicator_id", "name_zh", "name_en", "unit", "dimension", "direction", "definition"]]
    if long_df.empty:
        return cat.iloc[0:0]
    g = long_df.groupby("indicator_id")
    meta = pd.DataFrame({"sources": g["source"].apply(lambda x: "; ".join(sorted(set(x)))),
                         "years": g["year"].apply(year_ranges), "n_values": g.size()}).reset_index()
    return cat.merge(meta, on="indicator_id", how="inner")


def export_panel(engine: Engine, path, *, layout: str = "long", fmt: str | None = None,
                 indicators=None, years=None, registry_only: bool = False) -> dict:
    """Write the panel to ``path``; returns what was written (``rows``, ``files``)."""
    p = Path(path)
    fmt = (fmt or p.suffix.lstrip(".").lower() or "csv")
    fmt = {"pq": "parquet", "xls": "xlsx"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise ExportError(f"无效的格式 invalid format {fmt!r}; allowed: {', '.join(FORMATS)}")
    if layout not in LAYOUTS:
        raise ExportError(f"无效的布局 invalid layout {layout!r}; allowed: {', '.join(LAYOUTS)}")
    if indicators:
        known = set(load_catalogue()["indicator_id"])
        bad = [i for i in indicators if i not in known]
        if bad:
            raise ExportError(f"未知指标 unknown indicator(s): {', '.join(bad)}; 见 see `rbcity indicators`")
    long_df = load_panel(engine, indicators=indicators, years=years, registry_only=registry_only)
    units = _units(engine)
    p.parent.mkdir(parents=True, exist_ok=True)
    files = [str(p)]
    if layout == "long":
        out = long_df.merge(units, on="unit_id", how="left")[
            ["unit_id", "name", "province", "level", "in_registry", "year", "indicator_id", "value", "unit",
             "source", "revision"]]
        _write(out, p, fmt)
        return {"rows": len(out), "files": files}
    wide = to_wide(long_df).reset_index()
    out = units[["unit_id", "name", "province", "level", "in_registry"]].merge(wide, on="unit_id", how="inner")
    out = out.sort_values(["unit_id", "year"]).reset_index(drop=True)
    cb = codebook(long_df)
    if fmt == "dta":
        from rbcity.data.stata_export import write_dta

        write_dta(out, p)
        return {"rows": len(out), "files": files}
    if fmt != "parquet":  # headers say their unit, so the file re-imports on its own
        unit_of = dict(zip(cb["indicator_id"], cb["unit"], strict=True))
        out = out.rename(columns={i: f"{i}[{u}]" for i, u in unit_of.items()})
    _check_xlsx(out, fmt)
    if fmt == "xlsx":
        with pd.ExcelWriter(p) as xw:
            neutralise_formulas(out).to_excel(xw, sheet_name="panel", index=False)
            neutralise_formulas(cb).to_excel(xw, sheet_name="codebook", index=False)
    else:
        _write(out, p, fmt)
        cbp = p.with_name(p.stem + "_codebook.csv")
        neutralise_formulas(cb).to_csv(cbp, index=False, encoding="utf-8-sig")
        files.append(str(cbp))
    return {"rows": len(out), "files": files}


def _check_xlsx(df: pd.DataFrame, fmt: str) -> None:
    if fmt == "xlsx" and len(df) + 1 > XLSX_MAX_ROWS:
        raise ExportError(f"XLSX 最多 {XLSX_MAX_ROWS:,} 行 holds at most {XLSX_MAX_ROWS:,} rows per sheet; "
                          f"this export has {len(df):,} data rows: use CSV or Parquet, or filter "
                          "(--indicators, --years)")


def _write(df: pd.DataFrame, p: Path, fmt: str) -> None:
    _check_xlsx(df, fmt)
    if fmt in ("csv", "xlsx"):
        df = neutralise_formulas(df)
    if fmt == "dta":
        from rbcity.data.stata_export import write_dta

        write_dta(df, p)
    elif fmt == "csv":
        df.to_csv(p, index=False, encoding="utf-8-sig")  # BOM: Excel opens Chinese text correctly
    elif fmt == "xlsx":
        df.to_excel(p, index=False)
    else:
        df.to_parquet(p, index=False)
