"""Backups the office can count on: `flask --app server backup DEST` while units keep uploading,
the data wiped, `restore` into the empty folder, and everything is back — submissions,
decisions, the stored workbooks byte for byte, the secret key (SQLite and PostgreSQL, a real
gunicorn server, real HTTP). Damage is named: `verify` lists every bad file and exits 1; a
corrupted stored workbook is reported, never sent."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from harness import PG_BASE, Live, invoke, prepare, unit_workbook
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
TABLES = ["unit", "user_account", "api_token", "round", "submission", "decision"]


def _env(url: str, data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIEMDIEM_", "FLASK_"))}
    env.update(KIEMDIEM_DATABASE_URL=url, KIEMDIEM_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT))
    return env


def flask(env: dict, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "server", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


def cli(live: Live, *args) -> subprocess.CompletedProcess:
    """`flask ARGS` in this process through click's test runner, on a running installation: the
    same command code as `flask` above without a Python start (seconds each). Every command is
    run as a real process in the first test; a restore into an emptied place stays a process
    (an app made here would write its key file into the place before the restore looks)."""
    from server import create_app
    app = create_app({"DATABASE_URL": live.db_url, "DATA_DIR": str(live.data_dir)})
    try:
        return invoke(app, *args)
    finally:
        app.extensions["kiemdiem.engine"].dispose()


def _rows(live: Live) -> dict[str, list[tuple]]:
    """Every row of every table, by id: what a restore must give back."""
    from server import db
    app = live.app()
    with app.app_context():
        s = db.session()
        out = {t: [tuple(r) for r in s.execute(text(f"SELECT * FROM {t} ORDER BY id"))]
               for t in TABLES}
    app.extensions["kiemdiem.engine"].dispose()
    return out


def _wipe(live: Live) -> None:
    """What a dead disk or a wrong `rm` leaves: no data folder, no tables."""
    from server import db
    shutil.rmtree(live.data_dir)
    live.data_dir.mkdir()
    if live.db_url.startswith("postgresql"):
        import psycopg
        app = live.app()
        with app.app_context():
            with db.engine().connect() as c:
                schema = c.execute(text("SELECT current_schema()")).scalar()
        app.extensions["kiemdiem.engine"].dispose()
        with psycopg.connect(PG_BASE.replace("+psycopg", ""), autocommit=True) as c:
            c.execute(f'DROP SCHEMA "{schema}" CASCADE')
            c.execute(f'CREATE SCHEMA "{schema}"')


@pytest.fixture
def live(fresh_database):
    url, data_dir = fresh_database
    # no KIEMDIEM_SECRET_KEY: the server makes its own key file, which the backup must keep
    lv = Live("", url, data_dir, _env(url, data_dir))
    prepare(lv, 6)
    lv.start()
    try:
        yield lv
    finally:
        lv.kill()


def _decide(live: Live, code: str, xep_loai: str):
    r = requests.put(f"{live.url}/api/v1/rounds/{live.round_id}/decisions/{code}",
                     json={"xep_loai": xep_loai, "note": f"quyết định cho {code}"},
                     headers={"Authorization": f"Bearer {live.collector_token}"}, timeout=30)
    assert r.status_code == 200, r.text


def test_backup_during_uploads_then_wipe_and_restore_gives_everything_back(live, tmp_path):
    codes = sorted(live.tokens)
    for code in codes:
        assert live.upload(code, unit_workbook(code, 1)[0]).status_code == 201
    for code, xl in zip(codes[:3], ["XS", "TOT", "HT"], strict=True):
        _decide(live, code, xl)
    later = {code: [unit_workbook(code, v)[0] for v in (2, 3, 4)] for code in codes}
    secret = (live.data_dir / "secret_key").read_text()

    # units keep uploading while the backup runs
    stop, acknowledged, errors = threading.Event(), [], []
    started = threading.Event()

    def uploader(mine: list[str]):
        for v in range(3):
            for code in mine:
                if stop.is_set():
                    return
                r = live.upload(code, later[code][v])
                (acknowledged if r.status_code == 201 else errors).append((code, r.status_code))
                started.set()

    threads = [threading.Thread(target=uploader, args=(codes[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    assert started.wait(60)
    before_backup = len(acknowledged)
    backup = tmp_path / "sao-luu"
    r = flask(live.env, "backup", str(backup))
    stop.set()
    for t in threads:
        t.join(120)
    assert r.returncode == 0, r.stderr
    assert "Đã sao lưu" in r.stdout
    assert errors == []
    original = _rows(live)
    original_files = {p.name: p.read_bytes() for p in (live.data_dir / "uploads").rglob("*.xlsx")}
    live.kill()

    manifest = json.loads((backup / "manifest.json").read_text())
    assert "secret_key" in manifest["files"]
    assert manifest["database"]["kind"] == live.db_url.split(":")[0].split("+")[0]
    assert (backup / "secret_key").read_text() == secret

    _wipe(live)
    r = flask(live.env, "restore", str(backup))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Đã khôi phục" in r.stdout
    restored = _rows(live)

    # the snapshot is consistent: every restored row is the original row, unchanged; what was
    # acknowledged before the backup began is there; every decision is there
    for table in TABLES:
        by_id = {row[0]: row for row in original[table]}
        assert all(by_id[row[0]] == row for row in restored[table]), table
    for table in ("unit", "user_account", "api_token", "round", "decision"):
        assert restored[table] == original[table], table
    n_first = len(codes)
    assert len(restored["submission"]) >= n_first + before_backup
    # every restored submission has its workbook, byte for byte
    sha_col = _column(live, "submission", "sha256")
    for row in restored["submission"]:
        sha = row[sha_col]
        stored = live.data_dir / "uploads" / sha[:2] / f"{sha}.xlsx"
        assert stored.read_bytes() == original_files[f"{sha}.xlsx"]
    assert (live.data_dir / "secret_key").read_text() == secret
    assert flask(live.env, "verify").returncode == 0

    # the restored server serves the restored files to the same tokens
    live.start()
    sub_id = restored["submission"][-1][0]
    got = requests.get(f"{live.url}/api/v1/submissions/{sub_id}/file",
                       headers={"Authorization": f"Bearer {live.collector_token}"}, timeout=30)
    assert got.status_code == 200
    sha = restored["submission"][-1][sha_col]
    assert got.content == original_files[f"{sha}.xlsx"]


def _column(live: Live, table: str, name: str) -> int:
    from sqlalchemy import inspect

    from server import db
    app = live.app()
    with app.app_context():
        cols = [c["name"] for c in inspect(db.engine()).get_columns(table)]
    app.extensions["kiemdiem.engine"].dispose()
    return cols.index(name)


def test_restore_refuses_a_folder_that_is_not_empty_and_verify_names_every_bad_file(live,
                                                                                    tmp_path):
    codes = sorted(live.tokens)
    for code in codes[:3]:
        assert live.upload(code, unit_workbook(code, 1)[0]).status_code == 201
    backup = tmp_path / "sao-luu"
    assert cli(live, "backup", str(backup)).returncode == 0
    assert cli(live, "verify", str(backup)).returncode == 0

    # a running installation is never overwritten
    before = _rows(live)
    r = cli(live, "restore", str(backup))
    assert r.returncode != 0
    assert "không trống" in r.stderr and "3 tệp biểu đã nhận" in r.stderr
    assert _rows(live) == before
    # nor is an old backup
    r = cli(live, "backup", str(backup))
    assert r.returncode != 0 and "đã có dữ liệu" in r.stderr

    stored = sorted((backup / "uploads").rglob("*.xlsx"))
    damaged, missing = stored[0], stored[1]
    damaged.chmod(0o644)
    damaged.write_bytes(damaged.read_bytes()[:-10] + b"0123456789")
    missing.unlink()
    db_file = next(p for p in backup.iterdir() if p.name.startswith("database."))
    with open(db_file, "ab") as f:
        f.write(b"\0")
    r = cli(live, "verify", str(backup))
    assert r.returncode == 1
    for p in (damaged, missing, db_file):
        assert p.relative_to(backup).as_posix() in r.stderr
    assert "3 tệp hỏng hoặc thiếu" in r.stderr
    # a damaged backup is not restored either, even into an empty place
    _wipe(live)
    r = flask(live.env, "restore", str(backup))
    assert r.returncode != 0 and "tệp hỏng" in r.stderr


def test_a_corrupted_stored_workbook_is_reported_not_served(live):
    code = sorted(live.tokens)[0]
    up = live.upload(code, unit_workbook(code, 1)[0])
    assert up.status_code == 201, up.text
    sub_id = up.json()["id"]
    stored = next((live.data_dir / "uploads").rglob("*.xlsx"))
    stored.chmod(0o644)
    data = bytearray(stored.read_bytes())
    data[100] ^= 0xFF                     # one flipped byte, as a failing disk does
    stored.write_bytes(bytes(data))

    got = requests.get(f"{live.url}/api/v1/submissions/{sub_id}/file",
                       headers={"Authorization": f"Bearer {live.collector_token}"}, timeout=30)
    assert got.status_code == 500
    assert got.json()["error"] == "stored_file_corrupt"
    assert "bị hỏng" in got.json()["message"] and "Đảng bộ xã số 1" in got.json()["message"]
    assert bytes(data) not in got.content

    r = cli(live, "verify")
    assert r.returncode == 1
    assert stored.name in r.stderr and "Đảng bộ xã số 1, lần nộp 1" in r.stderr
