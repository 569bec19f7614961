"""Yearbook tables as statistics offices publish them (XLSX, tab-separated .txt, CSV) — issue 13.

The shape handled: title line(s) above the header (``2015年 地区生产总值``, ``单位：万元``), a
header row with the city column, optionally a second header row under merged indicator cells
(``地区生产总值`` over ``全市`` | ``市辖区``) and/or a units row (``万元``, ``（万人）``), data rows,
and notes rows at the bottom (``注：…``, ``资料来源：…``), skipped and counted. Each value column
becomes one flat header ``指标_口径_单位`` for :mod:`~rbcity.data.ingest.headers` (a 市辖区 column
never lands on a 全市 indicator). Without a year column, the title's year (``2016年``) becomes a
``年份`` column (said in the notes); else ``--year``. A table with none of these features is left
to the plain CSV/XLSX reader.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from rbcity.data.ingest.headers import PRICES, SCOPES
from rbcity.data.ingest.limits import Limits
from rbcity.data.ingest.readers import Reader, readers, register
from rbcity.data.ingest.table import CITY_CODE_COLUMNS, CITY_NAME_COLUMNS, RawTable, dedupe_headers
from rbcity.data.units import is_unit_token, normalise_unit

CITY_HEADERS = {h.lower() for h in (*CITY_NAME_COLUMNS, *CITY_CODE_COLUMNS)}
KEY_HEADERS = {"year", "年份", "年度", "年", "province", "省", "省份", "省区", "source", "来源", "数据来源"}
NOTE_START = re.compile(r"^\s*(注|说明|资料来源|数据来源|备注|note|source|\*)", re.I)
TABLE_UNIT = re.compile(r"单位\s*[:：]\s*([^\s,，;；)）]+)")
TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
BRACKET_UNIT = re.compile(r"^(.*?)\s*[(（]\s*([^()（）]+?)\s*[)）]\s*$")
MAX_HEADER_ROW = 20
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv")


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
    return bool(cells) and not row[city_j] and all(c in SCOPES or c in PRICES or _unit_cell(c) for c in cells)


def parse_grid(grid: list[list], suffix: str = "") -> dict | None:
    """Header, body and facts of a yearbook grid (rows of cells), None when its first rows have
    no city header. Keys: ``headers`` (flat), ``body``, ``rows`` (1-based), ``year`` (title),
    ``yearbook`` (any yearbook feature seen), ``notes``, ``city_j``."""
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
    if subs:  # text files have no merge information: an indicator spans the blanks to its right
        last = ""
        for j in range(width):
            if top[j]:
                last = top[j]
            elif any(s[j] for s in subs) and j != city_j:
                top[j] = last
    headers = []
    for j in range(width):
        name = top[j] or f"column{j + 1}"
        if j == city_j or name.lower() in KEY_HEADERS or name.lower() in CITY_HEADERS:
            headers.append(name)
            continue
        unit = None
        m = BRACKET_UNIT.match(name)
        if m and is_unit_token(m.group(2)):
            name, unit = m.group(1), normalise_unit(m.group(2))
        quals = [s[j] for s in subs if s[j] and (s[j] in SCOPES or s[j] in PRICES)]
        unit = unit or next((_unit_cell(s[j]) for s in subs if _unit_cell(s[j])), None) or table_unit
        headers.append("_".join([name, *quals, *([unit] if unit else [])]))
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
    notes = []
    if n_notes:
        notes.append(f"表尾 {n_notes} 行注释已跳过 notes rows skipped: {n_notes}")
    if subs:
        notes.append(f"两级表头 two-level header ({len(subs)} sub-row(s))")
    if table_unit:
        notes.append(f"表头单位 table unit: {table_unit}")
    yearbook = bool(subs or table_unit or n_notes or hdr > 0 or suffix == ".txt")
    return dict(headers=headers, body=body, rows=rows, year=int(m_year.group(1)) if m_year else None,
                yearbook=yearbook, notes=notes, city_j=city_j)


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return ""


def _text_rows(text: str) -> list[list]:
    sep = "\t" if "\t" in text[:5000] else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error:
        return []


def peek_rows(path: Path, sheet: str | None = None, n: int = MAX_HEADER_ROW) -> list[list]:
    """The first ``n`` rows of a text table or XLSX sheet (no full read); [] when unreadable."""
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                ws = wb[sheet] if sheet in wb.sheetnames else wb[wb.sheetnames[0]]
                return [list(r) for r in ws.iter_rows(max_row=n, values_only=True)]
            finally:
                wb.close()
        with open(path, "rb") as fh:
            head = fh.read(64 * 1024)
        return _text_rows("\n".join(_decode(head).splitlines()[:n]))
    except Exception:  # noqa: BLE001 - damaged files: the plain reader reports them
        return []


def fallback(path: Path, me: str, sheet: str | None, limits: Limits) -> Iterator[RawTable]:
    """Hand the file to the next reader for its suffix (a sniff on bytes cannot tell a yearbook
    or CSMAR XLSX from a plain one; the first rows can)."""
    order = [r for r in readers() if path.suffix.lower() in r.suffixes]
    rest = order[[r.name for r in order].index(me) + 1:]
    with open(path, "rb") as fh:
        head = fh.read(8192)
    nxt = next((r for r in rest if r.sniff is None or r.sniff(head)), rest[-1])
    yield from nxt.read(path, sheet=sheet, limits=limits)


def _grid_xlsx(path: Path, sheet: str | None) -> tuple[list[list], str]:
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True)
    for name in ([sheet] if sheet else wb.sheetnames):
        ws = wb[name]
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        for rng in ws.merged_cells.ranges:  # a merged cell's value on every cell it covers
            v = ws.cell(rng.min_row, rng.min_col).value
            for rr in range(rng.min_row - 1, min(rng.max_row, len(grid))):
                for cc in range(rng.min_col - 1, min(rng.max_col, len(grid[rr]))):
                    grid[rr][cc] = v
        if any(_s(c).lower() in CITY_HEADERS for r in grid[:MAX_HEADER_ROW] for c in r):
            return grid, name
    return [], ""


def sniff(head: bytes) -> bool:
    """XLSX: maybe (decided on the first rows in :func:`read`); text: a yearbook grid."""
    if head[:2] == b"PK":
        return True
    got = parse_grid(_text_rows("\n".join(_decode(head).splitlines()[:MAX_HEADER_ROW])))
    return bool(got and got["yearbook"]) or (b"\t" in head and got is not None)


def read(path: Path, *, sheet: str | None = None, limits: Limits) -> Iterator[RawTable]:
    suffix = path.suffix.lower()
    head = parse_grid(peek_rows(path, sheet), suffix)
    if head is None or not head["yearbook"]:
        yield from fallback(path, "yearbook", sheet, limits)
        return
    if suffix in (".xlsx", ".xlsm"):
        grid, name = _grid_xlsx(path, sheet)
    else:
        grid, name = _text_rows(_decode(path.read_bytes())), ""
    got = parse_grid(grid, suffix)
    if got is None or not got["body"]:
        yield from fallback(path, "yearbook", sheet, limits)
        return
    heads = dedupe_headers(got["headers"])
    df = pd.DataFrame(got["body"], columns=heads).replace("", None)
    city = heads[got["city_j"]]
    df[city] = df[city].map(lambda v: None if v is None else re.sub(r"\s+", "", v))  # 北  京 → 北京
    notes = list(got["notes"])
    if got["year"] and not any(h.lower() in ("year", "年份", "年度", "年") for h in heads):
        df["年份"] = str(got["year"])
        notes.append(f"年份取自标题 year from the title: {got['year']}")
    rows = pd.Series(got["rows"], index=df.index)
    yield RawTable(df, rows, str(path), name, fmt="yearbook", notes=notes)


register(Reader("yearbook", SUFFIXES, read, sniff=sniff, has_sheets=True, priority=10))
