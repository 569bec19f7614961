"""``rbcity user add`` as a user runs it: a real process, password from stdin, argon2 in the
store, one-line errors with exit 2."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from store_urls import fresh_url


def rb(*args, db, stdin=""):
    env = {**os.environ, "RBCITY_DB": db}
    return subprocess.run([sys.executable, "-m", "rbcity", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return fresh_url(tmp_path_factory.mktemp('cliweb') / 'u.sqlite')


def test_user_add_then_sign_in(db):
    p = rb("user", "add", "王分析", "--password-stdin", db=db, stdin="s3cret-pass\n")
    assert p.returncode == 0, p.stderr
    assert "王分析" in p.stdout and "analyst" in p.stdout
    from sqlalchemy import select

    from rbcity.data import schema as s
    from rbcity.data.store import open_store
    from rbcity.outputs.web.auth import authenticate

    engine = open_store(db)
    with engine.connect() as conn:
        stored = conn.execute(select(s.app_user.c.password_hash).where(s.app_user.c.username == "王分析")).scalar_one()
    assert stored.startswith("$argon2id$") and "s3cret-pass" not in stored
    assert authenticate(engine, "王分析", "s3cret-pass").role == "analyst"
    assert authenticate(engine, "王分析", "wrong") is None
    assert authenticate(engine, "nobody", "s3cret-pass") is None


@pytest.mark.parametrize("args,stdin,msg", [
    (("user", "add", "王分析", "--password-stdin"), "another-pass\n", "已存在"),
    (("user", "add", "short", "--password-stdin"), "123\n", "至少8个字符"),
    (("user", "add", "a b", "--password-stdin"), "long-enough-pass\n", "无效的用户名"),
    (("user", "add", "newbie", "--role", "god", "--password-stdin"), "long-enough-pass\n", "无效的角色"),
])
def test_user_add_errors_are_one_line(db, args, stdin, msg):
    rb("user", "add", "王分析", "--password-stdin", db=db, stdin="s3cret-pass\n")
    p = rb(*args, db=db, stdin=stdin)
    assert p.returncode == 2 and msg in p.stderr and p.stderr.count("\n") == 1 and "Traceback" not in p.stderr


def test_serve_help_lists_options(db):
    p = rb("serve", "--help", db=db)
    assert p.returncode == 0 and "--host" in p.stdout and "--port" in p.stdout
