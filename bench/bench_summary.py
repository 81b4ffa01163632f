"""Server summary benchmark: a round with N units that have uploaded, summarised the way the
collecting office downloads it (`server.summary.build(round).to_xlsx()`), against the same
summary made by reading every stored file again (what the server did before it kept each upload's
reading), in the same run.

    python bench/bench_summary.py 1000 [--backend sqlite|postgresql]

The unit files are the realistic ones of bench_merge.py. Uploading them (reading, validating and
storing each, as the API does) is set-up and is timed separately. Printed, not asserted.
Target (issue 3): 1,000 units merged in < 3 s on a 2-core machine.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parent.parent / "tests"))  # harness.py

from bench_merge import YEAR, write_units  # noqa: E402


def setup(app, paths):
    from harness import district

    from server import db
    from server.intake import receive
    with app.app_context():
        db.upgrade()
        _, units, rnd = district(("BL", "Huyện ủy Bảo Lâm", "DB_CTCS"),
                                 [(f"XA{i + 1:05d}", f"Đảng bộ xã số {i + 1}")
                                  for i in range(len(paths))], YEAR)
        for unit, p in zip(units, paths, strict=False):
            sub, _ = receive(unit, p.read_bytes(), p.name, "bench")
            assert sub.valid, (p, sub.findings)
        return rnd.id


def summarise(app, round_id):
    from server import db, summary
    from server.models import Round
    with app.app_context():
        t = time.perf_counter()
        result = summary.build(db.session().get(Round, round_id))
        t_merge = time.perf_counter() - t
        data = result.to_xlsx()
        return time.perf_counter() - t, t_merge, data, result


def forget_readings(app, round_id):
    """As if every file had been stored before readings were kept."""
    from sqlalchemy import update

    from server import db
    from server.models import Submission
    with app.app_context():
        db.session().execute(update(Submission).where(Submission.round_id == round_id)
                             .values(reading=None))
        db.session().commit()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=1000)
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = ap.parse_args(argv)

    from harness import DatabaseUnavailable, scratch_database

    from server import create_app
    from workbook_templates.read import read_workbook

    print(f"kiemdiem server summary benchmark: {args.n} units, {args.backend}, "
          f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="kiemdiem-bench-") as tmp:
        tmp = Path(tmp)
        (tmp / "units").mkdir()
        (tmp / "data").mkdir()
        paths = write_units(args.n, tmp / "units")
        try:
            with scratch_database(args.backend, tmp / "data", "kd_bench") as url:
                app = create_app({"DATABASE_URL": url, "DATA_DIR": str(tmp / "data"),
                                  "SECRET_KEY": "bench"})
                t = time.perf_counter()
                round_id = setup(app, paths)
                t_up = time.perf_counter() - t
                print(f"set-up: {args.n} uploads received (read, validated, stored) in "
                      f"{t_up:.1f} s ({t_up / args.n * 1000:.1f} ms each, one process)")
                summarise(app, round_id)            # warm: imports, template, form caches
                total, t_merge, data, result = summarise(app, round_id)
                forget_readings(app, round_id)
                base_total, base_merge, base_data, _ = summarise(app, round_id)
                again, _, _, _ = summarise(app, round_id)   # the baseline kept new readings
                app.extensions["kiemdiem.engine"].dispose()
        except DatabaseUnavailable as e:
            print(f"skipped: {e}")
            return 0
    same = read_workbook(data).raw == read_workbook(base_data).raw
    print(f"summary from the readings kept at upload: {total:6.2f} s "
          f"(load + merge {t_merge:.2f} s, write {total - t_merge:.2f} s)" +
          (f"   target < 3 s for 1,000 units: {'met' if total < 3 else 'NOT met'}"
           if args.n >= 1000 else ""))
    print(f"baseline, every stored file read again:   {base_total:6.2f} s "
          f"(read + merge {base_merge:.2f} s, write {base_total - base_merge:.2f} s)")
    print(f"the next summary (the baseline kept the readings it made): {again:.2f} s")
    print(f"ratio: {base_total / total:.1f}x faster; the two summaries hold the same inputs: "
          f"{'yes' if same else 'NO'}")
    print(f"merged {len(result.included)} units, {result.values['XL_DV_TONG']:,} đảng viên; "
          "peak memory (max RSS) "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
          .replace(",", "."))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
