"""The reporting system's pages (统计报表): ``/forms`` lists only the cities of the signed-in
user's scope; a form outside it answers 403 and leaves an audit row; three users of three scopes
walk 鹤岗's 2019 form through the page forms (upload with rejects per cell → submit → return
with a cell comment → re-upload → submit → accept → publish), with a stale version answered 409."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from web_seed import PASSWORD, seeded_store

from rbcity.data import schema as s

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "data"))
from reporting_fill import fill, row_of  # noqa: E402

HEGANG, FUXIN = "230400", "210900"
USERS = {  # name → (role, city, province)
    "hg_rep": ("reporter", "鹤岗", None), "fx_rep": ("reporter", "阜新", None),
    "hlj_rev": ("province_reviewer", None, "黑龙江"), "nat_rev": ("national_reviewer", None, None),
    "boss": ("admin", None, None),
}


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', html).group(1)


@pytest.fixture(scope="module")
def fapp(tmp_path_factory):
    from rbcity.data.reporting.scope import place_for, set_scope
    from rbcity.outputs.web.app import create_app
    from rbcity.outputs.web.auth import add_user

    url = seeded_store(tmp_path_factory.mktemp("fpages") / "fp.sqlite")
    app = create_app(url, secret="test-secret", upload_dir=str(tmp_path_factory.mktemp("upfp")))
    for name, (role, city, prov) in USERS.items():
        add_user(app.state.engine, name, PASSWORD, role)
        set_scope(app.state.engine, name, *place_for(role, city, prov))
    yield app
    app.state.jobs.shutdown()
    app.state.engine.dispose()


def signed_in(app, name):
    from fastapi.testclient import TestClient

    c = TestClient(app)
    r = c.post("/login", data={"username": name, "password": PASSWORD, "csrf": csrf_of(c.get("/login").text)},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    return c


def audit_rows(app, action):
    a = s.audit_log.c
    with app.state.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(a.username, a.detail).where(a.action == action)
                                              .order_by(a.id)).mappings()]


def refused(app, c, method, url, what, unit=HEGANG, **kw):
    """A 403 page for the client's user and exactly one new scope_violation audit row."""
    n = len(audit_rows(app, "scope_violation"))
    r = c.request(method, url, **kw)
    assert r.status_code == 403, (url, r.status_code, r.text[:300])
    assert 'id="error-message"' in r.text
    rows = audit_rows(app, "scope_violation")
    assert len(rows) == n + 1
    assert (rows[-1]["detail"]["unit_id"], rows[-1]["detail"]["what"], rows[-1]["detail"]["year"]) == (unit, what, 2019)
    return rows[-1]


def city_units(html: str) -> list[str]:
    table = html.split('id="forms-cities"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-unit="([^"]+)">', table)


def test_signed_out_gets_a_sign_in_prompt(fapp):
    from fastapi.testclient import TestClient

    c = TestClient(fapp)
    r = c.get("/forms")
    assert r.status_code == 401 and 'id="login-prompt"' in r.text and "/login?next=%2Fforms" in r.text
    assert c.get(f"/forms/{HEGANG}/2019").status_code == 401
    assert 'data-nav="forms"' not in c.get("/").text and 'data-nav="programmes"' in c.get("/").text


def test_reporter_sees_only_own_city_and_is_refused_elsewhere(fapp):
    c = signed_in(fapp, "hg_rep")
    t = c.get("/forms", params={"year": 2019}).text
    assert city_units(t) == [HEGANG]
    assert 'data-nav="forms"' in t and "填报员 · 鹤岗市" in t and "province_reviewer" not in t
    assert '<b id="forms-deadline">2020-03-31</b>' in t
    prov = t.split('id="forms-provinces"', 1)[1].split("<tbody>", 1)[1].split("</table>", 1)[0]
    assert prov.count("<tr>") == 1 and "黑龙江省" in prov and '<td class="num" data-status="missing">1</td>' in prov
    row = refused(fapp, c, "GET", f"/forms/{FUXIN}/2019", "read", unit=FUXIN)
    assert row["username"] == "hg_rep" and row["detail"]["role"] == "reporter"
    refused(fapp, c, "GET", "/forms/阜新/2019", "read", unit=FUXIN)  # by name too
    assert c.get("/forms/999999/2019").status_code == 404  # not one of the 262 (a code is not resolved)
    assert c.get("/forms/没有这个城市/2019").status_code == 404
    en = c.get("/forms?year=2019&lang=en").text
    assert "reporter · Hegang 鹤岗市" in en and "not started" in en


def test_province_reviewer_sees_only_its_province(fapp):
    from rbcity.registry.load import load_registry

    reg = load_registry()
    hlj = sorted(reg.loc[reg["province"] == "黑龙江省", "unit_id"])
    c = signed_in(fapp, "hlj_rev")
    t = c.get("/forms", params={"year": 2019}).text
    assert sorted(city_units(t)) == hlj and len(hlj) == 11
    assert "省级审核员 · 黑龙江省" in t and FUXIN not in city_units(t)
    assert f'<td class="num">{len(hlj)}</td>' in t.split('id="forms-provinces"', 1)[1].split("</table>", 1)[0]
    nat = signed_in(fapp, "nat_rev").get("/forms", params={"year": 2019}).text
    assert len(city_units(nat)) == 262 and "合计" in nat  # every province and a total row


def test_accounts_without_a_reporting_role(fapp):
    c = signed_in(fapp, "vic")  # a viewer: signed in, but no forms
    assert 'data-nav="forms"' not in c.get("/").text
    t = c.get("/forms").text
    assert 'id="no-reporting-role"' in t and 'id="forms-cities"' not in t
    refused(fapp, c, "GET", f"/forms/{HEGANG}/2019", "read")


def test_walk_a_form_through_the_pages_with_three_users(fapp):
    rep, prov, nat = signed_in(fapp, "hg_rep"), signed_in(fapp, "hlj_rev"), signed_in(fapp, "nat_rev")
    other = signed_in(fapp, "fx_rep")
    url = f"/forms/{HEGANG}/2019"

    page = rep.get(url).text
    assert 'data-status="missing"' in page and 'id="upload-form"' in page and 'id="act-submit"' not in page
    xlsx = rep.get(f"/api/forms/{HEGANG}/2019/xlsx")  # the page's download link, with the session
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    fdi, fiscal = row_of(xlsx.content, "fdi"), row_of(xlsx.content, "fiscal_revenue")
    body = fill(xlsx.content, {"gdp_per_capita": 41000, "fdi": "n/a?", "fiscal_revenue": -1})

    def upload(c, version, data, token=None):
        html = c.get(url).text
        return c.post(url + "/upload", data={"csrf": token or csrf_of(html), "version": version},
                      files={"file": ("hegang.xlsx", data, "application/octet-stream")}, follow_redirects=False)

    assert upload(rep, "", body, token="0" * 64).status_code == 403  # CSRF
    refused(fapp, other, "POST", url + "/upload", "upload",
            data={"csrf": csrf_of(other.get("/").text), "version": ""},
            files={"file": ("hegang.xlsx", body, "application/octet-stream")})
    r = upload(rep, "", body)
    assert r.status_code == 303 and r.headers["location"] == f"{url}?done=upload&v=1"
    page = rep.get(r.headers["location"]).text
    assert 'id="form-notice"' in page and "已上传，存为草稿（第 1 版）" in page
    assert 'id="form-status" data-status="draft">草稿<' in page and '<div class="big" id="form-version">1</div>' in page
    rejects = page.split('id="rejects-table"', 1)[1].split("</table>", 1)[0]
    cells = dict(re.findall(r'<tr data-cell="(H\d+)" data-reason="(\w+)">', rejects))
    assert cells == {f"H{fdi}": "not_a_number", f"H{fiscal}": "out_of_range"}
    fdi_row = re.search(rf'<tr data-cell="H{fdi}".*?</tr>', rejects).group(0)
    assert (f'<td class="num">{fdi}</td><td>H</td>' in fdi_row and "hegang.xlsx" in fdi_row
            and "<code>n/a?</code>" in fdi_row and "fdi" in fdi_row)
    assert re.search(r'<tr data-item="gdp_per_capita" data-state="reported">.*?<td class="num">41000</td>', page)
    assert re.search(r'<tr data-item="fdi" data-state="rejected">', page)

    def act(c, action, version, **fields):
        html = c.get(url).text
        return c.post(f"{url}/{action}", data={"csrf": csrf_of(html), "version": str(version), **fields},
                      follow_redirects=False)

    refused(fapp, other, "POST", url + "/submit", "submit", data={"csrf": csrf_of(other.get("/").text), "version": "1"})
    assert act(rep, "submit", 1).headers["location"] == f"{url}?done=submit&v=2"

    page = prov.get(url).text
    assert 'id="act-return"' in page and 'id="act-accept"' in page and 'id="act-publish"' not in page
    assert 'id="upload-form"' not in page and 'form="return-form"' in page
    assert act(prov, "return", 2).status_code == 422  # a return needs a comment
    r = act(prov, "return", 2, **{"comment:gdp_per_capita": "与统计公报不符，请核对", "comment:_form": ""})
    assert r.headers["location"] == f"{url}?done=return&v=3"
    wrong = act(prov, "accept", 2)  # the form is returned now: the page says so, as it is now
    assert wrong.status_code == 409 and "报表当前状态为“已退回”，不能执行“审核通过”" in wrong.text
    assert '<div class="big" id="form-version">3</div>' in wrong.text

    page = rep.get(url).text  # the reporter sees the comment, by its cell and in the list
    assert 'id="form-status" data-status="returned">已退回<' in page
    assert re.search(r'<tr data-item="gdp_per_capita" data-state="reported">.*?与统计公报不符，请核对.*?</tr>', page, re.S)
    assert re.search(r'id="comments-table">.*<td>人均地区生产总值</td><td class="comment">与统计公报不符，请核对</td>'
                     r'<td>hlj_rev</td>', page, re.S)
    r = upload(rep, "3", fill(xlsx.content, {"gdp_per_capita": 42000}))
    assert r.headers["location"] == f"{url}?done=upload&v=4"
    page = rep.get(url).text
    assert 'id="rejects-table"' not in page and '<td class="num">42000</td>' in page
    stale = act(rep, "submit", 3)  # what the reporter saw before its own upload
    assert stale.status_code == 409 and "您看到的是第 3 版，现在是第 4 版（草稿）" in stale.text
    assert act(rep, "submit", 4).headers["location"] == f"{url}?done=submit&v=5"
    assert act(prov, "accept", 5).headers["location"] == f"{url}?done=accept&v=6"
    refused(fapp, prov, "POST", url + "/publish", "publish", data={"csrf": csrf_of(prov.get("/").text), "version": "6"})
    assert 'id="act-publish"' in nat.get(url).text
    assert act(nat, "publish", 6).headers["location"] == f"{url}?done=publish&v=7"

    page = rep.get(url + "?lang=en").text
    assert 'id="form-status" data-status="published">published<' in page and 'id="no-actions"' in page
    assert re.search(r'<tr data-item="gdp_per_capita" data-state="stored">.*?<td class="num">42000</td>', page)
    hist = page.split('id="history-table"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<tr data-action="(\w+)">', hist) == [
        "form_upload", "form_submit", "form_return", "form_upload", "form_submit", "form_accept", "form_publish"]
    assert re.findall(r'<td class="num">(\d+)</td>', hist) == ["1", "2", "3", "4", "5", "6", "7"]
    obs = rep.get("/api/observations", params={"city": HEGANG, "indicator": "gdp_per_capita"}).json()
    assert [(i["year"], i["value"]) for i in obs["items"] if i["year"] == 2019] == [(2019, 42000.0)]
    assert [(r["username"], r["detail"]["version"]) for r in audit_rows(fapp, "form_upload")] == [
        ("hg_rep", 1), ("hg_rep", 4)]
    assert audit_rows(fapp, "form_upload")[0]["detail"]["file"] == "hegang.xlsx"
    assert [r["detail"]["comments"] for r in audit_rows(fapp, "form_return")] == [
        {"gdp_per_capita": "与统计公报不符，请核对"}]
    assert [r["username"] for r in audit_rows(fapp, "form_publish")] == ["nat_rev"]

    dash = prov.get("/forms", params={"year": 2019}).text  # the dashboard follows
    row = re.search(rf'<tr data-unit="{HEGANG}">.*?</tr>', dash).group(0)
    assert 'data-status="published">已发布' in row and '<td class="num">7</td>' in row and "nat_rev" in row
    assert '<td class="num" data-status="published">1</td>' in dash
    assert city_units(prov.get("/forms", params={"year": 2019, "status": "published"}).text) == [HEGANG]
    assert HEGANG not in city_units(prov.get("/forms", params={"year": 2019, "status": "missing"}).text)
    ln = city_units(nat.get("/forms", params={"year": 2019, "province": "辽宁"}).text)
    assert FUXIN in ln and HEGANG not in ln and len(ln) == 15
    assert prov.get("/forms", params={"status": "bogus"}).status_code == 422
    assert "发布报表" in signed_in(fapp, "boss").get("/audit").text  # audit actions in words


def test_sheet_rows_match_the_workbook(fapp):
    """The page names a reject's indicator from its row: the layout must be the workbook's."""
    import io

    from openpyxl import load_workbook

    from rbcity.data.reporting.forms import SHEET, build_workbook, items, sheet_rows

    engine = fapp.state.engine
    ws = load_workbook(io.BytesIO(build_workbook(engine, FUXIN, 2019)))[SHEET]
    in_sheet = {ws[f"D{r}"].value: r for r in range(4, ws.max_row + 1) if ws[f"D{r}"].value}
    assert sheet_rows(items(engine, FUXIN, 2019)) == in_sheet and len(in_sheet) == 96
