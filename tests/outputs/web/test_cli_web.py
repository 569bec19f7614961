"""``rbcity user add`` as a user runs it: a real process, password from stdin, argon2 in the
store, one-line errors with exit 2."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def rb(*args, db, stdin=""):
    env = {**os.environ, "RBCITY_DB": db}
    return subprocess.run([sys.executable, "-m", "rbcity", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('cliweb') / 'u.sqlite'}"


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


def test_user_list_disable_passwd_are_audited_and_end_sessions(db):
    from rbcity.data.store import open_store
    from rbcity.outputs.web.audit import audit_frame
    from rbcity.outputs.web.auth import authenticate
    from rbcity.outputs.web.sessions import SessionStore

    assert rb("user", "add", "李审核", "--password-stdin", db=db, stdin="first-pass-1\n").returncode == 0
    engine = open_store(db)
    store = SessionStore(engine)
    tok = store.start("李审核")
    p = rb("user", "passwd", "李审核", "--password-stdin", db=db, stdin="second-pass-2\n")
    assert p.returncode == 0 and "sessions ended: 1" in p.stdout, p.stderr
    assert not store.check(tok, "李审核")  # the old browser session is over
    assert authenticate(engine, "李审核", "first-pass-1") is None
    assert authenticate(engine, "李审核", "second-pass-2").role == "analyst"
    tok = store.start("李审核")
    p = rb("user", "disable", "李审核", db=db)
    assert p.returncode == 0 and "sessions ended: 1" in p.stdout
    assert authenticate(engine, "李审核", "second-pass-2") is None and not store.check(tok, "李审核")
    listing = rb("user", "list", db=db).stdout.splitlines()
    row = next(x for x in listing if x.startswith("李审核\t"))
    assert row.split("\t")[1] == "analyst" and row.split("\t")[3] != "—" and row.split("\t")[4] != "—"
    assert rb("user", "disable", "李审核", "--enable", db=db).returncode == 0
    assert authenticate(engine, "李审核", "second-pass-2") is not None
    _, log = audit_frame(engine)
    mine = log[log["detail"].map(lambda d: isinstance(d, dict) and d.get("user") == "李审核")]
    assert mine["action"].tolist() == ["user_enable", "user_disable", "user_passwd"]  # newest first
    assert all(u.startswith("cli") for u in mine["username"])
    p = rb("user", "passwd", "nobody", "--password-stdin", db=db, stdin="whatever-long\n")
    assert p.returncode == 2 and "无此用户" in p.stderr and "Traceback" not in p.stderr
