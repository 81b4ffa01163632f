"""Who may call what: every endpoint against every kind of caller (a matrix).

Callers: nobody, a made-up token, a revoked token, the child itself, its sibling, the collecting
unit, the province above it, another district and its child, an administrator and the collecting
office's account (HTTP Basic), and a wrong password. A level above reads a unit's files and the
rounds collected below it (as on the web pages); only the round's collecting unit decides.

The second matrix is the 2025 structure on one server: a province collecting from a đảng ủy xã
that collects from its chi bộ in a round of its own."""
from __future__ import annotations

import pytest
import requests
from workbooks import workbook

ENDPOINTS = ("upload", "submission", "file", "annotated", "status", "summary", "decision",
             "rounds")
OK = {"upload": 201}
#            upload submission file annotated status summary decision rounds
MATRIX = {
    "nobody":        (401, 401, 401, 401, 401, 401, 401, 401),
    "unknown_token": (401, 401, 401, 401, 401, 401, 401, 401),
    "revoked_token": (401, 401, 401, 401, 401, 401, 401, 401),
    "wrong_password": (401, 401, 401, 401, 401, 401, 401, 401),
    "child":         (201, 200, 200, 200, 403, 403, 403, 200),
    "sibling":       (403, 403, 403, 403, 403, 403, 403, 200),
    "collector":     (409, 200, 200, 200, 200, 200, 200, 200),
    "office_user":   (409, 200, 200, 200, 200, 200, 200, 200),
    "province":      (409, 200, 200, 200, 200, 200, 403, 200),   # reads below, never decides
    "other_district": (409, 403, 403, 403, 403, 403, 403, 200),
    "other_child":   (403, 403, 403, 403, 403, 403, 403, 200),
    "admin":         (403, 200, 200, 200, 200, 200, 200, 200),
}


@pytest.fixture(scope="module")
def world(server):
    from sqlalchemy import select

    from server import db
    from server.auth import issue_token, revoke_tokens, set_password
    from server.models import Unit, User
    d, other = server.district(2), server.district(1)
    a, a_name, _ = d.child(0)
    r = requests.post(server.api("/submissions"), headers=d.auth(a),
                      files={"file": ("a.xlsx", workbook(a, a_name))}, timeout=60)
    assert r.status_code == 201
    with server.app.app_context():
        s = db.session()
        unit = s.scalar(select(Unit).where(Unit.code == a))
        old = issue_token(unit)
        s.flush()
        revoke_tokens(unit)
        revoked = old
        fresh = issue_token(unit)     # the child's working token after the revocation
        top = s.scalar(select(Unit).where(Unit.code == d.code))
        province = Unit(code=f"T_{d.code}", name=f"Tỉnh ủy trên {d.code}", type="DB_TINH")
        s.add(province)
        s.flush()
        top.parent_id = province.id
        province_token = issue_token(province)
        for name, is_admin, u in ((f"admin{d.code}", True, None), (f"vp{d.code}", False, top)):
            user = User(username=name, is_admin=is_admin, unit=u)
            set_password(user, "mật khẩu đúng")
            s.add(user)
        s.commit()
    bearer = lambda t: {"Authorization": f"Bearer {t}"}  # noqa: E731
    callers = {
        "nobody": ({}, None), "unknown_token": (bearer("kd_khong_co_that"), None),
        "revoked_token": (bearer(revoked), None),
        "wrong_password": ({}, (f"admin{d.code}", "sai")),
        "child": (bearer(fresh), None), "sibling": (d.auth(d.child(1)[0]), None),
        "collector": (d.auth(d.code), None), "province": (bearer(province_token), None),
        "office_user": ({}, (f"vp{d.code}", "mật khẩu đúng".encode())),
        "other_district": (other.auth(other.code), None),
        "other_child": (other.auth(other.child(0)[0]), None),
        "admin": ({}, (f"admin{d.code}", "mật khẩu đúng".encode())),
    }
    return d, r.json()["id"], callers, workbook(a, a_name)


_n = iter(range(10**6))


def _fresh(data: bytes) -> bytes:
    """The same workbook with a different zip comment: other bytes, same content."""
    import io
    import zipfile
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as z:
        z.comment = b"%d" % next(_n)
    return buf.getvalue()


def call(server, endpoint, d, sub_id, data, headers, auth):
    kw = {"headers": headers, "auth": auth, "timeout": 60}
    if endpoint == "upload":        # new bytes each time: the same file again is no new version
        return requests.post(server.api("/submissions"), files={"file": ("a.xlsx",
                                                                         _fresh(data))}, **kw)
    if endpoint == "decision":
        return requests.put(server.api(f"/rounds/{d.round_id}/decisions/{d.child(0)[0]}"),
                            json={"xep_loai": "TOT"}, **kw)
    path = {"submission": f"/submissions/{sub_id}", "file": f"/submissions/{sub_id}/file",
            "annotated": f"/submissions/{sub_id}/annotated.xlsx",
            "status": f"/rounds/{d.round_id}/status",
            "summary": f"/rounds/{d.round_id}/summary.xlsx", "rounds": "/rounds"}[endpoint]
    return requests.get(server.api(path), **kw)


@pytest.mark.parametrize("caller", list(MATRIX))
def test_authorization_matrix(server, world, caller):
    d, sub_id, callers, data = world
    headers, auth = callers[caller]
    got = {}
    for endpoint in ENDPOINTS:
        r = call(server, endpoint, d, sub_id, data, headers, auth)
        got[endpoint] = r.status_code
        if r.status_code >= 400:
            body = r.json()
            assert body["error"] and body["message"], (caller, endpoint, r.text)
        if r.status_code == 401:
            assert "Bearer" in r.headers.get("WWW-Authenticate", "")
    assert got == dict(zip(ENDPOINTS, MATRIX[caller], strict=False))


def test_rounds_list_shows_only_the_callers_rounds(server, world):
    d, _, callers, _ = world
    headers, _ = callers["child"]
    rounds = requests.get(server.api("/rounds"), headers=headers, timeout=30).json()
    assert [r["id"] for r in rounds] == [d.round_id]
    headers, _ = callers["other_district"]
    rounds = requests.get(server.api("/rounds"), headers=headers, timeout=30).json()
    assert d.round_id not in [r["id"] for r in rounds]
