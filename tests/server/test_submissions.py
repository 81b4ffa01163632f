"""Uploads over HTTP: findings come back, every version is kept byte for byte, invalid workbooks
are stored and reported but never merged, a unit cannot send for another unit or into the
wrong round."""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import hashlib
import io

import requests
from openpyxl import load_workbook
from workbooks import broken, workbook

from workbook_templates.read import read_workbook
from workbook_templates.validate import validate


def post(server, district, code, data, name="bieu.xlsx"):
    return requests.post(server.api("/submissions"), headers=district.auth(code),
                         files={"file": (name, data, "application/octet-stream")}, timeout=60)


def test_valid_upload_returns_201_and_no_findings(server):
    d = server.district(2)
    code, name, _ = d.child(0)
    r = post(server, d, code, workbook(code, name))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["unit"] == code and body["round"] == d.round_id and body["version"] == 1
    assert body["valid"] is True and body["findings"] == []
    assert body["late"] is False


def test_findings_point_at_cells_in_vietnamese_with_the_numbers(server):
    d = server.district(1)
    code, name, _ = d.child(0)
    r = post(server, d, code, broken(code, name))
    assert r.status_code == 201
    body = r.json()
    assert body["valid"] is False and body["errors"] == 1
    f = body["findings"][0]
    assert f["rule"] == "R-TONG" and f["ref"] == "Biểu 3!C11" and f["severity"] == "error"
    assert "Tổng số đảng viên là 120" in f["message"] and "chênh +20" in f["message"]
    assert f["hint"] and f["regulation"]


def test_each_upload_is_a_new_version_kept_byte_for_byte(server):
    d = server.district(1)
    code, name, _ = d.child(0)
    first, second = broken(code, name), workbook(code, name)
    r1, r2 = post(server, d, code, first), post(server, d, code, second)
    assert (r1.json()["version"], r2.json()["version"]) == (1, 2)
    for r, data in ((r1, first), (r2, second)):
        sub = r.json()
        assert sub["sha256"] == hashlib.sha256(data).hexdigest()
        got = requests.get(server.api(f"/submissions/{sub['id']}/file"),
                           headers=d.auth(code), timeout=30)
        assert got.status_code == 200 and got.content == data
    on_disk = {p.name for p in server.stored_files()}
    assert f"{hashlib.sha256(first).hexdigest()}.xlsx" in on_disk


def test_same_unit_uploading_in_parallel_gets_distinct_versions(server):
    d = server.district(1)
    code, name, _ = d.child(0)
    # four different files (the same bytes again make no new version: issue 14)
    files = [workbook(code, name, xs=12 - i, tot=70 + i) for i in range(4)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        rs = list(pool.map(lambda data: post(server, d, code, data), files))
    assert all(r.status_code == 201 for r in rs), [r.text for r in rs]
    assert sorted(r.json()["version"] for r in rs) == [1, 2, 3, 4]


def test_a_unit_cannot_upload_another_units_workbook(server):
    d = server.district(2)
    (a, a_name, _), (b, _, _) = d.child(0), d.child(1)
    before = server.count_rows("submission")
    r = post(server, d, b, workbook(a, a_name))
    assert r.status_code == 403
    body = r.json()
    assert body["error"] == "other_unit"
    assert a in body["message"] and "Thông tin, dòng 2" in body["message"]
    assert server.count_rows("submission") == before


def test_wrong_year_is_refused_and_says_which_year_is_open(server):
    d = server.district(1, year=2024)
    code, name, _ = d.child(0)
    r = post(server, d, code, workbook(code, name, year=2023))
    assert r.status_code == 422
    assert r.json()["error"] == "wrong_year"
    assert "2023" in r.json()["message"] and "2024" in r.json()["message"]


def test_no_open_round_is_a_409(server):
    d = server.district(1)
    r = post(server, d, d.code, workbook(d.code, d.name, type_="DB_CTCS"))
    assert r.status_code == 409 and r.json()["error"] == "no_open_round"


def test_status_lists_every_expected_unit(server):
    d = server.district(3, deadline=dt.date(2020, 1, 1))   # deadline passed: uploads are late
    (a, a_name, _), (b, b_name, _), (c, _, _) = d.children
    post(server, d, a, workbook(a, a_name))
    post(server, d, b, workbook(b, b_name))
    post(server, d, b, broken(b, b_name))
    r = requests.get(server.api(f"/rounds/{d.round_id}/status"), headers=d.auth(d.code),
                     timeout=30)
    assert r.status_code == 200
    st = r.json()
    assert (st["expected"], st["submitted"], st["valid"], st["late"]) == (3, 2, 2, 2)
    units = {u["code"]: u for u in st["units"]}
    assert units[a]["version"] == 1 and units[a]["valid"] and units[a]["late"]
    assert units[b]["version"] == 2 and units[b]["valid"] is False
    assert units[b]["errors"] == 1 and units[b]["valid_version"] == 1
    assert units[c]["submitted"] is False and units[c]["version"] is None
    assert units[c]["overdue"] is True and units[a]["overdue"] is False
    assert st["overdue"] == 1


def summary_values(server, d) -> dict:
    r = requests.get(server.api(f"/rounds/{d.round_id}/summary.xlsx"), headers=d.auth(d.code),
                     timeout=60)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    load_workbook(io.BytesIO(r.content))      # opens as a workbook
    return validate(read_workbook(r.content)).values


def test_summary_adds_up_the_latest_valid_versions_with_decisions(server):
    d = server.district(3)
    (a, a_name, _), (b, b_name, _), (c, c_name, _) = d.children
    post(server, d, a, workbook(a, a_name, members=100))
    post(server, d, b, workbook(b, b_name, members=50, xs=5, tot=35, ht=9, kht=1))
    post(server, d, b, broken(b, b_name))          # newer but invalid: never merged
    post(server, d, c, broken(c, c_name))          # only invalid: not merged at all
    v = summary_values(server, d)
    assert v["XL_DV_TONG"] == 150
    assert v["XL_DV_XS"] == 12 + 5
    # both children proposed TOT for themselves; the district decides XS for one of them
    assert (v["XL_TCCSD_TONG"], v["XL_TCCSD_TOT"], v["XL_TCCSD_XS"]) == (2, 2, 0)
    r = requests.put(server.api(f"/rounds/{d.round_id}/decisions/{a}"), headers=d.auth(d.code),
                     json={"xep_loai": "XS"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["xep_loai"] == "XS" and r.json()["decided_by"].startswith("token:")
    v = summary_values(server, d)
    assert (v["XL_TCCSD_TONG"], v["XL_TCCSD_TOT"], v["XL_TCCSD_XS"]) == (2, 1, 1)
    st = requests.get(server.api(f"/rounds/{d.round_id}/status"), headers=d.auth(d.code),
                      timeout=30).json()
    assert {u["code"]: u["decided"] for u in st["units"]}[a] == "XS"
    # their committees proposed TOT (row Cấp ủy cơ sở); the district decides HT for a's
    assert (v["XL_CUCS_TONG"], v["XL_CUCS_TOT"], v["XL_CUCS_HT"]) == (2, 2, 0)
    r = requests.put(server.api(f"/rounds/{d.round_id}/decisions/{a}"), headers=d.auth(d.code),
                     json={"xep_loai": "XS", "xep_loai_cap_uy": "HT"}, timeout=30)
    assert r.status_code == 200 and r.json()["xep_loai_cap_uy"] == "HT", r.text
    v = summary_values(server, d)
    assert (v["XL_CUCS_TONG"], v["XL_CUCS_TOT"], v["XL_CUCS_HT"]) == (2, 1, 1)
    assert (v["XL_TCCSD_TOT"], v["XL_TCCSD_XS"]) == (1, 1)
    st = requests.get(server.api(f"/rounds/{d.round_id}/status"), headers=d.auth(d.code),
                      timeout=30).json()
    assert {u["code"]: u["decided_cap_uy"] for u in st["units"]}[a] == "HT"


def _set_reading(server, round_id, change):
    """Rewrite the kept reading of every submission of a round: change(record) -> record."""
    from sqlalchemy import select

    from server import db
    from server.models import Submission
    with server.app.app_context():
        s = db.session()
        for sub in s.scalars(select(Submission).where(Submission.round_id == round_id)):
            sub.reading = change(sub.reading)
        s.commit()


def test_summary_merges_the_reading_kept_at_upload_and_rereads_a_stale_one(server):
    """Each upload's reading is kept (the summary opens no file); a record made by other code,
    or none at all (files stored before it existed), makes the server read the stored file."""
    from workbook_templates import reading
    d = server.district(2)
    (a, a_name, _), (b, b_name, _) = d.children
    post(server, d, a, workbook(a, a_name, members=100))
    post(server, d, b, workbook(b, b_name, members=50, xs=5, tot=35, ht=9, kht=1))
    kept = {}
    _set_reading(server, d.round_id, lambda rec: kept.setdefault(len(kept), rec))
    assert all(rec["engine"] == reading.engine() for rec in kept.values())
    before = summary_values(server, d)
    assert before["XL_DV_TONG"] == 150

    from workbook_templates.spec import get_form_set
    i = list(get_form_set("bao_cao_nam").cells).index("XL_DV_TONG")

    def plus_1000(rec, engine=None):
        rec = dict(rec, raw=[list(x) for x in rec["raw"]],
                   values=[list(x) for x in rec["values"]])
        for at, vals in (rec["raw"], rec["values"]):    # [positions], [values]
            vals[at.index(i)] += 1000
        if engine:
            rec["engine"] = engine
        return rec
    # a record of this engine is what the summary adds up ...
    _set_reading(server, d.round_id, plus_1000)
    assert summary_values(server, d)["XL_DV_TONG"] == 150 + 2000
    # ... one made by other code is not: the files are read again, and their new readings kept
    _set_reading(server, d.round_id, lambda rec: plus_1000(rec, engine="older-engine"))
    assert summary_values(server, d) == before
    renewed = []
    _set_reading(server, d.round_id, lambda rec: renewed.append(rec) or rec)
    assert [r["engine"] for r in renewed] == [reading.engine()] * 2
    assert sorted(r["values"][1][r["values"][0].index(i)] for r in renewed) == [50, 100]
    _set_reading(server, d.round_id, lambda rec: None)     # stored before readings were kept
    assert summary_values(server, d) == before


def test_a_decision_must_be_a_level_for_a_child_of_the_round(server):
    d, other = server.district(1), server.district(1)
    url = server.api(f"/rounds/{d.round_id}/decisions/{d.child(0)[0]}")
    r = requests.put(url, headers=d.auth(d.code), json={"xep_loai": "Giỏi"}, timeout=30)
    assert r.status_code == 400 and "XS" in r.json()["message"]
    r = requests.put(url, headers=d.auth(d.code),
                     json={"xep_loai": "TOT", "xep_loai_cap_uy": "Khá"}, timeout=30)
    assert r.status_code == 400 and "xep_loai_cap_uy" in r.json()["message"]
    # a chi bộ trực thuộc's committee is not a cấp ủy cơ sở: nothing to decide there
    tt = server.district(1, types=["CB_TT"])
    r = requests.put(server.api(f"/rounds/{tt.round_id}/decisions/{tt.child(0)[0]}"),
                     headers=tt.auth(tt.code), json={"xep_loai": "TOT", "xep_loai_cap_uy": "TOT"},
                     timeout=30)
    assert r.status_code == 400 and "Cấp ủy cơ sở" in r.json()["message"]
    r = requests.put(server.api(f"/rounds/{d.round_id}/decisions/{other.child(0)[0]}"),
                     headers=d.auth(d.code), json={"xep_loai": "XS"}, timeout=30)
    assert r.status_code == 404 and r.json()["error"] == "not_a_child"


def test_annotated_copy_marks_the_cells_of_the_findings(server):
    d = server.district(1)
    code, name, _ = d.child(0)
    sub = post(server, d, code, broken(code, name)).json()
    r = requests.get(server.api(f"/submissions/{sub['id']}/annotated.xlsx"),
                     headers=d.auth(code), timeout=30)
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    cell = wb["Biểu 3"]["C11"]
    assert cell.comment is not None and "Tổng số đảng viên là 120" in cell.comment.text
    assert cell.fill.fgColor.rgb.upper().endswith("FF8080")
    report = [row for row in wb["Kết quả kiểm tra"].iter_rows(values_only=True)]
    assert any(row[2] == "Biểu 3!C11" for row in report if row and len(row) > 2)


def test_the_year_before_is_compared_when_the_server_has_it(server):
    d = server.district(1, year=2023)
    code, name, _ = d.child(0)
    assert post(server, d, code, workbook(code, name, year=2023, members=100)).json()["valid"]
    from sqlalchemy import select

    from server import db
    from server.cli import create_round
    from server.models import Unit
    with server.app.app_context():
        top = db.session().scalar(select(Unit).where(Unit.code == d.code))
        create_round(top, "bao_cao_nam", 2024, dt.date(2025, 1, 15))
    grown = workbook(code, name, year=2024, members=150, xs=18, tot=105, ht=25, kht=2)
    body = post(server, d, code, grown).json()
    yoy = [f for f in body["findings"] if f["rule"] == "R-YOY"]
    assert yoy and yoy[0]["severity"] == "warning" and "100 → 150" in yoy[0]["message"]
    assert body["valid"] is True


def test_openapi_document_lists_the_endpoints(server):
    doc = requests.get(server.api("/openapi.json"), timeout=10).json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/submissions", "/api/v1/rounds/{round_id}/status",
                 "/api/v1/rounds/{round_id}/summary.xlsx",
                 "/api/v1/submissions/{sub_id}/annotated.xlsx"):
        assert path in doc["paths"]
    assert "Submission" in doc["components"]["schemas"]


def test_summary_before_anyone_sent(server):
    """An annual round with no upload yet: the summary lists every unit as missing. A review
    round (so_ket_quy_dinh) has no form to merge into until someone sends one: 409."""
    d = server.district(2)
    r = requests.get(server.api(f"/rounds/{d.round_id}/summary.xlsx"), headers=d.auth(d.code),
                     timeout=60)
    assert r.status_code == 200
    status = load_workbook(io.BytesIO(r.content))["Tình hình nộp"]
    text = " ".join(str(v) for row in status.iter_rows(values_only=True) for v in row if v)
    assert text.count("CHƯA NỘP") == 2
    sk = server.district(1, form="so_ket_quy_dinh", year=2022)
    r = requests.get(server.api(f"/rounds/{sk.round_id}/summary.xlsx"), headers=sk.auth(sk.code),
                     timeout=60)
    assert r.status_code == 409 and r.json()["error"] == "nothing_to_merge"
    assert "Sơ kết" in r.json()["message"]


def test_the_migrations_build_exactly_the_models(server):
    """`init-db` (Alembic) and the SQLAlchemy models describe the same schema on this backend."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from server import db
    from server.models import Base
    with server.app.app_context():
        with db.engine().connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
