"""Issue 12: the importer reports its progress by rows (a ``progress(fraction, message)`` callback)."""

from __future__ import annotations

from import_helpers import put, stored

from rbcity.data.importer import import_file
from rbcity.data.ingest.limits import Limits


def test_progress_is_reported_per_chunk_then_write_then_done(engine, tmp_path):
    rows = "".join(f"鹤岗市,{2000 + i},gdp,{i},万元\n" for i in range(5))
    p = put(tmp_path, "p.csv", "city,year,indicator,value,unit\n" + rows)
    heard = []
    rep = import_file(engine, p, limits=Limits(chunk_rows=2), progress=lambda f, m: heard.append((f, m)))
    assert rep.status == "committed" and len(stored(engine)) == 5
    fractions = [round(f, 9) for f, _ in heard]
    # start, three chunks (2 + 2 + 1 rows: each closes half the gap to 0.8), the write, done
    assert fractions == [0.0, 0.4, 0.6, 0.7, 0.8, 1.0]
    assert [m for _, m in heard[1:4]] == [f"已读 {n} 行 read and checked {n} rows" for n in (2, 4, 5)]
    assert heard[4][1] == "写入 5 个值 writing 5 values" and heard[5][1] == "完成 done: 5 rows"


def test_dry_run_says_checking_and_no_callback_is_fine(engine, tmp_path):
    p = put(tmp_path, "q.csv", "city,year,indicator,value,unit\n鹤岗市,2010,gdp,1,万元\n鹤岗市,2011,gdp,x,万元\n")
    heard = []
    rep = import_file(engine, p, dry_run=True, progress=lambda f, m: heard.append((f, m)))
    assert rep.status == "dry-run" and heard[-2] == (0.8, "校验 1 个值 checking 1 values")
    assert import_file(engine, p).status == "committed"  # no progress callback: as before
