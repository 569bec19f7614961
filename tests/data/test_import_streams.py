"""Issue 11, XLSX read as a stream: percent formats, uncached formulas, the dimension bomb; limits."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile

from import_helpers import n_rows, put, stored
from openpyxl import Workbook

from rbcity.data import schema as s
from rbcity.data.importer import import_file
from rbcity.data.ingest.limits import Limits


def _book(tmp_path, rows, fmt=None, name="p.xlsx"):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    if fmt:
        for cell, f in fmt.items():
            ws[cell].number_format = f
    p = tmp_path / name
    wb.save(p)
    return p


def test_percent_formatted_cells_are_stored_in_percent(engine, tmp_path):
    p = _book(tmp_path, [["城市", "年份", "第三产业比重(%)", "gdp(万元)"], ["鹤岗市", 2010, 0.552, 0.5]],
              fmt={"C2": "0.0%", "D2": "0.0%"})
    rep = import_file(engine, p)
    assert stored(engine, ind="tertiary_share") == {("230400", 2010, "tertiary_share"): 55.2}
    # a percent cell for an indicator that is not a share: rejected, never scaled silently
    assert stored(engine, ind="gdp") == {}
    assert [(r.row, r.column, r.reason_code) for r in rep.rejects] == [(2, "gdp(万元)", "unit_incompatible")]


def test_formula_without_cached_value_is_rejected_not_blank(engine, tmp_path):
    p = _book(tmp_path, [["城市", "年份", "gdp(万元)"], ["鹤岗市", 2010, "=1+1"], ["鹤岗市", 2011, 7]])
    rep = import_file(engine, p)
    assert stored(engine, ind="gdp") == {("230400", 2011, "gdp"): 7.0}
    assert [(r.row, r.raw_value, r.reason_code) for r in rep.rejects] == [(2, "=1+1", "uncached_formula")]
    assert rep.n_blank == 0


def _bomb(path):
    """A tiny XLSX whose only cell is XFD1048576 and whose dimension claims A1:XFD1048576."""
    wb = Workbook()
    wb.active.cell(row=1048576, column=16384, value=1)
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = parts[sheet].decode()
    start = xml.index("<dimension ref=\"")
    end = xml.index("\"", start + 16)
    parts[sheet] = (xml[:start] + "<dimension ref=\"A1:XFD1048576" + xml[end:]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)


def test_dimension_bomb_is_refused_fast_in_bounded_memory(engine, tmp_path):
    """Peak RSS of the importing process: VmHWM (per address space; ru_maxrss would carry the
    forking parent's peak across exec)."""
    p = tmp_path / "bomb.xlsx"
    _bomb(p)
    assert p.stat().st_size < 10_000
    url = str(engine.url)
    code = textwrap.dedent(f"""
        import re, time
        from rbcity.data.store import open_store
        from rbcity.data.importer import import_file
        e = open_store({url!r})
        t = time.perf_counter()
        rep = import_file(e, {str(p)!r})
        print(rep.status, sorted(rep.reasons()), round(time.perf_counter() - t, 1),
              int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    fields = out.stdout.split()
    status, secs, rss_mb = fields[0], float(fields[-2]), int(fields[-1])
    assert status == "failed" and "too_large" in out.stdout
    assert secs < 30 and rss_mb < 500
    assert n_rows(engine, s.observation) == 0


def test_limits_refuse_a_file_as_one_failed_batch(engine, tmp_path):
    p = put(tmp_path, "l.csv", "city,year,indicator,value,unit\n" + "鹤岗市,2010,gdp,1,万元\n" * 5)
    rep = import_file(engine, p, limits=Limits(max_rows=4, chunk_rows=2))
    assert rep.status == "failed" and rep.reasons() == {"too_large": 1} and "max_rows" in rep.rejects[0].reason
    assert n_rows(engine, s.observation) == 0
    ok = import_file(engine, p, limits=Limits(max_rows=5, chunk_rows=2))
    assert ok.status == "committed" and ok.n_duplicate == 4  # chunks see each other's duplicates
    assert stored(engine) == {("230400", 2010, "gdp"): 1.0}


def test_chunked_csv_keeps_row_numbers_and_conflicts_across_chunks(engine, tmp_path):
    p = put(tmp_path, "c.csv", "city,year,indicator,value,unit\n鹤岗市,2010,gdp,1,万元\n鹤岗市,2011,gdp,2,万元\n"
                               "鹤岗市,2012,gdp,x,万元\n鹤岗市,2010,gdp,9,万元\n")
    rep = import_file(engine, p, limits=Limits(chunk_rows=1))
    assert [(r.row, r.reason_code) for r in rep.rejects] == [(4, "not_a_number"), (2, "duplicate_conflict"),
                                                              (5, "duplicate_conflict")]
    assert stored(engine) == {("230400", 2011, "gdp"): 2.0}


def test_one_key_repeated_200000_times_stays_in_bounded_memory(engine, tmp_path):
    """200,000 rows of one city, year and indicator: equal values are one value; different values
    reject every copy, each reject naming at most 20 rows (the old message listed all 200,000
    rows in each of 200,000 rejects and used all memory). Peak RSS measured as VmHWM."""
    same, diff = tmp_path / "same.csv", tmp_path / "diff.csv"
    head = "city,year,indicator,value,unit\n"
    same.write_text(head + "鹤岗市,2010,gdp,5,万元\n" * 200_000, encoding="utf-8")
    diff.write_text(head + "".join(f"鹤岗市,2011,gdp,{i},万元\n" for i in range(200_000)), encoding="utf-8")
    code = textwrap.dedent(f"""
        import re
        from rbcity.data.store import open_store
        from rbcity.data.importer import import_file
        e = open_store({str(engine.url)!r})
        a = import_file(e, {str(same)!r})
        b = import_file(e, {str(diff)!r})
        r = b.rejects[0]
        print(a.status, a.n_new, a.n_duplicate, b.status, b.reasons(), r.row, repr(r.reason),
              int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    f = out.stdout.split()
    assert f[:4] == ["committed", "1", "199999", "failed"]
    assert "'duplicate_conflict': 200000" in out.stdout and f[6] == "2"
    assert "rows 2, 3, 4," in out.stdout and "21 …" in out.stdout and "(200,000 行 rows in all)" in out.stdout
    assert "22," not in out.stdout.split("rows 2,")[1].split("…")[0]
    assert int(f[-1]) < 900
    assert stored(engine) == {("230400", 2010, "gdp"): 5.0}
