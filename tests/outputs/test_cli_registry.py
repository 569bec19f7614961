"""The registry CLI as a user runs it: real process, JSON parsed, errors one line, exit 2."""

import json
import os
import subprocess
import sys

import pytest

from store_urls import fresh_url


def rb(*args, db):
    env = {**os.environ, "RBCITY_DB": db}
    return subprocess.run([sys.executable, "-m", "rbcity", *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return fresh_url(tmp_path_factory.mktemp('cli') / 'cli.sqlite')


def test_cities_declining_json(db):
    p = rb("cities", "--type", "衰退型", "--format", "json", db=db)
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    assert len(rows) == 67 and {r["type_2013"] for r in rows} == {"declining"}


def test_city_jiutai(db):
    p = rb("city", "九台", db=db)
    assert p.returncode == 0, p.stderr
    assert "九台市" in p.stdout and "220113" in p.stdout and "九台区" in p.stdout
    p = rb("city", "九台", "--lang", "en", "--format", "json", db=db)
    rec = json.loads(p.stdout)
    assert rec["unit_id"] == "220181" and rec["exhausted_batch"] == 2009
    assert [h["code"] for h in rec["code_history"]] == ["220181", "220113"]


def test_cities_csv_en_and_xlsx(db, tmp_path):
    p = rb("cities", "--province", "云南", "--format", "csv", "--lang", "en", db=db)
    assert p.returncode == 0 and p.stdout.count("\n") == 18 and "Yunnan" in p.stdout
    out = tmp_path / "c.xlsx"
    p = rb("cities", "--exhausted", "2008", "--format", "xlsx", "--output", str(out), db=db)
    import pandas as pd

    assert p.returncode == 0 and len(pd.read_excel(out)) == 12


@pytest.mark.parametrize("args", [
    ("city", "火星市"), ("cities", "--type", "衰落型"), ("cities", "--format", "yaml"),
    ("cities", "--lang", "fr"), ("cities", "--bogus"), ("city", "哈密市x"),
])
def test_bad_input_one_line_exit_2(db, args):
    p = rb(*args, db=db)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
