"""Hostile and broken uploads over HTTP: each gets a clear Vietnamese 4xx, nothing stored
changes, and the server answers the next request."""
from __future__ import annotations

import os

import pytest
import requests
from hostile_corpus import corpus
from workbooks import workbook

CORPUS = corpus()


@pytest.fixture(scope="module")
def bao_lam(server):
    """The corpus' good workbook is Huyện ủy Bảo Lâm, 2019, reporting to the province."""
    import datetime as dt

    from sqlalchemy import select

    from server import db
    from server.auth import issue_token
    from server.cli import create_round
    from server.models import Unit
    with server.app.app_context():
        s = db.session()
        unit = s.scalar(select(Unit).where(Unit.code == "BAOLAM"))
        if unit is None:
            top = Unit(code="LAMDONG", name="Đảng bộ tỉnh Lâm Đồng", type="DB_TINH")
            s.add(top)
            s.flush()
            unit = Unit(code="BAOLAM", name="Huyện ủy Bảo Lâm", type="DB_CTCS", parent_id=top.id)
            s.add(unit)
            s.flush()
            create_round(top, "bao_cao_nam", 2019, dt.date(2020, 1, 31))
        token = issue_token(unit)
        s.commit()
        return {"Authorization": f"Bearer {token}"}


def _state(server):
    files = {p: p.stat().st_mtime_ns for p in server.stored_files()}
    return server.count_rows("submission"), files


@pytest.mark.parametrize("name,fname,data,expect", CORPUS, ids=[c[0] for c in CORPUS])
def test_hostile_upload(server, bao_lam, name, fname, data, expect):
    before = _state(server)
    r = requests.post(server.api("/submissions"), headers=bao_lam,
                      files={"file": (fname, data, "application/octet-stream")}, timeout=120)
    assert r.status_code < 500, r.text
    assert server.alive()
    body = r.json()
    if expect == "reject":
        assert 400 <= r.status_code < 500, f"{name} was accepted: {r.text[:300]}"
        assert body["error"] and body["message"]
        assert any(ch in body["message"] for ch in "ăâđêôơưệảấ"), body["message"]
        assert _state(server) == before, "a refused upload changed what is stored"
    elif r.status_code == 201:
        assert isinstance(body["findings"], list)
        assert "/" not in body["filename"] and "\\" not in body["filename"]
        assert all(ch.isprintable() for ch in body["filename"])
    else:   # our workbook but for another year or unit: refused with a message, nothing stored
        assert body["message"] and _state(server) == before


def test_zip_bomb_then_the_next_request_is_served(server):
    d = server.district(1)
    code, name, _ = d.child(0)
    bomb = next(c[2] for c in CORPUS if c[0] == "zip_bomb")
    r = requests.post(server.api("/submissions"), headers=d.auth(code),
                      files={"file": ("bom.xlsx", bomb)}, timeout=60)
    assert r.status_code == 422 and r.json()["error"] == "zip_bomb"
    r = requests.post(server.api("/submissions"), headers=d.auth(code),
                      files={"file": ("bieu.xlsx", workbook(code, name))}, timeout=60)
    assert r.status_code == 201 and r.json()["valid"]


def test_upload_over_the_size_limit_is_413_in_vietnamese(server):
    d = server.district(1)
    code, _, _ = d.child(0)
    big = os.urandom(3 * 1024 * 1024)          # the test server allows 2 MB
    try:
        r = requests.post(server.api("/submissions"), headers=d.auth(code),
                          files={"file": ("lon.xlsx", big)}, timeout=60)
    except requests.ConnectionError:
        pytest.fail("the server dropped the connection instead of answering 413")
    assert r.status_code == 413
    assert r.json()["error"] == "too_large" and "KB" in r.json()["message"]
    assert server.alive()


def test_missing_file_field_is_400(server):
    d = server.district(1)
    r = requests.post(server.api("/submissions"), headers=d.auth(d.child(0)[0]),
                      data={"x": "1"}, timeout=30)
    assert r.status_code == 400 and "file" in r.json()["message"]


# --- issue 14: what one unit sends can break neither the summary nor a copy ----------------------

def _upload(server, d, code, data, name="bieu.xlsx"):
    return requests.post(server.api("/submissions"), headers=d.auth(code),
                         files={"file": (name, data)}, timeout=120)


def _xlsx(data: bytes):
    import io

    from openpyxl import load_workbook
    return load_workbook(io.BytesIO(data))


def test_control_characters_keep_the_summary_and_the_annotated_copy_working(server):
    """A unit name carrying _x0001_ / _x000B_ (legal in a workbook, as Excel writes it): the
    summary and the annotated copy download (the characters shown as «�»), the stored file and
    its reading keep the original."""
    from hostile_corpus import _escaped_controls
    from workbooks import values
    d = server.district(2)
    (c1, n1, _), (c2, n2, _) = d.children
    data = _escaped_controls(values(c1, n1, TT_DonVi="Đảng bộ\x01 xã\x0b Lộc"))
    r = _upload(server, d, c1, data)
    assert r.status_code == 201, r.text
    sub = r.json()["id"]
    assert _upload(server, d, c2, workbook(c2, n2)).status_code == 201
    top = {"Authorization": f"Bearer {d.tokens[d.code]}"}
    s = requests.get(server.api(f"/rounds/{d.round_id}/summary.xlsx"), headers=top, timeout=120)
    assert s.status_code == 200, s.text[:300]
    texts = [c.value for ws in _xlsx(s.content).worksheets for row in ws.iter_rows()
             for c in row if isinstance(c.value, str)]
    assert any("Đảng bộ\ufffd xã\ufffd Lộc" in t for t in texts)
    for who in (d.auth(c1), top):
        a = requests.get(server.api(f"/submissions/{sub}/annotated.xlsx"), headers=who,
                         timeout=120)
        assert a.status_code == 200, a.text[:300]
        ws = _xlsx(a.content)["Biểu 1"] if "Biểu 1" in _xlsx(a.content).sheetnames else None
        assert ws is not None
    f = requests.get(server.api(f"/submissions/{sub}/file"), headers=top, timeout=60)
    assert f.content == data                    # the upload, byte for byte
    from server import db
    from server.models import Submission
    with server.app.app_context():
        rec = db.session().get(Submission, sub).reading
    assert any(isinstance(v, str) and "\x01" in v for v in rec["raw"][1])   # [positions, values]


def test_a_unit_name_like_a_formula_is_written_as_text(server):
    """«=HYPERLINK(…)» as a unit's name lands in the annotated copy and the summary as a string
    cell, never as a formula."""
    from server import db
    from server.models import Unit
    d = server.district(1)
    code, _, _ = d.child(0)
    evil = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'
    with server.app.app_context():
        s = db.session()
        from sqlalchemy import select
        s.scalar(select(Unit).where(Unit.code == code)).name = evil
        s.commit()
    r = _upload(server, d, code, workbook(code, evil))
    assert r.status_code == 201, r.text
    a = requests.get(server.api(f"/submissions/{r.json()['id']}/annotated.xlsx"),
                     headers=d.auth(code), timeout=120)
    assert a.status_code == 200
    cells = [c for ws in _xlsx(a.content).worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and "evil.example" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
    top = {"Authorization": f"Bearer {d.tokens[d.code]}"}
    s = requests.get(server.api(f"/rounds/{d.round_id}/summary.xlsx"), headers=top, timeout=120)
    cells = [c for ws in _xlsx(s.content).worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and "evil.example" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_annotated_copy_is_made_once_and_kept(server):
    from pathlib import Path
    d = server.district(1)
    code, name, _ = d.child(0)
    r = _upload(server, d, code, workbook(code, name))
    url = server.api(f"/submissions/{r.json()['id']}/annotated.xlsx")
    first = requests.get(url, headers=d.auth(code), timeout=120)
    kept = list((Path(server.env["KIEMDIEM_DATA_DIR"]) / "annotated").rglob("*.xlsx"))
    assert first.status_code == 200 and kept
    mtimes = {p: p.stat().st_mtime_ns for p in kept}
    again = requests.get(url, headers=d.auth(code), timeout=120)
    assert again.content == first.content
    assert {p: p.stat().st_mtime_ns for p in kept} == mtimes


# --- intake: what counts as a submission -------------------------------------------------------

def test_a_blank_template_is_refused_and_not_counted(server):
    from workbook_templates.merge.xlsx import _template
    d = server.district(1)
    code, _, _ = d.child(0)
    before = server.count_rows("submission")
    r = _upload(server, d, code, _template("bao_cao_nam"), "mau_trong.xlsx")
    assert r.status_code == 422 and r.json()["error"] == "no_identity"
    msg = r.json()["message"]
    assert "mã đơn vị" in msg and "năm" in msg and "Biểu" in msg and "chưa tính là đã nộp" in msg
    # the rows of Thông tin to fill, as the printed form numbers them
    assert "mã đơn vị (Thông tin, dòng 2)" in msg and "(Thông tin, dòng 6)" in msg, msg
    assert server.count_rows("submission") == before
    top = {"Authorization": f"Bearer {d.tokens[d.code]}"}
    st = requests.get(server.api(f"/rounds/{d.round_id}/status"), headers=top, timeout=30).json()
    assert st["submitted"] == 0


def test_the_same_bytes_twice_make_one_version(server):
    d = server.district(1)
    code, name, _ = d.child(0)
    data = workbook(code, name)
    first = _upload(server, d, code, data)
    assert first.status_code == 201
    again = _upload(server, d, code, data, "ban_sao.xlsx")
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["duplicate"] and body["id"] == first.json()["id"] and body["version"] == 1
    assert "phiên bản 1" in body["message"] and "không tạo phiên bản mới" in body["message"]
    changed = _upload(server, d, code, workbook(code, name, xs=11, tot=71))
    assert changed.status_code == 201 and changed.json()["version"] == 2
    back = _upload(server, d, code, data)       # going back to version 1's file is a change
    assert back.status_code == 201 and back.json()["version"] == 3


def _unit(server, code, name, parent_code):
    from sqlalchemy import select

    from server import db
    from server.auth import issue_token
    from server.models import Unit
    with server.app.app_context():
        s = db.session()
        parent = s.scalar(select(Unit).where(Unit.code == parent_code))
        u = Unit(code=code, name=name, type="DB_CS", parent_id=parent.id)
        s.add(u)
        s.flush()
        tok = issue_token(u)
        s.commit()
        return {"Authorization": f"Bearer {tok}"}


def test_unit_codes_are_compared_after_nfc(server):
    """«ĐBLỘC» typed decomposed (NFD) or in lower case in the workbook is the same unit; in an
    address too."""
    import unicodedata
    d = server.district(1)
    code = f"ĐBLỘC{d.round_id}"
    auth = _unit(server, code, "Đảng bộ xã Lộc", d.code)
    nfd = unicodedata.normalize("NFD", code)
    assert nfd != code
    r = requests.post(server.api("/submissions"), headers=auth, timeout=120, files={
        "file": ("b.xlsx", workbook(nfd, "Đảng bộ xã Lộc"))})
    assert r.status_code == 201, r.text
    r = requests.post(server.api("/submissions"), headers=auth, timeout=120, files={
        "file": ("b.xlsx", workbook(code.lower(), "Đảng bộ xã Lộc", xs=11, tot=71))})
    assert r.status_code == 201, r.text
    top = {"Authorization": f"Bearer {d.tokens[d.code]}"}
    p = requests.put(server.api(f"/rounds/{d.round_id}/decisions/{nfd}"), headers=top,
                     json={"xep_loai": "TOT"}, timeout=30)
    assert p.status_code == 200, p.text


def test_ids_beyond_64_bits_are_404(server):
    d = server.district(1)
    code, _, _ = d.child(0)
    huge = "9" * 30
    for path in (f"/submissions/{huge}", f"/submissions/{huge}/file",
                 f"/submissions/{huge}/annotated.xlsx", f"/rounds/{huge}/status",
                 f"/rounds/{huge}/summary.xlsx", f"/submissions/{2**63}"):
        r = requests.get(server.api(path), headers=d.auth(code), timeout=30)
        assert r.status_code == 404, (path, r.status_code)
        assert r.json()["error"] == "not_found"
    r = requests.get(f"{server.url}/dot/{huge}", timeout=30, allow_redirects=False)
    assert r.status_code in (302, 404), r.status_code


def test_decision_notes_are_bounded(server):
    d = server.district(1)
    code, _, _ = d.child(0)
    top = {"Authorization": f"Bearer {d.tokens[d.code]}"}
    url = server.api(f"/rounds/{d.round_id}/decisions/{code}")
    ok = requests.put(url, headers=top, json={"xep_loai": "TOT", "note": "x" * 2000}, timeout=30)
    assert ok.status_code == 200
    big = requests.put(url, headers=top, json={"xep_loai": "TOT", "note": "x" * 1_000_000},
                       timeout=60)
    assert big.status_code == 400 and big.json()["error"] == "note_too_long"
    assert "2.000" in big.json()["message"]
    for bad in ([1, 2], "TOT", 3):
        r = requests.put(url, headers=top, json=bad, timeout=30)
        assert r.status_code == 400, (bad, r.status_code)


def test_concurrent_first_decisions_never_500(server):
    """Twelve first decisions on one unit at once: each answered 200 (or 503 busy, never 500),
    and the decision kept is one of those sent (the API's last writer wins)."""
    from concurrent.futures import ThreadPoolExecutor
    for _ in range(3):
        d = server.district(1)
        code, _, _ = d.child(0)
        top = {"Authorization": f"Bearer {d.tokens[d.code]}"}
        url = server.api(f"/rounds/{d.round_id}/decisions/{code}")
        levels = ["XS", "TOT", "HT", "KHT"] * 3

        def put(lv, url=url, top=top):
            return requests.put(url, headers=top, json={"xep_loai": lv, "note": lv},
                                timeout=60).status_code
        with ThreadPoolExecutor(12) as ex:
            codes = list(ex.map(put, levels))
        assert all(c in (200, 503) for c in codes), codes
        assert codes.count(200) >= 1
        st = requests.get(server.api(f"/rounds/{d.round_id}/status"), headers=top,
                          timeout=30).json()
        assert st["units"][0]["decided"] in levels
        assert server.count_rows("decision") >= 1


# --- the second round of hostile files (made differently) --------------------------------------

from hostile_corpus_2 import corpus2  # noqa: E402

CORPUS2 = corpus2()


@pytest.mark.parametrize("name,fname,data,expect", CORPUS2, ids=[c[0] for c in CORPUS2])
def test_second_round_upload(server, bao_lam, name, fname, data, expect):
    test_hostile_upload(server, bao_lam, name, fname, data, expect)


def test_second_round_readable_files_keep_summary_and_copies_working(server):
    """Each readable file of the second round sent by a unit of its own: the unit's annotated
    copy and the office's summary download (200), whatever text the file carried."""
    from hostile_corpus import _workbook, formula_in_input
    from hostile_corpus_2 import _text_cell

    from workbook_templates.sample import bao_lam_2019
    readable = [c for c in CORPUS2 if c[3] == "findings"]
    d = server.district(len(readable))
    top = {"Authorization": f"Bearer {d.tokens[d.code]}"}
    for (code, uname, _), (name, fname, data, _) in zip(d.children, readable, strict=True):
        # the same hostile content, in a workbook of this unit and year
        v = dict(bao_lam_2019(True), TT_MaDonVi=code, TT_Nam=d.year, TT_DonVi=uname)
        base = _workbook(v)
        if name.startswith(("control", "formula_like")):
            raw = {"control_x000B_inline": b"X\xc3\xa3_x000B_L\xe1\xbb\x99c",
                   "control_lowercase_and_null": b"A_x001b_B_x0000_C",
                   "formula_like_text_inline": b'=HYPERLINK("http://evil.example","x")'}[name]
            data = _text_cell(base, "TT_DonVi", raw)
        else:
            data = formula_in_input(base)[0]
        r = _upload(server, d, code, data, fname)
        assert r.status_code == 201, (name, r.status_code, r.text[:300])
        if name.startswith("input_formula"):
            assert any(f["rule"] == "R-FORMULA" for f in r.json()["findings"]), name
        a = requests.get(server.api(f"/submissions/{r.json()['id']}/annotated.xlsx"),
                         headers=d.auth(code), timeout=120)
        assert a.status_code == 200, (name, a.text[:300])
    s = requests.get(server.api(f"/rounds/{d.round_id}/summary.xlsx"), headers=top, timeout=120)
    assert s.status_code == 200, s.text[:300]
    _xlsx(s.content)


def test_pages_show_control_characters_visibly(server):
    """A unit name carrying _x0001_: its page, the dashboard and the decisions page answer 200
    and show «�» where the character was."""
    import re

    from hostile_corpus import _escaped_controls
    from sqlalchemy import select
    from workbooks import values

    from server import db
    from server.auth import set_password
    from server.models import Unit, User
    d = server.district(1)
    code, name, _ = d.child(0)
    # in a text cell and in a number cell (whose finding quotes what was typed)
    data = _escaped_controls(values(code, name, TT_DonVi="Đảng bộ\x01 xã Lộc",
                                    XL_CBTT_TONG="sáu\x01"))
    assert _upload(server, d, code, data).status_code == 201
    with server.app.app_context():
        s = db.session()
        u = User(username=f"vp_{d.code.lower()}",
                 unit_id=s.scalar(select(Unit.id).where(Unit.code == d.code)))
        set_password(u, "Mat-khau-vp-1")
        s.add(u)
        s.commit()
        username = u.username
    web = requests.Session()
    page = web.get(server.url + "/dang-nhap", timeout=30).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    r = web.post(server.url + "/dang-nhap", data={"username": username,
                                                  "password": "Mat-khau-vp-1",
                                                  "csrf_token": token}, timeout=30)
    assert r.status_code == 200
    shown = []
    for path in (f"/don-vi/{code}", f"/dot/{d.round_id}", f"/dot/{d.round_id}/quyet-dinh"):
        r = web.get(server.url + path, timeout=60)
        assert r.status_code == 200, (path, r.text[:300])
        assert "\x01" not in r.text, path
        shown.append("\ufffd" in r.text)
    assert any(shown)


def test_unit_codes_and_names_are_stored_composed(server):
    import unicodedata

    from server import db
    from server.models import Unit
    d = server.district(1)
    nfd_code, nfd_name = (unicodedata.normalize("NFD", f" ĐBLỘC{d.round_id}X "),
                          unicodedata.normalize("NFD", "Đảng bộ xã Lộc"))
    with server.app.app_context():
        u = Unit(code=nfd_code, name=nfd_name, type="DB_CS")
        assert u.code == unicodedata.normalize("NFC", nfd_code.strip())
        assert u.name == unicodedata.normalize("NFC", nfd_name)
        db.session().rollback()
