"""``/api/forms``: three users of three scopes walk 鹤岗's 2019 form through draft → returned →
resubmitted → accepted → published over HTTP; every scope violation answers 403 and leaves an
audit row; a downloaded form, filled and uploaded, lands as a draft with every reject per cell."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from web_seed import PASSWORD, basic, seeded_store

from rbcity.data import schema as s

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "data"))
from reporting_fill import fill, row_of  # noqa: E402

HEGANG, FUXIN = "230400", "210900"
USERS = {  # name → (role, city, province)
    "hg_rep": ("reporter", "鹤岗", None), "fx_rep": ("reporter", "阜新", None),
    "hlj_rev": ("province_reviewer", None, "黑龙江"), "ln_rev": ("province_reviewer", None, "辽宁"),
    "nat_rev": ("national_reviewer", None, None),
}


@pytest.fixture(scope="module")
def rc(tmp_path_factory):
    from fastapi.testclient import TestClient

    from rbcity.data.reporting.scope import place_for, set_scope
    from rbcity.outputs.web.app import create_app
    from rbcity.outputs.web.auth import add_user

    url = seeded_store(tmp_path_factory.mktemp("rep") / "rep.sqlite")
    app = create_app(url, secret="test-secret", upload_dir=str(tmp_path_factory.mktemp("uprep")))
    for name, (role, city, prov) in USERS.items():
        add_user(app.state.engine, name, PASSWORD, role)
        set_scope(app.state.engine, name, *place_for(role, city, prov))
    with TestClient(app) as c:
        yield c


def audit_rows(c, action):
    a = s.audit_log.c
    with c.app.state.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(a.username, a.detail).where(a.action == action)
                                              .order_by(a.id)).mappings()]


def refused(c, who, method, url, **kw):
    """Assert a 403 for ``who`` and that it left exactly one new scope_violation audit row."""
    n = len(audit_rows(c, "scope_violation"))
    r = c.request(method, url, headers=basic(who), **kw)
    assert r.status_code == 403, (who, url, r.status_code, r.text)
    rows = audit_rows(c, "scope_violation")
    assert len(rows) == n + 1 and rows[-1]["username"] == who
    assert rows[-1]["detail"]["unit_id"] == HEGANG
    return rows[-1]["detail"]


def test_needs_sign_in(rc):
    assert rc.get("/api/forms", params={"year": 2019}).status_code == 401
    assert rc.get(f"/api/forms/{HEGANG}/2019").status_code == 401


def test_walk_three_scopes_and_every_violation(rc):
    xlsx = rc.get("/api/forms/鹤岗/2019/xlsx", headers=basic("hg_rep"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    ws = load_workbook(io.BytesIO(xlsx.content))["指标 indicators"]
    gpc = row_of(xlsx.content, "gdp_per_capita")
    assert ws[f"A{gpc}"].value == HEGANG and ws[f"F{gpc}"].value == "元/人"
    refused(rc, "fx_rep", "GET", "/api/forms/鹤岗/2019/xlsx")

    pop = row_of(xlsx.content, "fdi")
    body = fill(xlsx.content, {"gdp_per_capita": 41000, "fdi": "n/a?", "fiscal_revenue": -1})
    files = {"file": ("hegang.xlsx", body, "application/octet-stream")}
    detail = refused(rc, "fx_rep", "POST", f"/api/forms/{HEGANG}/2019", files=files)
    assert detail["what"] == "upload"
    up = rc.post(f"/api/forms/{HEGANG}/2019", headers=basic("hg_rep"), files=files)
    assert up.status_code == 200, up.text
    up = up.json()
    assert up["status"] == "draft" and up["n_values"] == 1
    assert {r["cell"]: r["reason_code"] for r in up["rejects"]} == {
        f"H{pop}": "not_a_number", f"H{row_of(xlsx.content, 'fiscal_revenue')}": "out_of_range"}

    refused(rc, "fx_rep", "GET", f"/api/forms/{HEGANG}/2019")  # 阜新 cannot read 鹤岗's draft
    refused(rc, "ln_rev", "GET", f"/api/forms/{HEGANG}/2019")
    assert rc.get(f"/api/forms/{HEGANG}/2019", headers=basic("hlj_rev")).json()["status"] == "draft"

    def act(who, action, version, **extra):
        return rc.post(f"/api/forms/{HEGANG}/2019/{action}", headers=basic(who), json={"version": version, **extra})

    refused(rc, "fx_rep", "POST", f"/api/forms/{HEGANG}/2019/submit", json={"version": 1})
    assert act("hg_rep", "submit", 1).json()["version"] == 2
    refused(rc, "hg_rep", "POST", f"/api/forms/{HEGANG}/2019/accept", json={"version": 2})
    refused(rc, "ln_rev", "POST", f"/api/forms/{HEGANG}/2019/return", json={"version": 2, "comments": {"x": "y"}})
    r = act("hlj_rev", "return", 2, comments={"gdp_per_capita": "与公报不符 differs from the bulletin"})
    assert r.json()["status"] == "returned"
    assert act("hlj_rev", "accept", 2).status_code == 409  # stale: the form is at version 3 now
    seen = rc.get(f"/api/forms/{HEGANG}/2019", headers=basic("hg_rep")).json()
    assert seen["version"] == 3 and seen["comments"][0]["item"] == "gdp_per_capita"

    body = fill(xlsx.content, {"gdp_per_capita": 42000})
    up = rc.post(f"/api/forms/{HEGANG}/2019", headers=basic("hg_rep"), data={"version": "3"},
                 files={"file": ("hegang.xlsx", body, "application/octet-stream")}).json()
    assert up["version"] == 4 and up["rejects"] == []
    assert act("hg_rep", "submit", 4).json()["status"] == "submitted"
    assert act("hlj_rev", "accept", 5).json()["status"] == "accepted"
    refused(rc, "hlj_rev", "POST", f"/api/forms/{HEGANG}/2019/publish", json={"version": 6})
    pub = act("nat_rev", "publish", 6).json()
    assert pub["status"] == "published" and pub["batch_id"]

    obs = rc.get("/api/observations", params={"city": HEGANG, "indicator": "gdp_per_capita"}).json()
    assert [(i["year"], i["value"]) for i in obs["items"] if i["year"] == 2019] == [(2019, 42000.0)]
    actions = [r["detail"]["version"] for r in audit_rows(rc, "form_upload")]
    assert actions == [1, 4]
    assert [(r["username"], r["detail"]["version"]) for r in audit_rows(rc, "form_submit")] == [
        ("hg_rep", 2), ("hg_rep", 5)]
    assert [r["username"] for r in audit_rows(rc, "form_return")] == ["hlj_rev"]
    assert [r["username"] for r in audit_rows(rc, "form_accept")] == ["hlj_rev"]
    assert [r["username"] for r in audit_rows(rc, "form_publish")] == ["nat_rev"]


def test_dashboard_scoped(rc):
    mine = rc.get("/api/forms", params={"year": 2018}, headers=basic("hg_rep")).json()
    assert [c["unit_id"] for c in mine["cities"]] == [HEGANG]
    prov = rc.get("/api/forms", params={"year": 2018}, headers=basic("ln_rev")).json()
    assert {c["province"] for c in prov["cities"]} == {"辽宁省"} and FUXIN in {c["unit_id"] for c in prov["cities"]}
    assert prov["provinces"][0]["cities"] == len(prov["cities"]) == prov["provinces"][0]["missing"]
    nat = rc.get("/api/forms", params={"year": 2018}, headers=basic("nat_rev")).json()
    assert len(nat["cities"]) == 262
    assert rc.get("/api/forms", params={"year": 2018}, headers=basic("ana")).json()["cities"] == []
