"""The real pages in headless Chromium against a real uvicorn server on loopback: the overview
map is drawn, the city list filters as you type, a profile opens, the language switches, and a
signed-in user imports a file with one bad row (reported) while the others land."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from web_seed import PASSWORD, seeded_store

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``rbcity serve`` on 127.0.0.1:<free port> over its own seeded store; yields the base URL."""
    import rbcity

    url = seeded_store(tmp_path_factory.mktemp("browser") / "b.sqlite")
    port = _free_port()
    src = str(Path(rbcity.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "rbcity", "serve", "--host", "127.0.0.1",
                             "--port", str(port), "--db", url], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("server did not start: " + (proc.stderr.read().decode() if proc.stderr else ""))
        time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, server):
    """A fresh browser page; afterwards, no script error and no request left the test server."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    p = ctx.new_page()
    errors: list[str] = []
    foreign: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    # a script or style the Content-Security-Policy refused is an error too
    p.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    p.on("request", lambda r: None if r.url.startswith((server, "data:", "blob:")) else foreign.append(r.url))
    p.set_default_timeout(20_000)
    yield p
    ctx.close()
    assert not errors, errors
    assert not foreign, foreign  # no CDN, no other host


def test_overview_map_is_drawn(page, server):
    page.goto(server + "/")
    page.wait_for_selector("#map[data-drawn]")
    assert page.locator("#map canvas").count() >= 1
    cities = httpx.get(server + "/api/cities").json()["items"]
    with_coords = sum(1 for c in cities if c["lon"] is not None and c["lat"] is not None)
    assert int(page.get_attribute("#map", "data-drawn")) == with_coords > 250
    assert page.text_content("#n-cities") == "262"
    page.select_option("#colour-by", "warning")
    page.wait_for_selector("#map[data-layer=warning]")
    # the canvas really has coloured pixels (ECharts painted something)
    painted = page.evaluate("""() => { const c = document.querySelector('#map canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 0; i < d.length; i += 4) { if (d[i+3] > 0 && !(d[i] > 240 && d[i+1] > 240 && d[i+2] > 240)) n++; }
        return n; }""")
    assert painted > 5000


def test_filter_city_list(page, server):
    # expect() polls without eval: the pages' Content-Security-Policy refuses string evaluation
    from playwright.sync_api import expect

    page.goto(server + "/cities")
    assert page.text_content("#city-count") == "262"
    page.fill("#search", "鹤岗")
    expect(page.locator("#city-count")).to_have_text("1")
    assert "鹤岗市" in page.text_content("#cities-table")
    assert "search=" in page.url  # hx-push-url keeps the filter in the address
    page.fill("#search", "")
    page.select_option("#f-type", "growth")
    expect(page.locator("#city-count")).to_have_text("31")
    page.select_option("#f-province", "内蒙古自治区")
    expect(page.locator("#city-count")).not_to_have_text("31")
    n = int(page.text_content("#city-count"))
    rows = page.locator("#cities-table tbody tr")
    assert rows.count() == n and 0 < n < 31


def test_open_profile_and_switch_language(page, server):
    page.goto(server + "/cities?search=鹤岗")
    page.click("a.city-link")
    page.wait_for_selector("#city-name")
    assert page.url.endswith("/cities/230400")
    assert "鹤岗市" in page.text_content("#city-name")
    assert "重警" in page.text_content("#warning-level")
    page.wait_for_selector("#trend[data-drawn='6']")
    page.click("#lang-switch")
    page.wait_for_selector("#city-name")
    assert page.url.endswith("/cities/230400?lang=en")
    assert "serious" in page.text_content("#warning-level")
    assert page.text_content("#lang-switch") == "中文"
    assert page.get_attribute("html", "lang") == "en"
    page.click("a[data-nav=cities]")  # navigation keeps English
    page.wait_for_selector("#city-count")
    assert "lang=en" in page.url and "Cities" in page.text_content("h1")


def test_sign_in_and_import_with_one_bad_row(page, server, tmp_path):
    f = tmp_path / "yearbook_2021.csv"
    f.write_text("城市,年份,指标,数值,单位\n鹤岗市,2021,人均地区生产总值,38000,元/人\n"
                 "九台市,2021,人均地区生产总值,bad,元/人\n阜新市,2021,人均地区生产总值,32000,元/人\n",
                 encoding="utf-8")
    page.goto(server + "/import")
    page.click("#need-login a")
    page.fill("#username", "ana")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#upload-form")
    assert "ana" in page.text_content("#signed-in")
    page.set_input_files("#file", str(f))
    page.fill("#source", "浏览器测试 browser test")
    page.click("#upload-submit")
    page.wait_for_selector("#import-job")  # a job: the progress bar polls until the report replaces it
    page.wait_for_selector("#rejects-table", timeout=90_000)
    page.screenshot(path=str(tmp_path / "import-report.png"), full_page=True)
    assert page.text_content("#n-rejects") == "1"
    cells = page.locator("#rejects-table tbody tr td").all_text_contents()
    assert cells[1:4] == ["3", "数值", "bad"] and "not_a_number" in cells[4]
    before = httpx.get(server + "/api/observations", params={"year_from": 2021}).json()["total"]
    assert before == 0  # validation alone writes nothing
    page.click("#confirm-submit")
    page.wait_for_selector("#import-job[data-status=done] #report-title", timeout=90_000)
    assert "已导入" in page.text_content("#report-title")
    assert page.locator("[data-field=status]").text_content().endswith("已导入")
    obs = httpx.get(server + "/api/observations", params={"year_from": 2021}).json()["items"]
    assert sorted((o["unit_id"], o["value"]) for o in obs) == [("210900", 32000.0), ("230400", 38000.0)]
    batch = httpx.get(server + "/api/imports").json()["items"][0]
    assert batch["file"] == "yearbook_2021.csv" and batch["n_rejected"] == 1 and batch["user"] == "ana"


def test_rerun_from_an_english_page_shows_progress_then_validity(page, server, tmp_path):
    page.goto(server + "/login?lang=en&next=/warnings")
    page.fill("#username", "ana")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("form.rerun")
    n_runs = httpx.get(server + "/api/runs", params={"engine": "warning"}).json()["total"]
    page.fill("form.rerun input[name=year]", "2018")
    page.click("form.rerun button")
    page.wait_for_selector("#rerun-job")  # a job: the bar polls until the runs replace it
    page.wait_for_selector("#rerun-job[data-status=done] #rerun-title", timeout=90_000)
    page.screenshot(path=str(tmp_path / "rerun-done.png"), full_page=True)
    assert page.text_content("#rerun-title") == "Runs stored (1)"  # the page's language, kept through the job
    runs = httpx.get(server + "/api/runs", params={"engine": "warning"}).json()
    assert runs["total"] == n_runs + 1
    verdict = httpx.get(server + f"/api/runs/{runs['items'][0]['id']}").json()["summary"]["validity"]["verdict"]
    cell = page.locator("#rerun-runs tr[data-engine=warning] td.validity")
    assert cell.get_attribute("data-validity") == verdict
    assert page.locator("#rerun-runs tr[data-engine=warning] a").text_content() == f"#{runs['items'][0]['id']}"


def test_api_docs_render_from_local_files(page, server):
    page.goto(server + "/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_text_contents()
    assert "/api/cities" in [p.strip() for p in paths] and len(paths) >= 16


def test_overview_map_draws_taiwan_and_the_south_china_sea_inset(page, server):
    """Taiwan (filled like any region) and the 南海诸岛 inset (grey lines) are painted on the
    overview map's canvas, at the pixels ECharts itself computes for their coordinates."""
    page.goto(server + "/")
    page.wait_for_selector("#map[data-drawn]")
    probe = """([lon, lat, r]) => {
        const el = document.getElementById('map');
        const chart = echarts.getInstanceByDom(el);
        const [x, y] = chart.convertToPixel({geoIndex: 0}, [lon, lat]);
        const c = el.querySelector('canvas'); const k = c.width / el.clientWidth;
        const d = c.getContext('2d').getImageData(Math.round(x * k) - r, Math.round(y * k) - r, 2 * r + 1, 2 * r + 1).data;
        let darkest = 255 * 3, painted = 0;
        for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3] > 0) { painted++; darkest = Math.min(darkest, d[i] + d[i + 1] + d[i + 2]); } }
        return {painted, darkest}; }"""
    taiwan = page.evaluate(probe, [120.95, 23.7, 1])
    assert taiwan["painted"] == 9 and taiwan["darkest"] <= 3 * 242  # filled (#f0f0f0 or darker)
    inset_line = page.evaluate(probe, [126 + 63.5 / 10.5, 22.0, 4])  # the inset frame's right edge
    assert inset_line["painted"] > 0 and inset_line["darkest"] < 3 * 200  # grey #7f7f7f line
    # both are regions of the drawn geo component (ECharts paints every region it holds)
    regions = page.evaluate("""() => echarts.getInstanceByDom(document.getElementById('map')).getModel()
        .getComponent('geo', 0).coordinateSystem.regions.map(r => r.name)""")
    assert "710000" in regions and "nanhai" in regions
    assert page.evaluate(probe, [105.0, 47.0, 1])["painted"] == 0  # Mongolia: outside, nothing drawn
