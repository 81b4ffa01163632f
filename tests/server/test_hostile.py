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
    from server import db
    from server.auth import issue_token
    from server.cli import create_round
    from server.models import Unit
    from sqlalchemy import select
    import datetime as dt
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
