"""Issue 13 done-when, as a user runs it: `rbcity import` on a CSMAR export, a Stata panel and a
yearbook table prints the mapping and the engines it feeds; after importing a simulated
2004–2020 GDP-per-capita panel for every prefecture, `rbcity did gdp_per_capita --treatment
rbc2013` prints an estimate."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data"))
from fmt_fixtures import write_csmar, write_simulated_gdp_pc, write_yearbook_xlsx  # noqa: E402

from rbcity.outputs.cli import app  # noqa: E402


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store

    path = tmp_path_factory.mktemp("fmtcli") / "s.sqlite"
    load_registry_into(open_store(f"sqlite:///{path}"))
    return f"sqlite:///{path}"


def run(*args, url):
    res = CliRunner().invoke(app, [*args, "--db", url])
    return res.exit_code, res.output


def test_import_csmar_prints_mapping_and_engines(url, tmp_path):
    code, out = run("import", str(write_csmar(tmp_path, "xlsx")), url=url)
    assert code == 0, out
    assert re.search(r"Gdpct01 \[国内生产总值\] → gdp +单位 unit 亿元 +口径 全市", out)
    assert "未映射的列 (1): Gdpct99 [某项新指标]" in out
    assert "预警 warning: 2015–2016" in out  # tertiary_share feeds the warning index
    assert "分类 classify: 无; 仍缺 still missing: mining_employment_share" in out


def test_import_yearbook_then_save_and_use_profile(url, tmp_path):
    code, out = run("import", str(write_yearbook_xlsx(tmp_path / "yb.xlsx")), url=url)
    assert code == 0 and "地区生产总值_市辖区_万元 → gdp_district" in out
    p = tmp_path / "odd.csv"
    pd.DataFrame({"城市": ["包头市"], "年份": [2017], "X9": [3.0]}).to_csv(p, index=False)
    code, out = run("import", str(p), "--map", "X9=gdp:亿元", "--save-profile", "odd", url=url)
    assert code == 0 and "profile 'odd' saved (1 columns)" in out and "X9 → gdp" in out
    code, out = run("import-profiles", url=url)
    assert code == 0 and "odd" in out


def test_did_runs_after_importing_a_simulated_plan_period_panel(url, tmp_path, monkeypatch):
    from sqlalchemy import create_engine

    units = pd.read_sql("select unit_id, in_registry from unit where level = 'prefecture'", create_engine(url))
    assert len(units) > 400 and units["in_registry"].sum() > 100
    f = tmp_path / "gdppc.dta"
    write_simulated_gdp_pc(f, units)
    code, out = run("import", str(f), url=url)
    assert code == 0, out
    assert "gdppc [人均地区生产总值（元/人）] → gdp_per_capita" in out
    # the bundled data are beside the point here (and slow to load): the store has the panel
    import rbcity.data.bundled as bundled

    monkeypatch.setattr(bundled, "ensure_bundled", lambda engine: None)
    code, out = run("did", "gdp_per_capita", "--treatment", "rbc2013", url=url)
    assert code == 0, out
    assert "years 2004–2020" in out
    line = next(ln for ln in out.splitlines() if ln.startswith("| all | TWFE |"))
    est = float(line.split("|")[3])
    assert -10_000 < est < 10_000  # a number, on the scale of the simulated 3 % effect
