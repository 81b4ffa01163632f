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
from contextlib import contextmanager
from pathlib import Path

import pytest
from page_checks import KEEP_SHOTS, SCREENS

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


def _flask(env, *args) -> str:
    """`flask --app server ARGS` on the server's database, invoked in this process (click's test
    runner: the same command code, without a Python start); what it printed.
    tests/server/test_demo.py and test_cli.py run the commands as processes."""
    out = []

    def run(app):
        from harness import invoke
        r = invoke(app, *args)
        if r.returncode:
            raise RuntimeError(r.stdout + r.stderr)
        out.append(r.stdout)
    _in_app(env, run)
    return out[0]


def _in_app(env, work) -> None:
    """`work(app)` on an app of the server's database and files, made in this process (the
    server reads what it writes from the database); its connections closed afterwards."""
    from server import create_app
    app = create_app({"DATA_DIR": env["KIEMDIEM_DATA_DIR"],
                      "DATABASE_URL": env["KIEMDIEM_DATABASE_URL"]})
    try:
        work(app)
    finally:
        app.extensions["kiemdiem.engine"].dispose()


def _district(app) -> None:
    """The pre-2025 district round, made in-process on the server's database."""
    from harness import bao_lam_district
    with app.app_context():
        bao_lam_district()


def _create_users(app, users) -> None:
    """`flask --app server create-user` for each (username, password, unit code or None for an
    administrator): the command users run, invoked in this process (a Python start-up and an
    app per account saved — a second each; tests/server/test_cli.py runs it as a process)."""
    from harness import invoke
    for user, pw, code in users:
        res = invoke(app, "create-user", user, "--password", pw,
                     *(("--unit", code) if code else ("--admin",)))
        assert res.returncode == 0, (user, res.stdout, res.stderr)


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    """The web suite's servers of this worker, each (kind, backend) built the first time a test
    asks for it and stopped at the end of the session (`harness.KeptForSession`); a test sees
    the state earlier tests left on it, as in a run without workers."""
    from harness import KeptForSession
    kept = KeptForSession()
    builders = {"live": _live_server, "demo": _demo_server}

    def get(kind: str, backend: str):
        return kept.get((kind, backend), lambda: contextmanager(builders[kind])(
            backend, tmp_path_factory))
    try:
        yield get
    finally:
        kept.close()


def _live_server(backend, tmp):
    """The district round on a database of its own (not the server suite's, which adds rounds
    and units of its own), its four accounts, then waitress."""
    from harness import backend_database
    data = tmp.mktemp(f"kd-web-{backend}")
    with backend_database(backend, data) as url_db:
        env = dict(os.environ, KIEMDIEM_DATA_DIR=str(data), KIEMDIEM_DATABASE_URL=url_db,
                   PYTHONPATH=str(ROOT))

        def seed(app):
            _district(app)
            _create_users(app, (UNIT_USER, OFFICE_USER, OTHER_USER, ADMIN_USER))
        _in_app(env, seed)
        yield from _serve(env, data)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def live_server(request, servers):
    """The pre-2025 district round (see the module's docstring), one server per backend."""
    return servers("live", request.param)


#: accounts of the 2025-structure demo, re-set with known passwords
DEMO_USERS = {"province": ("tinhuy", "Tu-mat-khau-5", "LAMDONG"),
              "commune": ("baolam1", "Bl-mat-khau-6", "BAOLAM1"),
              "chi_bo": ("bl1_thon3", "Cb-mat-khau-7", "BL1_THON3"),
              "admin": ("quantri2", "Qt-mat-khau-8", None)}


def _demo_server(backend, tmp):
    """`flask --app server demo` (the command a user runs, in this process) on a database of its
    own, its accounts re-set with known passwords, then waitress."""
    from harness import backend_database
    data = tmp.mktemp(f"kd-demo-{backend}")
    with backend_database(backend, data, prefix="kd_demo") as url_db:
        env = dict(os.environ, KIEMDIEM_DATA_DIR=str(data), KIEMDIEM_DATABASE_URL=url_db,
                   PYTHONPATH=str(ROOT))
        out = _flask(env, "demo")
        _in_app(env, lambda app: _create_users(app, DEMO_USERS.values()))
        for srv in _serve(env, data):
            srv.demo_output, srv.users, srv.backend = out, DEMO_USERS, backend
            yield srv


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def demo_server(request, servers):
    """The 2025-structure demo (see the module's docstring), one server per backend."""
    return servers("demo", request.param)


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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When pages are not saved as they are reached (`page_checks.KEEP_SHOTS`, off in CI), a
    failing web test still leaves a picture of every page it has open, in
    test-output/web/failed/ (before its fixtures close them)."""
    outcome = yield
    report = outcome.get_result()
    browser = getattr(item, "funcargs", {}).get("browser")
    if KEEP_SHOTS or report.when != "call" or not report.failed or browser is None:
        return
    out = item.funcargs["shots"] if "shots" in item.funcargs else None
    out = (out or ROOT / "test-output" / "web") / "failed"
    out.mkdir(parents=True, exist_ok=True)
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in item.name)
    for i, page in enumerate(p for ctx in browser.contexts for p in ctx.pages):
        try:
            page.screenshot(path=str(out / f"{name}_{i}.png"), full_page=True)
        except Exception as e:      # a page that has crashed: the test's own error says more
            report.sections.append(("screenshot", f"{page.url}: {e}"))


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
