"""The A4 PDFs: Chinese glyphs really render (compared with the same HTML rendered where no
CJK font exists, which gives tofu boxes), the text layer carries the numbers, the profile
fits in two pages."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pdfium = pytest.importorskip("pypdfium2")


def pages(pdf, n=2, scale=1.0):
    doc = pdfium.PdfDocument(str(pdf))
    return [doc[i].render(scale=scale).to_pil().convert("L") for i in range(min(n, len(doc)))]


def page_text(pdf, i=0) -> str:
    doc = pdfium.PdfDocument(str(pdf))
    return doc[i].get_textpage().get_text_range()


def n_pages(pdf) -> int:
    return len(pdfium.PdfDocument(str(pdf)))


@pytest.fixture(scope="module")
def pdf_pair(fx_data, tmp_path_factory):
    """(real PDF, PDF of the same HTML rendered with only DejaVu fonts visible to fontconfig)."""
    from rbcity.outputs.report.national import render_national
    from rbcity.outputs.report.pdf import html_to_pdf

    d = tmp_path_factory.mktemp("pdf")
    html = render_national(fx_data, "pdf")
    (d / "r.html").write_text(html, encoding="utf-8")
    real = html_to_pdf(html, d / "real.pdf")
    conf = d / "fonts.conf"
    conf.write_text(textwrap.dedent(f"""\
        <?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
        <fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{d}/fccache</cachedir></fontconfig>
        """))
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    code = ("import sys; from weasyprint import HTML; "
            "HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])")
    subprocess.run([sys.executable, "-c", code, str(d / "r.html"), str(d / "tofu.pdf")], env=env,
                   check=True, capture_output=True, timeout=300)
    return real, d / "tofu.pdf"


def _fonts(pdf) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout


def test_chinese_glyphs_render_not_tofu(pdf_pair):
    from PIL import ImageChops

    real, tofu = pdf_pair
    if os.path.exists("/usr/bin/pdffonts"):
        assert "Noto-Sans-CJK-SC" in _fonts(real)
        assert "CJK" not in _fonts(tofu)  # the control really had no CJK font
    def ratio(a, b, box):
        ink = sum(a.crop(box).point(lambda v: 255 if v < 128 else 0).histogram()[255:])
        diff = sum(ImageChops.difference(a.crop(box), b.crop(box)).point(
            lambda v: 255 if v > 64 else 0).histogram()[255:])
        return ink, diff / max(ink, 1)

    real_pages, tofu_pages = pages(real, 3), pages(tofu, 3)
    w, h = real_pages[0].size
    ink, r = ratio(real_pages[0], tofu_pages[0], (0, 0, w, int(h * 0.12)))  # title + meta: Chinese
    # identical renderings (tofu in both) give 0; measured here: about 1.7 for the title band
    assert ink > 1000 and r > 0.8, f"title renders like the missing-font control ({r:.2f})"
    for a, b in zip(real_pages, tofu_pages, strict=True):
        ink, r = ratio(a, b, (0, 0, w, h))
        assert r > 0.1, f"page renders like the missing-font control ({r:.2f})"
    # the real first page is the report: its title is extractable Chinese text
    assert "全国资源型城市可持续发展评估报告（2020年）" in page_text(real, 0)


def test_pdf_text_layer_carries_engine_numbers(pdf_pair):
    real, _ = pdf_pair
    doc = pdfium.PdfDocument(str(real))
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    for s in ("阜新市", "82.5", "鹤岗市", "38.5", "良好协调", "示意图，非标准地图", "未评分城市", "执行摘要"):
        assert s in text, s
    assert len(doc) >= 5


def test_profile_pdf_one_or_two_pages(fx_engine, tmp_path):
    from rbcity.outputs.report.profile import write_profile

    pdf = write_profile(fx_engine, "鹤岗", 2020, "zh", "pdf", tmp_path / "p.pdf")
    assert 1 <= n_pages(pdf) <= 2
    t = "".join(page_text(pdf, i) for i in range(n_pages(pdf)))
    assert "鹤岗市 城市概况" in page_text(pdf, 0) and "重警" in t and "38.5" in t and "勉强协调" in t
    img = pages(pdf, 1)[0]
    assert img.getextrema()[0] < 100  # something dark was drawn
