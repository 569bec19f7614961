"""Stata ``.dta`` export with variable labels (中文 / English, unit) for researchers (issue 13).

Stata variable names must be ASCII identifiers of ≤ 32 characters: indicator ids already are;
labels carry ``中文名 / English name (unit)`` (Stata 14+ reads UTF-8 labels; the 80-character
label limit is respected by shortening the English part). The long layout's ``value`` column is
labelled generically; its ``indicator_id`` and ``unit`` columns say what each row is.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rbcity.data.catalogue import load_catalogue

BASE_LABELS = {
    "unit_id": "单位代码 / unit id (rbcity)", "name": "名称 / name", "province": "省份 / province",
    "level": "级别 / level", "in_registry": "2013年资源型城市 / in the 2013 registry (1 = yes)",
    "year": "年份 / year", "indicator_id": "指标 / indicator id", "value": "数值 / value (see unit)",
    "unit": "单位 / unit", "source": "来源 / source", "revision": "修订号 / revision",
}
MAX_LABEL = 80


def label_for(indicator_id: str, cat: pd.DataFrame) -> str:
    """``地区生产总值 / GDP (万元)`` shortened to Stata's 80 characters."""
    r = cat.loc[indicator_id]
    text = f"{r['name_zh']} / {r['name_en']} ({r['unit']})"
    if len(text) > MAX_LABEL:
        text = f"{r['name_zh']} ({r['unit']})"[:MAX_LABEL]
    return text


def write_dta(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` to ``path`` as Stata 118 (UTF-8) with variable labels."""
    import pyreadstat

    cat = load_catalogue().set_index("indicator_id")
    out = df.copy()
    labels = []
    for c in out.columns:
        if c in cat.index:
            labels.append(label_for(c, cat))
        else:
            labels.append(BASE_LABELS.get(c, c))
        if out[c].dtype == bool:
            out[c] = out[c].astype(int)
        elif out[c].dtype == object or str(out[c].dtype).startswith("string"):
            out[c] = out[c].astype(object).where(out[c].notna(), "").astype(str)
    out.columns = [str(c)[:32] for c in out.columns]
    pyreadstat.write_dta(out, str(path), column_labels=labels, version=15)
