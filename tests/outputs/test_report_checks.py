"""The national report's data appendix counts the plausibility findings by rule."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data"))

from checks_seed import seeded_checks_store  # noqa: E402


def test_data_appendix_counts_findings_by_rule(tmp_path):
    from rbcity.data.checks import confirm, run_checks
    from rbcity.outputs.report.context import build_report_data
    from rbcity.outputs.report.national import render_national

    engine = seeded_checks_store(tmp_path / "r.sqlite")
    run_checks(engine)
    html = render_national(build_report_data(engine, 2012, "en"))
    sec = html[html.index('id="sec-coverage"'):html.index('id="sec-methods"')]
    table = sec[sec.index('data-table="checks_by_rule"'):]
    cells = re.findall(r'<td class="n">(\d+)</td>', table[table.index('data-rule="yoy_break"'):].split("</tr>")[0])
    # open, confirmed, corrected, held out, judged (6 cities × 8 year-on-year changes)
    assert cells == ["1", "0", "0", "1", "48"]
    assert "fires too often" in table.split("</tr>")[1]
    confirm(engine, 1, "ana", "checked")
    html = render_national(build_report_data(engine, 2012, "zh"))
    table = html[html.index('data-table="checks_by_rule"'):]
    cells = re.findall(r'<td class="n">(\d+)</td>', table[table.index('data-rule="yoy_break"'):].split("</tr>")[0])
    assert cells == ["0", "1", "0", "0", "48"] and "数据合理性检查" in html
