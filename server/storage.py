"""Uploaded files, kept byte for byte under their sha256 (content-addressed, write-once).

A file is written to a temporary name and renamed into place, so a crash never leaves half a
file under a hash; the same bytes uploaded twice are stored once. Files the server derives from
stored ones (the annotated copies) are kept beside them, made once (`kept`).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path

from flask import current_app


def _root() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "uploads"


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256")
    return _root() / sha256[:2] / f"{sha256}.xlsx"


def put(data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".up-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o444)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return digest


class StoredFileCorrupt(IOError):
    """A stored file no longer matches the hash it was stored under (server/backup.py answers
    it: the file is reported, never served)."""

    def __init__(self, sha256: str, path: Path):
        super().__init__(f"stored file {sha256} does not match its hash")
        self.sha256, self.path = sha256, path


def get(sha256: str) -> bytes:
    path = path_for(sha256)
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise StoredFileCorrupt(sha256, path)
    return data


# --- files the server makes from stored ones -----------------------------------------------------

_making: dict[str, threading.Lock] = {}
_making_guard = threading.Lock()


def kept(kind: str, key: str, make) -> bytes:
    """A file derived from stored ones (the annotated copy), made once and kept under `key`.

    Four requests for the same copy at once make it once per process (the others wait for it),
    and every later request reads the kept file: a unit asking again and again for its own
    annotated copy costs a file read. `key` must change whenever what `make` gives would (the
    stored file's hash, the findings, the code that writes it)."""
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key) or not kind.isalpha():
        raise ValueError("bad key")
    target = Path(current_app.config["DATA_DIR"]) / kind / key[:2] / f"{key}.xlsx"
    if target.exists():
        return target.read_bytes()
    with _making_guard:
        lock = _making.setdefault(key, threading.Lock())
    with lock:
        if target.exists():
            return target.read_bytes()
        data = make()
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".mk-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            try:
                os.link(tmp, target)        # first one wins; another process may have made it
            except FileExistsError:
                data = target.read_bytes()  # every answer is then the same kept file
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    with _making_guard:
        _making.pop(key, None)
    return data
