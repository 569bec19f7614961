"""The statistics CLI as a user runs it: `rbcity run` loads the bundled data, then import,
rejects, history, export, targets import, data coverage and indicators (real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from store_urls import fresh_url


def rb(*args, db):
    env = {**os.environ, "RBCITY_DB": db}
    return subprocess.run([sys.executable, "-m", "rbcity", *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    url = fresh_url(tmp_path_factory.mktemp('clidata') / 'cli.sqlite')
    p = rb("run", db=url)
    assert p.returncode == 0, p.stderr
    return url, p.stdout


def test_run_loads_bundled_data_one_line_per_source(db):
    _, out = db
    for name in ("census_city_2010-2020_v1.csv", "census_county_2010_v1.xlsx", "census_county_2020_v1.xlsx",
                 "1999-2018 Cities data.xlsx", "yearbook_light.csv", "derived:gdp_per_capita"):
        line = next(ln for ln in out.splitlines() if name in ln)
        assert "committed batch" in line
    assert "rbcity rejects --batch 4" in out  # the yearbook's impossible values


def test_run_again_is_noop(db):
    url, _ = db
    p = rb("run", db=url)
    assert p.returncode == 0 and p.stdout.count("已载入 already loaded") == 6


def test_data_coverage_json(db):
    url, _ = db
    p = rb("data", "coverage", "-f", "json", db=url)
    assert p.returncode == 0, p.stderr
    cov = {r["indicator_id"]: r for r in json.loads(p.stdout)}
    assert cov["mining_employment_share"]["years"] == "2010, 2020"
    assert cov["gdp"]["n_cities"] > 100 and cov["resource_productivity"]["n_cities"] == 0


def test_import_mixed_file_then_rejects_and_history(db, tmp_path):
    url, _ = db
    f = tmp_path / "mine.csv"
    f.write_text("城市,年份,地区生产总值_当年价格_全市_亿元,绿化覆盖率_市辖区_百分比%\n"
                 "鹤岗市,2013,250.5,40\n鹤岗市,2014,abc,140\n火星市,2014,1,1\n", encoding="utf-8")
    p = rb("import", str(f), "--source", "鹤岗统计局", db=url)
    assert p.returncode == 0, p.stderr
    assert "新 new 2" in p.stdout and "拒绝 rejected 3" in p.stdout and "rbcity rejects --batch" in p.stdout
    p = rb("rejects", "-f", "json", db=url)
    rows = json.loads(p.stdout)
    assert sorted((r["row"], r["reason_code"]) for r in rows) == [(3, "not_a_number"), (3, "out_of_range"), (4, "unknown_city")]
    f2 = tmp_path / "fix.csv"
    f2.write_text("城市,年份,地区生产总值_当年价格_全市_亿元\n鹤岗市,2013,251\n", encoding="utf-8")
    assert rb("import", str(f2), db=url).returncode == 0
    h = json.loads(rb("history", "鹤岗", "gdp", "-f", "json", db=url).stdout)
    h13 = [r for r in h if r["year"] == 2013]
    assert [(r["revision"], r["value"], r["current"]) for r in h13] == [(1, 2505000.0, False), (2, 2510000.0, True)]


def test_import_broken_file_exits_2(db, tmp_path):
    url, _ = db
    f = tmp_path / "cut.xlsx"
    f.write_bytes(b"PK\x03\x04 truncated")
    p = rb("import", str(f), db=url)
    assert p.returncode == 2 and "broken_file" in p.stdout
    p = rb("import", str(tmp_path / "missing.csv"), db=url)
    assert p.returncode == 2 and p.stderr.startswith("错误 error:") and "Traceback" not in p.stderr


def test_export_for_stata(db, tmp_path):
    url, _ = db
    out = tmp_path / "panel.parquet"
    p = rb("export", "-o", str(out), "--layout", "wide", "--registry-only", "--years", "2010,2020",
           "--indicators", "mining_employment_share,resident_population", db=url)
    assert p.returncode == 0, p.stderr
    w = pd.read_parquet(out)
    assert set(w["year"]) == {2010, 2020} and w["in_registry"].all()
    assert (tmp_path / "panel_codebook.csv").exists()


def test_targets_import_and_indicators(db, tmp_path):
    url, _ = db
    f = tmp_path / "t.csv"
    f.write_text("指标,目标年份,目标值,来源\n矿业用水复用率,2020,90,国发〔2013〕45号 七(三)（another copy）\n",
                 encoding="utf-8")
    p = rb("targets", "import", str(f), db=url)
    assert p.returncode == 0 and "新 new 1" in p.stdout
    t = json.loads(rb("targets", "list", "-f", "json", db=url).stdout)
    assert any(r["source"].endswith("（another copy）") for r in t)
    ind = json.loads(rb("indicators", "-f", "json", db=url).stdout)
    assert {"gdp", "mining_employment_share"} <= {r["indicator_id"] for r in ind}
