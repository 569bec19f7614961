"""Reading a user's table file (CSV, XLSX, Parquet) into raw text cells, losing nothing.

Every cell is kept as the text it was (numbers are parsed later, so a bad cell can be shown
as written). CSV encodings: UTF-8 (with or without BOM) first, then the detected one
(GBK/GB18030 are common in Chinese statistics offices). XLSX: the requested sheet, else the
first; a yearbook-style title block above the header row is skipped (the header is the
first row within the first 15 that names a city/code column). Problems that stop the whole
file (broken, empty, header only, wrong sheet) raise :class:`ReadProblem` with a reason code.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rbcity.errors import UserError

CITY_CODE_COLUMNS = ("unit_id", "city_code", "code", "区划代码", "行政区划代码", "城市代码", "代码",
                     "adcode", "county_code", "区县代码")
CITY_NAME_COLUMNS = ("city", "城市", "城市名称", "地区", "地区名称", "name", "地市", "区县", "county",
                     "region", "单位名称", "city_name")
SHEETLESS = (".csv", ".txt", ".tsv", ".parquet", ".pq")


class ReadProblem(Exception):
    """The file as a whole cannot be read: ``code`` ∈ broken_file, empty_file, wrong_sheet,
    bad_layout, unsupported_format."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


class ImportFileError(UserError, FileNotFoundError):
    """The path names no readable file, so not even a failed import can be recorded."""


@dataclass
class RawTable:
    """Text cells of one sheet: ``frame`` (str/None cells, original headers), the source row
    number of each frame row (1-based, as a spreadsheet shows it), and how it was read."""

    frame: pd.DataFrame
    rows: pd.Series
    file: str
    sheet: str
    encoding: str = ""


def _is_city_header(h) -> bool:
    t = str(h).strip().lower()
    return t in CITY_CODE_COLUMNS or t in CITY_NAME_COLUMNS


def _decode(data: bytes) -> tuple[str, str]:
    if not data.strip():
        raise ReadProblem("empty_file", "文件为空 empty file")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    for enc in ("gb18030",):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    raise ReadProblem("broken_file", "无法识别文件编码 cannot decode the file (not UTF-8/GBK text)")


def _read_csv(path: Path) -> RawTable:
    data = path.read_bytes()
    text, enc = _decode(data)
    if "\x00" in text[:10_000]:
        raise ReadProblem("broken_file", "不是文本表格 not a text table (binary content)")
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep,
                         skipinitialspace=False)
    except pd.errors.EmptyDataError as exc:
        raise ReadProblem("empty_file", "文件为空 empty file (no header)") from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise ReadProblem("broken_file", f"CSV 无法解析 cannot parse CSV: {str(exc).splitlines()[0]}") from exc
    rows = pd.Series(range(2, len(df) + 2), index=df.index)
    return RawTable(df, rows, str(path), "", enc)


def _read_xlsx(path: Path, sheet: str | None) -> RawTable:
    try:
        xl = pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadProblem("broken_file", f"XLSX 已损坏或被截断 broken or truncated XLSX: {exc}") from exc
    names = xl.sheet_names
    if sheet is not None and sheet not in names:
        raise ReadProblem("wrong_sheet", f"没有工作表 no sheet {sheet!r}; sheets: {', '.join(names)}")
    # without --sheet: the first sheet with a city/code header in its first 15 rows (a cover
    # or notes sheet in front is common), else the first sheet
    candidates = [sheet] if sheet is not None else names
    chosen = None
    for name in candidates:
        try:
            raw = pd.read_excel(xl, sheet_name=name, header=None, dtype=object)
        except Exception as exc:  # openpyxl raises many kinds on damaged parts
            raise ReadProblem("broken_file", f"XLSX 工作表无法读取 cannot read sheet {name!r}: {exc}") from exc
        raw = raw.dropna(how="all", axis=1)
        hdr = next((i for i in range(min(15, len(raw)))
                    if any(_is_city_header(v) for v in raw.iloc[i] if v is not None and not pd.isna(v))), None)
        if hdr is not None or sheet is not None:
            chosen = (name, raw, hdr or 0)
            break
        if chosen is None:
            chosen = (name, raw, 0)
    name, raw, hdr = chosen
    if raw.dropna(how="all").empty:
        raise ReadProblem("empty_file", f"工作表为空 sheet {name!r} is empty")
    headers = [("" if pd.isna(v) else str(v).strip()) for v in raw.iloc[hdr]]
    headers = [h if h else f"column{j + 1}" for j, h in enumerate(headers)]
    seen: dict[str, int] = {}
    for j, h in enumerate(headers):  # repeated headers get .1, .2 … as pandas does for CSV
        if h in seen:
            seen[h] += 1
            headers[j] = f"{h}.{seen[h]}"
        else:
            seen[h] = 0
    body = raw.iloc[hdr + 1:]
    body.columns = headers
    rows = pd.Series(body.index + 1, index=body.index)  # 0-based sheet row → spreadsheet row
    body = body.map(_cell_text) if hasattr(body, "map") else body.applymap(_cell_text)
    keep = body.notna().any(axis=1)
    return RawTable(body[keep].reset_index(drop=True), rows[keep].reset_index(drop=True), str(path), name)


def _cell_text(v):
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def _read_parquet(path: Path) -> RawTable:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, …
        raise ReadProblem("broken_file", f"Parquet 无法读取 cannot read Parquet: {exc}") from exc
    df = df.reset_index(drop=True)
    for c in df.columns:
        if not pd.api.types.is_numeric_dtype(df[c]):
            df[c] = df[c].map(_cell_text)
    df.columns = [str(c) for c in df.columns]
    rows = pd.Series(range(2, len(df) + 2), index=df.index)
    return RawTable(df, rows, str(path), "")


def read_table(path: str | Path, sheet: str | None = None) -> RawTable:
    """Read ``path`` (CSV/TSV/TXT, XLSX, Parquet) into a :class:`RawTable`."""
    p = Path(path)
    if not p.is_file():
        raise ImportFileError(f"找不到文件 no such file: {p}")
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(p, sheet)
    elif suffix == ".xls":
        raise ReadProblem("unsupported_format", "旧版 .xls 不支持，请另存为 .xlsx / save .xls as .xlsx")
    else:
        if sheet is not None:
            raise ReadProblem("wrong_sheet", f"{suffix or 'this'} 文件没有工作表 file has no sheets; got --sheet {sheet!r}")
        if suffix in (".parquet", ".pq"):
            table = _read_parquet(p)
        elif suffix in (".csv", ".txt", ".tsv", ""):
            table = _read_csv(p)
        else:
            raise ReadProblem("unsupported_format", f"不支持的文件类型 unsupported file type {suffix!r}; use CSV, XLSX or Parquet")
    if table.frame.shape[1] == 0:
        raise ReadProblem("empty_file", "没有列 no columns")
    if len(table.frame) == 0:
        raise ReadProblem("empty_file", "只有表头、没有数据行 header only, no data rows")
    return table
