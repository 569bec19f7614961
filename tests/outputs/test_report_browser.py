"""The self-contained HTML report and map in headless Chromium with the network off: no
request leaves file://, and every map and chart draws (canvas pixels / SVG paths)."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

# count the non-transparent pixels of every canvas inside a map element
PAINTED = """(id) => {
  const cs = document.querySelectorAll('#' + id + ' canvas');
  let n = 0;
  for (const c of cs) {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  }
  return n;
}"""


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _open(browser, path):
    ctx = browser.new_context(offline=True, viewport={"width": 1100, "height": 900})
    requests, errors = [], []
    page = ctx.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    return ctx, page, requests, errors


def test_national_report_draws_offline(browser, fx_html_file):
    ctx, page, requests, errors = _open(browser, fx_html_file)
    try:
        page.wait_for_function("window.rbcityCharts && Object.keys(window.rbcityCharts).length === 4")
        page.wait_for_timeout(500)
        assert errors == []
        assert all(u.startswith(("file://", "data:")) for u in requests), requests
        for mid in ("map-type", "map-classify", "map-warning", "map-grade"):
            n = page.evaluate(PAINTED, mid)
            assert n > 20_000, f"{mid} drew only {n} pixels"
        n_series = page.evaluate("window.rbcityCharts['map-type'].getOption().series.length")
        assert n_series == 4
        # static charts are inline SVG with drawn paths
        assert page.locator(".chart svg path").count() > 100
    finally:
        ctx.close()


def test_map_html_draws_offline(browser, fx_engine, tmp_path):
    from rbcity.outputs.map_layers import map_layer
    from rbcity.outputs.maps import echarts_map_html

    layer = map_layer(fx_engine, "warning", 2020)
    path = tmp_path / "map.html"
    path.write_text(echarts_map_html(layer.frame, layer.column, "zh", scheme=layer.scheme), encoding="utf-8")
    ctx, page, requests, errors = _open(browser, path)
    try:
        page.wait_for_function("window.rbcityChart !== undefined")
        page.wait_for_timeout(300)
        assert errors == [] and all(u.startswith(("file://", "data:")) for u in requests)
        assert page.evaluate(PAINTED, "map") > 20_000
        legend = page.evaluate("window.rbcityChart.getOption().legend[0].data")
        assert legend == ["无警", "轻警", "中警", "重警", "巨警", "无数据"]
    finally:
        ctx.close()
