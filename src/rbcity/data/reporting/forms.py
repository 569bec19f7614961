"""The annual form of one city as an Excel workbook, and reading a filled one back.

Sheet ``指标 indicators``: one row per catalogue indicator — code, name, unit, 口径 (the
catalogue definition), the value; the plan's programme quantities (households renovated, subsidence
area remediated, persons re-employed, parks and bases — ``config/programmes.yaml``) come last
under their own heading row 规划专项. Values the store already holds for the city and year are
filled in and locked; the others are blank, unlocked cells with a data-validation range (the
catalogue's valid range) and a list validation on the unit. Sheet ``说明 notes``: one free-text
cell per section (the catalogue's dimensions, then ``programme``). Both sheets are protected so only the cells to
fill can be edited.

Reading a workbook back turns every filled value cell into a long row (city, year, indicator,
value, unit) for the importer, which applies all its checks; a row for another city or year,
or a changed item code, is rejected with the cell named (``H12``) rather than guessed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.data.catalogue import load_catalogue
from rbcity.data.importer import Reject
from rbcity.data.programmes import programme_quantities
from rbcity.data.reader import RawTable
from rbcity.errors import UserError

SHEET = "指标 indicators"
NOTES = "说明 notes"
HEADERS = ["城市代码 code", "城市 city", "年份 year", "指标代码 item", "指标名称 name", "单位 unit",
           "口径 definition", "数值 value", "状态 state"]
COL = {h.split(" ")[1]: chr(ord("A") + i) for i, h in enumerate(HEADERS)}  # code → A … state → I
FIRST_ROW = 4  # title, note, header, then data
NOTE_PREFIX = "note:"
PROGRAMME = "programme"
PROGRAMME_HEADING = "【规划专项 the plan's programmes】（国发〔2013〕45号；流量填当年数，年末数填存量 flows: the year's amount; 年末数: stock）"


class FormFileError(UserError, ValueError):
    """A file that is not an rbcity form (wrong sheets or header)."""


def items(engine: Engine, unit_id: str, year: int) -> pd.DataFrame:
    """The form's rows: every catalogue indicator with the stored value for (city, year) or NaN,
    by ``section`` (the dimension; ``programme`` for the plan's programme quantities, last)."""
    cat = load_catalogue()
    o = s.observation.c
    with engine.connect() as conn:
        have = pd.DataFrame(conn.execute(select(o.indicator_id, o.value).where(
            o.unit_id == unit_id, o.year == year)).all(), columns=["indicator_id", "stored"])
    df = cat.merge(have, on="indicator_id", how="left")
    prog = df["indicator_id"].isin(programme_quantities())
    df["section"] = df["dimension"].where(~prog, PROGRAMME)
    df["_last"] = prog
    df = df.sort_values(["_last", "section", "indicator_id"], kind="stable").drop(columns="_last")
    return df.reset_index(drop=True)


def sheet_rows(df: pd.DataFrame) -> dict[str, int]:
    """item → its row in the form's sheet, for the rows of :func:`items` (the layout
    :func:`build_workbook` writes: data from ``FIRST_ROW``, one heading row before the
    programme section) — so a reject's cell (``H12``) can be shown with its indicator."""
    out, row, headed = {}, FIRST_ROW, False
    for item, sec in zip(df["indicator_id"], df["section"], strict=True):
        if sec == PROGRAMME and not headed:
            row, headed = row + 1, True
        out[str(item)] = row
        row += 1
    return out


def sections() -> list[str]:
    """The notes sheet's sections: the catalogue's dimensions, then the plan's programmes."""
    return [*sorted(load_catalogue()["dimension"].unique()), PROGRAMME]


def build_workbook(engine: Engine, unit_id: str, year: int) -> bytes:
    """The form of ``unit_id`` for ``year`` as XLSX bytes (see the module docstring)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    with engine.connect() as conn:
        city = conn.execute(select(s.unit.c.name, s.unit.c.province).where(s.unit.c.unit_id == unit_id)).first()
    if city is None:
        raise FormFileError(f"未知城市 unknown unit {unit_id!r}")
    df = items(engine, unit_id, year)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = f"资源型城市统计报表 {year} 年 — {city.province} {city.name}（{unit_id}）"
    ws["A1"].font = Font(bold=True)
    ws["A2"] = ("灰色为已入库数值（锁定）；请在空白的“数值”格填写，单位与口径见各行。 Grey values are already in "
                "the store (locked); fill the blank value cells in the unit and 口径 of their row.")
    ws.append(HEADERS)
    grey = PatternFill("solid", fgColor="DDDDDD")
    open_cell = Protection(locked=False)
    headed = False
    for r in df.itertuples(index=False):
        if r.section == PROGRAMME and not headed:
            ws.append([PROGRAMME_HEADING])  # a heading row: no value, never read back
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
            headed = True
        row = ws.max_row + 1
        have = pd.notna(r.stored)
        ws.append([unit_id, city.name, year, r.indicator_id, r.name_zh, r.unit, r.definition,
                   float(r.stored) if have else None, "已入库 stored" if have else "待填 to fill"])
        if have:
            ws[f"{COL['value']}{row}"].fill = grey
            continue
        ws[f"{COL['value']}{row}"].protection = open_cell
        ws[f"{COL['unit']}{row}"].protection = open_cell
        lo = r.min_value if pd.notna(r.min_value) else None
        hi = r.max_value if pd.notna(r.max_value) else None
        if lo is not None and hi is not None:
            dv = DataValidation(type="decimal", operator="between", formula1=repr(float(lo)),
                                formula2=repr(float(hi)), allow_blank=True, showErrorMessage=True,
                                error=f"有效范围 valid range {lo}–{hi} {r.unit}")
            ws.add_data_validation(dv)
            dv.add(f"{COL['value']}{row}")
        units = DataValidation(type="list", formula1=f'"{r.unit}"', allow_blank=False)
        ws.add_data_validation(units)
        units.add(f"{COL['unit']}{row}")
    ws.protection.sheet = True
    notes = wb.create_sheet(NOTES)
    notes.append(["章节 section", "说明 note (free text)"])
    for sec in sections():
        notes.append([sec, None])
        notes.cell(row=notes.max_row, column=2).protection = open_cell
    notes.protection.sheet = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass
class FilledForm:
    """A filled form read back: the long table for the importer, notes, and form-level rejects."""

    table: RawTable
    notes: dict[str, str] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)


def read_workbook(data: bytes, unit_id: str, year: int, file: str = "form.xlsx") -> FilledForm:
    """The filled value cells of a form for ``unit_id``/``year`` as a long :class:`RawTable`
    whose row numbers are the sheet's and whose column names are the value/unit cells' columns."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zip/xml errors of a broken upload
        raise FormFileError(f"{file}: 不是有效的 xlsx 表格 not a readable xlsx form ({type(exc).__name__})") from exc
    if SHEET not in wb.sheetnames:
        raise FormFileError(f"{file}: 缺少工作表 missing sheet {SHEET!r}: not an rbcity form")
    rows = list(wb[SHEET].iter_rows(values_only=True))
    if len(rows) < FIRST_ROW - 1 or [str(h or "") for h in rows[FIRST_ROW - 2][:len(HEADERS)]] != HEADERS:
        raise FormFileError(f"{file}: 第{FIRST_ROW - 1}行表头不符 header of row {FIRST_ROW - 1} is not the form's")
    valid = set(load_catalogue()["indicator_id"])
    out, rejects = [], []
    for n, r in enumerate(rows[FIRST_ROW - 1:], start=FIRST_ROW):
        r = list(r) + [None] * (len(HEADERS) - len(r))
        code, _, yr, item, _, unit, _, value, state = r[:len(HEADERS)]
        if value is None or str(value).strip() == "" or str(state or "").startswith("已入库"):
            continue  # blank, or a stored value shown for reference
        cell = f"{COL['value']}{n}"

        def reject(col: str, raw, code_: str, why: str, n=n) -> None:
            rejects.append(Reject(file, SHEET, n, f"{COL[col]}{n}", str(raw), code_, why))

        if str(code or "").strip() != unit_id:
            reject("code", code, "not_this_form", f"本表只收 {unit_id} 的数值 this form is for unit {unit_id} only")
        elif str(yr or "").strip() != str(year):
            reject("year", yr, "not_this_form", f"本表只收 {year} 年的数值 this form is for {year} only")
        elif str(item or "") not in valid:
            reject("item", item, "unknown_indicator", "指标代码被改动 item code changed or unknown")
        else:
            out.append({"unit_id": unit_id, "year": str(year), "indicator": str(item), "value": str(value),
                        "unit": "" if unit is None else str(unit), "_row": n, "_cell": cell})
    notes = {}
    if NOTES in wb.sheetnames:
        for sec, text in list(wb[NOTES].iter_rows(min_row=2, values_only=True)):
            if sec and text and str(text).strip():
                notes[str(sec)] = str(text).strip()
    frame = pd.DataFrame(out, columns=["unit_id", "year", "indicator", "value", "unit", "_row", "_cell"])
    table = RawTable(frame=frame[["unit_id", "year", "indicator", "value", "unit"]].astype(object),
                     rows=frame["_row"].astype(int).reset_index(drop=True), file=file, sheet=SHEET)
    return FilledForm(table, notes, rejects)
