"""``rbcity user add NAME --role reporter --city 鹤岗`` / ``--province 山西``: the place is
resolved through the registry and stored with the account; a wrong combination is refused
before anything is written."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import create_engine, select

from rbcity.data import schema as s
from store_urls import fresh_url


def rb(*args, db):
    env = {**os.environ, "RBCITY_DB": db}
    return subprocess.run([sys.executable, "-m", "rbcity", *args, "--password-stdin"], input="s3cret-pass\n",
                          capture_output=True, text=True, env=env, timeout=180)


def test_user_add_with_place(tmp_path):
    db = fresh_url(tmp_path / "u.sqlite")
    p = rb("user", "add", "鹤岗填报", "--role", "reporter", "--city", "鹤岗", db=db)
    assert p.returncode == 0, p.stderr
    assert "reporter, 230400" in p.stdout
    assert rb("user", "add", "晋审", "--role", "province_reviewer", "--province", "山西", db=db).returncode == 0
    bad = rb("user", "add", "无城", "--role", "reporter", "--province", "山西", db=db)
    assert bad.returncode == 2 and "--city" in bad.stderr
    u = s.app_user.c
    eng = create_engine(db)
    with eng.connect() as c:
        rows = c.execute(select(u.username, u.role, u.scope_unit, u.scope_province).order_by(u.id)).all()
    eng.dispose()
    assert [tuple(r) for r in rows] == [("鹤岗填报", "reporter", "230400", ""),
                                        ("晋审", "province_reviewer", "", "山西省")]
