"""The REST API through the test client: every route, its errors, ETags and the OpenAPI schema.
Expected values come from the registry (67 declining cities, 九台 = 220181) and web_seed.py."""

from __future__ import annotations

import csv
import io

import pytest
from web_seed import FUXIN, HEGANG, JIUTAI, basic


def test_health(client):
    assert client.get("/api/health").json()["status"] == "ok"


def test_cities_filters_and_paging(client):
    r = client.get("/api/cities", params={"type": "衰退型", "limit": 5, "offset": 60})
    body = r.json()
    assert r.status_code == 200 and body["total"] == 67 and body["offset"] == 60
    assert len(body["items"]) == 5 and {c["type_2013"] for c in body["items"]} == {"declining"}
    r = client.get("/api/cities", params={"province": "云南"})
    assert r.json()["total"] == 17  # the CLI test's 18 CSV lines = header + 17
    r = client.get("/api/cities", params={"exhausted": "2009", "search": "九台"})
    assert [c["unit_id"] for c in r.json()["items"]] == [JIUTAI]
    assert client.get("/api/cities").json()["total"] == 262


@pytest.mark.parametrize("field,value", [("type", "bogus"), ("province", "Atlantis"),
                                         ("level", "planet"), ("exhausted", "maybe")])
def test_cities_bad_filter_is_422_naming_field(client, field, value):
    r = client.get("/api/cities", params={field: value})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", field]


@pytest.mark.parametrize("params,field", [({"limit": 0}, "limit"), ({"offset": -1}, "offset"),
                                          ({"format": "xml"}, "format")])
def test_cities_bad_paging_is_422(client, params, field):
    r = client.get("/api/cities", params=params)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", field]


def test_cities_csv_download(client):
    r = client.get("/api/cities", params={"type": "growth", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 31 and {x["type_2013"] for x in rows} == {"growth"}


def test_one_city_with_history(client):
    r = client.get("/api/cities/九台")
    rec = r.json()
    assert r.status_code == 200 and rec["unit_id"] == JIUTAI and rec["exhausted_batch"] == 2009
    assert [h["code"] for h in rec["code_history"]] == ["220181", "220113"]
    assert client.get(f"/api/cities/{JIUTAI}").json()["name"] == "九台市"


def test_unknown_city_404(client):
    r = client.get("/api/cities/不存在的城市")
    assert r.status_code == 404 and "不存在的城市" in r.json()["detail"]


def test_etag_304(client):
    r = client.get("/api/cities", params={"type": "growth"})
    etag = r.headers["etag"]
    assert r.headers["cache-control"] == "no-cache"
    r2 = client.get("/api/cities", params={"type": "growth"}, headers={"If-None-Match": etag})
    assert r2.status_code == 304 and r2.content == b""
    other = client.get("/api/cities", params={"type": "mature"}).headers["etag"]
    assert other != etag


def test_indicators_and_coverage(client):
    from rbcity.data.catalogue import load_catalogue

    items = client.get("/api/indicators").json()["items"]
    assert sorted(i["indicator_id"] for i in items) == sorted(load_catalogue()["indicator_id"])
    gdp = [i for i in items if i["indicator_id"] == "gdp_per_capita"][0]
    assert gdp["name_zh"] == "人均地区生产总值" and gdp["unit"] == "元/人"
    cov = {c["indicator_id"]: c for c in client.get("/api/coverage").json()["items"]}
    assert cov["gdp_per_capita"]["n_cities"] == 2  # 鹤岗 and 九台
    assert cov["gdp_per_capita"]["n_values"] == 9 and cov["gdp_per_capita"]["years"] == "2013–2018"
    assert cov["mining_employment_share"]["n_cities"] == 1
    assert cov["gdp_per_capita"]["share_cities"] == round(2 / 262, 3)


def test_observations_long_wide_csv(client):
    r = client.get("/api/observations", params={"city": "鹤岗", "indicator": "gdp_per_capita"})
    items = r.json()["items"]
    assert [(o["year"], o["value"]) for o in items] == [(y, 30000.0 + 1000 * (y - 2013)) for y in range(2013, 2019)]
    r = client.get("/api/observations", params={"city": ["鹤岗"], "shape": "wide", "year_from": 2015, "year_to": 2016})
    wide = r.json()["items"]
    assert [(w["year"], w["gdp_per_capita"], w["mining_employment_share"]) for w in wide] == [(2015, 32000.0, 18.0), (2016, 33000.0, 17.0)]
    r = client.get("/api/observations", params={"city": "九台", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [float(x["value"]) for x in rows] == [50000.0, 50500.0, 51000.0]


def test_observations_of_a_control_unit(client):
    # 哈尔滨 is no resource-based city but a known prefecture (a control unit): resolved, no rows yet
    r = client.get("/api/observations", params={"city": "哈尔滨"})
    assert r.status_code == 200 and r.json()["total"] == 0
    assert client.get("/api/cities/哈尔滨").status_code == 404  # not one of the 262


@pytest.mark.parametrize("params,field", [({"city": "Atlantis"}, "city"), ({"indicator": "nope"}, "indicator"),
                                          ({"year_from": 2018, "year_to": 2015}, "year_from"),
                                          ({"shape": "tall"}, "shape"), ({"year_from": 1800}, "year_from")])
def test_observations_bad_params_422(client, params, field):
    r = client.get("/api/observations", params=params)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", field]


def test_engines_and_results(client):
    engines = {e["engine"]: e["years"] for e in client.get("/api/engines").json()}
    assert engines["exhausted_assessment"] == [2017, 2018] and engines["identify"] == []
    r = client.get("/api/results/warning")
    rows = {x["unit_id"]: x for x in r.json()["items"]}
    assert rows[HEGANG]["level"] == 3 and rows[HEGANG]["level_label"] == "重警" and rows[HEGANG]["safety_score"] == 38.5
    r = client.get("/api/results/exhausted_assessment", params={"year": 2017})
    assert [(x["unit_id"], x["score"]) for x in r.json()["items"]] == [(JIUTAI, 70.0)]
    r = client.get("/api/results/exhausted_assessment", params={"unit": FUXIN, "year": 2018})
    assert r.json()["items"][0]["grade"] == "优秀"
    run = client.get("/api/results/classify/run").json()
    assert run["engine"] == "classify" and run["summary"]["transition"]["declining"]["regenerating"] == 1
    r = client.get("/api/results/targets", params={"format": "csv"})
    assert r.status_code == 200 and "gdp_per_capita.status" in r.text.splitlines()[0]


def test_results_errors(client):
    assert client.get("/api/results/identify").status_code == 404  # no run yet
    assert client.get("/api/results/classify", params={"year": 2011}).status_code == 404
    assert client.get("/api/results/identify/run").status_code == 404
    r = client.get("/api/results/astrology")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["path", "engine"]


def test_runs(client):
    runs = client.get("/api/runs").json()
    assert runs["total"] == 6 and runs["items"][0]["engine"] == "exhausted_assessment"
    only = client.get("/api/runs", params={"engine": "warning"}).json()["items"]
    assert len(only) == 1
    one = client.get(f"/api/runs/{only[0]['id']}").json()
    assert one["spec"] == {"engine": "warning", "year": 2018} and one["summary"] == {"levels": 5}
    assert client.get("/api/runs/99999").status_code == 404
    assert client.get("/api/runs/abc").status_code == 422


def test_imports_and_rejects(client):
    batches = client.get("/api/imports").json()["items"]
    seed = [b for b in batches if b["file"] == "seed.csv"][0]
    assert seed["n_accepted"] == 15 and seed["n_rejected"] == 1
    assert client.get(f"/api/imports/{seed['id']}").json()["source"] == "test seed"
    rej = client.get(f"/api/imports/{seed['id']}/rejects").json()["items"]
    assert [(x["row"], x["column"], x["raw_value"], x["reason_code"]) for x in rej] == [(7, "value", "n/a", "not_a_number")]
    assert client.get("/api/imports/4242").status_code == 404
    assert client.get("/api/imports/4242/rejects").status_code == 404


def test_writes_need_a_user(client):
    files = {"file": ("x.csv", b"city,year,indicator,value\n", "text/csv")}
    r = client.post("/api/imports", files=files, data={"source": "s"})
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic")
    r = client.post("/api/imports", files=files, data={"source": "s"}, headers=basic("ana", "wrong password"))
    assert r.status_code == 401
    r = client.post("/api/imports", files=files, data={"source": "s"}, headers=basic("vic"))
    assert r.status_code == 403
    assert client.post("/api/runs", json={"year": 2018}).status_code == 401
    assert client.post("/api/runs", json={"year": 2018}, headers=basic("vic")).status_code == 403


def test_write_with_session_cookie_needs_csrf(client, app):
    sessions = app.state.sessions
    sess = sessions.start("ana")
    client.cookies.set("rbcity_session", sessions.dump(sess))
    r = client.post("/api/runs", json={"year": 2018})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    client.cookies.clear()


def test_upload_limits(client):
    big = b"x" * 300_000
    r = client.post("/api/imports", files={"file": ("big.csv", big, "text/csv")}, data={"source": "s"},
                    headers=basic())
    assert r.status_code == 413
    r = client.post("/api/imports", files={"file": ("x.exe", b"MZ", "application/octet-stream")},
                    data={"source": "s"}, headers=basic())
    assert r.status_code == 422 and ".exe" in r.json()["detail"]
    r = client.post("/api/runs", json={"year": 1800}, headers=basic())
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "year"]


def test_openapi_schema(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    gets = ["/api/health", "/api/cities", "/api/cities/{city}", "/api/indicators", "/api/observations",
            "/api/coverage", "/api/engines", "/api/results/{engine}", "/api/results/{engine}/run", "/api/runs",
            "/api/runs/{run_id}", "/api/imports", "/api/imports/{batch_id}", "/api/imports/{batch_id}/rejects", "/api/jobs/{job_id}",
            # the reporting system's routes: tested in test_reporting_api.py
            "/api/forms", "/api/forms/{city}/{year}", "/api/forms/{city}/{year}/xlsx"]
    posts_only = ["/api/forms/{city}/{year}/{action}"]  # reporting: test_reporting_api.py
    # exactly the routes this file tests: a new route must come with its test
    assert sorted(paths) == sorted(gets + posts_only)
    assert {p for p in paths if "get" in paths[p]} == set(gets)
    assert "post" in paths["/api/imports"] and "post" in paths["/api/runs"]
    assert spec["components"]["securitySchemes"]["HTTPBasic"]["scheme"] == "basic"
    assert paths["/api/imports"]["post"]["security"] == [{"HTTPBasic": []}]
    assert "security" not in paths["/api/cities"]["get"]  # reads are open
    assert not any(p.startswith("/cities") for p in paths)  # pages are not API
    params = {q["name"] for q in paths["/api/cities"]["get"]["parameters"]}
    assert {"province", "level", "type", "exhausted", "search", "limit", "offset", "format"} <= params


def job_result(client, r, user="ana"):
    """Wait for the job that ``r`` (a 202 from POST /api/imports) queued; its final status body."""
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] in ("queued", "running") and job["href"] == f"/api/jobs/{job['id']}"
    client.app.state.jobs.wait(job["id"], timeout=120)
    done = client.get(job["href"], headers=basic(user))
    assert done.status_code == 200 and done.json()["progress"] == 1.0
    return done.json()


def test_import_via_api_reports_bad_row_and_lands_the_rest(write_client):
    client = write_client
    body = ("城市,年份,指标,数值,单位\n鹤岗市,2019,人均地区生产总值,36000,元/人\n"
            "九台市,2019,人均地区生产总值,52000,元/人\n大庆市,2019,人均地区生产总值,abc,元/人\n").encode()
    files = {"file": ("api_upload.csv", body, "text/csv")}
    dry = job_result(client, client.post("/api/imports", files=files, data={"source": "api test", "dry_run": "true"},
                                         headers=basic()))
    assert dry["status"] == "done" and dry["batch_id"] is None
    rep = dry["result"]
    assert rep["status"] == "dry-run" and rep["n_accepted"] == 2
    assert [(r["row"], r["column"], r["raw_value"], r["reason_code"]) for r in rep["rejects"]] == [(4, "数值", "abc", "not_a_number")]
    assert client.get("/api/observations", params={"city": "鹤岗", "year_from": 2019}).json()["total"] == 0
    job = job_result(client, client.post("/api/imports", files=files, data={"source": "api test"}, headers=basic()))
    done = job["result"]
    assert job["batch_id"] == done["batch_id"] and done["batch_id"] >= 1
    # another user does not see the job; nobody signed out does
    assert client.get(f"/api/jobs/{job['id']}", headers=basic("vic")).status_code == 404
    assert client.get(f"/api/jobs/{job['id']}").status_code == 401
    assert done["status"] == "committed" and done["file"] == "api_upload.csv"
    obs = client.get("/api/observations", params={"city": ["鹤岗", "九台"], "year_from": 2019}).json()["items"]
    assert sorted((o["unit_id"], o["value"]) for o in obs) == [("220181", 52000.0), ("230400", 36000.0)]
    rej = client.get(f"/api/imports/{done['batch_id']}/rejects").json()["items"]
    assert [r["raw_value"] for r in rej] == ["abc"]
    from rbcity.outputs.web.audit import audit_frame

    _, log = audit_frame(client.app.state.engine)
    last = log.iloc[0]
    assert last["username"] == "ana" and last["action"] == "import"
    assert last["detail"]["file"] == "api_upload.csv" and last["detail"]["batch_id"] == done["batch_id"]


def test_rerun_via_api(write_client):
    c = write_client
    before = c.get("/api/runs", params={"engine": "coordination"}).json()["total"]
    job = job_result(c, c.post("/api/runs", json={"year": 2018, "engine": "coordination"}, headers=basic()))
    assert job["kind"] == "rerun" and job["status"] == "done" and job["error"] is None
    body = job["result"]
    assert body["year"] == 2018 and set(body["runs"]) == {"coordination"}
    after = c.get("/api/runs", params={"engine": "coordination"}).json()
    assert after["total"] == before + 1 and after["items"][0]["id"] == body["runs"]["coordination"]
    # the job's validity card is the one stored with the run
    stored = c.get(f"/api/runs/{body['runs']['coordination']}").json()["summary"]["validity"]
    assert body["validity"]["coordination"] == stored and stored["verdict"] in ("valid", "indicative", "not_valid")
    assert c.get(job["href"], headers=basic("vic")).status_code == 404  # another user's job
    r = c.post("/api/runs", json={"year": 2018, "engine": "astrology"}, headers=basic())
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "engine"]
