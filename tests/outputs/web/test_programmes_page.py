"""``/programmes``: the plan's programme targets with national, province and city progress from the
targets engine — hand-computed for values published through forms (鹤岗 and 阜新, 2019), no_data
for every target nobody reported; and the same national numbers as the report's table."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from web_seed import seeded_store

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "data"))
from reporting_fill import fill  # noqa: E402

HEGANG, FUXIN, JIUTAI = "230400", "210900", "220181"


def _publish(engine, unit, province, year, values):
    from rbcity.data.reporting import workflow as wf
    from rbcity.data.reporting.forms import build_workbook
    from rbcity.data.reporting.scope import Scope

    rep, prov, nat = (Scope("r", "reporter", unit, ""), Scope("p", "province_reviewer", "", province),
                      Scope("n", "national_reviewer"))
    v = wf.upload(engine, rep, unit, year, fill(build_workbook(engine, unit, year), values))["version"]
    v = wf.act(engine, rep, unit, year, "submit", version=v)["version"]
    v = wf.act(engine, prov, unit, year, "accept", version=v)["version"]
    assert wf.act(engine, nat, unit, year, "publish", version=v)["status"] == "published"


@pytest.fixture(scope="module")
def pc(tmp_path_factory):
    from fastapi.testclient import TestClient

    from rbcity.outputs.web.app import create_app
    from rbcity.plan.assess import assess

    url = seeded_store(tmp_path_factory.mktemp("prog") / "prog.sqlite")
    app = create_app(url, secret="test-secret", upload_dir=str(tmp_path_factory.mktemp("upprog")))
    engine = app.state.engine
    _publish(engine, HEGANG, "黑龙江省", 2019, {"successor_industry_parks": 4, "reemployed_persons": 1.5})
    _publish(engine, FUXIN, "辽宁省", 2019, {"successor_industry_parks": 6})
    assess(engine, 2019, engines=["targets"])
    app.state.reader.version(force=True)
    with TestClient(app) as c:
        yield c


def row(html: str, indicator: str) -> dict[str, str]:
    tr = re.search(rf'<tr data-programme="\w+" data-indicator="{indicator}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    fields = dict(re.findall(r'data-field="(\w+)"[^>]*>(.*?)</td>', tr, re.S))
    return {k: re.sub(r"<[^>]+>", "", v).strip() for k, v in fields.items()}


def test_nobody_reported_is_no_data(client):
    t = client.get("/programmes").text  # the shared seed: a 2018 targets run without programme values
    assert client.get("/programmes").status_code == 200
    rows = re.findall(r'data-field="status" data-status="(\w+)"', t)
    assert len(rows) == 16 and rows.count("no_data") == 15 and rows.count("not_evaluated") == 1
    # the seed's run has no row for the target at all: nothing reported, no count of reporters
    assert row(t, "successor_industry_parks") == {"value": "无数据", "share": "—", "reporting": "—",
                                                   "status": "无数据"}
    assert '<a href="/programmes" class="on" data-nav="programmes">规划专项</a>' in t
    en = client.get("/programmes?lang=en").text
    assert row(en, "reemployed_persons")["value"] == "no data" and "Guide industrial clustering" in en


def test_national_progress_hand_computed(pc):
    t = pc.get("/programmes", params={"year": 2019}).text
    # count target 100 parks: 4 (鹤岗) + 6 (阜新) = 10 → 10.0 %, 2 of 262 cities; one observation and
    # 10 % < the 7/8 of 2013–2020 elapsed by 2019 would be off track, but 2 of 262 cities is a
    # lower bound, not a finding → 填报不全 (incomplete; config/targets.yaml min_reporting_share)
    assert row(t, "successor_industry_parks") == {"value": "10 个", "share": "10.0%", "reporting": "2/262",
                                                   "status": "填报不全"}
    # cumulative 500万 re-employed since 2012: 1.5 → 0.3 %
    assert row(t, "reemployed_persons") == {"value": "1.5 万人", "share": "0.3%", "reporting": "1/262",
                                             "status": "填报不全"}
    assert row(t, "skills_training_centres")["status"] == "无数据"
    prov = t.split('id="prog-provinces"', 1)[1].split("</table>", 1)[0]
    assert [unquote(p) for p in re.findall(r'province=(\S+?)">', prov)] == ["辽宁省", "黑龙江省"]
    assert "<td class=\"num\">1/11</td><td class=\"num\">2</td>" in prov  # 黑龙江: 鹤岗, two values


def test_province_and_city_views(pc):
    t = pc.get("/programmes", params={"year": 2019, "province": "黑龙江"}).text
    assert 'id="prog-scope">黑龙江省<' in t
    # national-only targets: the province's total, its share of the national target, "reported"
    assert row(t, "successor_industry_parks") == {"value": "4 个", "share": "4.0% 全国", "reporting": "1/11",
                                                   "status": "已填报（计入全国）"}
    contrib = t.split('id="contributions-table"', 1)[1].split("</table>", 1)[0]
    assert contrib.count(f'data-unit="{HEGANG}"') == 2 and FUXIN not in contrib
    assert re.search(r"鹤岗市.*?接续替代产业园区和集聚区数.*?<td class=\"num nw\">4 个</td><td class=\"num\">4.0%</td>",
                     contrib, re.S)
    c = pc.get("/programmes", params={"year": 2019, "city": "阜新"}).text
    assert row(c, "successor_industry_parks") == {"value": "6 个", "share": "6.0% 全国", "reporting": "1/1",
                                                   "status": "已填报（计入全国）"}
    assert row(c, "reemployed_persons")["status"] == "无数据"
    j = pc.get("/programmes", params={"year": 2019, "city": JIUTAI}).text
    assert 'id="no-contributions"' in j and row(j, "successor_industry_parks")["value"] == "无数据"
    # a province picked in a city's view wins over the city; the city's own province keeps it
    assert 'id="prog-scope">辽宁省<' in pc.get("/programmes", params={"city": "鹤岗", "province": "辽宁"}).text
    assert 'id="prog-scope">鹤岗市 · 黑龙江省<' in pc.get("/programmes", params={"city": "鹤岗", "province": "黑龙江"}).text
    assert pc.get("/programmes", params={"province": "火星"}).status_code == 422
    assert pc.get("/programmes", params={"city": "没有这个城市"}).status_code == 404


def test_same_numbers_as_the_report(pc):
    from rbcity.outputs.programme_progress import national_progress, programme_rows, unit_progress
    from rbcity.plan.runs import latest_results, latest_run

    engine = pc.app.state.engine
    run = latest_run(engine, "targets", 2019)
    cities = pc.app.state.reader.cities()["unit_id"].tolist()
    report = programme_rows(national_progress(run["summary"]), "zh")  # what the report shows
    web = programme_rows(unit_progress(latest_results(engine, "targets", 2019), "national", cities), "zh")
    keys = ("value", "share", "status", "n_reporting", "n_units")
    assert [{k: r[k] for k in keys} for r in web] == [{k: r[k] for k in keys} for r in report]
    parks = next(r for r in report if r["indicator_id"] == "successor_industry_parks")
    assert (parks["value"], parks["share"], parks["n_reporting"]) == (10.0, pytest.approx(0.1), 2)
