"""XLSX / XLSM, read as a stream: openpyxl ``read_only`` with cached values, row by row.

- The sheet's claimed ``<dimension>`` is ignored (a 1.7 KB file claiming ``A1:XFD1048576`` would
  otherwise make openpyxl pad every row to 16,384 cells): cells are taken as the XML lists them,
  missing rows are skipped (their numbers kept), and ``limits`` are checked as rows arrive.
- Number formats are honoured: a numeric cell formatted as percent (``0.0%``) holding 0.552 is
  the text ``55.2%`` — what Excel shows — so it is stored as 55.2 when the catalogue unit is %,
  and rejected where the indicator is not a share.
- A formula cell with no cached value (a file written by a program, never opened in Excel) is
  the text ``=FORMULA``, which validation rejects as ``uncached_formula`` (never a blank).
- Without ``--sheet``: the first sheet with a city/code header within its first 15 rows (a cover
  or notes sheet in front is common), else the first sheet. A title block above the header row
  is skipped.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pandas as pd

from rbcity.data.ingest.limits import LimitExceeded, Limits
from rbcity.data.ingest.readers import Reader, register
from rbcity.data.ingest.table import RawTable, ReadProblem, dedupe_headers, is_city_header

HEADER_SCAN = 15


def _open(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ReadProblem("broken_file", f"XLSX 已损坏或被截断 broken or truncated XLSX: {exc}") from exc
    except Exception as exc:  # openpyxl raises many kinds on damaged parts
        raise ReadProblem("broken_file", f"XLSX 无法读取 cannot read XLSX: {exc}") from exc


def _percent_styles(wb) -> set[int]:
    """Style ids whose number format shows a percent."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    out = set()
    for sid, st in enumerate(wb._cell_styles):
        fid = st.numFmtId
        fmt = BUILTIN_FORMATS.get(fid) if fid < 164 else None
        if fmt is None:
            try:
                fmt = wb._number_formats[fid - 164]
            except (IndexError, TypeError):
                fmt = None
        if fmt and "%" in fmt.replace("\\%", "").replace('"%"', ""):
            out.add(sid)
    return out


def _text(cell: dict, percent: set[int]):
    v, t = cell["value"], cell["data_type"]
    if t == "f_uncached":
        return v
    if v is None:
        return None
    if t == "b" or isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int | float):
        if cell["style_id"] in percent:
            return f"{Decimal(repr(float(v))) * 100:f}".rstrip("0").rstrip(".") + "%"
        if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v) if isinstance(v, float) else str(v)
    return str(v).strip() if isinstance(v, str) else str(v)


def _rows(wb, ws, limits: Limits) -> Iterator[tuple[int, dict[int, object]]]:
    """(row number, {column index: text}) for every non-empty row, with caps on cells/columns."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class _Parser(WorkSheetParser):
        def parse_cell(self, element):
            c = super().parse_cell(element)
            if c["value"] is None and element.find(FORMULA_TAG) is not None:
                f = element.findtext(FORMULA_TAG) or ""
                c["value"], c["data_type"] = "=" + f, "f_uncached"
            return c

    percent = _percent_styles(wb)
    cells = 0
    with ws._get_source() as src:
        parser = _Parser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                         date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        for idx, row in parser.parse():
            out = {}
            for c in row:
                if c["column"] > limits.max_columns:
                    raise ReadProblem("too_large", str(LimitExceeded(
                        "max_columns", limits.max_columns, f"a cell in column {c['column']:,}, row {idx:,}")))
                t = _text(c, percent)
                if t is not None and t != "":
                    out[c["column"]] = t
            if out:
                cells += len(out)
                if cells > limits.max_cells:
                    raise ReadProblem("too_large", str(LimitExceeded("max_cells", limits.max_cells)))
                yield idx, out


def _header_at(wb, ws, limits) -> int | None:
    for k, (_, row) in enumerate(_rows(wb, ws, limits)):
        if k >= HEADER_SCAN:
            return None
        if any(is_city_header(v) for v in row.values()):
            return k
    return None


def read(path: Path, *, sheet: str | None = None, limits: Limits) -> Iterator[RawTable]:
    wb = _open(path)
    try:
        names = wb.sheetnames
        if sheet is not None and sheet not in names:
            raise ReadProblem("wrong_sheet", f"没有工作表 no sheet {sheet!r}; sheets: {', '.join(names)}")
        chosen, hdr = None, 0
        try:
            for name in [sheet] if sheet is not None else names:
                k = _header_at(wb, wb[name], limits)
                if k is not None or sheet is not None:
                    chosen, hdr = name, k or 0
                    break
            if chosen is None:
                chosen = names[0]
            ws = wb[chosen]
            rows = _rows(wb, ws, limits)
            for _ in range(hdr):
                next(rows, None)
            first = next(rows, None)
        except ReadProblem:
            raise
        except Exception as exc:
            raise ReadProblem("broken_file", f"XLSX 工作表无法读取 cannot read sheet {sheet or ''!r}: {exc}") from exc
        if first is None:
            raise ReadProblem("empty_file", f"工作表为空 sheet {chosen!r} is empty")
        _, hrow = first
        ncol = max(hrow)
        headers = dedupe_headers([str(hrow.get(j, "")).strip() for j in range(1, ncol + 1)])
        yield from _chunks(rows, headers, ncol, str(path), chosen, limits)
    finally:
        wb.close()


def _chunks(rows, headers, ncol, file, sheet, limits) -> Iterator[RawTable]:
    buf, nums, n = [], [], 0
    extra = False
    for idx, row in rows:
        if max(row) > ncol:  # data right of the last header: keep it, under its own column name
            extra = True
            grow = max(row)
            headers = dedupe_headers(headers + [""] * (grow - ncol))
            ncol = grow
        buf.append(row)
        nums.append(idx)
        n += 1
        if n > limits.max_rows:
            raise ReadProblem("too_large", str(LimitExceeded("max_rows", limits.max_rows)))
        if len(buf) >= limits.chunk_rows:
            yield _table(buf, nums, headers, ncol, file, sheet)
            buf, nums = [], []
    if buf or not extra:
        yield _table(buf, nums, headers, ncol, file, sheet)


def _table(buf, nums, headers, ncol, file, sheet) -> RawTable:
    data = {h: [r.get(j) for r in buf] for j, h in enumerate(headers, start=1)} if buf else {h: [] for h in headers}
    df = pd.DataFrame(data, columns=headers, dtype=object)
    return RawTable(df, pd.Series(nums, index=df.index, dtype="int64"), file, sheet)


register(Reader("xlsx", (".xlsx", ".xlsm"), read, sniff=lambda head: head[:2] == b"PK", has_sheets=True))
