"""Web pages at scale: a round of N units (default 5,000) as the collecting office sees it —
the dashboard page, the decisions page's live quota for 1,000 children, the summary download —
each timed through the real Flask app (test client, logged in), against a baseline in the same
run: the round's status as the API computes it (the data the dashboard starts from).

    python bench/bench_web.py [N] [--real 200] [--backend sqlite|postgresql]

Set-up: `--real` units upload real workbooks (read, validated, stored, as the API does); the
other units get copies of those uploads (same file, same kept reading, own row), so a round of
5,000 is made in a minute instead of an hour. Printed, not asserted.
Targets (issue 17): dashboard ≤ 1 s, live quota for 1,000 children ≤ 100 ms, summary ≤ 5 s.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parent.parent / "tests"))  # harness.py

from bench_merge import YEAR, write_units  # noqa: E402


def setup(app, paths, n: int, name: str, proto_ids=None):
    """A collecting unit with n children; the first len(paths) upload for real, the rest copy
    them (or copy `proto_ids`, uploads made for another round). -> (round id, office user id,
    ids of the real uploads)."""
    from harness import district
    from sqlalchemy import insert, select

    from server import db
    from server.auth import set_password
    from server.intake import receive
    from server.models import Submission, User
    with app.app_context():
        top, units, rnd = district((f"TOP_{name}", f"Đảng ủy {name}", "DB_CTCS"),
                                   [(f"{name}{i + 1:05d}", f"Đảng bộ xã số {i + 1}")
                                    for i in range(n)], YEAR)
        real = []
        if proto_ids is None:
            for unit, p in zip(units, paths, strict=False):
                sub, _ = receive(unit, p.read_bytes(), p.name, "bench")
                real.append(sub.id)
        s = db.session()
        protos = list(s.scalars(select(Submission).where(
            Submission.id.in_(real or proto_ids))))
        rows = []
        for k, unit in enumerate(units[len(real):]):
            p = protos[k % len(protos)]
            rows.append({"round_id": rnd.id, "unit_id": unit.id, "version": 1,
                         "sha256": p.sha256, "size": p.size, "filename": p.filename,
                         "uploaded_by": "bench", "template": p.template,
                         "rule_pack": p.rule_pack, "valid": p.valid, "n_errors": p.n_errors,
                         "n_warnings": p.n_warnings, "findings": p.findings,
                         "xep_loai": p.xep_loai, "reading": p.reading,
                         "uploaded_at": p.uploaded_at})
        for i in range(0, len(rows), 500):
            s.execute(insert(Submission), rows[i:i + 500])
        user = User(username=f"vp_{name}", unit_id=top.id)
        set_password(user, "bench-mat-khau")
        s.add(user)
        s.commit()
        return rnd.id, user.id, real


def client_for(app, user_id):
    """A browser signed in as the user: the session cookie and its record on the server (a
    cookie without one is nobody's, `auth.check_session`)."""
    import secrets

    from server import db
    from server.auth import _sid_hash
    from server.models import WebLogin
    sid = secrets.token_urlsafe(32)
    with app.app_context():
        db.session().add(WebLogin(sid_hash=_sid_hash(sid), user_id=user_id))
        db.session().commit()
    c = app.test_client()
    with c.session_transaction() as sess:
        sess["user_id"] = user_id
        sess["sid"] = sid
        sess["csrf_token"] = "bench-csrf"
    return c


COLD = {}


def timed(fn, repeat=3):
    t = time.perf_counter()
    fn()                                        # cold: imports, templates, per-upload caches
    COLD[fn.__name__] = time.perf_counter() - t
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=5000)
    ap.add_argument("--quota-n", type=int, default=1000)
    ap.add_argument("--real", type=int, default=100)
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = ap.parse_args(argv)

    from harness import DatabaseUnavailable, scratch_database

    from server import create_app
    print(f"kiemdiem web benchmark: a round of {args.n:,} units, live quota for "
          f"{args.quota_n:,}, {args.backend}, {os.cpu_count()} CPU(s), "
          f"Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="kiemdiem-bench-web-") as tmp:
        tmp = Path(tmp)
        (tmp / "units").mkdir()
        (tmp / "data").mkdir()
        paths = write_units(min(args.real, args.n), tmp / "units")
        try:
            with scratch_database(args.backend, tmp / "data", "kd_bench_web") as url:
                app = create_app({"DATABASE_URL": url, "DATA_DIR": str(tmp / "data"),
                                  "SECRET_KEY": "bench"})
                from server import db
                with app.app_context():
                    db.upgrade()
                t = time.perf_counter()
                big, big_user, real = setup(app, paths, args.n, "XA")
                small, small_user, _ = setup(app, paths, args.quota_n, "QB", real)
                print(f"set-up: {time.perf_counter() - t:.1f} s")
                results = run(app, big, big_user, small, small_user, args)
                app.extensions["kiemdiem.engine"].dispose()
        except DatabaseUnavailable as e:
            print(f"skipped: {e}")
            return 0
    for label, secs, target in results:
        verdict = "" if target is None else \
            f"   target ≤ {target * 1000:.0f} ms: {'met' if secs <= target else 'NOT met'}"
        print(f"{label:<58} {secs * 1000:9.1f} ms{verdict}")
    base = results[0][1]
    print("first call of each (cold caches, imports): " + ", ".join(
        f"{k} {v * 1000:.0f} ms" for k, v in COLD.items()))
    print("ratios to the baseline: " + ", ".join(
        f"{label.split(':')[0]} {secs / base:.1f}x" for label, secs, _ in results[1:]))
    return 0


def run(app, big, big_user, small, small_user, args):
    from server import db
    from server.api import status
    from server.models import Round

    def api_status():
        with app.app_context():
            return status(db.session().get(Round, big))

    c = client_for(app, big_user)

    def dashboard():
        r = c.get(f"/dot/{big}")
        assert r.status_code == 200, r.status_code
        return r

    def summary():
        r = c.get(f"/api/v1/rounds/{big}/summary.xlsx")
        assert r.status_code == 200, r.status_code
        return r

    q = client_for(app, small_user)
    with app.app_context():
        codes = [u.code for u in db.session().get(Round, small).unit.children]
    body = {"ratings": {code: ("XS" if i % 3 == 0 else "TOT") for i, code in enumerate(codes)},
            "cap_uy": {}}

    def quota():
        r = q.post(f"/dot/{small}/han-muc", json=body, headers={"X-CSRF-Token": "bench-csrf"})
        assert r.status_code == 200, r.status_code
        return r

    t_base, _ = timed(api_status)
    t_dash, _ = timed(dashboard)
    t_quota, _ = timed(quota)
    t_sum, _ = timed(summary, repeat=1)
    return [(f"baseline: the round's status (API data), {args.n:,} units", t_base, None),
            (f"dashboard: page of {args.n:,} units with contacts", t_dash, 1.0),
            (f"live quota: {args.quota_n:,} children", t_quota, 0.1),
            (f"summary: {args.n:,} units merged, .xlsx written", t_sum, 5.0)]


if __name__ == "__main__":
    sys.exit(main())
