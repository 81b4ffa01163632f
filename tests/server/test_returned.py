"""«Trả lại» (issue 17): a version the collecting office sent back is not merged as if it had
been accepted. The summary lists the unit with the office's reason, the status and the dashboard
say the same, the round's written report is made without it; the unit's next version is merged
as any other. Over HTTP, on SQLite and PostgreSQL."""
from __future__ import annotations

import io
import re

import requests
from openpyxl import load_workbook
from workbooks import broken, workbook

from workbook_templates.merge import SHEET_DETAIL, SHEET_STATUS
from workbook_templates.read import read_workbook
from workbook_templates.validate import validate

COMMENT = "Biểu 3 thiếu 2 đảng viên miễn sinh hoạt"
#: the corrected file differs from the returned one (the very same file is refused, see below);
#: relying on the save time inside the file made these tests pass only on a slow machine
NEW_SIGNER = "Trần Thị Bình"


def post(server, d, code, data):
    return server.post(d, code, data)


def office(server, d) -> requests.Session:
    """The collecting office signed in through the login page, as a browser."""
    return server.office(d)


def give_back(server, b, sub_id):
    r = b.post(f"{server.url}/nop/{sub_id}/tra-lai",
               data={"ly_do": COMMENT, "csrf_token": b.csrf}, timeout=30)
    assert r.status_code == 200 and "Đã trả lại phiên bản" in r.text, r.text[-2000:]


def summary(server, d):
    r = requests.get(server.api(f"/rounds/{d.round_id}/summary.xlsx"), headers=d.auth(d.code),
                     timeout=60)
    assert r.status_code == 200, r.text
    return validate(read_workbook(r.content)).values, load_workbook(io.BytesIO(r.content))


def rows_of(ws, code):
    return [r for r in ws.iter_rows(values_only=True) if code in r]


def status(server, d):
    r = requests.get(server.api(f"/rounds/{d.round_id}/status"), headers=d.auth(d.code),
                     timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_returned_version_is_not_merged_until_the_unit_sends_a_new_one(server):
    d = server.district(2)
    (a, a_name, _), (b, b_name, _) = d.children
    first = post(server, d, a, workbook(a, a_name, members=100))
    post(server, d, b, workbook(b, b_name, members=50, xs=5, tot=35, ht=9, kht=1))
    values, _ = summary(server, d)
    assert values["XL_DV_TONG"] == 150 and values["XL_TCCSD_TONG"] == 2

    browser = office(server, d)
    give_back(server, browser, first["id"])
    # the office's day in Vietnam (UTC+7): after 17:00 UTC the machine's date is a day behind
    from server.models import utcnow
    from server.summary import local_time
    today = local_time(utcnow()).strftime("%d/%m/%Y")
    reason = (f"Phiên bản 1 đã trả lại ngày {today}: «{COMMENT}» — chờ đơn vị gửi bản mới.")

    # the summary: only B counted; A listed as returned, with the office's reason
    values, wb = summary(server, d)
    assert values["XL_DV_TONG"] == 50 and values["XL_TCCSD_TONG"] == 1
    (row,) = rows_of(wb[SHEET_STATUS], a)
    assert "Đã trả lại, chờ bản mới" in row and reason in row
    assert any("Đã nộp và tổng hợp 1/2 đơn vị." in str(c)
               for r in wb[SHEET_STATUS].iter_rows(values_only=True) for c in r)
    (row,) = rows_of(wb[SHEET_DETAIL], a)          # the table of units not merged
    assert reason in row                           # and not among the merged units' rows

    # the status and the pages say the same
    st = status(server, d)
    unit_a = next(u for u in st["units"] if u["code"] == a)
    assert unit_a["returned"] is True and unit_a["valid_version"] is None
    assert st["valid"] == 1 and st["returned"] == 1
    page = browser.get(f"{server.url}/dot/{d.round_id}", timeout=30).text
    row_a = re.search(rf'<tr[^>]*data-code="{a}".*?</tr>', page, re.S).group(0)
    assert "Trả lại" in row_a
    assert re.search(r"<b>1/2</b><span>có biểu hợp lệ", page)
    decisions = browser.get(f"{server.url}/dot/{d.round_id}/quyet-dinh", timeout=30).text
    row_a = next(r for r in re.findall(r"<tr.*?</tr>", decisions, re.S) if f">{a}<" in r)
    assert "Trả lại" in row_a and "<select" not in row_a    # nothing to decide on yet
    assert "Biểu đã bị trả lại: chờ đơn vị gửi bản mới." in row_a

    # the unit sends a new version (another file: a new person signs it): merged as any
    # other, nothing said about the return
    post(server, d, a, workbook(a, a_name, members=100, TT_NguoiLap=NEW_SIGNER))
    values, wb = summary(server, d)
    assert values["XL_DV_TONG"] == 150 and values["XL_TCCSD_TONG"] == 2
    (row,) = rows_of(wb[SHEET_STATUS], a)
    assert "Đã nộp, đã tổng hợp" in row and not any("trả lại" in str(c) for c in row)
    unit_a = next(u for u in status(server, d)["units"] if u["code"] == a)
    assert unit_a["returned"] is False and unit_a["valid_version"] == 2


def test_a_new_version_with_errors_does_not_bring_the_returned_one_back(server):
    """v1 returned, v2 with errors: the unit is listed with v2's errors; v1 is not merged."""
    d = server.district(2)
    (a, a_name, _), (b, b_name, _) = d.children
    first = post(server, d, a, workbook(a, a_name, members=100))
    post(server, d, b, workbook(b, b_name, members=50, xs=5, tot=35, ht=9, kht=1))
    give_back(server, office(server, d), first["id"])
    assert post(server, d, a, broken(a, a_name))["valid"] is False
    values, wb = summary(server, d)
    assert values["XL_DV_TONG"] == 50
    (row,) = rows_of(wb[SHEET_STATUS], a)
    assert "Đã nộp, không tổng hợp" in row and 2 in row
    assert not any("trả lại" in str(c) for c in row)
    unit_a = next(u for u in status(server, d)["units"] if u["code"] == a)
    assert unit_a["returned"] is False and unit_a["valid_version"] is None


def test_the_written_report_waits_for_a_returned_only_unit(server):
    d = server.district(1)
    (a, a_name, _), = d.children
    first = post(server, d, a, workbook(a, a_name, members=100))
    url = server.api(f"/rounds/{d.round_id}/bao-cao.docx")
    assert requests.get(url, headers=d.auth(d.code), timeout=120).status_code == 200
    give_back(server, office(server, d), first["id"])
    r = requests.get(url, headers=d.auth(d.code), timeout=120)
    assert r.status_code == 409 and "đã bị trả lại" in r.json()["message"]
    post(server, d, a, workbook(a, a_name, members=100, TT_NguoiLap=NEW_SIGNER))
    assert requests.get(url, headers=d.auth(d.code), timeout=120).status_code == 200


def test_the_same_file_sent_again_after_a_return_says_why_nothing_changed(server):
    """The unit answers a return with the very file that was returned: no new version (nothing
    changed), and the answer says so with the office's reason, not only "the same file"."""
    d = server.district(1)
    (a, a_name, _), = d.children
    data = workbook(a, a_name, members=100)
    first = post(server, d, a, data)
    give_back(server, office(server, d), first["id"])
    r = requests.post(server.api("/submissions"), headers=d.auth(a),
                      files={"file": ("bieu.xlsx", data, "application/octet-stream")}, timeout=60)
    assert r.status_code == 200 and r.json()["duplicate"] is True, r.text
    msg = r.json()["message"]
    assert "cấp trên đã trả lại" in msg and COMMENT in msg and "sửa biểu" in msg, msg
    assert r.json()["version"] == 1
    unit_a = next(u for u in status(server, d)["units"] if u["code"] == a)
    assert unit_a["returned"] is True
