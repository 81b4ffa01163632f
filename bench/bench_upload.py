"""Upload throughput against the production WSGI server (gunicorn, 2 workers × 4 threads) on
SQLite and on PostgreSQL.

Each upload is read, checked, validated and stored by the server. Prints uploads per second and
latency percentiles with N concurrent clients, and the ratio against one client in the same
process (the baseline: how much the server gains from concurrency).

Usage: python bench/bench_upload.py [UPLOADS] [CLIENTS]      (defaults: 200 uploads, 16 clients)
"""
from __future__ import annotations

import platform
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # this checkout
sys.path.append(str(Path(__file__).resolve().parent.parent / "tests"))  # harness.py

from harness import DatabaseUnavailable, make_live, scratch_database, unit_workbook  # noqa: E402


def run(live, jobs, clients):
    lat = []

    def one(job):
        code, version = job
        t = time.perf_counter()
        r = live.upload(code, unit_workbook(code, version)[0])
        lat.append(time.perf_counter() - t)
        return r.status_code

    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        codes = list(pool.map(one, jobs))
    wall = time.perf_counter() - t
    assert all(c == 201 for c in codes), codes
    lat.sort()
    return len(jobs) / wall, lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.95)] * 1000


def bench(backend, uploads, clients):
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        try:
            with scratch_database(backend, data, "kd_bench") as url:
                base, conc = measure(url, data, uploads, clients)
        except DatabaseUnavailable as e:
            print(f"{backend}: skipped ({e})")
            return
    print(f"{backend:10s} 1 client : {base[0]:6.1f} uploads/s  p50 {base[1]:6.1f} ms  "
          f"p95 {base[2]:6.1f} ms")
    print(f"{backend:10s} {clients} clients: {conc[0]:6.1f} uploads/s  p50 {conc[1]:6.1f} ms  "
          f"p95 {conc[2]:6.1f} ms  — ratio to 1 client: {conc[0] / base[0]:.2f}x")


def measure(url, data, uploads, clients):
    units = max(1, min(50, uploads))      # fewer than 50 uploads (CI's size): one unit each
    live = make_live(url, data, n_children=units)
    try:
        per_unit = max(1, uploads // units)
        jobs = [(f"X{i:02d}", v) for v in range(1, per_unit + 1) for i in range(1, units + 1)]
        later = [(c, v + per_unit) for c, v in jobs]
        for job in jobs + later:
            unit_workbook(*job)           # generate outside the timing
        return run(live, jobs[:max(20, len(jobs) // 5)], 1), run(live, later, clients)
    finally:
        live.kill()


def main():
    uploads = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    print(f"machine: {platform.machine()}, python {platform.python_version()}, "
          f"{uploads} uploads, gunicorn 2 workers × 4 threads")
    for backend in ("sqlite", "postgresql"):
        bench(backend, uploads, clients)


if __name__ == "__main__":
    main()
