"""Column mapping shown to the user, and matching from labels and glued units (issue 13).

:func:`map_column` is what a reader with variable labels (Stata/SPSS) uses: the label first, then
the name, each parsed by :func:`~rbcity.data.ingest.headers.parse_header` (口径/price tokens
honoured) and, failing that, with a unit glued to the end of a Chinese name split off
(``地区生产总值万元`` → 地区生产总值, 万元). Nothing is matched by similarity.
:func:`mapping_rows` is the table ``rbcity import`` prints: column → indicator, unit, 口径, how.
"""

from __future__ import annotations

from rbcity.data.catalogue import qualifiers
from rbcity.data.ingest.headers import parse_header
from rbcity.data.ingest.table import ColumnInfo
from rbcity.data.units import is_unit_token, normalise_unit


def split_glued_unit(text: str) -> tuple[str, str | None]:
    """``地区生产总值万元`` → (``地区生产总值``, ``万元``): the longest known non-ASCII unit at the end."""
    t = str(text).strip()
    for n in range(min(8, len(t) - 1), 0, -1):
        tail = t[-n:]
        if is_unit_token(tail) and not tail.isascii():
            return t[:-n], normalise_unit(tail)
    return t, None


def map_column(header: str, label: str | None = None) -> ColumnInfo:
    """A :class:`ColumnInfo` for a column known by its name and an optional variable label."""
    tries = ([(label, "label")] if label and label != header else []) + [(header, "header")]
    reasons = []
    for text, how in tries:
        hd = parse_header(text)
        if hd.indicator_id is None and hd.reason_code == "unknown_indicator":
            name, unit = split_glued_unit(text)
            if unit:
                hd2 = parse_header(name)
                if hd2.indicator_id or hd2.reason_code != "unknown_indicator":
                    hd, how = type(hd2)(hd2.indicator_id, unit, hd2.scope, hd2.price_basis,
                                        hd2.reason_code, hd2.reason), f"{how} name+unit"
        if hd.indicator_id:
            return ColumnInfo(header, label, hd.indicator_id, hd.unit, hd.scope, hd.price_basis, how)
        reasons.append(hd.reason)
    return ColumnInfo(header, label, note=reasons[0] if reasons else None)


def mapping_rows(table, lay, columns: dict | None) -> list[dict]:
    """One row per value column of a wide layout: column, label, indicator, unit, scope,
    price_basis, matched_by, note."""
    if table is None or lay is None or lay.kind != "wide":
        return []
    q = qualifiers()
    out = []
    for c, hd in lay.value_columns.items():
        info = table.info(c)
        how = ("--map" if columns and c in columns else info.matched_by if info.indicator_id
               else "header" if hd.indicator_id else "unmapped")
        ind = hd.indicator_id
        out.append(dict(column=c, label=info.label or "", indicator=ind, unit=hd.unit or "",
                        scope=q[ind][0] if ind in q else (hd.scope or ""),
                        price_basis=q[ind][1] if ind in q else (hd.price_basis or ""),
                        matched_by=how, note="" if ind else (hd.reason or "")))
    return out
