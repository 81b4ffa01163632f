"""The API also accepts the browser's session (the pages link its downloads), but a cookie alone
never authorizes a change: an unsafe request with the session needs the page's CSRF token."""
from __future__ import annotations

import re

import requests


def test_session_cookie_needs_the_csrf_token_to_change_anything(server):
    from sqlalchemy import select

    from server import db
    from server.auth import set_password
    from server.models import Unit, User
    d = server.district(1)
    with server.app.app_context():
        s = db.session()
        user = User(username=f"csrf{d.code}",
                    unit=s.scalar(select(Unit).where(Unit.code == d.code)))
        set_password(user, "matkhau")
        s.add(user)
        s.commit()
    browser = requests.Session()
    page = browser.get(f"{server.url}/dang-nhap", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = browser.post(f"{server.url}/dang-nhap", data={"username": f"csrf{d.code}",
                     "password": "matkhau", "csrf_token": token}, timeout=30)
    assert r.status_code == 200
    # the login starts a fresh session with a fresh token: take it from a page (log-out form)
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
    assert browser.get(server.api(f"/rounds/{d.round_id}/status"), timeout=30).status_code == 200
    url = server.api(f"/rounds/{d.round_id}/decisions/{d.child(0)[0]}")
    forged = browser.put(url, json={"xep_loai": "XS"}, timeout=30)
    assert forged.status_code == 401
    ok = browser.put(url, json={"xep_loai": "XS"}, headers={"X-CSRF-Token": token}, timeout=30)
    assert ok.status_code == 200 and ok.json()["decided_by"] == f"user:csrf{d.code}"
