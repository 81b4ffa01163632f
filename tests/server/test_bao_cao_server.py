"""The written report over real HTTP: for a round's summary and for a valid submission, with last
year's figures found by the server itself; refusals as JSON with a Vietnamese message."""
from __future__ import annotations

import datetime as dt
import io

import requests
from docx import Document
from workbooks import broken, workbook

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def post(server, district, code, data):
    return server.post(district, code, data)


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def last_year_round(server, d):
    from sqlalchemy import select

    from server import db
    from server.cli import create_round
    from server.models import Unit
    with server.app.app_context():
        s = db.session()
        top = s.scalars(select(Unit).where(Unit.code == d.code)).one()
        rnd = create_round(top, "bao_cao_nam", d.year - 1, dt.date.today() + dt.timedelta(days=30))
        s.commit()
        return rnd.id


def test_reports_for_a_submission_and_for_the_summary_compare_with_last_year(server):
    d = server.district(2, year=2024)
    last_year_round(server, d)
    (c1, n1, _), (c2, n2, _) = d.child(0), d.child(1)
    post(server, d, c1, workbook(c1, n1, 2023, members=90, xs=10, tot=62))
    post(server, d, c2, workbook(c2, n2, 2023))
    sub = post(server, d, c1, workbook(c1, n1, 2024))
    post(server, d, c2, workbook(c2, n2, 2024))

    r = requests.get(server.api(f"/submissions/{sub['id']}/bao-cao.docx"),
                     headers=d.auth(c1), timeout=60)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith(DOCX)
    assert "attachment" in r.headers["Content-Disposition"]
    body = text_of(r.content)
    assert n1.upper() in body and "ĐẢNG CỘNG SẢN VIỆT NAM" in body
    assert "năm 2024" in body
    assert "So với năm 2023: số được đánh giá tăng 10 (năm 2023: 90)" in body  # 100 vs 90 rated

    r = requests.get(server.api(f"/rounds/{d.round_id}/bao-cao.docx"), headers=d.auth(d.code),
                     timeout=120)
    assert r.status_code == 200, r.text
    body = text_of(r.content)
    assert d.name.upper() in body
    assert "02 đảng bộ cơ sở" in body or "2 đảng bộ cơ sở" in body
    assert "So với năm 2023" in body


def test_refusals_are_json_in_vietnamese(server):
    d = server.district(2, year=2024)
    (c1, n1, _), (c2, _, _) = d.child(0), d.child(1)
    r = requests.get(server.api(f"/rounds/{d.round_id}/bao-cao.docx"), headers=d.auth(d.code),
                     timeout=60)
    assert r.status_code == 409 and "Chưa có biểu năm 2024" in r.json()["message"]
    bad = post(server, d, c1, broken(c1, n1))
    r = requests.get(server.api(f"/submissions/{bad['id']}/bao-cao.docx"), headers=d.auth(c1),
                     timeout=60)
    assert r.status_code == 409
    assert r.json()["error"] == "has_errors" and "còn 1 lỗi" in r.json()["message"]
    good = post(server, d, c1, workbook(c1, n1))
    # a sibling may not read it, nobody without a token may
    r = requests.get(server.api(f"/submissions/{good['id']}/bao-cao.docx"), headers=d.auth(c2),
                     timeout=60)
    assert r.status_code == 403 and r.json()["message"]
    r = requests.get(server.api(f"/submissions/{good['id']}/bao-cao.docx"), timeout=60)
    assert r.status_code == 401
    # the collecting unit may, and a child may not ask for the summary's report
    r = requests.get(server.api(f"/submissions/{good['id']}/bao-cao.docx"),
                     headers=d.auth(d.code), timeout=60)
    assert r.status_code == 200
    r = requests.get(server.api(f"/rounds/{d.round_id}/bao-cao.docx"), headers=d.auth(c1),
                     timeout=60)
    assert r.status_code == 403
    assert server.alive()
    paths = requests.get(server.api("/openapi.json"), timeout=10).json()["paths"]
    assert {"/api/v1/rounds/{round_id}/bao-cao.docx",
            "/api/v1/submissions/{sub_id}/bao-cao.docx"} <= set(paths)


def test_the_pages_link_the_reports_and_the_links_work_in_a_browser_session(server):
    import re

    d = server.district(2, year=2024)
    (c1, n1, _), (c2, n2, _) = d.child(0), d.child(1)
    good = post(server, d, c1, workbook(c1, n1))
    bad = post(server, d, c2, broken(c2, n2))
    browser = server.office(d, f"bc{d.code}")
    dash = browser.get(f"{server.url}/dot/{d.round_id}", timeout=30)
    link = re.search(r'href="([^"]+bao-cao\.docx)">Dự thảo báo cáo \(\.docx\)', dash.text)
    assert link, "the round dashboard links the summary's report"
    r = browser.get(server.url + link.group(1), timeout=120)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(DOCX)
    assert d.name.upper() in text_of(r.content)
    # the unit page: a link beside the valid version only
    unit_page = browser.get(f"{server.url}/don-vi/{c1}", timeout=30).text
    assert f"/submissions/{good['id']}/bao-cao.docx" in unit_page
    other = browser.get(f"{server.url}/don-vi/{c2}", timeout=30).text
    assert f"/submissions/{bad['id']}/bao-cao.docx" not in other
    r = browser.get(server.api(f"/submissions/{good['id']}/bao-cao.docx"), timeout=60)
    assert r.status_code == 200 and n1.upper() in text_of(r.content)
