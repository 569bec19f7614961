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


def write_document(html: str, path, fmt: str):
    """Write rendered report HTML to ``path`` as the HTML file itself or as an A4 PDF."""
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        path.write_text(html, encoding="utf-8")
    else:
        html_to_pdf(html, path)
    return path
