"""Yearbook tables as statistics offices publish them (XLSX, tab-separated .txt, CSV).

The shape handled: title line(s) above the header (``2015年 地区生产总值``, ``单位：万元``), a
header row with the city column, optionally a second header row under merged indicator cells
(``地区生产总值`` over ``全市`` | ``市辖区``) and/or a units row (``万元``, ``（万人）``), data rows,
and notes rows at the bottom (``注：…``, ``资料来源：…``) which are skipped and counted. Each value
column becomes one flat header ``指标_口径_单位`` that :func:`~rbcity.data.catalogue.match_header`
maps, 口径 included (a 市辖区 column never lands on a 全市 indicator). The year comes from a year
column, else from the title (``2015年``), else ``--year``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from rbcity.data.catalogue import PRICE_OF_TOKEN, SCOPE_OF_TOKEN, SCOPE_TOKENS
from rbcity.data.formats.colmap import auto_map
from rbcity.data.reader import CITY_CODE_COLUMNS, CITY_NAME_COLUMNS, RawTable, ReadProblem, _decode
from rbcity.data.units import is_unit_token, normalise_unit

CITY_HEADERS = {h.lower() for h in (*CITY_NAME_COLUMNS, *CITY_CODE_COLUMNS)}
KEY_HEADERS = {"year", "年份", "年度", "年", "province", "省", "省份", "省区", "source", "来源", "数据来源"}
NOTE_START = re.compile(r"^\s*(注|说明|资料来源|数据来源|备注|note|source|\*)", re.I)
TABLE_UNIT = re.compile(r"单位\s*[:：]\s*([^\s,，;；)）]+)")
TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
BRACKET_UNIT = re.compile(r"^(.*?)\s*[(（]\s*([^()（）]+?)\s*[)）]\s*$")
MAX_HEADER_ROW = 20


def _s(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _unit_cell(t: str) -> str | None:
    """A cell that is only a unit: ``万元``, ``（万元）``, ``单位：万元``."""
    t = t.strip()
    m = TABLE_UNIT.fullmatch(t) or re.fullmatch(r"[(（]\s*([^()（）]+?)\s*[)）]", t)
    u = m.group(1) if m else t
    return normalise_unit(u) if u and is_unit_token(u) else None


def _is_sub_header(row: list[str], city_j: int) -> bool:
    cells = [c for j, c in enumerate(row) if c and j != city_j]
    return bool(cells) and not row[city_j] and all(
        c in SCOPE_TOKENS or c in PRICE_OF_TOKEN or _unit_cell(c) for c in cells)


def parse_grid(grid: list[list], suffix: str = "") -> dict | None:
    """Header, body and facts of a yearbook grid (list of rows of cells), or None when the grid
    has no city header in its first rows. Keys: ``headers`` (flat), ``body`` (rows), ``rows``
    (1-based row numbers), ``year`` (from the title, or None), ``yearbook`` (True when any
    yearbook feature was seen), ``notes`` (what was skipped)."""
    g = [[_s(v) for v in r] for r in grid]
    width = max((len(r) for r in g), default=0)
    g = [r + [""] * (width - len(r)) for r in g]
    hdr = next((i for i, r in enumerate(g[:MAX_HEADER_ROW]) if any(c.lower() in CITY_HEADERS for c in r)), None)
    if hdr is None:
        return None
    top = g[hdr]
    city_j = next(j for j, c in enumerate(top) if c.lower() in CITY_HEADERS)
    above = " ".join(c for r in g[:hdr] for c in r if c)
    m_unit, m_year = TABLE_UNIT.search(above), TITLE_YEAR.search(above)
    table_unit = normalise_unit(m_unit.group(1)) if m_unit and is_unit_token(m_unit.group(1)) else None
    subs = []
    i = hdr + 1
    while i < len(g) and len(subs) < 3 and _is_sub_header(g[i], city_j):
        subs.append(g[i])
        i += 1
    if subs:  # CSV/TXT have no merge information: an indicator spans the blanks to its right
        last = ""
        for j in range(width):
            if top[j]:
                last = top[j]
            elif any(s[j] for s in subs) and j != city_j:
                top[j] = last
    headers, notes = [], []
    for j in range(width):
        name = top[j] or f"column{j + 1}"
        if j == city_j or name.lower() in KEY_HEADERS or name.lower() in CITY_HEADERS:
            headers.append(name)
            continue
        unit = None
        m = BRACKET_UNIT.match(name)
        if m and is_unit_token(m.group(2)):
            name, unit = m.group(1), normalise_unit(m.group(2))
        scopes = [s[j] for s in subs if s[j] and (s[j] in SCOPE_OF_TOKEN or s[j] in PRICE_OF_TOKEN
                                                   or s[j] in SCOPE_TOKENS)]
        unit = unit or next((_unit_cell(s[j]) for s in subs if _unit_cell(s[j])), None) or table_unit
        headers.append("_".join([name, *scopes, *([unit] if unit else [])]))
    body, rows, n_notes = [], [], 0
    for k in range(i, len(g)):
        r = g[k]
        first = next((c for c in r if c), "")
        if not first:
            continue
        if NOTE_START.match(first) and not r[city_j] or NOTE_START.match(r[city_j] or ""):
            n_notes = len([x for x in g[k:] if any(x)])
            break
        body.append(r)
        rows.append(k + 1)
    if n_notes:
        notes.append(f"表尾 {n_notes} 行注释已跳过 notes rows skipped: {n_notes}")
    if subs:
        notes.append(f"两级表头 two-level header ({len(subs)} sub-row(s))")
    if table_unit:
        notes.append(f"表头单位 table unit: {table_unit}")
    yearbook = bool(subs or table_unit or n_notes or hdr > 0 or suffix == ".txt")
    year = int(m_year.group(1)) if m_year else None
    return dict(headers=headers, body=body, rows=rows, year=year, yearbook=yearbook, notes=notes,
                city_j=city_j)


def _grid_xlsx(path: Path, sheet: str | None) -> tuple[list[list], str]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception:  # noqa: BLE001 - the plain reader reports a broken file
        return [], ""
    names = wb.sheetnames
    if sheet is not None and sheet not in names:
        return [], ""
    for name in ([sheet] if sheet else names):
        ws = wb[name]
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        for rng in ws.merged_cells.ranges:  # a merged cell's value on every cell it covers
            v = ws.cell(rng.min_row, rng.min_col).value
            for rr in range(rng.min_row, rng.max_row + 1):
                for cc in range(rng.min_col, rng.max_col + 1):
                    if rr - 1 < len(grid) and cc - 1 < len(grid[rr - 1]):
                        grid[rr - 1][cc - 1] = v
        if any(_s(c).lower() in CITY_HEADERS for r in grid[:MAX_HEADER_ROW] for c in r):
            return grid, name
    return [], ""


def _grid_text(path: Path) -> list[list]:
    try:
        text, _ = _decode(path.read_bytes())
    except ReadProblem:
        return []
    sep = "\t" if "\t" in text[:5000] else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error:
        return []  # the plain reader reports what is wrong with it


def read(path: Path, sheet: str | None = None):
    """A :class:`~rbcity.data.formats.Prepared` for a yearbook table, None for a plain table."""
    from rbcity.data.formats import Prepared, peek_rows

    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt", ".tsv"):
        return None
    head = parse_grid(peek_rows(path, sheet), suffix)
    if head is None or not head["yearbook"]:
        return None  # a plain table: header in the first row, nothing under it but data
    if suffix in (".xlsx", ".xlsm"):
        grid, name = _grid_xlsx(path, sheet)
    elif suffix in (".csv", ".txt", ".tsv"):
        grid, name = _grid_text(path), ""
    else:
        return None
    got = parse_grid(grid, suffix) if grid else None
    if got is None or not got["yearbook"] or not got["body"]:
        return None
    heads, seen = list(got["headers"]), {}
    for j, h in enumerate(heads):  # repeated headers get .1, .2 … as pandas does for CSV
        seen[h] = seen.get(h, -1) + 1
        heads[j] = f"{h}.{seen[h]}" if seen[h] else h
    df = pd.DataFrame(got["body"], columns=heads).replace("", None)
    city = heads[got["city_j"]]
    df[city] = df[city].map(lambda v: None if v is None else re.sub(r"\s+", "", v))  # 北  京 → 北京
    keys = {city} | {h for h in heads if h.lower() in KEY_HEADERS | CITY_HEADERS}
    maps = [auto_map(h) for h in heads if h not in keys]
    rows = pd.Series(got["rows"], index=df.index)
    return Prepared(RawTable(df, rows, str(path), name), maps, "yearbook", got["notes"], got["year"])
