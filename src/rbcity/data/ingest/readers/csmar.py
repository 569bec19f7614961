"""CSMAR 中国城市研究数据库 city tables (``CRE_*``), recognised by their key columns (issue 13).

Layout (CSV or XLSX): ``Sgnyea`` (year), ``Ctnm`` (city), ``Ctnm_id`` (6-digit code), ``Cttyp``
(地级市/副省级市/直辖市), ``Prvcnm_id``, ``Prvcnm``, then one column per field code. XLSX
downloads may repeat the header as a Chinese-label row and a unit row under the codes; those
rows are read as labels/units. Beside the data, the description file ``<stem>[DES][csv].txt``
(or ``[xlsx]``) has one line per field: ``Gdpct01 [国内生产总值] - 单位：亿元 …``. Fields map
through the shipped profile ``config/csmar_cre.yaml``; the DES file, when present, supplies
labels and units the profile leaves open and overrides the 口径 when its text names another
one. A field the profile does not know is a column-level reject naming the field and its DES label.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from rbcity.data.catalogue import twin
from rbcity.data.ingest.colmap import split_glued_unit
from rbcity.data.ingest.headers import SCOPES
from rbcity.data.ingest.limits import Limits
from rbcity.data.ingest.readers import Reader, register
from rbcity.data.ingest.readers.yearbook import _decode, fallback, peek_rows
from rbcity.data.ingest.table import ColumnInfo, RawTable, ReadProblem
from rbcity.data.units import is_unit_token, normalise_unit

YEAR, NAME, CODE = "Sgnyea", "Ctnm", "Ctnm_id"
_DES_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*\[([^\]]*)\]\s*(?:-\s*(.*))?$")
_UNIT_IN = re.compile(r"(?:单位|计量单位|unit)\s*[:：]\s*([^\s,，;；。)）]+)", re.I)
_BRACKET_UNIT = re.compile(r"[(（]\s*([^()（）]+?)\s*[)）]\s*$")
#: Cttyp → the resolver's level ('' for 直辖市: a province-level city, no prefecture check)
_LEVEL = {"地级市": "prefecture", "副省级市": "prefecture", "直辖市": ""}


@cache
def profile() -> dict:
    """The shipped CSMAR field profile (``config/csmar_cre.yaml``)."""
    return yaml.safe_load((resources.files("rbcity") / "config" / "csmar_cre.yaml").read_text(encoding="utf-8"))


def _cell(v) -> str | None:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    t = str(v).strip()
    return t or None


def is_csmar(headers) -> bool:
    """True when a header row has CSMAR's year column and a city column."""
    hs = {str(h).strip() for h in headers if h is not None}
    return YEAR in hs and (NAME in hs or CODE in hs)


def des_path(path: Path) -> Path | None:
    """``CRE_Gdpct[DES][csv].txt`` (any bracketed format) beside ``CRE_Gdpct.csv``."""
    return next((p for p in sorted(path.parent.iterdir()) if p.is_file() and p.suffix.lower() == ".txt"
                 and p.name.startswith(path.stem + "[DES]")), None)


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


def map_field(code: str, des: dict | None, label_row: str = "", unit_row: str = "") -> ColumnInfo:
    """One field column → its :class:`ColumnInfo` (profile, then what the DES/label rows say)."""
    d = (des or {}).get(code) or {}
    label = d.get("label") or label_row or None
    entry = profile()["fields"].get(code)
    if entry is None:
        said = f" [{label}]" if label else (" (DES 文件中也没有 not in the DES file)" if des else "")
        return ColumnInfo(code, label, note=f"未知 CSMAR 字段 unknown CSMAR field {code}{said}; "
                                             f"用 --map '{code}=INDICATOR:UNIT' 指定 map it")
    stated = d.get("unit") or (normalise_unit(unit_row) if unit_row and is_unit_token(unit_row) else None)
    unit = entry.get("unit")
    if unit and stated and normalise_unit(unit) != stated:
        return ColumnInfo(code, label, unit=stated, note=(
            f"单位冲突 unit conflict for {code}: DES/表头 says {stated}, CSMAR profile says {unit}; "
            f"用 --map '{code}=INDICATOR:UNIT' 确认 confirm"))
    text = f"{d.get('label', '')} {d.get('note', '')} {label_row}"
    said_scope = next((SCOPES[t] for t in ("市辖区", "市区", "城区", "全市") if t in text), None)
    scope = said_scope or entry.get("scope") or "全市"
    ind = twin(entry["indicator"], scope)
    if ind is None:
        return ColumnInfo(code, label, unit=unit or stated, scope=scope, note=(
            f"DES 说明为{scope}口径 DES says {scope}; 目录中没有对应指标 no {scope} twin of "
            f"{entry['indicator']} (口径 never merged)"))
    return ColumnInfo(code, label, ind, unit or stated, scope, None, "CSMAR profile" + (" + DES" if d else ""))


def _is_year(v) -> bool:
    return v is not None and bool(re.fullmatch(r"\s*\d{4}(\.0+)?\s*", str(v)))


def _frame(path: Path, sheet: str | None) -> tuple[pd.DataFrame, pd.Series, str]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            raw = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, header=None, dtype=object)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on damaged parts
            raise ReadProblem("broken_file", f"XLSX 无法读取 cannot read {path.name}: {exc}") from exc
        first = 1
    else:
        import csv
        import io

        raw = pd.DataFrame(list(csv.reader(io.StringIO(_decode(path.read_bytes()), newline=""))))
        first = 1
    body = raw.iloc[first:].map(_cell)
    body.columns = [_cell(v) or f"column{j + 1}" for j, v in enumerate(raw.iloc[0])]
    keep = body.notna().any(axis=1)
    rows = pd.Series(body.index + 1, index=body.index)[keep].reset_index(drop=True)
    return body[keep].reset_index(drop=True), rows, str(sheet or "")


def sniff(head: bytes) -> bool:
    """Text: the first line names ``Sgnyea``; XLSX: maybe (decided on the first row in :func:`read`)."""
    return head[:2] == b"PK" or YEAR.encode() in head.split(b"\n", 1)[0]


def read(path: Path, *, sheet: str | None = None, limits: Limits) -> Iterator[RawTable]:
    top = peek_rows(path, sheet, 1)
    if not top or not is_csmar(_cell(v) for v in top[0]):
        yield from fallback(path, "csmar", sheet, limits)
        return
    df, rows, sheet_name = _frame(path, sheet)
    if len(df) > limits.max_rows or df.size > limits.max_cells:
        raise ReadProblem("too_large", f"{path.name}: {len(df):,} rows over the import limits")
    extra = 0  # label and unit rows under the codes (XLSX downloads): rows before the first real year
    while extra < min(3, len(df)) and not _is_year(df[YEAR].iloc[extra]):
        extra += 1
    label_row = df.iloc[0] if extra >= 1 else None
    unit_row = df.iloc[1] if extra >= 2 else None
    df, rows = df.iloc[extra:].reset_index(drop=True), rows.iloc[extra:].reset_index(drop=True)
    dp = des_path(path)
    des = parse_des(_decode(dp.read_bytes())) if dp else None
    key = profile()["key_columns"]
    rename = {key["year"]: "year", key["name"]: "city", key["code"]: "code", key["province"]: "province",
              key["kind"]: "level"}
    drop = [c for c in (key["province_code"],) if c in df.columns]
    df = df.drop(columns=drop)
    infos = []
    for c in df.columns:
        if c in rename:
            infos.append(ColumnInfo(rename[c]))
            continue
        lab = "" if label_row is None or label_row[c] is None else str(label_row[c])
        un = "" if unit_row is None or unit_row[c] is None else str(unit_row[c])
        infos.append(map_field(str(c), des, lab, un))
    if key["kind"] in df.columns:
        df[key["kind"]] = df[key["kind"]].map(lambda v: _LEVEL.get(str(v).strip(), None) if v else None)
    df = df.rename(columns=rename)
    for info, c in zip(infos, df.columns, strict=True):
        info.header = c
    notes = [f"DES: {dp.name} ({len(des)} fields)" if dp else "DES 文件未找到 no DES file beside the data"]
    if extra:
        notes.append(f"表头下 {extra} 行说明 label/unit rows under the header read as labels/units")
    yield RawTable(df, rows, str(path), sheet_name, "", infos, fmt="csmar", notes=notes)


register(Reader("csmar", (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"), read, sniff=sniff, has_sheets=True, priority=20))
