"""The CJK font is found and set explicitly; charts draw Chinese without missing glyphs; with
no CJK font installed the user gets a clear error naming the package."""

from __future__ import annotations

import warnings

import pytest

from rbcity.outputs import charts, fonts


def test_cjk_font_found_and_set():
    import matplotlib

    fam = fonts.use_cjk_font()
    assert fam == "Noto Sans CJK SC"  # installed by the README's install command (fonts-noto-cjk)
    assert matplotlib.rcParams["font.sans-serif"][0] == fam
    assert fonts.css_font_stack().startswith('"Noto Sans CJK SC"')


def test_missing_font_is_a_user_error(monkeypatch):
    from rbcity.errors import UserError

    fonts.cjk_family.cache_clear()
    monkeypatch.setattr(fonts, "_installed_families", lambda: {"DejaVu Sans"})
    monkeypatch.setattr(fonts, "_rebuild_cache", lambda: None)
    try:
        with pytest.raises(UserError, match="fonts-noto-cjk"):
            fonts.cjk_family()
    finally:
        monkeypatch.undo()
        fonts.cjk_family.cache_clear()
    assert fonts.cjk_family() == "Noto Sans CJK SC"


def test_charts_draw_chinese_without_missing_glyphs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)"
        svgs = [
            charts.bar_chart(["成长型", "成熟型"], [31, 141], "各类型城市数"),
            charts.stacked_bar_chart(["成长型"], {"地级行政区": [20], "县级市": [7]}, {}, "按级别"),
            charts.line_chart({"鹤岗市": ([2018, 2019, 2020], [1.0, None, 3.0])}, "人均GDP"),
            charts.progress_chart([("城镇化率", 57.8, 63.1, 60.0, "#1a9850"), ("无基期", None, 1.0, 2.0, "#999")]),
            charts.sweep_chart([{"threshold": 2, "precision": .6, "recall": .9, "f1": .72}], 2, "阈值扫描"),
        ]
    for svg in svgs:
        assert svg.startswith("<svg") and "<path" in svg
    # bar labels are the values (text is drawn as paths, so check the glyph ids of the digits)
    assert svgs[0].count("<path") > 10
