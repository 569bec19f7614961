"""The store: Alembic migrations to head, registry loaded idempotently."""

from sqlalchemy import func, select

from rbcity.data import schema as s
from rbcity.data.registry_store import load_registry_into
from rbcity.data.store import current_revision, head_revision, open_store
from store_urls import fresh_url


def count(engine, table):
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(table)).scalar_one()


def test_migrate_and_load_twice(tmp_path):
    url = fresh_url(tmp_path / 'x.sqlite')
    engine = open_store(url)
    assert current_revision(engine) == head_revision()
    first = load_registry_into(engine)
    n = {t.name: count(engine, t) for t in (s.city, s.unit, s.code_history)}
    second = load_registry_into(engine)
    assert first["cities"] == second["cities"] == 262 and second["replaced"] == 262
    assert {t.name: count(engine, t) for t in (s.city, s.unit, s.code_history)} == n
    open_store(url)  # re-open: no migration error
    with engine.connect() as c:
        lon, lat = c.execute(select(s.unit.c.lon, s.unit.c.lat).where(s.unit.c.unit_id == "230400")).one()
    assert 129 < lon < 132 and 46 < lat < 48  # 鹤岗
