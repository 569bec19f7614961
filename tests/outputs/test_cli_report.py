"""``rbcity report``, ``rbcity map`` and ``rbcity run`` as a user runs them (real processes)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from store_urls import fresh_url


def rb(*args, db):
    env = {**os.environ, "RBCITY_DB": db}
    return subprocess.run([sys.executable, "-m", "rbcity", *args], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.fixture(scope="module")
def db(fx_engine):
    return fx_engine.url.render_as_string(hide_password=False)


def test_report_html_and_profile(db, tmp_path):
    out = tmp_path / "r.html"
    p = rb("report", "--year", "2020", "--output", str(out), db=db)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == str(out)
    html = out.read_text(encoding="utf-8")
    assert "全国资源型城市可持续发展评估报告（2020年）" in html and "echarts" in html
    prof = tmp_path / "p.html"
    p = rb("report", "--city", "鹤岗", "--lang", "en", "-o", str(prof), db=db)
    assert p.returncode == 0, p.stderr
    assert "City profile: Hegang" in prof.read_text(encoding="utf-8")  # pinyin in English


def test_report_errors_are_one_line(db, tmp_path):
    p = rb("report", "--format", "docx", db=db)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "html, pdf" in p.stderr
    p = rb("report", "--city", "不存在的城市", "-o", str(tmp_path / "x.html"), db=db)
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_map_png_and_unknown_indicator(db, tmp_path):
    out = tmp_path / "m.png"
    p = rb("map", "--by", "gdp_per_capita", "--year", "2020", "-o", str(out), db=db)
    assert p.returncode == 0, p.stderr
    assert out.read_bytes()[:4] == b"\x89PNG"
    p = rb("map", "--by", "nonsense", "-o", str(tmp_path / "m.svg"), db=db)
    assert p.returncode == 2 and "gdp_per_capita" in p.stderr  # lists the known indicator ids


@pytest.mark.slow
def test_run_writes_the_national_report_with_the_engines_numbers(tmp_path, tables):
    """The main job on the bundled data ends with the national report; its transition matrix
    and per-engine coverage equal what the engines stored."""
    from sqlalchemy import create_engine

    from rbcity.plan.runs import latest_results, latest_run
    from rbcity.registry.labels import TYPES

    db = fresh_url(tmp_path / 'run.sqlite')
    p = rb("run", db=db)
    assert p.returncode == 0, p.stderr
    last = p.stdout.strip().splitlines()[-1]
    assert last.startswith("全国报告: ")
    path = last.split(": ", 1)[1]
    assert path.startswith(str(tmp_path / "reports" / "rbcity-report-")) and path.endswith("-zh.html")
    html = open(path, encoding="utf-8").read()
    t = tables(html)
    eng = create_engine(db)
    year = int(path.rsplit("-", 2)[-2])
    run = latest_run(eng, "classify", year)
    trans = run["summary"]["transition"]
    shown = {r[0]: r[1:5] for r in t["transitions"][1:]}
    for a, (za, _) in TYPES.items():
        assert shown[za] == [str(trans.get(a, {}).get(b, 0)) for b in TYPES], za
    cov = {r[0]: r for r in t["engine_coverage"][1:]}
    res = latest_results(eng, "classify", year)
    assert cov["综合分类与动态调整"][1] == f"#{run['id']}"
    assert cov["综合分类与动态调整"][2] == str(res["unit_id"].nunique())
