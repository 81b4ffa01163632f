"""Logins against the production server (gunicorn, two worker processes) on SQLite and
PostgreSQL (issue 14): the rate limit holds across workers, per account and per address (web
form and Basic); an unknown account answers as slowly as a known one; logout and the idle
timeout end the session on the server; the Secure flag and the proxy's addresses by setting;
no page may be framed; no login redirects off-site."""
from __future__ import annotations

import base64
import re
import statistics
import time

import pytest
import requests
from harness import Live, backend_database, prepare

PASSWORD = "Dung-mat-khau-9"


def start(fresh_database, **settings) -> Live:
    """A gunicorn server with three accounts, `settings` given as the deployer would (KIEMDIEM_
    variables). Passwords are hashed as the rest of the suite does (tests/conftest.py) unless
    PASSWORD_HASH says otherwise: a limit, a redirect or a cookie does not depend on the hash,
    and the one test that times a login runs on `shared`, which keeps the deployed scrypt."""
    import os
    url, data_dir = fresh_database
    env = dict(os.environ, KIEMDIEM_DATABASE_URL=url, KIEMDIEM_DATA_DIR=str(data_dir),
               KIEMDIEM_SECRET_KEY="test")
    settings = {"PASSWORD_HASH": os.environ.get("KIEMDIEM_PASSWORD_HASH", "scrypt"), **settings}
    env.update({f"KIEMDIEM_{k}": str(v) for k, v in settings.items()})
    live = Live("", url, data_dir, env)
    prepare(live, 2)
    from sqlalchemy import select

    from server import db
    from server.auth import set_password
    from server.models import Unit, User
    app = live.app()
    app.config["PASSWORD_HASH"] = settings["PASSWORD_HASH"]
    with app.app_context():
        s = db.session()
        for name, code in (("xa1", "X01"), ("xa2", "X02"), ("tinh", "TINH")):
            u = User(username=name, unit_id=s.scalar(select(Unit.id).where(Unit.code == code)))
            set_password(u, PASSWORD)
            s.add(u)
        s.commit()
    app.extensions["kiemdiem.engine"].dispose()
    live.start()
    return live


@pytest.fixture
def live(request, fresh_database):
    servers = []

    def make(**settings):
        servers.append(start(fresh_database, **settings))
        return servers[-1]
    yield make
    for s in servers:
        s.kill()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(request, tmp_path_factory):
    """One server per backend for the tests that need no setting of their own beyond a rate
    limit too high to reach (a server start is seconds): each of them signs in with an account
    of its own or only succeeds, so they do not see each other. Its passwords are hashed with
    the scrypt a deployed server uses (`test_a_deployed_server_stores_passwords_with_scrypt`):
    an unknown account is timed against a known one here."""
    data_dir = tmp_path_factory.mktemp(f"logins-{request.param}")
    with backend_database(request.param, data_dir) as url:
        srv = start((url, data_dir), PASSWORD_HASH="scrypt", LOGIN_MAX_FAILURES_ACCOUNT=1000,
                    LOGIN_MAX_FAILURES_ADDRESS=1000)
        try:
            yield srv
        finally:
            srv.kill()


def csrf(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def web_login(url, user, password, session=None, headers=None, nxt=None):
    s = session or requests.Session()
    page = s.get(url + "/dang-nhap", headers=headers, timeout=30)
    return s, s.post(url + "/dang-nhap", params={"next": nxt} if nxt else None,
                     data={"username": user, "password": password,
                           "csrf_token": csrf(page.text)},
                     headers=headers, allow_redirects=False, timeout=30)


def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_rate_limit_per_account_and_per_address(live):
    srv = live(LOGIN_MAX_FAILURES_ACCOUNT=5, LOGIN_MAX_FAILURES_ADDRESS=8)
    for _ in range(3):          # web form and Basic count together, across both workers
        assert web_login(srv.url, "xa1", "sai")[1].status_code == 401
    for _ in range(2):
        r = requests.get(srv.url + "/api/v1/rounds", headers=basic("xa1", "sai"), timeout=30)
        assert r.status_code == 401
    # the sixth attempt is refused even with the right password
    _, r = web_login(srv.url, "xa1", PASSWORD)
    assert r.status_code == 429 and "thử lại sau" in r.text and "phút" in r.text
    assert int(r.headers["Retry-After"]) > 0
    r = requests.get(srv.url + "/api/v1/rounds", headers=basic("xa1", PASSWORD), timeout=30)
    assert r.status_code == 429 and "thử lại sau" in r.json()["message"]
    # another account from the same address still logs in …
    assert web_login(srv.url, "xa2", PASSWORD)[1].status_code == 302
    # … until the address has failed 8 times (5 above, 3 with names that do not exist)
    for name in ("khong_co_1", "khong_co_2", "khong_co_3"):
        assert web_login(srv.url, name, "sai")[1].status_code == 401
    assert web_login(srv.url, "xa2", PASSWORD)[1].status_code == 429
    r = requests.get(srv.url + "/api/v1/rounds", headers=basic("tinh", PASSWORD), timeout=30)
    assert r.status_code == 429
    # tokens are not logins: a unit's upload key still works
    r = requests.get(srv.url + "/api/v1/rounds",
                     headers={"Authorization": f"Bearer {srv.tokens['X01']}"}, timeout=30)
    assert r.status_code == 200


def test_behind_a_proxy_each_client_address_counts_for_itself(live):
    srv = live(PROXY_COUNT=1, LOGIN_MAX_FAILURES_ADDRESS=3, LOGIN_MAX_FAILURES_ACCOUNT=50)
    a, b = {"X-Forwarded-For": "10.0.0.1"}, {"X-Forwarded-For": "10.0.0.2"}
    for _ in range(3):
        assert web_login(srv.url, "nobody", "sai", headers=a)[1].status_code == 401
    assert web_login(srv.url, "xa1", PASSWORD, headers=a)[1].status_code == 429
    _, r = web_login(srv.url, "xa1", PASSWORD, headers=b)
    assert r.status_code == 302


def test_over_https_the_cookie_is_secure(live):
    srv = live(PROXY_COUNT=1, HTTPS="true")
    r = requests.get(srv.url + "/dang-nhap", headers={"X-Forwarded-Proto": "https"}, timeout=30)
    cookie = r.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def test_an_unknown_account_answers_as_slowly_as_a_known_one(shared):
    srv = shared
    auth = requests.Session()

    def timed(user):
        t = time.perf_counter()
        r = auth.get(srv.url + "/api/v1/rounds", headers=basic(user, "sai"), timeout=30)
        assert r.status_code == 401
        return time.perf_counter() - t
    timed("xa1"), timed("khong_co")                      # warm both paths
    known = statistics.median(timed("xa1") for _ in range(7))
    unknown = statistics.median(timed(f"khong_co_{i}") for i in range(7))
    assert unknown > known / 3, (known, unknown)         # the outside test measured 1/30


def test_logout_and_idle_timeout_end_the_session_on_the_server(live):
    srv = live(IDLE_MINUTES=0.05)            # 3 seconds
    # a session left idle from here on (another account's: nothing below touches it); the
    # logout is checked while its clock runs
    idle, r = web_login(srv.url, "xa2", PASSWORD)
    assert idle.get(srv.url + "/don-vi/X02", allow_redirects=False, timeout=30).status_code == 200
    last_used = time.monotonic()

    s, r = web_login(srv.url, "xa1", PASSWORD)
    assert r.status_code == 302
    stolen = dict(s.cookies)
    home = s.get(srv.url + "/don-vi/X01", allow_redirects=False, timeout=30)
    assert home.status_code == 200
    s.post(srv.url + "/dang-xuat", data={"csrf_token": csrf(home.text)}, timeout=30)
    thief = requests.Session()
    thief.cookies.update(stolen)                # the cookie as it was before the logout
    r = thief.get(srv.url + "/don-vi/X01", allow_redirects=False, timeout=30)
    assert r.status_code == 302 and "/dang-nhap" in r.headers["Location"]
    assert thief.get(srv.url + "/api/v1/rounds", cookies=stolen, timeout=30).status_code == 401

    time.sleep(max(0.0, last_used + 4 - time.monotonic()))
    r = idle.get(srv.url + "/don-vi/X02", timeout=30)
    assert "/dang-nhap" in r.url and "hết hạn" in r.text


def test_a_new_password_ends_the_accounts_sessions(shared):
    """Whoever knew the old password (the reason it is reset) is logged out too."""
    srv = shared
    s, r = web_login(srv.url, "xa2", PASSWORD)
    assert s.get(srv.url + "/don-vi/X02", allow_redirects=False, timeout=30).status_code == 200
    from sqlalchemy import select

    from server import db
    from server.auth import set_password
    from server.models import User
    app = srv.app()
    with app.app_context():
        u = db.session().scalar(select(User).where(User.username == "xa2"))
        set_password(u, "mat-khau-moi-2026")
        db.session().commit()
    app.extensions["kiemdiem.engine"].dispose()
    r = s.get(srv.url + "/don-vi/X02", allow_redirects=False, timeout=30)
    assert r.status_code == 302 and "/dang-nhap" in r.headers["Location"]
    _, r = web_login(srv.url, "xa2", "mat-khau-moi-2026")
    assert r.status_code == 302 and "/dang-nhap" not in r.headers["Location"]


OFF_SITE = ["/%09/evil.example/x", "/\t/evil.example/", "/\\evil.example", "\\\\evil.example",
            "//evil.example", "https:evil.example", "https://evil.example", "/%2F/evil.example",
            "/%5Cevil.example", "%2F%2Fevil.example", "/\n/evil.example", " //evil.example",
            "javascript:alert(1)", "/%0d/evil.example", "http:/evil.example",
            "/%09%2Fevil.example"]


def test_login_never_redirects_off_site(shared):
    srv = shared
    for target in OFF_SITE:
        _, r = web_login(srv.url, "xa1", PASSWORD, nxt=target)
        assert r.status_code == 302
        assert r.headers["Location"] in ("/", srv.url + "/"), (target, r.headers["Location"])
    # a path of the site is kept
    _, r = web_login(srv.url, "xa1", PASSWORD, nxt="/don-vi/X01?nop=1")
    assert r.headers["Location"].endswith("/don-vi/X01?nop=1")


def test_no_page_can_be_framed(shared):
    srv = shared
    s, r = web_login(srv.url, "tinh", PASSWORD)
    assert "Secure" not in r.headers["Set-Cookie"]       # plain HTTP: the browser would drop it
    for path in ("/dang-nhap", "/", f"/dot/{srv.round_id}", f"/dot/{srv.round_id}/quyet-dinh",
                 "/khong-co-trang-nay", "/api/v1/openapi.json", "/api/v1/rounds"):
        r = s.get(srv.url + path, timeout=30)
        assert r.headers.get("X-Frame-Options") == "DENY", path
        assert "frame-ancestors 'none'" in r.headers.get("Content-Security-Policy", ""), path


def test_a_deployed_server_stores_passwords_with_scrypt(monkeypatch, tmp_path):
    """The deployer sets nothing: passwords are kept as werkzeug's scrypt, not the cheap method
    the rest of the suite sets for its throwaway accounts (tests/conftest.py)."""
    from server import create_app, db
    from server.auth import authenticate, set_password
    from server.models import User
    monkeypatch.delenv("KIEMDIEM_PASSWORD_HASH", raising=False)
    app = create_app({"DATA_DIR": str(tmp_path), "SECRET_KEY": "test"})
    with app.test_request_context("/"):
        db.upgrade()
        user = User(username="vanphong", is_admin=True)
        set_password(user, PASSWORD)
        db.session().add(user)
        db.session().commit()
        assert user.password_hash.startswith("scrypt:"), user.password_hash[:20]
        assert authenticate("vanphong", PASSWORD) is user
        assert authenticate("vanphong", "sai") is None
    app.extensions["kiemdiem.engine"].dispose()
