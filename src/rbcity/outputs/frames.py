"""Writing a result table the way users want it: a terminal table, CSV, JSON or XLSX,
with Chinese column headers by default and English ones with ``lang='en'``.

Columns are labelled from :data:`COLUMNS`; a column without a label keeps its name.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pandas as pd

from rbcity.errors import UserError

FORMATS = ("table", "csv", "json", "xlsx")

COLUMNS: dict[str, tuple[str, str]] = {
    "unit_id": ("编号", "id"),
    "seq": ("序号", "seq"),
    "name": ("名称(2013)", "name (2013)"),
    "province": ("省份", "province"),
    "level": ("级别", "level"),
    "parent": ("上级", "parent"),
    "type_2013": ("类型(2013)", "type (2013)"),
    "exhausted_batch": ("资源枯竭批次", "exhausted batch"),
    "admin_code_2013": ("2013年代码", "code 2013"),
    "admin_codes_now": ("今代码", "code today"),
    "names_now": ("今名称", "name today"),
    "resource_kind": ("资源类别", "resource kind"),
    "verification": ("核实等级", "verification"),
    "source": ("来源", "source"),
    "note": ("备注", "note"),
    "code": ("代码", "code"),
    "valid_from": ("起", "from"),
    "valid_to": ("止", "to"),
    "event": ("事件", "event"),
}


class FormatError(UserError, ValueError):
    """An unknown output format, or XLSX without a file to write to."""


def labelled(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """``df`` with its columns renamed to Chinese (default) or English labels."""
    i = 0 if lang == "zh" else 1
    return df.rename(columns={c: COLUMNS[c][i] for c in df.columns if c in COLUMNS})


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    from rbcity.data.export import neutralise_formulas as neutralise

    return neutralise(df)


def write_frame(df: pd.DataFrame, fmt: str, output: str | None = None, lang: str = "zh",
                title: str | None = None) -> str | None:
    """Render ``df`` as ``fmt``; write to ``output`` if given, else return the text.

    JSON keeps machine column names (stable for scripts) and is a list of records; the other
    formats use the language's labels.
    """
    if fmt not in FORMATS:
        raise FormatError(f"无效的格式 invalid format: {fmt!r}; allowed: {', '.join(FORMATS)}")
    if fmt == "json":
        text = json.dumps(json.loads(df.to_json(orient="records", force_ascii=False)),
                          ensure_ascii=False, indent=1)
    elif fmt == "csv":  # spreadsheet-safe: formula-like text gets a leading apostrophe
        text = neutralise_formulas(labelled(df, lang)).to_csv(index=False)
    elif fmt == "xlsx":
        if not output:
            raise FormatError("XLSX 需要 --output 文件 / XLSX needs --output FILE")
        neutralise_formulas(labelled(df, lang)).to_excel(output, index=False)
        return None
    else:
        text = _table(labelled(df, lang), title)
    if output:
        Path(output).write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        return None
    return text


def _table(df: pd.DataFrame, title: str | None) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for col in df.columns:
        table.add_column(str(col))
    for row in df.itertuples(index=False):
        table.add_row(*["" if pd.isna(v) else str(v) for v in row])
    buf = io.StringIO()
    Console(file=buf, width=max(120, _term_width()), force_terminal=False).print(table)
    return buf.getvalue()


def _term_width() -> int:
    try:
        import shutil

        return shutil.get_terminal_size((160, 40)).columns
    except OSError:  # pragma: no cover
        return 160


def emit(text: str | None) -> None:
    """Print rendered text to stdout (nothing when it went to a file)."""
    if text is not None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
