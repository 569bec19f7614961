"""Filling a downloaded form the way a city statistician would (shared by the reporting tests)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from rbcity.data.reporting.forms import NOTES, SHEET


def fill(xlsx: bytes, values: dict[str, object], notes: dict[str, str] | None = None,
         cells: dict[str, object] | None = None) -> bytes:
    """The workbook with ``values`` (item code → value) typed into the value column, ``notes``
    (section → text) into the notes sheet and raw ``cells`` (``"A5"`` → value) overwritten."""
    wb = load_workbook(io.BytesIO(xlsx))
    ws = wb[SHEET]
    row_of = {ws[f"D{r}"].value: r for r in range(4, ws.max_row + 1)}
    for item, v in values.items():
        ws[f"H{row_of[item]}"] = v
    for ref, v in (cells or {}).items():
        ws[ref] = v
    for r in range(2, wb[NOTES].max_row + 1):
        if (notes or {}).get(wb[NOTES][f"A{r}"].value):
            wb[NOTES][f"B{r}"] = notes[wb[NOTES][f"A{r}"].value]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row_of(xlsx: bytes, item: str) -> int:
    ws = load_workbook(io.BytesIO(xlsx))[SHEET]
    return next(r for r in range(4, ws.max_row + 1) if ws[f"D{r}"].value == item)
