"""A real server process on 127.0.0.1 per database backend (SQLite, PostgreSQL).

Each backend gets a fresh database (a new SQLite file; a new PostgreSQL schema, dropped after),
migrated by the same `db.upgrade()` that `flask --app server init-db` runs (the command itself is
tested in test_cli.py), with `flask --app server run` in a subprocess. Tests speak HTTP to it with
`requests`; they set up units, rounds and tokens through an app object pointing at the same
database (what the CLI commands do), never through the HTTP process.

A worker starts each backend's server the first time a test file asks for it and keeps it to the
end of its session (`Servers`): a worker runs file after file, each on both backends, and a
server built anew at every switch cost seconds per file. The whole folder goes to one worker
(tests/conftest.py), so each backend's server starts once per run. Files share the server as
they always did in one process (`-n 0`): each makes its own units with unique codes
(`Server.district`).
PostgreSQL is skipped only when it cannot be reached AND the environment variable CI is unset.
"""
from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ("sqlite", "postgresql")

class Server:
    """The running server plus a setup door into the same database."""

    _n = itertools.count(1)

    def __init__(self, url: str, env: dict, app):
        self.url, self.env, self.app = url, env, app
        self.http = requests.Session()

    def api(self, path: str) -> str:
        return f"{self.url}/api/v1{path}"

    def post(self, d, code: str, data: bytes, name: str = "bieu.xlsx") -> dict:
        """Upload `data` as unit `code` of district `d` with its token; a new version expected."""
        r = requests.post(self.api("/submissions"), headers=d.auth(code),
                          files={"file": (name, data, "application/octet-stream")}, timeout=60)
        assert r.status_code == 201, r.text
        return r.json()

    def login(self, username: str, password: str) -> requests.Session:
        """A browser session signed in through the login page; `.csrf` holds the token its
        forms carry after the login (a fresh session gets a fresh one)."""
        b = requests.Session()
        tok = re.search(r'name="csrf_token" value="([^"]+)"',
                        b.get(f"{self.url}/dang-nhap", timeout=30).text).group(1)
        r = b.post(f"{self.url}/dang-nhap", data={"username": username, "password": password,
                                                   "csrf_token": tok}, timeout=30)
        assert r.status_code == 200 and "dang-nhap" not in r.url, r.text[-1000:]
        b.csrf = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
        return b

    def office(self, d, username: str | None = None) -> requests.Session:
        """The collecting office of district `d`: an account for its unit, signed in."""
        from sqlalchemy import select

        from server import db
        from server.auth import set_password
        from server.models import Unit, User
        username = username or f"vp{d.code.lower()}"
        with self.app.app_context():
            s = db.session()
            user = User(username=username,
                        unit=s.scalar(select(Unit).where(Unit.code == d.code)))
            set_password(user, "mat-khau-vp")
            s.add(user)
            s.commit()
        return self.login(username, "mat-khau-vp")

    def alive(self) -> bool:
        return requests.get(self.api("/openapi.json"), timeout=10).status_code == 200

    def flask(self, *args, input: str | None = None) -> subprocess.CompletedProcess:
        """`flask --app server ARGS` against this server's database, as an admin would run it:
        a real process (a second or more of imports). test_cli runs each command so once;
        other tests setting up through a command use `cli`."""
        return subprocess.run([sys.executable, "-m", "flask", "--app", "server", *args],
                              cwd=ROOT, env=self.env, capture_output=True, text=True,
                              input=input, timeout=120)

    def cli(self, *args) -> subprocess.CompletedProcess:
        """`flask ARGS` in this process through click's test runner: the same command code on
        the same database as `flask`, without a Python start."""
        from harness import invoke
        return invoke(self.app, *args)

    def district(self, n_children: int = 3, *, year: int = 2024, form: str = "bao_cao_nam",
                 deadline=None, types=None):
        """A fresh collecting unit (DB_CTCS) with `n_children` đảng bộ cơ sở, an open round and
        a token for each; codes are unique per call so tests never see each other's data."""
        import datetime as dt

        from server import db
        from server.auth import issue_token
        from server.cli import create_round
        from server.models import Unit
        k = next(self._n)
        with self.app.app_context():
            s = db.session()
            top = Unit(code=f"H{k}", name=f"Huyện ủy thử {k}", type="DB_CTCS")
            s.add(top)
            s.flush()
            kids = []
            for i in range(n_children):
                t = (types or ["DB_CS"])[i % len(types or ["DB_CS"])]
                kids.append(Unit(code=f"H{k}X{i + 1}", name=f"Đảng bộ xã Thử {k}.{i + 1}",
                                 type=t, parent_id=top.id))
            s.add_all(kids)
            s.flush()
            rnd = create_round(top, form, year, deadline or dt.date.today() + dt.timedelta(days=30))
            tokens = {u.code: issue_token(u) for u in [top] + kids}
            s.commit()
            return District(top.code, top.name, [(u.code, u.name, u.type) for u in kids],
                            rnd.id, tokens, year)

    def count_rows(self, table: str) -> int:
        from sqlalchemy import text

        from server import db
        with self.app.app_context():
            return db.session().execute(text(f"SELECT count(*) FROM {table}")).scalar()

    def stored_files(self) -> list[Path]:
        return sorted((Path(self.env["KIEMDIEM_DATA_DIR"]) / "uploads").rglob("*.xlsx"))


class District:
    def __init__(self, code, name, children, round_id, tokens, year):
        self.code, self.name, self.children = code, name, children
        self.round_id, self.tokens, self.year = round_id, tokens, year

    def auth(self, code: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[code]}"}

    def child(self, i: int):
        return self.children[i]


@contextmanager
def _started(kind: str, tmp_path_factory):
    """A server of this checkout on a fresh database of backend `kind`, stopped (its database
    dropped) on leaving."""
    from harness import backend_database, migrator, served

    from server import create_app
    data_dir = tmp_path_factory.mktemp(f"kd-{kind}")
    with backend_database(kind, data_dir) as url_db:
        env = dict(os.environ, KIEMDIEM_DATABASE_URL=url_db, KIEMDIEM_DATA_DIR=str(data_dir),
                   KIEMDIEM_MAX_CONTENT_LENGTH=str(2 * 1024 * 1024), PYTHONPATH=str(ROOT),
                   FLASK_DEBUG="0",
                   # the authorization matrix tries wrong passwords on purpose; the login rate
                   # limit has servers of its own (tests/evidence/test_logins.py)
                   KIEMDIEM_LOGIN_MAX_FAILURES_ACCOUNT="1000",
                   KIEMDIEM_LOGIN_MAX_FAILURES_ADDRESS="1000")
        env.pop("FLASK_APP", None)
        # made before the server process: it writes DATA_DIR/secret_key, which both then read
        app = create_app({"DATABASE_URL": url_db, "DATA_DIR": str(data_dir)})
        try:
            with served(env, ROOT, data_dir, ["flask", "--app", "server", "run", "--host",
                                              "127.0.0.1", "--port", "{port}", "--with-threads"],
                        migrate=migrator(app)) as base:
                yield Server(base, env, app)
        finally:
            app.extensions["kiemdiem.engine"].dispose()


@pytest.fixture(scope="session")
def servers():
    """This worker's servers, one per backend, each started when a test first asks for it."""
    from harness import KeptForSession
    kept = KeptForSession()
    try:
        yield kept
    finally:
        kept.close()


# files that read every unit back (test_cli: export-units, then import-units of that file)
# get a server of their own: another file's units (a chi bộ trực thuộc straight under a huyện
# ủy, test_submissions) are not theirs to vouch for
OWN_SERVER = {"test_cli.py"}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, servers, tmp_path_factory) -> Server:
    """The running server of this backend (one per worker for the whole session)."""
    def make():
        return _started(request.param, tmp_path_factory)
    if Path(request.module.__file__).name not in OWN_SERVER:
        yield servers.get(request.param, make)
        return
    from harness import KeptForSession
    own = KeptForSession()
    try:
        yield own.get(request.param, make)
    finally:
        own.close()
