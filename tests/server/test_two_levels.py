"""The 2025 structure on one server, over real HTTP on SQLite and PostgreSQL: a province collects
from its đảng ủy xã while one of them collects from its chi bộ in a round of its own, then sends
its own report into the province's round from its round page.

Who may call what (province, commune, chi bộ, a sibling chi bộ, another commune); HD 43's
deadlines when a round is opened without one; the report upward stored like any upload."""
from __future__ import annotations

import datetime as dt
import itertools
import random
import re

import pytest
import requests

from workbook_templates.read import read_workbook
from workbook_templates.sample import fill_template

YEAR = 2026
PW = "Mat-khau-hai-cap-1"
_n = itertools.count(1)


def chi_bo_workbook(code: str, name: str, parent: str, seed: int, **extra) -> bytes:
    from server.demo import unit_values
    v = unit_values(code, name, "CB_TT", YEAR, random.Random(seed), parent=parent)
    v["TT_XepLoai"] = "TOT"
    v.update(extra)
    return fill_template(v)


class World:
    """Codes, round ids, tokens and accounts of one two-level tree."""

    def __init__(self, server):
        from server import db
        from server.auth import issue_token, set_password
        from server.models import Unit, User
        from server.rounds import create_round
        k = next(_n)
        self.k = k
        with server.app.app_context():
            s = db.session()
            p = Unit(code=f"T{k}", name=f"Đảng bộ tỉnh Thử {k}", type="DB_TINH")
            s.add(p)
            s.flush()
            c = Unit(code=f"T{k}XA", name=f"Đảng ủy xã Thử {k}", type="DB_CS", parent_id=p.id)
            c2 = Unit(code=f"T{k}XB", name=f"Đảng ủy phường Thử {k}", type="DB_CS",
                      parent_id=p.id)
            s.add_all([c, c2])
            s.flush()
            kids = [Unit(code=f"T{k}CB{i}", name=f"Chi bộ thôn {i}", type="CB_TT",
                         parent_id=c.id) for i in (1, 2, 3)]
            other = Unit(code=f"T{k}XBCB", name="Chi bộ khu phố 1", type="CB_TT",
                         parent_id=c2.id)
            s.add_all(kids + [other])
            s.flush()
            self.top_round = create_round(p, "bao_cao_nam", YEAR).id    # HD 43's deadline
            self.own_round = create_round(c, "bao_cao_nam", YEAR).id
            create_round(c2, "bao_cao_nam", YEAR)
            units = [p, c, c2] + kids + [other]
            self.tokens = {u.code: issue_token(u) for u in units}
            for u in units:
                user = User(username=u.code.lower(), unit=u, full_name=f"Văn phòng {u.name}")
                set_password(user, PW)
                s.add(user)
            s.commit()
            self.p, self.c, self.c2 = p.code, c.code, c2.code
            self.kids = [(u.code, u.name) for u in kids]
            self.c_name, self.p_name = c.name, p.name
            self.other = other.code

    def bearer(self, code: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[code]}"}


@pytest.fixture(scope="module")
def world(server):
    w = World(server)
    for i, (code, name) in enumerate(w.kids[:2]):
        r = requests.post(server.api("/submissions"), headers=w.bearer(code),
                          files={"file": (f"{code}.xlsx", chi_bo_workbook(code, name, w.c_name,
                                                                          i))}, timeout=60)
        assert r.status_code == 201 and r.json()["valid"], r.text
        w.sub_id = w.sub_id if hasattr(w, "sub_id") else r.json()["id"]
    return w


def web_login(server, username: str) -> requests.Session:
    s = requests.Session()
    page = s.get(server.url + "/dang-nhap", timeout=30).text
    r = s.post(server.url + "/dang-nhap", data={"username": username, "password": PW,
                                               "csrf_token": _csrf(page)},
               allow_redirects=False, timeout=30)
    assert r.status_code == 302, r.text
    return s


def _csrf(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


# -- who may call what -----------------------------------------------------------------------------

#               commune round: status summary decision | province round: status decision | file
MATRIX = {
    "province":     (200, 200, 403, 200, 200, 200),
    "commune":      (200, 200, 200, 403, 403, 200),
    "chi_bo":       (403, 403, 403, 403, 403, 200),
    "sibling":      (403, 403, 403, 403, 403, 403),
    "other_commune": (403, 403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("caller", list(MATRIX))
def test_authorization_two_levels(server, world, caller):
    w = world
    code = {"province": w.p, "commune": w.c, "chi_bo": w.kids[0][0], "sibling": w.kids[1][0],
            "other_commune": w.c2}[caller]
    h = w.bearer(code)
    got = (
        requests.get(server.api(f"/rounds/{w.own_round}/status"), headers=h, timeout=30),
        requests.get(server.api(f"/rounds/{w.own_round}/summary.xlsx"), headers=h, timeout=60),
        requests.put(server.api(f"/rounds/{w.own_round}/decisions/{w.kids[0][0]}"), headers=h,
                     json={"xep_loai": "TOT"}, timeout=30),
        requests.get(server.api(f"/rounds/{w.top_round}/status"), headers=h, timeout=30),
        requests.put(server.api(f"/rounds/{w.top_round}/decisions/{w.c}"), headers=h,
                     json={"xep_loai": "TOT"}, timeout=30),
        requests.get(server.api(f"/submissions/{w.sub_id}/file"), headers=h, timeout=30),
    )
    assert tuple(r.status_code for r in got) == MATRIX[caller]
    for r in got:
        if r.status_code == 403:
            assert r.json()["message"]


@pytest.mark.parametrize("who,pages", [
    ("province", {"dash": 200, "decisions": 200, "save": 403, "send_up": 403, "unit": 200}),
    ("commune", {"dash": 200, "decisions": 200, "save": 302, "send_up": 200, "unit": 200}),
    ("chi_bo", {"dash": 403, "decisions": 403, "save": 403, "send_up": 403, "unit": 200}),
])
def test_pages_two_levels(server, world, who, pages):
    """The province reads the commune's round (no 403 dead end) but cannot decide there; only
    the commune's own office sends its report up; a chi bộ sees its own page only."""
    w = world
    user = {"province": w.p, "commune": w.c, "chi_bo": w.kids[0][0]}[who].lower()
    s = web_login(server, user)
    base = f"{server.url}/dot/{w.own_round}"
    dash = s.get(base, timeout=30)
    dec = s.get(base + "/quyet-dinh", timeout=30)
    token = _csrf(dash.text)
    save = s.post(base + "/quyet-dinh", data={"csrf_token": token}, allow_redirects=False,
                  timeout=30)
    send = s.get(base + "/gui-len", timeout=60)
    unit = s.get(f"{server.url}/don-vi/{w.kids[0][0]}", timeout=30)
    got = {"dash": dash.status_code, "decisions": dec.status_code, "save": save.status_code,
           "send_up": send.status_code, "unit": unit.status_code}
    assert got == pages
    if who == "province":
        assert "Chỉ xem" in dash.text and w.c_name in dash.text
        assert "Chỉ xem" in dec.text and "Lưu quyết định" not in dec.text
        assert f"do {w.c_name} quyết định" in save.text
        home = s.get(server.url + "/", timeout=30).text
        row = re.search(rf'<tr data-round="{w.own_round}".*?</tr>', home, re.S).group(0)
        assert "2/3" in row          # two of the commune's three chi bộ have reported


# -- HD 43's deadlines -----------------------------------------------------------------------

def test_round_without_deadline_gets_hd43s(server, world):
    w = world
    rounds = requests.get(server.api("/rounds"), headers=w.bearer(w.p), timeout=30).json()
    top = next(r for r in rounds if r["id"] == w.top_round)
    assert top["deadline"] == f"{YEAR}-12-31"
    # the province sees the rounds below it in its list too
    assert w.own_round in [r["id"] for r in rounds]
    # the CLI: a special unit gets 15/01 of the next year; the others keep 31/12
    code = f"DL{w.k}"
    r = server.cli("create-round", "--unit", w.p, "--year", str(YEAR), "--dac-thu", w.c2)
    assert r.returncode == 0, r.stderr
    assert f"hạn 31/12/{YEAR}" in r.stdout and f"hạn 15/01/{YEAR + 1}: {w.c2}" in r.stdout
    st = requests.get(server.api(f"/rounds/{w.top_round}/status"), headers=w.bearer(w.p),
                      timeout=30).json()
    special = next(u for u in st["units"] if u["code"] == w.c2)
    plain = next(u for u in st["units"] if u["code"] == w.c)
    assert special["dac_thu"] and special["deadline"] == f"{YEAR + 1}-01-15"
    assert not plain["dac_thu"] and plain["deadline"] == f"{YEAR}-12-31"
    bad = server.cli("create-round", "--unit", w.p, "--year", str(YEAR), "--dac-thu", code)
    assert bad.returncode != 0 and f"không phải: {code}" in bad.stderr


def test_special_unit_is_not_overdue_before_its_own_deadline(server, world):
    """With the round's day passed, the units named special are still waiting, the others are
    overdue (the status the dashboard and the province's overview show)."""
    from server import db
    from server.models import Round
    w = world
    with server.app.app_context():
        rnd = db.session().get(Round, w.own_round)
        old = rnd.deadline, list(rnd.dac_thu or []), rnd.han_dac_thu
        rnd.deadline = dt.date.today() - dt.timedelta(days=1)
        rnd.dac_thu, rnd.han_dac_thu = [w.kids[2][0]], dt.date.today() + dt.timedelta(days=5)
        db.session().commit()
    try:
        st = requests.get(server.api(f"/rounds/{w.own_round}/status"), headers=w.bearer(w.c),
                          timeout=30).json()
        third = next(u for u in st["units"] if u["code"] == w.kids[2][0])
        assert third["dac_thu"] and not third["submitted"] and not third["overdue"]
    finally:
        with server.app.app_context():
            rnd = db.session().get(Round, w.own_round)
            rnd.deadline, rnd.dac_thu, rnd.han_dac_thu = old
            db.session().commit()


# -- the commune's own report upward --------------------------------------------------------------

OWN = {"TT_XepLoai": "TOT", "TT_XepLoaiCapUy": "TOT", "TT_XepLoaiNguoiDungDau": "TOT",
       "TT_NguoiLap": "Nguyễn Thị Hoa", "TT_DienThoai": "0912345678",
       "TT_NgayLap": f"{YEAR}-12-20", "XL_TTLD_CS_TONG": "1", "XL_TTLD_CS_TOT": "1",
       # QĐ 366: the scores and the year's tasks that go with a «Hoàn thành tốt» proposal
       "TT_Diem": "82", "TT_DiemCapUy": "80", "TT_DiemNguoiDungDau": "81", "TT_NV_Giao": "20",
       "TT_NV_HoanThanh": "20", "TT_NV_VuotMuc": "2", "TT_NV_ChamTienDo": "0"}


def _status_of(server, w, code):
    st = requests.get(server.api(f"/rounds/{w.top_round}/status"), headers=w.bearer(w.p),
                      timeout=30).json()
    return next(u for u in st["units"] if u["code"] == code)


def test_commune_sends_its_report_up(server, world):
    w = world
    s = web_login(server, w.c.lower())
    url = f"{server.url}/dot/{w.own_round}/gui-len"
    page = s.get(url, timeout=60).text
    # its own cells are asked for; the rows its chi bộ make up are not
    for name in ("TT_XepLoai", "TT_XepLoaiCapUy", "TT_NguoiLap", "XL_TTLD_CS_TONG",
                 "XL_CBLD_CS_TONG"):
        assert f'name="{name}"' in page, name
    assert 'name="XL_CBTT_TONG"' not in page and 'name="XL_DV_TONG"' not in page
    assert "Chi bộ thôn 3" in page                       # named as not yet reported
    before = server.count_rows("submission")

    # a count that is not a number: said next to the cell, nothing sent
    r = s.post(url, data=dict(OWN, csrf_token=_csrf(page), hanh_dong="gui",
                              XL_TTLD_CS_TONG="mot"), timeout=60)
    assert r.status_code == 422
    assert "«mot»" in r.text and "không phải số nguyên" in r.text
    # a required cell left blank: the validator's finding next to the field, nothing sent
    r = s.post(url, data=dict(OWN, csrf_token=_csrf(page), hanh_dong="gui", TT_NguoiLap=""),
               timeout=60)
    assert r.status_code == 422 and "Chưa gửi" in r.text
    assert re.search(r'class="ferr">Lỗi: [^<]*Người lập biểu', r.text)
    assert server.count_rows("submission") == before
    assert not _status_of(server, w, w.c)["submitted"]

    # checked, then sent in one action: a new version in the province's round, valid
    r = s.post(url, data=dict(OWN, csrf_token=_csrf(page), hanh_dong="kiem_tra"), timeout=60)
    assert r.status_code == 200 and "Kiểm tra xong: không có lỗi" in r.text, \
        re.findall(r"class=\"ferr\">([^<]*)", r.text)
    assert server.count_rows("submission") == before
    r = s.post(url, data=dict(OWN, csrf_token=_csrf(page), hanh_dong="gui"), timeout=60,
               allow_redirects=False)
    assert r.status_code == 302 and f"/don-vi/{w.c}" in r.headers["Location"]
    u = _status_of(server, w, w.c)
    assert u["submitted"] and u["valid"] and u["version"] == 1
    # kept byte for byte: the stored file is the workbook the server generated and read
    data = requests.get(server.api(f"/submissions/{u['submission_id']}/file"),
                        headers=w.bearer(w.p), timeout=30)
    import hashlib
    meta = requests.get(server.api(f"/submissions/{u['submission_id']}"),
                        headers=w.bearer(w.p), timeout=30).json()
    assert hashlib.sha256(data.content).hexdigest() == meta["sha256"]
    sent = read_workbook(data.content).raw
    assert sent["TT_MaDonVi"] == w.c and sent["TT_CapTren"] == w.p_name
    assert sent["TT_NguoiLap"] == "Nguyễn Thị Hoa" and sent["XL_TTLD_CS_TONG"] == 1
    assert sent["XL_CBTT_TONG"] == 2                    # the two chi bộ that reported
    # the page now starts from what was sent; sending a corrected report is version 2
    page = s.get(url, timeout=60).text
    assert 'value="Nguyễn Thị Hoa"' in page and "phiên bản 1" in page
    r = s.post(url, data=dict(OWN, csrf_token=_csrf(page), hanh_dong="gui",
                              TT_DienThoai="0263 3877 124"), timeout=60, allow_redirects=False)
    assert r.status_code == 302 and _status_of(server, w, w.c)["version"] == 2
    # the same report again: no new version, and the office is told which one it is
    page = s.get(url, timeout=60).text
    r = s.post(url, data=dict(OWN, csrf_token=_csrf(page), hanh_dong="gui",
                              TT_DienThoai="0263 3877 124"), timeout=60)
    assert "giống hệt phiên bản 2" in r.text and _status_of(server, w, w.c)["version"] == 2
    # the province's summary counts the commune in its TCCSĐ rows
    summary = requests.get(server.api(f"/rounds/{w.top_round}/summary.xlsx"),
                           headers=w.bearer(w.p), timeout=60)
    raw = read_workbook(summary.content).raw
    assert raw["XL_TCCSD_TONG"] == 1 and raw["XL_DBCS_TONG"] == 1 and raw["XL_TCCSD_TOT"] == 1


def test_office_opens_a_round_on_the_page_with_hd43s_deadlines(server, world):
    """The page's «Mở đợt» and `create-round` are one service: a blank deadline is 31/12 of the
    year, a ticked special unit 15/01 of the next; a chi bộ has no one to collect from."""
    w = world
    s = web_login(server, w.c.lower())
    home = s.get(server.url + "/", timeout=30).text
    assert "Mở đợt nhận báo cáo của" in home
    r = s.post(server.url + "/dot/mo", data={"csrf_token": _csrf(home), "bieu": "bao_cao_nam",
                                              "nam": str(YEAR + 1), "han": "", "han_dac_thu": "",
                                              "dac_thu": [w.kids[1][0]]}, timeout=30)
    assert r.status_code == 200 and f"hạn 31/12/{YEAR + 1}" in r.text
    assert f"hạn 15/01/{YEAR + 2}: {w.kids[1][0]}" in r.text
    rounds = requests.get(server.api("/rounds"), headers=w.bearer(w.c), timeout=30).json()
    new = next(x for x in rounds if x["unit"] == w.c and x["year"] == YEAR + 1)
    assert new["deadline"] == f"{YEAR + 1}-12-31" and new["dac_thu"] == [w.kids[1][0]]
    assert new["han_dac_thu"] == f"{YEAR + 2}-01-15"
    # a special unit that is not its child: refused, said in Vietnamese, nothing changed
    r = s.post(server.url + "/dot/mo", data={"csrf_token": _csrf(home), "bieu": "bao_cao_nam",
                                              "nam": str(YEAR + 1), "dac_thu": [w.other]},
               timeout=30)
    assert f"không phải: {w.other}" in r.text
    cb = web_login(server, w.kids[0][0].lower())
    page = cb.get(server.url + "/", timeout=30).text
    assert cb.post(server.url + "/dot/mo", data={"csrf_token": _csrf(page), "nam": "2027"},
                   allow_redirects=False, timeout=30).status_code == 403
