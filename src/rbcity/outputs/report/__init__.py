"""Reports: the national report and city profiles (HTML and A4 PDF from one context).

Public API (what the CLI and the web call)::

    build_report_data(engine, year=None, lang="zh", not_computed=None) -> ReportData
    render_national(data, mode="html"|"pdf") -> str
    write_national_report(engine, year=None, lang="zh", fmt="html"|"pdf", output=None,
                          not_computed=None) -> Path
    build_profile_data(engine, unit_id, year=None, lang="zh") -> ProfileData
    render_profile(data, mode="html"|"pdf") -> str
    write_profile(engine, city, year=None, lang="zh", fmt="html"|"pdf", output=None) -> Path
"""

from rbcity.outputs.report.context import ReportData, build_report_data
from rbcity.outputs.report.national import render_national, write_national_report
from rbcity.outputs.report.profile import (
           ProfileData,
           build_profile_data,
           render_profile,
           write_profile,
)

__all__ = ["ReportData", "build_report_data", "render_national", "write_national_report",
           "ProfileData", "build_profile_data", "render_profile", "write_profile"]
