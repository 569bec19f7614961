"""Issue 11, concurrency: imports into one store from several processes, and several processes
creating one new store at once — no traceback, one-line "store busy" or success, consistent values."""

from __future__ import annotations

import multiprocessing as mp

from import_helpers import stored
from sqlalchemy import select

from rbcity.data import schema as s


def _import(url, path, q):
    import traceback

    try:
        from rbcity.data.importer import import_file
        from rbcity.data.store import open_store

        rep = import_file(open_store(url), path)
        q.put((rep.status, rep.n_new, rep.n_revised, sorted(rep.reasons()), rep.message))
    except Exception:  # a traceback is the defect this test is about
        q.put(("traceback", traceback.format_exc()))


def _run(url, paths):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    ps = [ctx.Process(target=_import, args=(url, str(p), q)) for p in paths]
    for p in ps:
        p.start()
    out = [q.get(timeout=300) for _ in ps]
    for p in ps:
        p.join(60)
    return out


def _csv(tmp_path, name, value, n=3000):
    p = tmp_path / name
    rows = "".join(f"鹤岗市,{1990 + i % 30},gdp,{value + i},万元\n" for i in range(30))
    rows += "".join(f"{u},2010,population,{value},万人\n" for u in ("230400", "230600", "230500")[: 1 + n % 3])
    p.write_text("city,year,indicator,value,unit\n" + rows, encoding="utf-8")
    return p


def test_overlapping_imports_into_one_store_serialise(engine, tmp_path):
    url = str(engine.url)
    engine.dispose()
    res = _run(url, [_csv(tmp_path, "a.csv", 100), _csv(tmp_path, "b.csv", 500)])
    assert all(r[0] != "traceback" for r in res), res
    statuses = sorted(r[0] for r in res)
    assert statuses in (["committed", "committed"], ["committed", "failed"])
    for r in res:
        if r[0] == "failed":
            assert r[3] == ["store_busy"] and "store busy" in r[4] and "\n" not in r[4]
    got = stored(engine, ind="gdp")
    # one file's values, whole: never a mix of the two
    assert {v - (y - 1990) for (_, y, _), v in got.items()} in ({100.0}, {500.0})
    with engine.connect() as c:
        batches = c.execute(select(s.import_batch.c.status)).scalars().all()
    assert sorted(batches) == statuses  # a failed import is a recorded batch


def test_busy_store_gives_one_line_and_a_failed_batch(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("RBCITY_DB_BUSY_TIMEOUT", "0.2")
    from sqlalchemy import create_engine, text

    from rbcity.data.importer import import_file
    from rbcity.data.ingest.write import IMPORT_LOCK_KEY
    from rbcity.data.store import open_store

    e = open_store(engine.url.render_as_string(hide_password=False))
    p = _csv(tmp_path, "a.csv", 100)
    if engine.dialect.name == "sqlite":
        import sqlite3

        holder = sqlite3.connect(engine.url.database)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        release = holder.rollback
    else:  # another import holds PostgreSQL's import lock
        other = create_engine(engine.url).connect()
        tx = other.begin()
        other.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": IMPORT_LOCK_KEY})
        release = tx.rollback
        holder = other
    try:
        rep = import_file(e, p)
    finally:
        release()
        holder.close()
    assert rep.status == "failed" and rep.reasons() == {"store_busy": 1}
    assert "数据库忙 store busy" in rep.message and "\n" not in rep.message
    assert stored(e) == {}
    rep2 = import_file(e, p)  # once free, the same file imports
    assert rep2.status == "committed" and rep2.n_new == 31


def _open_new(url, q):
    import traceback

    try:
        from rbcity.data.importer import ensure_ready
        from rbcity.data.store import current_revision, head_revision, open_store

        e = open_store(url)
        ensure_ready(e)
        q.put(("ok", current_revision(e) == head_revision()))
    except Exception:
        q.put(("traceback", traceback.format_exc()))


def test_several_processes_create_one_new_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    ps = [ctx.Process(target=_open_new, args=(url, q)) for _ in range(3)]
    for p in ps:
        p.start()
    res = [q.get(timeout=300) for _ in ps]
    for p in ps:
        p.join(60)
    assert res == [("ok", True)] * 3, res
    from rbcity.data.store import open_store

    with open_store(url).connect() as c:
        assert len(c.execute(select(s.city.c.unit_id)).all()) == 262
