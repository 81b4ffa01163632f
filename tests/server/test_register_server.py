"""The member register on the server (SPEC §8): a đảng ủy xã with 1.500 members uploads, the
summary above carries no name, the file goes to the unit and its collecting unit only, no log
line names anyone, and next year's template carries the register with the ratings cleared."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import requests
from openpyxl import load_workbook

from workbook_templates import sample
from workbook_templates.read import read_workbook
from workbook_templates.spec.danh_sach import SHEET


def _commune(code, name, n):
    values, members = sample.commune_2026(n)
    values |= {"TT_MaDonVi": code, "TT_DonVi": name, "TT_CapTren": "Huyện ủy thử"}
    return values, members


def _province_above(server, district_code):
    """A unit above the collecting one, with a token: it may see the pages, not the names."""
    from sqlalchemy import select

    from server import db
    from server.auth import issue_token
    from server.models import Unit
    with server.app.app_context():
        s = db.session()
        top = Unit(code=f"T{district_code}", name=f"Tỉnh ủy thử {district_code}", type="DB_TINH")
        s.add(top)
        s.flush()
        s.scalar(select(Unit).where(Unit.code == district_code)).parent_id = top.id
        token = issue_token(top)
        s.commit()
    return {"Authorization": f"Bearer {token}"}


def _all_text(xlsx: bytes) -> str:
    wb = load_workbook(io.BytesIO(xlsx))
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                     if c.value is not None)


def _login(server, username, password) -> requests.Session:
    return server.login(username, password)


def test_a_commune_register_stays_with_the_unit_and_its_collecting_unit(server):
    d = server.district(2, year=2026)
    (a, a_name, _), (b, b_name, _) = d.children
    va, ma = _commune(a, a_name, 1500)
    vb, mb = _commune(b, b_name, 60)
    names = {m["HoTen"] for m in ma + mb}
    data_a = sample.fill_template(va, members=ma)
    r = requests.post(server.api("/submissions"), headers=d.auth(a), timeout=120,
                      files={"file": ("xa_a.xlsx", data_a)})
    assert r.status_code == 201, r.text
    sub_a = r.json()
    assert sub_a["valid"] is True and sub_a["errors"] == 0, sub_a["findings"][:3]
    r = requests.post(server.api("/submissions"), headers=d.auth(b), timeout=120,
                      files={"file": ("xa_b.xlsx", sample.fill_template(vb, members=mb))})
    assert r.status_code == 201 and r.json()["valid"] is True

    # the unit and the collecting unit get the file byte for byte
    for who in (a, d.code):
        got = requests.get(server.api(f"/submissions/{sub_a['id']}/file"), headers=d.auth(who),
                           timeout=60)
        assert got.status_code == 200 and got.content == data_a
    ann = requests.get(server.api(f"/submissions/{sub_a['id']}/annotated.xlsx"),
                       headers=d.auth(d.code), timeout=120)
    assert ann.status_code == 200 and read_workbook(ann.content).register_size == 1500

    # the summary one level up: every cell of every sheet, no member's name
    summ = requests.get(server.api(f"/rounds/{d.round_id}/summary.xlsx"),
                        headers=d.auth(d.code), timeout=120)
    assert summ.status_code == 200
    text = _all_text(summ.content)
    assert not [n for n in names if n in text]
    summary = read_workbook(summ.content)
    assert summary.register_size == 0
    assert summary.raw["XL_DV_TONG"] == va["XL_DV_TONG"] + vb["XL_DV_TONG"]

    # a level above the collecting unit: the pages and counts, never the file with the names
    above = _province_above(server, d.code)
    j = requests.get(server.api(f"/submissions/{sub_a['id']}"), headers=above, timeout=30)
    assert j.status_code == 200 and not [n for n in names if n in j.text]
    for path in ("file", "annotated.xlsx"):
        r = requests.get(server.api(f"/submissions/{sub_a['id']}/{path}"), headers=above,
                         timeout=60)
        assert r.status_code == 403 and r.json()["error"] == "register_private"
        assert "danh sách đảng viên" in r.json()["message"]

    # … and its page says why there is no download link
    assert server.cli("create-user", f"tinh{d.code}".lower(), "--password", "Mk-thu-12345",
                      "--unit", f"T{d.code}").returncode == 0
    page = _login(server, f"tinh{d.code}".lower(), "Mk-thu-12345").get(
        f"{server.url}/don-vi/{a}", timeout=60)
    assert page.status_code == 200 and "Tệp có danh sách đảng viên" in page.text
    assert f"/submissions/{sub_a['id']}/file" not in page.text
    assert not [n for n in names if n in page.text]

    # nothing the server logged names a member
    log = (Path(server.env["KIEMDIEM_DATA_DIR"]) / "server.log").read_text(errors="replace")
    assert not [n for n in names if n in log]

    # the reading kept for summaries holds counts, not members
    from server import db
    from server.models import Submission
    with server.app.app_context():
        rec = db.session().get(Submission, sub_a["id"]).reading
    assert rec["register_rows"] == 1500 and not [n for n in names if n in str(rec)]


def test_next_years_template_carries_the_register_with_the_ratings_cleared(server):
    d = server.district(1, year=2025)
    (a, a_name, _), = d.children
    values, members = _commune(a, a_name, 40)
    values |= {"TT_Nam": 2025, "TT_NgayLap": dt.datetime(2025, 12, 10)}
    members = sample.register_members(
        {"XS": 4, "TOT": 30, "HT": 4, "KHT": 1, "MIEN": 1, "KYLUAT": 1}, 2025,
        dt.date(2025, 12, 10), scores=True, chi_bo=3)
    counts = sample.counts_of(members, dt.date(2025, 12, 10))
    values.update({k: n for k, n in counts.items() if k in values or k.startswith("XL_DV_")
                   and not k.endswith("_DG") and k.count("_") == 2})
    r = requests.post(server.api("/submissions"), headers=d.auth(a), timeout=60,
                      files={"file": ("xa.xlsx", sample.fill_template(values, members=members))})
    assert r.status_code == 201 and r.json()["valid"] is True, r.json()["findings"][:3]
    for user, code in ((f"u{a}".lower(), a), (f"u{d.code}".lower(), d.code)):
        assert server.cli("create-user", user, "--password", "Mk-thu-12345", "--unit",
                          code).returncode == 0
    for user in (f"u{a}".lower(), f"u{d.code}".lower()):
        s = _login(server, user, "Mk-thu-12345")
        got = s.get(f"{server.url}/don-vi/{a}/bieu-mau/bao_cao_nam-2026.xlsx", timeout=60)
        assert got.status_code == 200
        filled = read_workbook(got.content)
        assert filled.raw["TT_Nam"] == 2026
        reg = filled.register
        assert [m.values["HoTen"] for m in reg] == [m["HoTen"] for m in members]
        assert all(m.values["XepLoai"] is None and m.values["Diem"] is None and
                   m.values["KyLuat"] is None and m.values["TuXepLoai"] is None for m in reg)
        assert {m.values["TinhTrang"] for m in reg} == {"Bình thường",
                                                       "Miễn công tác và sinh hoạt đảng"}
        assert all(m.values["NgayVaoDang"] is not None and m.values["Nhom"] for m in reg)
        assert load_workbook(io.BytesIO(got.content))[SHEET]["B9"].value == members[0]["HoTen"]


def test_the_unit_page_shows_a_members_finding_by_stt(server):
    d = server.district(1, year=2026)
    (a, a_name, _), = d.children
    values, members = _commune(a, a_name, 30)
    members = [dict(m) for m in members]
    members[16]["XepLoai"] = "Tốt"
    r = requests.post(server.api("/submissions"), headers=d.auth(a), timeout=60,
                      files={"file": ("xa.xlsx", sample.fill_template(values, members=members))})
    assert r.status_code == 201 and r.json()["valid"] is False
    assert server.cli("create-user", f"p{a}".lower(), "--password", "Mk-thu-12345", "--unit",
                      a).returncode == 0
    page = _login(server, f"p{a}".lower(), "Mk-thu-12345").get(f"{server.url}/don-vi/{a}",
                                                               timeout=60)
    assert "Danh sách đảng viên, STT 17" in page.text
    assert members[16]["HoTen"] not in page.text
