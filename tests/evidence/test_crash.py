"""Kill the server with SIGKILL while uploads are in flight; after a restart the database and the
file store agree: no row without its file, no upload counted twice, every acknowledged upload
kept, and the next upload continues the version numbers (issue 7)."""
from __future__ import annotations

import hashlib
import threading

import requests
from harness import unit_workbook
from sqlalchemy import func, select


def test_sigkill_during_uploads(live_server):
    codes = [f"X{i:02d}" for i in range(1, 21)]
    books = {(c, v): unit_workbook(c, v)[0] for c in codes for v in range(1, 4)}
    acknowledged, lock, stop = [], threading.Lock(), threading.Event()
    some_kept = threading.Event()           # a sixth of the uploads answered: kill now

    def client(code):
        for v in range(1, 4):
            if stop.is_set():
                return
            try:
                r = live_server.upload(code, books[(code, v)], timeout=10)
            except requests.RequestException:
                return                      # the server died under us: fine
            if r.status_code == 201:
                with lock:
                    acknowledged.append((code, r.json()["version"], r.json()["sha256"]))
                    if len(acknowledged) >= len(books) // 6:
                        some_kept.set()

    threads = [threading.Thread(target=client, args=(c,)) for c in codes]
    for t in threads:
        t.start()
    # wait for answers rather than a fixed time: a fast machine finishes every upload in
    # well under a second, a slow one has answered none by then
    assert some_kept.wait(timeout=60), "no upload was answered within 60 s"
    live_server.kill()                      # SIGKILL the whole process group, mid-flight
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert 0 < len(acknowledged) < len(books), "the kill must land while uploads are in flight"

    live_server.start()                     # restart on the same database and data folder
    from server import db, storage
    from server.models import Submission
    app = live_server.app()
    with app.app_context():
        s = db.session()
        subs = s.scalars(select(Submission)).all()
        for sub in subs:                    # no row without its file, and the file is intact
            assert hashlib.sha256(storage.path_for(sub.sha256).read_bytes()).hexdigest() \
                == sub.sha256
        keys = [(sub.unit_id, sub.version) for sub in subs]
        assert len(keys) == len(set(keys))  # no version counted twice
        stored = {(sub.unit.code, sub.version, sub.sha256) for sub in subs}
        assert set(acknowledged) <= stored  # nothing acknowledged was lost
        shas = [sub.sha256 for sub in subs]
        assert len(shas) == len(set(shas))  # each distinct upload is one row
        before = {c: s.scalar(select(func.max(Submission.version)).join(Submission.unit)
                              .where(Submission.unit.has(code=c))) or 0 for c in codes}
    app.extensions["kiemdiem.engine"].dispose()
    # no half-written file sits under a hash name
    for f in (live_server.data_dir / "uploads").rglob("*.xlsx"):
        assert hashlib.sha256(f.read_bytes()).hexdigest() == f.stem
    # a new workbook (the same bytes as the latest version would be no new version)
    r = live_server.upload("X01", unit_workbook("X01", 4)[0])
    assert r.status_code == 201 and r.json()["version"] == before["X01"] + 1
