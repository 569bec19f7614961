"""CSMAR 中国城市研究数据库 city tables (``CRE_*``), recognised by their key columns.

Layout (CSV or XLSX): ``Sgnyea`` (year), ``Ctnm`` (city), ``Ctnm_id`` (6-digit code), ``Cttyp``,
``Prvcnm_id``, ``Prvcnm``, then one column per field code. XLSX downloads may repeat the header
as a Chinese-label row and a unit row under the codes; those rows are read as labels/units.
Beside the data, the description file ``<stem>[DES][csv].txt`` (or ``[xlsx]``) has one line per
field: ``Gdpct01 [国内生产总值] - 单位：亿元 …``. Fields map through the shipped profile
``config/csmar_cre.yaml``; the DES file, when present, supplies labels and units the profile
leaves open and overrides the 口径 when its text names another one. A field the profile does not
know is a column-level reject naming the field and its DES label.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from rbcity.data.catalogue import SCOPE_OF_TOKEN, twin
from rbcity.data.formats.colmap import ColumnMap, split_glued_unit
from rbcity.data.reader import RawTable, ReadProblem, _cell_text, _decode, read_table
from rbcity.data.units import is_unit_token, normalise_unit

YEAR, NAME, CODE = "Sgnyea", "Ctnm", "Ctnm_id"
_DES_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*\[([^\]]*)\]\s*(?:-\s*(.*))?$")
_UNIT_IN = re.compile(r"(?:单位|计量单位|unit)\s*[:：]\s*([^\s,，;；。)）]+)", re.I)
_BRACKET_UNIT = re.compile(r"[(（]\s*([^()（）]+?)\s*[)）]\s*$")


@cache
def profile() -> dict:
    """The shipped CSMAR field profile (``config/csmar_cre.yaml``)."""
    text = (resources.files("rbcity") / "config" / "csmar_cre.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def is_csmar(headers) -> bool:
    """True when the header has CSMAR's year column and a city column."""
    hs = {str(h).strip() for h in headers}
    return YEAR in hs and (NAME in hs or CODE in hs)


def des_path(path: Path) -> Path | None:
    """``CRE_Gdpct[DES][csv].txt`` (any bracketed format) beside ``CRE_Gdpct.csv``."""
    for p in sorted(path.parent.iterdir()):
        if p.is_file() and p.name.startswith(path.stem + "[DES]") and p.suffix.lower() == ".txt":
            return p
    return None


def unit_in(text: str) -> str | None:
    """A unit a label or note states: ``单位：亿元``, ``国内生产总值（亿元）``, ``…万元``."""
    if not text:
        return None
    m = _UNIT_IN.search(text) or _BRACKET_UNIT.search(text)
    if m and is_unit_token(m.group(1)):
        return normalise_unit(m.group(1))
    return split_glued_unit(text)[1]


def parse_des(text: str) -> dict[str, dict]:
    """Field code → ``{label, note, unit}`` from a DES file's text (other lines ignored)."""
    out = {}
    for line in text.splitlines():
        m = _DES_LINE.match(line)
        if m:
            label, note = m.group(2).strip(), (m.group(3) or "").strip()
            out[m.group(1)] = {"label": label, "note": note, "unit": unit_in(note) or unit_in(label)}
    return out


def _scope_said(text: str) -> str:
    return next((SCOPE_OF_TOKEN[t] for t in SCOPE_OF_TOKEN if t in text and t != "全市合计"), "")


def map_field(code: str, des: dict | None, label_row: str = "", unit_row: str = "") -> ColumnMap:
    """One field column → its mapping (profile, then what the DES/label rows say)."""
    d = (des or {}).get(code) or {}
    label = d.get("label") or label_row
    entry = profile()["fields"].get(code)
    if entry is None:
        said = f" [{label}]" if label else (" (DES 文件中也没有 not in the DES file)" if des else "")
        return ColumnMap(code, None, label=label, note=(
            f"未知 CSMAR 字段 unknown CSMAR field {code}{said}: 未导入 not imported; "
            f"用 --map '{code}=INDICATOR:UNIT' 指定 map it"))
    stated = d.get("unit") or (normalise_unit(unit_row) if unit_row and is_unit_token(unit_row) else None)
    unit = entry.get("unit")
    if unit and stated and normalise_unit(unit) != stated:
        return ColumnMap(code, None, stated, label=label, note=(
            f"单位冲突 unit conflict for {code}: DES/表头 says {stated}, CSMAR profile says {unit}; "
            f"用 --map '{code}=INDICATOR:UNIT' 确认 confirm"))
    unit = unit or stated
    ind, how = entry["indicator"], "CSMAR profile" + (" + DES" if d else "")
    scope = _scope_said(f"{d.get('label', '')} {d.get('note', '')} {label_row}") or entry.get("scope", "全市")
    if scope != entry.get("scope", "全市"):
        ind = twin(ind, scope)
        if ind is None:
            return ColumnMap(code, None, unit, scope, label, note=(
                f"DES 说明为{scope}口径 DES says {scope}; 目录中没有对应指标 no {scope} twin of "
                f"{entry['indicator']} (口径 never merged)"))
    return ColumnMap(code, ind, unit, scope, label, how)


def _is_year(v) -> bool:
    return v is not None and bool(re.fullmatch(r"\s*\d{4}(\.0+)?\s*", str(v)))


def _read_xlsx_codes(path: Path, sheet: str | None) -> RawTable | None:
    """An XLSX whose first row holds the CSMAR codes (the plain reader would take the Chinese
    label row under it, ``城市名称``, for the header)."""
    try:
        raw = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, header=None, dtype=object)
    except Exception:  # noqa: BLE001 - the plain reader reports broken files
        return None
    if raw.empty or not is_csmar(_cell_text(v) for v in raw.iloc[0]):
        return None
    body = raw.iloc[1:].map(_cell_text)
    body.columns = [_cell_text(v) or f"column{j + 1}" for j, v in enumerate(raw.iloc[0])]
    keep = body.notna().any(axis=1)
    rows = pd.Series(body.index + 1, index=body.index)[keep].reset_index(drop=True)
    return RawTable(body[keep].reset_index(drop=True), rows, str(path), str(sheet or ""))


def read(path: Path, sheet: str | None = None):
    """A :class:`~rbcity.data.formats.Prepared` for a CSMAR table, None for any other file."""
    from rbcity.data.formats import Prepared

    if path.suffix.lower() not in (".csv", ".xlsx", ".xlsm", ".txt", ".tsv"):
        return None
    from rbcity.data.formats import peek_rows

    head = peek_rows(path, sheet, 1)
    if not head or not is_csmar(_cell_text(v) for v in head[0]):
        return None
    try:
        table = _read_xlsx_codes(path, sheet) if path.suffix.lower() in (".xlsx", ".xlsm") else read_table(path, sheet)
    except ReadProblem:
        return None  # the plain reader reports it
    if table is None:
        return None
    if not is_csmar(table.frame.columns):
        return None
    df, rows = table.frame, table.rows
    # label and unit rows under the codes (XLSX downloads): rows before the first real year
    extra = 0
    while extra < min(3, len(df)) and not _is_year(df[YEAR].iloc[extra]):
        extra += 1
    label_row = df.iloc[0] if extra >= 1 else None
    unit_row = df.iloc[1] if extra >= 2 else None
    df, rows = df.iloc[extra:].reset_index(drop=True), rows.iloc[extra:].reset_index(drop=True)
    dp = des_path(path)
    des = parse_des(_decode(dp.read_bytes())[0]) if dp else None
    key = profile()["key_columns"]
    rename = {key["year"]: "year", key["name"]: "city", key["code"]: "code", key["province"]: "province"}
    drop = [c for c in (key["kind"], key["province_code"]) if c in df.columns]
    maps = []
    for c in df.columns:
        if c in rename or c in drop:
            continue
        lab = "" if label_row is None or label_row[c] is None else str(label_row[c])
        un = "" if unit_row is None or unit_row[c] is None else str(unit_row[c])
        maps.append(map_field(str(c), des, lab, un))
    df = df.drop(columns=drop).rename(columns={k: v for k, v in rename.items() if k in df.columns})
    if "code" in df.columns:  # codes read from XLSX may come as 140200.0
        df["code"] = df["code"].map(lambda v: None if v is None else re.sub(r"\.0+$", "", str(v).strip()))
    notes = [f"DES: {dp.name} ({len(des)} fields)" if dp else "DES 文件未找到 no DES file beside the data"]
    if extra:
        notes.append(f"表头下 {extra} 行说明 label/unit rows under the header read as labels/units")
    # CRE 城市 tables hold 地级市/副省级市/直辖市 only: name ties are broken towards prefectures
    return Prepared(RawTable(df, rows, table.file, table.sheet, table.encoding), maps, "csmar", notes,
                    level="prefecture")
