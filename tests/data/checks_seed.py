"""A small store for the checks tests: six registry cities' GDP per capita 2004–2012 growing
10–15 % a year, except 呼伦贝尔 2012, a fifth of 2011 (a uniquely named helper module)."""

from __future__ import annotations

import hashlib

import pandas as pd

CITIES = ["130700", "130800", "130200", "130500", "130400", "150700"]


def import_values(engine, values: dict[tuple[str, int], float], indicator="gdp_per_capita", unit="元/人"):
    """Import ``{(unit_id, year): value}`` through the importer (one committed batch)."""
    from rbcity.data.importer import import_frame
    from rbcity.data.reader import RawTable

    col = f"v[{unit}]"
    df = pd.DataFrame({"unit_id": [u for u, _ in values], "year": [str(y) for _, y in values],
                       col: [repr(v) for v in values.values()]})
    digest = hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()
    rep = import_frame(engine, RawTable(df, pd.Series(range(2, len(df) + 2)), "test.csv", ""), source="test",
                       columns={col: (indicator, unit)}, digest=digest, user="t")
    assert rep.status == "committed", rep.message
    return rep


def seeded_checks_store(path):
    """An engine on a new store at ``path`` with the registry and the series above."""
    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store

    engine = open_store(f"sqlite:///{path}")
    load_registry_into(engine)
    values = {}
    for k, u in enumerate(CITIES):
        v = 10000.0 * (1 + k / 10)
        for y in range(2004, 2013):
            values[(u, y)] = round(v, 2)
            v *= 1.10 + k / 100
    values[("150700", 2012)] = round(values[("150700", 2011)] / 5, 2)   # 呼伦贝尔 2012: a fifth
    import_values(engine, values)
    return engine
