"""The pages through the test client: each renders in Chinese and English with the seeded
values, the city table filters as an HTMX fragment, sign-in and import need CSRF and a user."""

from __future__ import annotations

import re

from web_seed import HEGANG, PASSWORD


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', html).group(1)


def test_overview_counts_and_map_layers(client):
    r = client.get("/")
    assert r.status_code == 200 and "262个资源型城市分布" in r.text
    assert re.search(r'<div class="big" id="n-cities">262</div>', r.text)
    assert "<div class=\"big\">67</div>衰退型" in r.text and "<div class=\"big\">69</div>资源枯竭城市" in r.text
    # one map option per colouring that has data: 2013 type, classify, warning, coordination grade
    assert re.findall(r'<option value="(\w+)">', r.text) == ["type", "classify_type", "warning", "grade"]
    assert "/static/vendor/echarts/echarts.min.js" in r.text and "cdn" not in r.text.lower()
    en = client.get("/?lang=en").text
    assert "The 262 resource-based cities" in en and "declining" in en


def test_static_assets_served_locally(client):
    for path in ["/static/vendor/htmx.min.js", "/static/vendor/echarts/echarts.min.js",
                 "/static/js/app.js", "/static/js/rbcity-charts.js", "/static/css/app.css",
                 "/static/geo/prefectures_2020.geojson", "/static/vendor/htmx.LICENSE",
                 "/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/vendor/swagger-ui/swagger-ui.css"]:
        assert client.get(path).status_code == 200, path
    docs = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert "http" not in docs.replace("http-equiv", "")  # nothing from another host


def test_city_list_filters_and_fragment(client):
    r = client.get("/cities", params={"type": "growth"})
    assert r.status_code == 200 and '<span id="city-count">31</span>' in r.text and "<form" in r.text
    frag = client.get("/cities", params={"search": "九台"}, headers={"HX-Request": "true"})
    assert "<html" not in frag.text and '<span id="city-count">1</span>' in frag.text and "九台市" in frag.text
    frag_bad = client.get("/cities", params={"type": "bogus"}, headers={"HX-Request": "true"})
    assert frag_bad.status_code == 200 and 'id="filter-error"' in frag_bad.text  # htmx swaps 2xx only
    bad = client.get("/cities", params={"type": "bogus"})
    assert bad.status_code == 422 and 'id="filter-error"' in bad.text and '<span id="city-count">0</span>' in bad.text
    en = client.get("/cities", params={"province": "云南", "lang": "en"}).text
    assert '<span id="city-count">17</span>' in en and "Yunnan" in en


def test_city_profile(client):
    r = client.get("/cities/鹤岗")
    t = r.text
    assert r.status_code == 200 and "鹤岗市" in t and HEGANG in t
    assert "<b>衰退型</b> → <b>再生型</b> (2018)" in t  # classify result
    assert "重警" in t and "38.5" in t and "采矿业比重高" in t and "mining share high" not in t  # warning
    assert "发展得分0.72高于再生型门槛0.60" in t and "development score 0.72" not in t  # reason, Chinese half
    assert "采矿业从业人员占比 41.0%" in t  # top obstacle by its catalogue name
    assert "初级协调" in t and "D = 0.6" in t  # coordination
    assert "名次 2" in t and "合格" in t  # exhausted assessment
    assert "已实现" in t  # city-level target status
    assert '"gdp_per_capita"' in t  # trend series embedded
    en = client.get(f"/cities/{HEGANG}?lang=en").text
    assert "serious" in en and "primary coordination" in en and "achieved" in en
    assert "mining share high" in en and "采矿业比重高" not in en
    assert "development score 0.72 above the regenerating cut-off 0.60 by 0.12" in en
    assert client.get("/cities/没有这个城市").status_code == 404


def test_engine_pages(client):
    t = client.get("/transitions").text
    assert 'id="transition-matrix"' in t and "衰退型 → 再生型" in t and "50.0%" in t
    assert re.search(r'id="transition-history">.*<td><a href="/transitions\?year=2018">2018</a></td>'
                     r'<td class="num">2</td><td class="num">1</td><td class="num">50.0%</td>', t, re.S)
    t = client.get("/targets").text
    assert "全国" in t and "进展顺利" in t and "➚" in t and 'class="st-off_track"' not in t  # national only by default
    assert re.search(r'<div class="big st-on_track">1</div>', t) and re.search(r'<div class="big st-off_track">1</div>', t)
    t = client.get("/targets?group=type").text
    assert "衰退型" in t and '<td class="st-off_track">↓ 进度滞后</td>' in t and "➚" not in t
    t = client.get("/targets?group=city").text
    assert "鹤岗市" in t and "已实现" in t
    assert client.get("/targets?group=planet").status_code == 422
    t = client.get("/warnings?lang=en").text
    assert "serious" in t and "no warning" in t and t.index("鹤岗市") < t.index("九台市")  # worst first
    t = client.get("/exhausted").text
    assert t.index("阜新市") < t.index("鹤岗市") < t.index("九台市") and "退出观察" in t
    t17 = client.get("/exhausted?year=2017").text
    assert "九台市" in t17 and "阜新市" not in t17
    assert client.get("/exhausted?year=abc").status_code == 422
    t = client.get("/coverage").text
    assert 'data-indicator="gdp_per_capita"' in t and "2013–2018" in t


def test_language_switch_keeps_page_and_filters(client):
    t = client.get("/cities?type=growth").text
    assert 'id="lang-switch" href="/cities?type=growth&amp;lang=en"' in t
    t = client.get("/cities?type=growth&lang=en").text
    assert 'id="lang-switch" href="/cities?type=growth"' in t


def test_sign_in_needs_csrf_and_right_password(client):
    page = client.get("/login")
    token = csrf_of(page.text)
    r = client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf": "0" * 64})
    assert r.status_code == 403
    r = client.post("/login", data={"username": "ana", "password": "wrong", "csrf": token})
    assert r.status_code == 401 and 'id="login-error"' in r.text
    r = client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    home = client.get("/")
    assert 'id="signed-in"' in home.text and "ana" in home.text
    new_token = csrf_of(home.text)
    assert new_token != token  # a new session nonce after sign-in
    client.post("/logout", data={"csrf": new_token})
    assert 'id="login-link"' in client.get("/").text


def test_import_page_needs_user(client):
    assert 'id="need-login"' in client.get("/import").text
    token = csrf_of(client.get("/login").text)
    r = client.post("/import", data={"source": "x", "csrf": token},
                    files={"file": ("a.csv", b"a,b\n1,2\n", "text/csv")})
    assert r.status_code == 401
    assert client.get("/audit").status_code == 401


def _sign_in(c, user="ana"):
    token = csrf_of(c.get("/login").text)
    c.post("/login", data={"username": user, "password": PASSWORD, "csrf": token})
    return csrf_of(c.get("/import").text)


def _job_done(c, r):
    """The import page of the job that ``r`` queued, once the job has finished."""
    assert r.status_code == 200 and 'id="import-job"' in r.text, r.text[:500]
    job = re.search(r'data-job="([0-9a-f]+)"', r.text).group(1)
    c.app.state.jobs.wait(job, timeout=120)
    return c.get(f"/import/jobs/{job}")


def test_import_page_validate_then_confirm(write_client):
    c = write_client
    token = _sign_in(c)
    body = ("城市,年份,指标,数值,单位\n鹤岗市,2020,人均地区生产总值,37000,元/人\n"
            "九台市,2020,人均地区生产总值,?,元/人\n阜新市,2020,人均地区生产总值,31000,元/人\n").encode()
    r = c.post("/import", data={"source": "page test", "csrf": token},
               files={"file": ("page.csv", body, "text/csv")})
    assert 'id="job-progress"' in r.text and 'hx-trigger="every 1s"' in r.text  # the polled bar
    r = _job_done(c, r)
    assert r.status_code == 200 and '<span id="n-rejects">1</span>' in r.text
    assert '<span class="kvp" data-field="n_accepted"><b>可导入值</b> 2</span>' in r.text
    assert '<span class="kvp" data-field="status"><b>状态</b> 仅校验（未导入）</span>' in r.text
    assert re.search(r"<td class=\"num\">3</td><td>数值</td><td>\?</td>", r.text)
    assert 'id="confirm-form"' in r.text
    assert c.get("/api/observations", params={"city": "阜新", "year_from": 2020}).json()["total"] == 0
    up = re.search(r'name="token" value="([^"]+)"', r.text).group(1)
    r = _job_done(c, c.post("/import/confirm", data={"token": up, "filename": "page.csv", "source": "page test",
                                                     "csrf": token}))
    assert r.status_code == 200 and "已导入" in r.text and 'id="batches-table"' in r.text
    vals = c.get("/api/observations", params={"city": ["阜新", "鹤岗"], "year_from": 2020}).json()["items"]
    assert sorted(o["value"] for o in vals) == [31000.0, 37000.0]
    audit = c.get("/audit").text
    assert "page.csv" in audit and "import" in audit and "login" in audit
    bad = c.post("/import/confirm", data={"token": "../../etc/passwd", "filename": "x", "source": "s", "csrf": token})
    assert bad.status_code == 422


def test_viewer_cannot_import(write_client):
    c = write_client
    c.cookies.clear()
    token = _sign_in(c, "vic")
    assert 'id="no-write"' in c.get("/import").text
    r = c.post("/import", data={"source": "x", "csrf": token}, files={"file": ("a.csv", b"a\n1\n", "text/csv")})
    assert r.status_code == 403
    c.cookies.clear()


def test_rerun_needs_user_and_engines(write_client):
    c = write_client
    c.cookies.clear()
    token = csrf_of(c.get("/login").text)
    assert c.post("/rerun", data={"year": 2018, "csrf": token}).status_code == 401
    token = _sign_in(c)
    n_runs = c.get("/api/runs").json()["total"]
    r = c.post("/rerun", data={"year": 2018, "engine": "coordination", "csrf": token})
    assert r.status_code == 200, r.text
    assert 'id="job-progress"' in r.text and 'hx-get="/rerun/jobs/' in r.text  # a job: the polled bar
    job = re.search(r'data-job="([0-9a-f]+)"', r.text).group(1)
    assert c.app.state.jobs.wait(job, timeout=120).error is None
    assert c.get(f"/import/jobs/{job}").status_code == 404  # a re-run is not an import
    r = c.get(f"/rerun/jobs/{job}")
    assert r.status_code == 200 and "已存储的运行 (1)" in r.text and "<td>协调发展评价</td>" in r.text
    assert c.post("/rerun", data={"year": 2018, "engine": "astrology", "csrf": token}).status_code == 404
    runs = c.get("/api/runs").json()
    assert runs["total"] == n_runs + 1  # assess stored the new run
    listed = re.findall(r"/api/runs/(\d+)", r.text)
    assert listed == [str(runs["items"][0]["id"])]
    verdict = c.get(f"/api/runs/{listed[0]}").json()["summary"]["validity"]["verdict"]
    assert f'data-validity="{verdict}"' in r.text  # the stored run's verdict, in words beside it
    en = c.get(f"/rerun/jobs/{job}", params={"lang": "en"}).text
    assert "Runs stored (1)" in en and "<td>coordination</td>" in en and "已存储" not in en
    assert "rerun" in c.get("/audit").text
    c.cookies.clear()


def test_number_formatting_keeps_trailing_zeros_of_integers():
    from rbcity.outputs.web.pages.common import _num, _when

    assert [_num(10.0, 0), _num(20.0, 0), _num(2.50), _num(38.46, 1), _num(None), _num(3)] == \
        ["10", "20", "2.5", "38.5", "—", "3"]
    # stored UTC shown as China time, labelled (03:04 UTC = 11:04 in Beijing)
    assert _when("2026-01-02T03:04:05.123456+00:00") == "2026-01-02 11:04 (UTC+8)"
    assert _when("2026-01-02 20:30:00") == "2026-01-03 04:30 (UTC+8)"  # naive = UTC as stored


def test_pinyin_search_and_grade_in_city_list(client):
    r = client.get("/cities?search=hegang")
    assert r.status_code == 200 and "鹤岗市" in r.text and "大庆市" not in r.text
    assert 'class="grade"' in r.text
    r = client.get("/cities?search=He%20gang&lang=en")
    assert "Hegang 鹤岗市" in r.text


def test_city_profile_report_download(client):
    r = client.get("/cities/鹤岗/report")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'filename="rbcity-profile-230400-zh.html"' in r.headers["content-disposition"]
    assert "鹤岗市" in r.text
    pdf = client.get(f"/cities/{HEGANG}/report", params={"format": "pdf", "lang": "en"})
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert client.get("/cities/鹤岗/report", params={"format": "docx"}).status_code == 422
    assert client.get("/cities/没有/report").status_code == 404


def test_sign_in_redirects_only_within_the_site(write_client):
    c = write_client
    c.cookies.clear()
    for evil in ["//evil.example/x", "/\\evil.example", "https://evil.example/", "http:/\\x"]:
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", data={"username": "ana", "password": PASSWORD, "csrf": token, "next": evil},
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/", (evil, r.headers["location"])
        c.cookies.clear()
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": "ana", "password": PASSWORD, "csrf": token, "next": "/import",
                               "lang": "en"}, follow_redirects=False)
    assert r.headers["location"] == "/import?lang=en"
    c.cookies.clear()


def test_password_guessing_backs_off_but_the_owner_gets_in(write_client):
    from web_seed import basic

    from rbcity.outputs.web.audit import audit_frame
    from rbcity.outputs.web.throttle import LoginThrottle

    c = write_client
    now = [1000.0]
    old = c.app.state.throttle
    c.app.state.throttle = LoginThrottle(free_failures=3, base_delay=2, max_delay_name=60,
                                         max_delay_address=900, clock=lambda: now[0])
    before, _ = audit_frame(c.app.state.engine)
    try:
        c.cookies.clear()
        token = csrf_of(c.get("/login").text)
        for _ in range(4):  # three free failures; the fourth starts a 2 s back-off
            assert c.post("/login", data={"username": "vic", "password": "guess", "csrf": token}).status_code == 401
        r = c.post("/login", data={"username": "vic", "password": PASSWORD, "csrf": token})
        assert r.status_code == 429 and r.headers["retry-after"] == "2"
        assert c.get("/api/runs", headers=basic("vic")).status_code == 200  # reads stay open
        r = c.post("/api/runs", json={"year": 2018}, headers=basic("vic"))
        assert r.status_code == 429 and r.headers["retry-after"] == "2"
        now[0] += 2.5  # after the back-off the right password works at once
        r = c.post("/login", data={"username": "vic", "password": PASSWORD, "csrf": token}, follow_redirects=False)
        assert r.status_code == 303
        total, log = audit_frame(c.app.state.engine)
        new = log.head(total - before)
        assert (new["action"] == "login_failed").sum() == 4
        throttled = new[new["action"] == "login_throttled"]
        assert len(throttled) == 1 and throttled.iloc[0]["detail"]["retry_after"] == 2
        assert (new["action"] == "login").sum() == 1
    finally:
        c.app.state.throttle = old
        c.cookies.clear()


def test_types_and_actions_worded_by_the_validity_card(client):
    """The seeded classify run carries no validity card: its types differ from 2013 but are
    never shown as a re-classification; exhausted-city actions always carry the notice."""
    t = client.get("/transitions").text
    assert 'id="classify-validity"' in t and "类型仅供参考，不是调整决定" in t
    c = client.get(f"/cities/{HEGANG}").text
    assert '<span class="muted" id="type-verdict">类型仅供参考</span>' in c
    e = client.get("/exhausted?lang=en").text
    assert "default, not the official method" in e
