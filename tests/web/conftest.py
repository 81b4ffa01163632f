"""Real server processes on 127.0.0.1, accounts with known passwords, and a real browser
(Debian's chromium driven by Playwright).

`live_server`: the pre-2025 shape, Huyện ủy Bảo Lâm collecting rating year 2024 from twelve units
(`harness.bao_lam_district`, tests/harness.py) — the suite of issue 6 runs on it.
`demo_server`: what `flask --app server demo` makes, the 2026 round in the 2025 structure (a
province, its đảng ủy, one đảng ủy collecting from its chi bộ). Each runs under waitress (a
production WSGI server), once on SQLite and once on PostgreSQL (`KIEMDIEM_TEST_PG`, default the
CI's database `test` at 127.0.0.1:5432; skipped when unreachable unless CI is set).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from page_checks import SCREENS

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

UNIT_USER = ("locquang", "Lq-mat-khau-1", "LOCQUANG")       # has not reported yet in the demo
OFFICE_USER = ("vanphong", "Vp-mat-khau-2", "BAOLAM")       # collects the round
OTHER_USER = ("locnam", "Ln-mat-khau-3", "LOCNAM")
ADMIN_USER = ("quantri", "Qt-mat-khau-4", None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str, data_dir: Path, env: dict):
        self.url, self.data_dir, self.env = url, data_dir, env

    def app(self):
        """An app on the same database and files, to compute what a test expects."""
        from server import create_app
        return create_app({"DATA_DIR": str(self.data_dir),
                           "DATABASE_URL": self.env["KIEMDIEM_DATABASE_URL"]})


def _flask(env, *args):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "server", *args], env=env,
                          cwd=ROOT, check=True, capture_output=True, text=True, timeout=300)


def _district(env) -> None:
    """The pre-2025 district round, made in-process on the server's database."""
    from harness import bao_lam_district

    from server import create_app
    app = create_app({"DATA_DIR": env["KIEMDIEM_DATA_DIR"],
                      "DATABASE_URL": env["KIEMDIEM_DATABASE_URL"]})
    with app.app_context():
        bao_lam_district()
    app.extensions["kiemdiem.engine"].dispose()


@pytest.fixture(scope="session")
def live_server(web_database):
    url_db, data = web_database
    env = dict(os.environ, KIEMDIEM_DATA_DIR=str(data), KIEMDIEM_DATABASE_URL=url_db,
               PYTHONPATH=str(ROOT))
    _district(env)
    for user, pw, code in (UNIT_USER, OFFICE_USER, OTHER_USER):
        _flask(env, "create-user", user, "--password", pw, "--unit", code)
    _flask(env, "create-user", ADMIN_USER[0], "--password", ADMIN_USER[1], "--admin")
    yield from _serve(env, data)


#: accounts of the 2025-structure demo, re-set with known passwords
DEMO_USERS = {"province": ("tinhuy", "Tu-mat-khau-5", "LAMDONG"),
              "commune": ("baolam1", "Bl-mat-khau-6", "BAOLAM1"),
              "chi_bo": ("bl1_thon3", "Cb-mat-khau-7", "BL1_THON3"),
              "admin": ("quantri2", "Qt-mat-khau-8", None)}


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def demo_server(request, tmp_path_factory):
    """`flask --app server demo` on a database of its own, then waitress."""
    from harness import backend_database
    data = tmp_path_factory.mktemp(f"kd-demo-{request.param}")
    with backend_database(request.param, data, prefix="kd_demo") as url_db:
        env = dict(os.environ, KIEMDIEM_DATA_DIR=str(data), KIEMDIEM_DATABASE_URL=url_db,
                   PYTHONPATH=str(ROOT))
        out = _flask(env, "demo").stdout
        for user, pw, code in DEMO_USERS.values():
            _flask(env, "create-user", user, "--password", pw,
                   *(("--unit", code) if code else ("--admin",)))
        for srv in _serve(env, data):
            srv.demo_output, srv.users, srv.backend = out, DEMO_USERS, request.param
            yield srv


def _serve(env, data):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "waitress", "--host=127.0.0.1",
                             f"--port={port}", "--threads=4", "--call", "server:create_app"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    deadline = time.time() + 180   # a busy machine: the suite's other worker, other jobs
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode(errors="replace")) from None
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("the server did not start within 180 s")
    yield Server(f"http://127.0.0.1:{port}", data, env)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def accounts() -> dict:
    """(username, password, unit code) of the accounts the tests log in with."""
    return {"unit": UNIT_USER, "office": OFFICE_USER, "other": OTHER_USER,
            "admin": ADMIN_USER}


@pytest.fixture(scope="session")
def shots(fresh_artifacts) -> Path:
    """test-output/web/, emptied once per run (whichever xdist worker comes first)."""
    return fresh_artifacts("web")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is required in CI (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(params=list(SCREENS))
def screen(request) -> str:
    """The width a journey runs at, "1366" or "390" (also the suffix of its screenshots)."""
    return request.param


@pytest.fixture
def screen_page(browser, screen):
    """Fresh browser profiles (own cookies) at `screen`'s size: each call gives (context,
    page), closed after the test."""
    contexts = []

    def make():
        ctx = browser.new_context(viewport=SCREENS[screen], locale="vi-VN",
                                  accept_downloads=True)
        ctx.set_default_timeout(20_000)
        contexts.append(ctx)
        return ctx, ctx.new_page()
    yield make
    for c in contexts:
        c.close()


@pytest.fixture
def new_page(browser):
    """A fresh browser profile (own cookies) at an office screen's size."""
    contexts = []

    def make():
        ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN",
                                  accept_downloads=True)
        ctx.set_default_timeout(20_000)
        contexts.append(ctx)
        return ctx.new_page()
    yield make
    for c in contexts:
        c.close()
