"""Backups the office can restore: a consistent snapshot taken while the server runs, checked
file by file, brought back only into an empty data folder.

A backup is a folder:

    manifest.json       what is inside, with the sha256 and size of every other file
    database.sqlite3    SQLite: a copy made with SQLite's online backup API (one consistent
                        snapshot, even while uploads are being written)
    database.pgdump     PostgreSQL: `pg_dump -Fc` of the server's schema (one snapshot too)
    secret_key          the key that signs sessions (restored, logged-in users stay logged in)
    uploads/ab/<sha256>.xlsx   every stored workbook, byte for byte

The database is copied first and the stored files after it: a file is written before the
submission that names it is committed (server/intake.py), so every submission in the snapshot
finds its file in the backup. Files uploaded during the copy may be in the backup without a
submission; that costs a few KB and nothing else.

Shared by the CLI (`flask --app server backup|restore|verify`) and by the handler that refuses
to serve a stored file that no longer matches its hash.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, request
from sqlalchemy import inspect, select, text

from . import db, storage

FORMAT = "kiemdiem-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
SECRET_FILE = "secret_key"
_STORED = re.compile(r"^uploads/([0-9a-f]{2})/([0-9a-f]{64})\.xlsx$")


class BackupError(Exception):
    """A refusal or failure, with a Vietnamese message for the person running the command."""


@dataclass
class Problem:
    """One bad file: its path inside the backup (or data folder) and what is wrong with it."""
    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}"


@dataclass
class BackupResult:
    dest: Path
    n_files: int
    n_submissions: int | None     # None: PostgreSQL (counted in the dump, not here)
    problems: list[Problem] = field(default_factory=list)


def _sha256_file(path: Path) -> tuple[str, int]:
    h, n = hashlib.sha256(), 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


def _kind() -> str:
    name = db.engine().url.get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu loại «{name}».")
    return name


def _data_dir() -> Path:
    return Path(current_app.config["DATA_DIR"])


def _uploads_root() -> Path:
    return _data_dir() / "uploads"


def _stored_files(root: Path) -> list[Path]:
    """Stored workbooks under `root`/uploads, skipping the temporary names of writes under way."""
    up = root / "uploads"
    if not up.is_dir():
        return []
    return sorted(p for p in up.rglob("*") if p.is_file() and not p.name.startswith("."))


# --- the database -----------------------------------------------------------------------------

def _sqlite_path() -> Path:
    return Path(db.engine().url.database)


def _sqlite_snapshot(dest: Path) -> None:
    """SQLite's online backup: a consistent copy while other connections keep writing."""
    src = sqlite3.connect(_sqlite_path(), timeout=60)
    dst = sqlite3.connect(dest)
    try:
        with dst:
            src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")   # one self-contained file in the backup
    finally:
        src.close()
        dst.close()


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"Máy này chưa có chương trình {name} của PostgreSQL (gói "
                          "postgresql-client trên Debian/Ubuntu; trên Windows nằm trong thư mục "
                          "bin của PostgreSQL). Hãy cài rồi chạy lại.")
    return path


def _pg_target() -> tuple[str, dict, str]:
    """(libpq connection URI without the password, environment with PGPASSWORD, schema)."""
    url = db.engine().url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    with db.engine().connect() as c:
        schema = c.execute(text("SELECT current_schema()")).scalar()
    return uri, env, schema


def _run(cmd: list[str], env: dict, what: str) -> None:
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise BackupError(f"{what} không thành công:\n{(r.stderr or r.stdout).strip()}")


def _pg_snapshot(dest: Path) -> str:
    uri, env, schema = _pg_target()
    _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
          f"--schema={schema}", f"--file={dest}", uri], env, "Sao lưu PostgreSQL (pg_dump)")
    return schema


def _tables() -> list[str]:
    return inspect(db.engine()).get_table_names()


# --- backup -----------------------------------------------------------------------------------

def make_backup(dest: Path) -> BackupResult:
    """Snapshot the database, then copy the stored files and the secret key into `dest` (a new
    or empty folder), and write the manifest last: a backup without manifest is unfinished."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"Thư mục {dest} đã có dữ liệu. Hãy sao lưu vào một thư mục mới (ví dụ "
                          "thêm ngày giờ vào tên) để không ghi đè bản sao lưu cũ.")
    kind = _kind()
    if not _tables():
        raise BackupError("Cơ sở dữ liệu chưa có bảng nào: chưa có gì để sao lưu.")
    dest.mkdir(parents=True, exist_ok=True)
    os.chmod(dest, 0o700)        # the secret key and members' names are inside
    manifest = {"format": FORMAT, "version": FORMAT_VERSION,
                "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "database": {"kind": kind}}
    if kind == "sqlite":
        _sqlite_snapshot(dest / SQLITE_FILE)
        manifest["database"]["file"] = SQLITE_FILE
        snap = sqlite3.connect(dest / SQLITE_FILE)
        try:
            referenced = {r[0] for r in snap.execute("SELECT DISTINCT sha256 FROM submission")}
            manifest["submissions"] = snap.execute("SELECT count(*) FROM submission").fetchone()[0]
        finally:
            snap.close()
    else:
        manifest["database"].update(file=PG_FILE, schema=_pg_snapshot(dest / PG_FILE))
        referenced = None      # checked after restore (`verify` on the data folder)

    problems: list[Problem] = []
    root = _data_dir()
    for src in _stored_files(root):
        rel = src.relative_to(root).as_posix()
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        digest, _ = _sha256_file(target)
        m = _STORED.match(rel)
        if m is None or m.group(2) != digest:
            problems.append(Problem(rel, _corrupt_text(rel)))
    (dest / SECRET_FILE).write_text(current_app.config["SECRET_KEY"])
    os.chmod(dest / SECRET_FILE, 0o600)
    if referenced is not None:
        for sha in sorted(referenced):
            if not (dest / "uploads" / sha[:2] / f"{sha}.xlsx").exists():
                problems.append(Problem(f"uploads/{sha[:2]}/{sha}.xlsx",
                                        "không có trong thư mục dữ liệu dù cơ sở dữ liệu ghi là "
                                        "đã nhận (tệp đã bị xóa)"))

    files = {}
    for p in sorted(dest.rglob("*")):
        if p.is_file():
            digest, size = _sha256_file(p)
            files[p.relative_to(dest).as_posix()] = {"sha256": digest, "size": size}
    manifest["files"] = files
    tmp = dest / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    os.replace(tmp, dest / MANIFEST)
    n_uploads = sum(1 for k in files if k.startswith("uploads/"))
    return BackupResult(dest, n_uploads, manifest.get("submissions"), problems)


def _corrupt_text(_rel: str) -> str:
    return ("nội dung không khớp mã băm SHA-256 ghi trong tên tệp lúc nhận: tệp đã bị hỏng hoặc "
            "bị sửa sau khi nhận")


# --- verify -----------------------------------------------------------------------------------

def read_manifest(src: Path) -> dict:
    path = Path(src) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{src} không phải bản sao lưu hoàn chỉnh: thiếu tệp {MANIFEST} (bản sao "
                          "lưu bị dừng giữa chừng, hoặc đã chọn nhầm thư mục).")
    try:
        manifest = json.loads(path.read_text())
    except ValueError:
        raise BackupError(f"Tệp {MANIFEST} trong {src} bị hỏng, không đọc được.") from None
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"{src} không phải bản sao lưu của máy chủ kiểm điểm.")
    if manifest.get("version", 0) > FORMAT_VERSION:
        raise BackupError(f"Bản sao lưu {src} được tạo bằng phiên bản mới hơn của chương trình; "
                          "hãy cập nhật chương trình rồi khôi phục.")
    return manifest


def verify_backup(src: Path) -> list[Problem]:
    """Every file of the backup against the manifest, and every stored workbook against the
    hash it is named by. Returns every problem found (empty: the backup is whole)."""
    src = Path(src)
    manifest = read_manifest(src)
    problems = []
    listed = manifest["files"]
    for rel, meta in sorted(listed.items()):
        p = src / rel
        if not p.is_file():
            problems.append(Problem(rel, "thiếu tệp (có trong danh mục sao lưu nhưng không còn)"))
            continue
        digest, size = _sha256_file(p)
        if digest != meta.get("sha256") or size != meta.get("size"):
            problems.append(Problem(rel, f"đã bị thay đổi hoặc hỏng sau khi sao lưu (kích thước "
                                         f"{size} byte, lúc sao lưu {meta.get('size')} byte; mã "
                                         "băm SHA-256 không khớp danh mục)"))
            continue
        m = _STORED.match(rel)
        if rel.startswith("uploads/") and (m is None or m.group(2) != digest):
            problems.append(Problem(rel, _corrupt_text(rel)))
    for p in sorted(src.rglob("*")):
        rel = p.relative_to(src).as_posix()
        if p.is_file() and rel != MANIFEST and rel not in listed:
            problems.append(Problem(rel, "tệp lạ, không có trong danh mục sao lưu"))
    db_file = manifest.get("database", {}).get("file")
    if db_file not in listed:
        problems.append(Problem(str(db_file), "danh mục sao lưu không có tệp cơ sở dữ liệu"))
    return problems


def verify_data() -> list[Problem]:
    """The live data folder: every stored workbook against its hash, and every submission's
    file present. Problems name the unit and version a file belongs to."""
    from .models import Submission
    root = _data_dir()
    owners: dict[str, list[str]] = {}
    for sub in db.session().scalars(select(Submission)):
        owners.setdefault(sub.sha256, []).append(f"{sub.unit.name}, lần nộp {sub.version}")
    problems = []
    seen = set()
    for p in _stored_files(root):
        rel = p.relative_to(root).as_posix()
        digest, _ = _sha256_file(p)
        m = _STORED.match(rel)
        if m:
            seen.add(m.group(2))
        if m is None or m.group(2) != digest:
            who = "; ".join(owners.get(m.group(2), [])) if m else ""
            problems.append(Problem(rel, _corrupt_text(rel)
                                    + (f" — biểu của {who}" if who else "")))
    for sha, who in sorted(owners.items()):
        if sha not in seen:
            problems.append(Problem(f"uploads/{sha[:2]}/{sha}.xlsx",
                                    f"thiếu tệp biểu của {'; '.join(who)}"))
    return problems


# --- restore ----------------------------------------------------------------------------------

def _refuse_unless_empty() -> None:
    n_files = len(_stored_files(_data_dir()))
    tables = _tables()
    if n_files or tables:
        what = []
        if n_files:
            what.append(f"{n_files} tệp biểu đã nhận")
        if tables:
            what.append(f"cơ sở dữ liệu đã có {len(tables)} bảng")
        raise BackupError(
            f"Không khôi phục vào thư mục dữ liệu {_data_dir()}: nơi này không trống "
            f"({', '.join(what)}). Khôi phục chỉ ghi vào thư mục dữ liệu trống và cơ sở dữ liệu "
            "trống, để không ghi đè dữ liệu đang có. Hãy chọn thư mục dữ liệu mới (biến "
            "KIEMDIEM_DATA_DIR) và cơ sở dữ liệu mới, hoặc tự chuyển dữ liệu cũ đi nơi khác trước.")


def restore_backup(src: Path) -> BackupResult:
    """Bring a verified backup back into an empty data folder and an empty database."""
    src = Path(src)
    manifest = read_manifest(src)
    problems = verify_backup(src)
    if problems:
        raise BackupError("Bản sao lưu có tệp hỏng, chưa khôi phục:\n"
                          + "\n".join(f"  - {p}" for p in problems))
    kind = _kind()
    made_by = manifest["database"]["kind"]
    if made_by != kind:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(f"Bản sao lưu này chứa cơ sở dữ liệu {names[made_by]}, còn máy chủ đang "
                          f"cấu hình {names[kind]}. Hãy đặt KIEMDIEM_DATABASE_URL cùng loại với "
                          "bản sao lưu rồi khôi phục.")
    _refuse_unless_empty()
    if kind == "sqlite":
        db.engine().dispose()
        snap = sqlite3.connect(src / SQLITE_FILE)
        target = sqlite3.connect(_sqlite_path())
        try:
            with target:
                snap.backup(target)
        finally:
            snap.close()
            target.close()
        db.engine().dispose()
    else:
        uri, env, schema = _pg_target()
        if schema != manifest["database"].get("schema"):
            made_in = manifest["database"].get("schema")
            raise BackupError(f"Bản sao lưu là của lược đồ (schema) «{made_in}» còn máy chủ đang "
                              f"dùng «{schema}»; hãy cấu hình cùng lược đồ.")
        restore = _pg_tool("pg_restore")
        listing = subprocess.run([restore, "--list", str(src / PG_FILE)], capture_output=True,
                                 text=True, check=True).stdout
        # the schema itself already exists (empty) in the target database: restore what is in it
        keep = [line for line in listing.splitlines()
                if " SCHEMA - " not in line and "COMMENT - SCHEMA " not in line]
        with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as f:
            f.write("\n".join(keep) + "\n")
        try:
            _run([restore, "--no-owner", "--no-privileges", "--exit-on-error",
                  "--single-transaction", f"--use-list={f.name}", f"--dbname={uri}",
                  str(src / PG_FILE)], env, "Khôi phục PostgreSQL (pg_restore)")
        finally:
            os.unlink(f.name)
        db.engine().dispose()
    root = _data_dir()
    n = 0
    for rel in manifest["files"]:
        if rel.startswith("uploads/"):
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / rel, target)
            os.chmod(target, 0o444)
            n += 1
    key = root / SECRET_FILE
    if key.exists():
        os.chmod(key, 0o600)
    key.write_text((src / SECRET_FILE).read_text())
    os.chmod(key, 0o600)
    return BackupResult(root, n, manifest.get("submissions", 0), verify_data())


# --- a stored file that no longer matches its hash --------------------------------------------

def _corrupt_file(e: storage.StoredFileCorrupt):
    """Never send a damaged workbook: say which one it is, and who can fix it."""
    from .models import Submission
    current_app.logger.error("stored file %s does not match its hash (%s)", e.sha256, e.path)
    subs = db.session().scalars(select(Submission).where(Submission.sha256 == e.sha256)).all()
    who = "; ".join(f"{s.unit.name}, lần nộp {s.version}" for s in subs) or "một đơn vị"
    message = (f"Tệp biểu đã lưu ({who}) bị hỏng: nội dung không còn khớp với tệp đã nhận, nên "
               "máy chủ không gửi tệp này. Hãy báo quản trị máy chủ khôi phục tệp từ bản sao lưu; "
               "đơn vị cũng có thể gửi lại biểu.")
    if request.path.startswith("/api/"):
        from .api import error
        return error("stored_file_corrupt", message, 500)
    return message, 500, {"Content-Type": "text/plain; charset=utf-8"}


def init_app(app: Flask) -> None:
    """A damaged stored file is reported, never served (its commands: `cli.register_backup`)."""
    # Flask asks a blueprint's handlers before the app's, whatever the exception class, so the
    # API's catch-all (Exception -> "server error, data unharmed") would answer first: the
    # handler goes into every registered blueprint's table as well as the app's.
    for name in [None, *app.blueprints]:
        app.error_handler_spec[name][None][storage.StoredFileCorrupt] = _corrupt_file
