"""What the pages refuse, over real HTTP: forms without the CSRF token, pages of other units or
rounds, open redirects; and how the session cookie is set."""
from __future__ import annotations

import re

import pytest
import requests


def csrf(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def login(server, user) -> requests.Session:
    s = requests.Session()
    page = s.get(server.url + "/dang-nhap")
    r = s.post(server.url + "/dang-nhap", data={"username": user[0], "password": user[1],
                                                  "csrf_token": csrf(page.text)},
               allow_redirects=False)
    assert r.status_code == 302, r.text
    return s


def round_id(server, office) -> int:
    home = office.get(server.url + "/").text
    return int(re.search(r"/dot/(\d+)\"", home).group(1))


def test_session_cookie_is_httponly_and_samesite(live_server, accounts):
    s = requests.Session()
    page = s.get(live_server.url + "/dang-nhap")
    r = s.post(live_server.url + "/dang-nhap",
               data={"username": accounts["unit"][0], "password": accounts["unit"][1],
                     "csrf_token": csrf(page.text)}, allow_redirects=False)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_forms_without_the_csrf_token_are_refused(live_server, accounts):
    # log in without the token: refused, no session
    s = requests.Session()
    r = s.post(live_server.url + "/dang-nhap", data={"username": accounts["office"][0],
                                                      "password": accounts["office"][1]},
               allow_redirects=False)
    assert r.status_code == 400
    assert "chống giả mạo" in r.text
    assert s.get(live_server.url + "/", allow_redirects=False).status_code == 302

    office = login(live_server, accounts["office"])
    rid = round_id(live_server, office)
    r = office.post(f"{live_server.url}/dot/{rid}/quyet-dinh",
                    data={"xl_LOCBAC": "KHT", "chot_LOCBAC": "1"}, allow_redirects=False)
    assert r.status_code == 400
    page = office.get(f"{live_server.url}/dot/{rid}/quyet-dinh").text
    assert not re.search(r'name="chot_LOCBAC" value="1"[^>]*checked', page)   # nothing stored

    # with the token the same form is accepted (the check is not a wall)
    r = office.post(f"{live_server.url}/dot/{rid}/quyet-dinh",
                    data={"xl_LOCBAC": "KHT", "chot_LOCBAC": "1", "csrf_token": csrf(page)})
    assert r.status_code == 200 and "đã ghi 1 quyết định" in r.text
    r = office.post(f"{live_server.url}/dot/{rid}/quyet-dinh",     # untick: back to proposal
                    data={"hang_LOCBAC": "1", "csrf_token": csrf(r.text)})
    assert "bỏ 1 quyết định" in r.text

    unit = login(live_server, accounts["unit"])
    r = unit.post(f"{live_server.url}/don-vi/{accounts['unit'][2]}/nop",
                  files={"file": ("a.xlsx", b"PK")})
    assert r.status_code == 400


def test_each_account_sees_only_its_own(live_server, accounts):
    url = live_server.url
    office = login(live_server, accounts["office"])
    rid = round_id(live_server, office)
    unit = login(live_server, accounts["unit"])
    other = accounts["other"][2]
    own = accounts["unit"][2]
    token = csrf(unit.get(f"{url}/don-vi/{own}").text)

    assert unit.get(f"{url}/don-vi/{own}").status_code == 200
    for path in (f"/don-vi/{other}", f"/don-vi/{other}/bieu-mau/bao_cao_nam-2025.xlsx",
                 f"/dot/{rid}", f"/dot/{rid}/quyet-dinh", "/don-vi/BAOLAM"):
        r = unit.get(url + path, allow_redirects=False)
        assert r.status_code == 403, path
        assert "Không có quyền" in r.text
    assert unit.post(f"{url}/dot/{rid}/han-muc", json={}, headers={"X-CSRF-Token": token}) \
        .status_code == 403
    r = unit.post(f"{url}/don-vi/{other}/nop", headers={"X-CSRF-Token": token},
                  files={"file": ("a.xlsx", b"PK")})
    assert r.status_code == 403 and "chính đơn vị" in r.json()["message"]
    # the unit's home lists no round it does not collect
    assert "/dot/" not in unit.get(url + "/").text

    # the office opens its children's pages, but does not send their workbooks
    page = office.get(f"{url}/don-vi/{own}")
    assert page.status_code == 200 and 'id="drop"' not in page.text
    r = office.post(f"{url}/don-vi/{own}/nop", headers={"X-CSRF-Token": csrf(page.text)},
                    files={"file": ("a.xlsx", b"PK")})
    assert r.status_code == 403

    # nobody logged in: every page sends to the login page
    anon = requests.Session()
    for path in ("/", f"/don-vi/{own}", f"/dot/{rid}", f"/dot/{rid}/quyet-dinh"):
        r = anon.get(url + path, allow_redirects=False)
        assert r.status_code == 302 and "/dang-nhap" in r.headers["Location"], path


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "javascript:x"])
def test_login_never_redirects_off_site(live_server, accounts, target):
    s = requests.Session()
    page = s.get(live_server.url + "/dang-nhap")
    r = s.post(live_server.url + "/dang-nhap", params={"next": target},
               data={"username": accounts["unit"][0], "password": accounts["unit"][1],
                     "csrf_token": csrf(page.text)}, allow_redirects=False)
    assert r.headers["Location"] == "/"


def test_upload_refusal_is_explained(live_server, accounts):
    """A file that is not a workbook comes back with the intake's Vietnamese reason; nothing
    is stored (the unit page still lists the same versions)."""
    unit = login(live_server, accounts["other"])
    code = accounts["other"][2]
    before = unit.get(f"{live_server.url}/don-vi/{code}").text.count("Phiên bản ")
    r = unit.post(f"{live_server.url}/don-vi/{code}/nop",
                  headers={"X-CSRF-Token": csrf(unit.get(f"{live_server.url}/don-vi/{code}").text)},
                  files={"file": ("bieu.xlsx", b"day khong phai tep excel")})
    assert 400 <= r.status_code < 500
    body = r.json()
    assert body["ok"] is False and body["message"]
    after = unit.get(f"{live_server.url}/don-vi/{code}").text.count("Phiên bản ")
    assert after == before


def test_admin_sees_every_round_and_unit(live_server, accounts):
    admin = login(live_server, accounts["admin"])
    home = admin.get(live_server.url + "/").text
    rid = int(re.search(r"/dot/(\d+)\"", home).group(1))
    assert "Cây đơn vị" in home and "Đảng bộ tỉnh Lâm Đồng" in home
    assert admin.get(f"{live_server.url}/dot/{rid}").status_code == 200
    assert admin.get(f"{live_server.url}/don-vi/LOCNAM").status_code == 200


def test_overdue_units_after_the_deadline(live_server, accounts):
    """Past the deadline the dashboard marks who has not reported and who reported late, and
    the filters find them (the deadline is moved back, then restored)."""
    import datetime as dt

    from server import db
    from server.models import Round
    app = live_server.app()
    with app.app_context():
        rnd = db.session().query(Round).one()
        rid, deadline = rnd.id, rnd.deadline
        rnd.deadline = dt.date.today() - dt.timedelta(days=2)
        db.session().commit()
    try:
        office = login(live_server, accounts["office"])
        page = office.get(f"{live_server.url}/dot/{rid}").text
        assert "(đã qua hạn)" in page
        row = re.search(r'<tr data-code="CB_QUANSU">.*?</tr>', page, re.S).group(0)
        assert "Quá hạn" in row
        # everything received today is now after the deadline: late, not «on time»
        row = re.search(r'<tr data-code="LOCBAO">.*?</tr>', page, re.S).group(0)
        assert "Muộn" in row and "Đúng hạn" not in row
        assert re.search(r"<b>0/12</b><span>nộp đúng hạn", page)
        late = office.get(f"{live_server.url}/dot/{rid}",
                          params={"tre": "1", "trang_thai": "chua_nop"}).text
        shown = set(re.findall(r'<tr data-code="([A-Z_]+)">', late))
        assert "CB_QUANSU" in shown and "LOCBAO" not in shown
    finally:
        with app.app_context():
            db.session().get(Round, rid).deadline = deadline
            db.session().commit()


@pytest.mark.parametrize("typed", ["loc bao", "LOC BAO", "lộc bảo",
                                   "lo\u0323c ba\u0309o",         # decomposed (NFD), as macOS types
                                   "  Lộc   Bảo "])
def test_dashboard_search_ignores_accents_case_and_decomposition(live_server, accounts, typed):
    office = login(live_server, accounts["office"])
    rid = round_id(live_server, office)
    page = office.get(f"{live_server.url}/dot/{rid}", params={"q": typed}).text
    shown = set(re.findall(r'<tr data-code="([A-Z_]+)">', page))
    assert shown == {"LOCBAO"}, (typed, shown)


def test_unit_codes_in_addresses_are_nfc(live_server, accounts):
    """A code typed decomposed or in lower case opens the same unit page."""
    import unicodedata
    office = login(live_server, accounts["office"])
    code = accounts["unit"][2]
    for variant in (code.lower(), unicodedata.normalize("NFD", code)):
        assert office.get(f"{live_server.url}/don-vi/{variant}").status_code == 200, variant
