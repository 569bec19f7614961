"""HTML → A4 PDF with WeasyPrint (fonts from fontconfig; the CSS names the CJK family)."""

from __future__ import annotations

from pathlib import Path

from rbcity.errors import UserError

REPORT_FORMATS = ("html", "pdf")


class ReportFormatError(UserError):
    """An output format the report cannot write."""


def check_format(fmt: str) -> str:
    if fmt not in REPORT_FORMATS:
        raise ReportFormatError(f"无效的报告格式 invalid report --format: {fmt!r}; allowed: html, pdf")
    return fmt


def html_to_pdf(html: str, path: str | Path) -> Path:
    """Write ``html`` (self-contained: images inline) as an A4 PDF at ``path``."""
    import logging

    from weasyprint import HTML

    from rbcity.outputs.fonts import cjk_family

    cjk_family()  # fail early with a clear message when no CJK font is installed
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    path = Path(path)
    HTML(string=html, base_url=str(path.parent)).write_pdf(str(path))
    return path
