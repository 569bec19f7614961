"""Reports a leadership can read, checked by looking: the PDFs are rendered to PNG (pdftoppm)
and their text layer read (pdftotext); page counts, the executive summary on page 1, no page
that is mostly not-computed boxes, a profile with only its own city, the provincial report,
and an English report without HTML entities or Chinese level names."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime

import engine_rows as fx
import pytest
from sqlalchemy import insert

pytestmark = pytest.mark.skipif(not shutil.which("pdftoppm") or not shutil.which("pdftotext"),
                                reason="poppler-utils (pdftoppm, pdftotext) not installed")

#: the not-computed box background (#fdf2f0), as rendered
BOX_RGB = (253, 242, 240)


def pdf_pages_text(pdf) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")


def png_pages(pdf, tmp_path) -> list:
    from PIL import Image

    prefix = tmp_path / pdf.stem
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(prefix)], check=True, timeout=120)
    return [Image.open(p).convert("RGB") for p in sorted(tmp_path.glob(f"{pdf.stem}-*.png"))]


def box_share(img) -> float:
    """Share of a page's pixels in the not-computed box colour."""
    px = list(img.get_flattened_data()) if hasattr(img, "get_flattened_data") else list(img.getdata())
    hit = sum(1 for p in px if all(abs(a - b) <= 3 for a, b in zip(p, BOX_RGB, strict=True)))
    return hit / len(px)


def rb(*args, db):
    env = {**os.environ, "RBCITY_DB": db}
    return subprocess.run([sys.executable, "-m", "rbcity", *args], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.fixture(scope="module")
def national_pdfs(fx_engine, tmp_path_factory):
    from rbcity.outputs.report.national import write_national_report

    d = tmp_path_factory.mktemp("nat")
    return {lang: write_national_report(fx_engine, 2020, lang, "pdf", d / f"nat-{lang}.pdf") for lang in ("zh", "en")}


def test_national_summary_first_and_short(national_pdfs, tmp_path):
    pdf = national_pdfs["zh"]
    text = pdf_pages_text(pdf)
    assert 1 <= len(text) <= 25
    first = text[0]
    assert "执行摘要" in first and "全国资源型城市可持续发展评估报告（2020年）" in first
    # headline numbers of the fixture's engines, each with a verdict (no card stored → 未检验)
    assert "评估4个城市，重警1个、巨警0个" in first and "考核3/69个资源枯竭城市" in first
    assert first.count("未检验") >= 6
    # the registry and the engine sections start after page 1
    assert "名单概况" not in first.split("执行摘要", 1)[1].split("检验结论：有效", 1)[0]
    pages = png_pages(pdf, tmp_path)
    assert len(pages) == len(text)
    shares = [box_share(p) for p in pages]
    assert max(shares) < 0.25, shares  # no page is mostly not-computed boxes


def test_national_gaps_counted_and_csv_beside(national_pdfs, fx_data):
    pdf = national_pdfs["zh"]
    csv_path = pdf.with_name("nat-zh-not-computed.csv")
    with open(csv_path, encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["引擎", "engine", "单位代码", "名称", "省份", "原因"]
    # classify: 焦作 with its stored reason + 256 cities without a row = 257
    cls = [r for r in rows[1:] if r[1] == "classify"]
    assert len(cls) == 257 and ["综合分类与动态调整", "classify", "410800", "焦作市", "河南省",
                                "缺少2020年指标数据"] in cls
    text = "".join(pdf_pages_text(pdf))
    assert "nat-zh-not-computed.csv" in text and "附录A" in text
    assert "未评分城市 257 个" in text


def test_english_report_no_entities_no_chinese_levels(national_pdfs):
    pdf = national_pdfs["en"]
    text = "".join(pdf_pages_text(pdf))
    assert "China's" in text  # the running header, not China&#39;s
    for bad in ("&#39;", "&amp;", "&gt;", "&lt;", "&quot;"):
        assert bad not in text, bad
    for level in ("无警", "轻警", "中警", "重警", "巨警", "勉强协调", "良好协调", "优秀", "合格", "较差"):
        assert level not in text, level
    assert "Executive summary" in text and "Hegang" in text and "Fuxin" in text and "serious" in text
    assert "鹤岗" not in text and "阜新" not in text


def _store_with_foreign_gaps(tmp_path):
    """Registry + a warning run whose summary lists three other cities as not computed, and one
    result for 鹤岗."""
    from rbcity.data import schema as s
    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store

    eng = open_store(f"sqlite:///{tmp_path / 'g.sqlite'}")
    load_registry_into(eng)
    summary = {"not_computed": [["X21140", "control unit: no data"], ["650200", "warning: too few indicators; missing: gdp"],
                                ["130185", "warning: too few indicators; missing: gdp, so2"]]}
    with eng.begin() as conn:
        rid = conn.execute(insert(s.run).values(
            engine="warning", year=2020, spec={"weights": {"a": 0.5}, "levels": [1, 2]}, spec_hash="h",
            data_revision=1, version="0", created_at=datetime(2026, 1, 1, tzinfo=UTC),
            summary=summary)).inserted_primary_key[0]
        conn.execute(insert(s.result), [
            dict(run_id=rid, unit_id=fx.HEGANG, year=2020, key="level", value=3, text=None),
            dict(run_id=rid, unit_id=fx.HEGANG, year=2020, key="level_label", value=None, text="重警"),
            dict(run_id=rid, unit_id=fx.HEGANG, year=2020, key="safety_score", value=40.0, text=None)])
    return eng


def test_profile_only_its_own_city(tmp_path):
    from rbcity.outputs.report.profile import write_profile

    eng = _store_with_foreign_gaps(tmp_path)
    pdf = write_profile(eng, "鹤岗", 2020, "zh", "pdf", tmp_path / "hg.pdf")
    text = "".join(pdf_pages_text(pdf))
    assert 1 <= len(pdf_pages_text(pdf)) <= 3
    for other in ("X21140", "650200", "130185", "克拉玛依", "shared/data"):
        assert other not in text, other
    assert "重警" in text and "40.0" in text
    assert "国发〔2013〕45号" in text and "核实等级" in text  # the registry source, readable


def test_national_groups_per_city_reasons(tmp_path):
    """Per-city reasons that differ only in their list of missing indicators are one appendix row."""
    from rbcity.outputs.report.context import build_report_data

    eng = _store_with_foreign_gaps(tmp_path)
    d = build_report_data(eng, 2020, "zh")
    rows = {(r["engine"], r["reason"]): r["n_cities"] for r in d.gap_table}
    assert rows[("warning", "warning: too few indicators")] == 2  # 650200 and 130185
    assert rows[("warning", "control unit: no data")] == 1  # X21140 杨家杖子开发区
    # the rest of the 262 less 鹤岗 (scored) and the three above
    assert rows[("warning", "无结果：存储的运行中没有该城市的结果（通常因缺少数据）")] == 262 - 1 - 3
    assert [p for p in d.specs[0]["params"]] == [("levels", "1, 2"), ("weights", "a=0.5")]


def test_validity_card_rendered(tmp_path):
    from rbcity.data import schema as s
    from rbcity.outputs.report.context import build_report_data
    from rbcity.outputs.report.national import render_national

    eng = _store_with_foreign_gaps(tmp_path)
    card = {"engine": "warning", "verdict": "valid", "checked_against": ["2013年衰退型名单", "the 2013 declining list"],
            "metric": ["准确率", "accuracy"], "figure": 0.81, "baseline": 0.74, "baseline_name": ["多数类", "majority"],
            "n": 262, "text": ["优于基准", "beats the baseline"]}
    with eng.begin() as conn:
        conn.execute(s.run.update().values(summary={"validity": card}))
    d = build_report_data(eng, 2020, "zh")
    assert d.validity["warning"]["verdict"] == "valid" and d.validity["warning"]["decision"]
    assert d.validity["classify"]["verdict"] == "not_checked"  # no run → never shown as valid
    html = render_national(d, "pdf")
    sec = html[html.index('<section id="sec-warning"'):]
    sec = sec[:sec.index("</section>")]
    assert 'data-validity="valid"' in sec and "2013年衰退型名单" in sec and "准确率 0.810" in sec
    assert "多数类 0.740" in sec and "n = 262" in sec


def test_province_report_cli(fx_engine, tmp_path):
    db = fx_engine.url.render_as_string(hide_password=False)
    out = tmp_path / "sx.pdf"
    p = rb("report", "--province", "山西", "--format", "pdf", "-o", str(out), db=db)
    assert p.returncode == 0, p.stderr
    text = pdf_pages_text(out)
    assert 1 <= len(text) <= 4
    body = "".join(text)
    assert "山西省资源型城市评估报告（2020年）" in body and "大同市" in body
    assert "鹤岗市" not in body and "包头" not in body  # other provinces' cities stay out
    p = rb("report", "--province", "火星", "-o", str(tmp_path / "x.html"), db=db)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "火星" in p.stderr


def test_province_ranks_national_and_within(fx_engine):
    from rbcity.outputs.report.province import build_province_data, ranks

    assert ranks({"a": 3.0, "b": 5.0, "c": None, "d": 3.0}) == {"b": 1, "a": 2, "d": 2}
    p = build_province_data(fx_engine, "Shanxi", 2020, "zh")
    dt = next(r for r in p.cities if r["unit_id"] == fx.DATONG)
    # safety scores: 唐山 88.0 > 大同 71.2 > 阜新 55.0 > 鹤岗 38.5; D: 唐山 .835 > 大同 .678 > 鹤岗 .514
    assert (dt["warning_rank"], dt["warning_rank_prov"], dt["D_rank"], dt["D_rank_prov"]) == (2, 1, 2, 1)
    assert p.n_cities == 13 and p.n_scored["warning"] == (1, 4)
    assert {r["unit_id"] for r in p.cities} >= {fx.DATONG} and fx.HEGANG not in {r["unit_id"] for r in p.cities}


def test_pinyin_names():
    from rbcity.registry.pinyin import name_en, search_key

    assert name_en("鹤岗市") == "Hegang" and name_en("长治市") == "Changzhi" and name_en("六安市") == "Lu'an"
    assert name_en("阿坝藏族羌族自治州") == "Aba Prefecture" and name_en("单县") == "Shan County"
    assert name_en("鄂尔多斯市") == "Ordos" and name_en("西安市") == "Xi'an"
    assert search_key("He-gang") == search_key(name_en("鹤岗市")) == "hegang"


def test_running_head_css_string():
    from rbcity.outputs.report.render import css_string

    assert str(css_string("China's \"x\" </style>")) == "China's \\\"x\\\" \\3c /style>"


def test_spec_notes_translate_level_names():
    from rbcity.outputs.terms import term, translate_terms

    note = "five levels 无警/轻警/中警/重警/巨警; min level 重警"
    assert translate_terms(note, "en") == "five levels no warning/light/moderate/serious/severe; min level serious"
    assert translate_terms(note, "zh") == note
    assert term("良好协调", "en") == "good coordination" and term("优秀", "en") == "excellent"
    assert term("资源开发滞后 / resource development lagging", "en") == "resource development lagging"
