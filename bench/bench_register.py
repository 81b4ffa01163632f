"""Read + validate of a workbook with a member register of 0 / 500 / 2.000 members (SPEC §8).

The register is read as one block per sheet (python-calamine) and checked row by row; the
baseline, measured in the same run on the same bytes, is what a straightforward implementation
does: openpyxl load_workbook and a read of every register cell. Target: ≤ 100 ms at 2.000
members. Usage: python bench/bench_register.py [RUNS] [SIZES…]
"""
from __future__ import annotations

import datetime as dt
import io
import platform
import statistics
import sys
import time

from openpyxl import load_workbook

from workbook_templates import sample
from workbook_templates.read import read_workbook
from workbook_templates.spec.danh_sach import REGISTER
from workbook_templates.validate import validate

TODAY = dt.date(2026, 12, 31)


def timed(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def workbook(n: int) -> bytes:
    if n == 0:
        return sample.fill_template(sample.commune_2026(100)[0])
    values, members = sample.commune_2026(n)
    return sample.fill_template(values, members=members)


def main(runs: int = 20, sizes=(0, 500, 2000)) -> int:
    print(f"machine: {platform.machine()} {platform.processor() or ''} python "
          f"{platform.python_version()}, runs: {runs}")
    print(f"{'members':>8} {'size KB':>8} {'read ms':>8} {'validate ms':>12} {'total p50':>10} "
          f"{'total p95':>10} {'openpyxl p50':>13} {'ratio':>6}")
    worst = 0.0
    for n in sizes:
        data = workbook(n)
        filled = read_workbook(data)
        assert filled.register_size == n
        report = validate(filled, today=TODAY)
        assert not report.errors, [f.text() for f in report.errors[:3]]

        def ours(data=data):
            validate(read_workbook(data), today=TODAY)

        def baseline(data=data):
            wb = load_workbook(io.BytesIO(data))
            ws = wb[REGISTER.sheet]
            for row in ws.iter_rows(min_row=REGISTER.first_row, max_col=REGISTER.last_col,
                                    values_only=True):
                if any(v is not None for v in row):
                    pass

        ours()
        read = statistics.median(timed(lambda data=data: read_workbook(data), runs))
        f = read_workbook(data)
        val = statistics.median(timed(lambda f=f: validate(f, today=TODAY), runs))
        total = sorted(timed(ours, runs))
        base = statistics.median(timed(baseline, max(3, runs // 5)))
        p50, p95 = statistics.median(total), total[min(len(total) - 1, int(0.95 * len(total)))]
        worst = max(worst, p50) if n == max(sizes) else worst
        print(f"{n:>8} {len(data) / 1024:>8.0f} {read:>8.1f} {val:>12.1f} {p50:>10.1f} "
              f"{p95:>10.1f} {base:>13.1f} {base / p50:>5.1f}x")
    print(f"target ≤ 100 ms at {max(sizes)} members: {'met' if worst <= 100 else 'NOT met'} "
          f"(p50 {worst:.1f} ms)")
    return 0


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    sys.exit(main(args[0] if args else 20, tuple(args[1:]) or (0, 500, 2000)))
