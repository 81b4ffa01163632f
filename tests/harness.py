"""Run the production server (gunicorn) on a scratch database with a collecting unit and its
children, for the evidence tests and the upload benchmark. Not used by the running product, so
it lives with the tests (it needs `requests`, which only the test extra installs); the benches
import it from here.
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import requests

PG_BASE = os.environ.get("KIEMDIEM_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
YEAR = 2025


#: Whether the pictures a person looks at are made: browser screenshots of every page reached
#: (tests/web/page_checks.py) and PNG pages of the printed PDFs (`png_pages`). Not in CI: no one
#: sees a CI run's files, and what a picture would show is asserted from the page or the PDF
#: itself (issue 21).
KEEP_PICTURES = not os.environ.get("CI")


def pdf_pages(pdf: Path) -> int:
    """How many pages `pdf` has (poppler's pdfinfo)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def png_pages(pdf: Path, stem: Path) -> None:
    """`pdf`'s pages as stem-1.png, stem-2.png, … at 60 dpi for a person to look at (test-output/),
    when `KEEP_PICTURES`; the pictures of an earlier run go first."""
    for old in stem.parent.glob(f"{stem.name}-*.png"):
        old.unlink()
    if KEEP_PICTURES:
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(stem)], check=True,
                       timeout=120)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DatabaseUnavailable(RuntimeError):
    pass


def pg_reachable() -> bool:
    try:
        import psycopg
        with psycopg.connect(PG_BASE.replace("+psycopg", ""), connect_timeout=3):
            return True
    except Exception:
        return False


@contextmanager
def scratch_database(kind: str, data_dir: Path, prefix: str = "kd_test"):
    """A fresh, empty database URL: a new SQLite file in data_dir, or a new schema of its own in
    the PostgreSQL database (KIEMDIEM_TEST_PG), dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{data_dir / 'kiemdiem.sqlite3'}"
        return
    if not pg_reachable():
        raise DatabaseUnavailable(f"PostgreSQL cannot be reached at {PG_BASE}")
    import psycopg
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    plain = PG_BASE.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as c:
            c.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def backend_database(kind: str, data_dir: Path, prefix: str = "kd_test"):
    """`scratch_database` for a test or fixture: PostgreSQL out of reach fails it in CI (the
    backend is part of what is tested there) and skips it elsewhere."""
    import pytest
    cm = scratch_database(kind, data_dir, prefix)
    try:
        url = cm.__enter__()
    except DatabaseUnavailable as e:
        if os.environ.get("CI"):
            pytest.fail(f"{e} (PostgreSQL is required in CI)")
        pytest.skip(f"{e} (set CI=1 to make this an error)")
    try:
        yield url
    finally:
        cm.__exit__(None, None, None)


class KeptForSession:
    """Things — test servers — made the first time a test asks for them and kept to the end of
    the session. A parametrized session fixture alone would tear a backend's server down
    whenever a worker's next test file starts on the other backend, and build it again (pytest
    keeps one value per fixture): seconds per file. A failure to make one (a skip when
    PostgreSQL is away, a failure in CI) is kept and raised to each test that asks, once made."""

    def __init__(self):
        self._stack = ExitStack()
        self._made: dict = {}

    def get(self, key, make):
        """The thing kept under `key`; `make()`: a context manager giving it, entered once and
        left at `close`."""
        from _pytest.outcomes import OutcomeException
        if key not in self._made:
            try:
                self._made[key] = (self._stack.enter_context(make()), None)
            except (Exception, OutcomeException) as e:
                self._made[key] = (None, e)
        thing, error = self._made[key]
        if error is not None:
            raise error
        return thing

    def close(self):
        self._stack.close()


def invoke(app, *args) -> subprocess.CompletedProcess:
    """`flask --app server ARGS` run in this process through click's test runner, on `app`'s
    database and files: the same command code as the real command, without a Python start (a
    second or more of imports each; issue 21). Exit code and output come back as the process's
    would; an exception other than the command's own exit is raised. The commands themselves
    run as real processes in tests/server/test_cli.py, test_demo.py and the install tests."""
    r = app.test_cli_runner().invoke(args=[str(a) for a in args])
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return subprocess.CompletedProcess(list(args), r.exit_code, r.stdout, r.stderr)


@contextmanager
def served(env: dict, cwd: Path, data_dir: Path, command: list[str],
           log_name: str = "server.log", timeout: float = 180, migrate=None):
    """A server of this checkout on a free port of 127.0.0.1, its database made first:
    `command` is what follows `python -m`, with "{port}" where the port goes. The database is
    migrated by `flask init-db` in a subprocess, or, given `migrate` (a function), by calling it
    here while the server starts: the same `db.upgrade()` the command runs, without a second
    interpreter importing the whole server first (seconds on a busy machine); tests that run the
    command itself (tests/server/test_cli.py, the install tests) keep it tested. The server is
    not asked anything before `migrate` has returned.
    Yields the base URL once it answers; stops the server afterwards. Its output goes to
    `data_dir/log_name`, shown when it dies or does not answer within `timeout` seconds (a
    server starting on a busy machine, the suite's other worker included, can take tens of
    seconds: the URL is never handed out before it answers)."""
    if migrate is None:
        init = subprocess.run([sys.executable, "-m", "flask", "--app", "server", "init-db"],
                              cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
        if init.returncode:
            raise RuntimeError(init.stderr)
    port = free_port()
    log = open(data_dir / log_name, "w")
    proc = subprocess.Popen([sys.executable, "-m", *(a.format(port=port) for a in command)],
                            cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        if migrate is not None:
            migrate()
        deadline = time.monotonic() + timeout
        while True:
            try:
                requests.get(url + "/api/v1/openapi.json", timeout=10)
                break
            except requests.RequestException:
                if proc.poll() is not None:
                    raise RuntimeError((data_dir / log_name).read_text()) from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not answer within {timeout} s:\n"
                                       + (data_dir / log_name).read_text()[-3000:]) from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def migrator(app):
    """`served(..., migrate=migrator(app))`: `app`'s database brought to the latest migration."""
    def migrate():
        from server import db
        with app.app_context():
            db.upgrade()
    return migrate


@dataclass
class Live:
    url: str
    db_url: str
    data_dir: Path
    env: dict
    round_id: int = 0
    tokens: dict = field(default_factory=dict)      # unit code -> token
    collector_token: str = ""
    proc: subprocess.Popen | None = None
    workers: int = 2

    def start(self):
        self.spawn()
        self.wait_ready()

    def spawn(self):
        """Start gunicorn without waiting for it (see `wait_ready`). `--preload`: the master
        imports the server once and its workers are forked from it (a worker respawned after a
        crash too), instead of each worker importing it (0.8 s of CPU each; about 30 of these
        servers start in a run, issue 21). `create_app` opens no database connection, so no
        connection is shared across the fork. deploy/ runs gunicorn without it;
        tests/test_install_deploy.py runs that configuration."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "-k", "gthread",
             "--threads", "4", "--preload",
             "-b", f"127.0.0.1:{port}", "--graceful-timeout", "2", "server:create_app()"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True)

    def wait_ready(self):
        deadline = time.monotonic() + 180       # a busy machine (see `served`)
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/api/v1/openapi.json", timeout=10)
                return
            except requests.RequestException:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read().decode()) from None
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=10)

    def upload(self, code, data, name="bieu.xlsx", timeout=60):
        return requests.post(self.url + "/api/v1/submissions",
                             headers={"Authorization": f"Bearer {self.tokens[code]}"},
                             files={"file": (name, data)}, timeout=timeout)

    def app(self):
        from server import create_app
        return create_app({"DATABASE_URL": self.db_url, "DATA_DIR": str(self.data_dir),
                           "SECRET_KEY": "test"})


def district(top: tuple[str, str, str], children: list[tuple[str, str]], year: int):
    """In an app context on a migrated database: a collecting unit (code, name, type), its
    đảng bộ cơ sở children (code, name) and an open annual round -> (top, children, round)."""
    from server import db
    from server.cli import create_round
    from server.models import Unit
    s = db.session()
    parent = Unit(code=top[0], name=top[1], type=top[2])
    s.add(parent)
    s.flush()
    kids = [Unit(code=code, name=name, type="DB_CS", parent_id=parent.id)
            for code, name in children]
    s.add_all(kids)
    s.flush()
    rnd = create_round(parent, "bao_cao_nam", year, dt.date(year, 12, 31))
    s.commit()
    return parent, kids, rnd


def prepare(live: Live, n_children: int):
    from server import auth, db
    app = live.app()
    with app.app_context():
        db.upgrade()
        top, kids, rnd = district(("TINH", "Đảng bộ tỉnh Thử Nghiệm", "DB_TINH"),
                                  [(f"X{i:02d}", f"Đảng bộ xã số {i}")
                                   for i in range(1, n_children + 1)], YEAR)
        live.collector_token = auth.issue_token(top)
        live.tokens = {u.code: auth.issue_token(u) for u in kids}
        db.session().commit()
        live.round_id = rnd.id
    app.extensions["kiemdiem.engine"].dispose()



def make_live(db_url: str, data_dir: Path, n_children: int = 50, workers: int = 2) -> Live:
    env = dict(os.environ, KIEMDIEM_DATABASE_URL=db_url, KIEMDIEM_DATA_DIR=str(data_dir),
               KIEMDIEM_SECRET_KEY="test")
    live = Live("", db_url, data_dir, env, workers=workers)
    # gunicorn imports the server while the database is made here (it is asked nothing before)
    live.spawn()
    try:
        prepare(live, n_children)
        live.wait_ready()
    except BaseException:
        live.kill()
        raise
    return live


@cache
def unit_workbook(code: str, version: int) -> tuple[bytes, dict]:
    """A valid Đảng bộ cơ sở workbook whose member count encodes the version (the evidence
    tests and the upload bench make hundreds)."""
    from workbook_templates.sample import fill_template, qd366_fields, unit_info
    members = 100 + int(code[1:]) * 3 + version
    xs, ht = members // 10, 2
    tot = members - xs - ht
    while xs > tot * 20 // 100:
        xs, tot = xs - 1, tot + 1
    v = unit_info(f"Đảng bộ xã số {int(code[1:])}", code, "Đảng bộ tỉnh Thử Nghiệm", "DB_CS",
                  YEAR, TT_XepLoai="Hoàn thành tốt nhiệm vụ")
    v.update({"XL_DV_TONG": members, "XL_DV_XS": xs, "XL_DV_TOT": tot, "XL_DV_HT": ht,
              "XL_DV_KHT": 0, "KD_PHAI_TT": 5, "KD_DA_TT": 5, "KD_PHAI_DV": members,
              "KD_DA_DV": members, "XL_CBTT_TONG": 5, "XL_CBTT_TOT": 5})
    v.update(qd366_fields(v))
    return fill_template(v), v


# --- the pre-2025 shape: a district collecting (the tests keep it running) -----------------------

DISTRICT_YEAR = 2024        # rating year of the district round: QĐ 124, before 01/7/2025
DISTRICT = ("BAOLAM", "Huyện ủy Bảo Lâm", "DB_CTCS", "LAMDONG")
DISTRICT_UNITS = [
    ("LOCBAO", "Đảng bộ xã Lộc Bảo", "DB_CS"),
    ("LOCBAC", "Đảng bộ xã Lộc Bắc", "DB_CS"),
    ("LOCLAM", "Đảng bộ xã Lộc Lâm", "DB_CS"),
    ("LOCPHU", "Đảng bộ xã Lộc Phú", "DB_CS"),
    ("LOCNGAI", "Đảng bộ xã Lộc Ngãi", "DB_CS"),
    ("LOCQUANG", "Đảng bộ xã Lộc Quảng", "DB_CS"),
    ("LOCTHANH", "Đảng bộ xã Lộc Thành", "DB_CS"),
    ("LOCNAM", "Đảng bộ xã Lộc Nam", "DB_CS"),
    ("LOCTHANG", "Đảng bộ thị trấn Lộc Thắng", "DB_CS"),
    ("CB_CONGAN", "Chi bộ Công an huyện", "CB_CS"),
    ("CB_QUANSU", "Chi bộ Quân sự huyện", "CB_CS"),
    ("CB_YTE", "Chi bộ Trung tâm Y tế huyện", "CB_CS"),
]


def district_values(code: str, year: int = DISTRICT_YEAR, seed: int = 0) -> dict:
    """A valid workbook of one of the district's units (`DISTRICT_UNITS`)."""
    import random

    from server.demo import unit_values
    name, type_ = next((n, t) for c, n, t in DISTRICT_UNITS if c == code)
    return unit_values(code, name, type_, year, random.Random(seed), parent=DISTRICT[1])


def bao_lam_district(year: int = DISTRICT_YEAR, deadline: dt.date | None = None) -> dict:
    """In an app context: the pre-2025 demo — Huyện ủy Bảo Lâm (under Đảng bộ tỉnh Lâm Đồng)
    collecting rating year `year` from twelve units, nine of which have reported (Lộc Nam with
    errors, Lộc Ngãi a second version), a login per unit (its code in lower case, password
    returned). What `flask demo` showed before the 2025 structure; the web tests run on it."""
    import random

    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from server import db
    from server.auth import issue_token
    from server.demo import unit_values, units_workbook
    from server.intake import receive
    from server.models import Unit, User
    from server.rounds import create_round
    from server.units_io import import_units
    from workbook_templates.sample import fill_template
    db.upgrade()
    s = db.session()
    import_units(units_workbook([("LAMDONG", "Đảng bộ tỉnh Lâm Đồng", "DB_TINH", None),
                                 DISTRICT] + [u + (DISTRICT[0],) for u in DISTRICT_UNITS]))
    top = s.scalar(select(Unit).where(Unit.code == DISTRICT[0]))
    rnd = create_round(top, "bao_cao_nam", year,
                       deadline or dt.date.today() + dt.timedelta(days=14))
    pw = "Dv-mat-khau-0"
    hashed = generate_password_hash(pw)
    for u in top.children:
        acc = s.scalar(select(User).where(User.username == u.code.lower())) or \
            User(username=u.code.lower())
        acc.password_hash, acc.unit, acc.full_name = hashed, u, f"Văn phòng {u.name}"
        s.add(acc)
    tokens = {u.code: issue_token(u) for u in [top] + list(top.children)}
    s.commit()
    units = {u.code: u for u in top.children}
    rng = random.Random(2024)
    values = {code: unit_values(code, name, t, year, rng, parent=DISTRICT[1])
              for code, name, t in DISTRICT_UNITS}
    for code in ("LOCBAO", "LOCBAC", "LOCLAM", "LOCPHU", "LOCTHANG", "CB_CONGAN", "CB_YTE"):
        receive(units[code], fill_template(values[code]), f"{code}.xlsx", "demo")
    bad = unit_values("LOCNAM", "Đảng bộ xã Lộc Nam", "DB_CS", year, random.Random(7),
                      parent=DISTRICT[1])
    bad.update({"XL_DV_TONG": bad["XL_DV_TONG"] + 20, "XL_DV_XS": bad["XL_DV_TOT"]})
    receive(units["LOCNAM"], fill_template(bad), "LOCNAM_co_loi.xlsx", "demo")
    ngai = unit_values("LOCNGAI", "Đảng bộ xã Lộc Ngãi", "DB_CS", year, random.Random(3),
                       parent=DISTRICT[1])
    receive(units["LOCNGAI"], fill_template(dict(ngai, XL_DV_TONG=ngai["XL_DV_TONG"] - 5)),
            "LOCNGAI_lan1.xlsx", "demo")
    receive(units["LOCNGAI"], fill_template(ngai), "LOCNGAI_lan2.xlsx", "demo")
    return {"round_id": rnd.id, "tokens": tokens, "unit_password": pw, "year": year}
