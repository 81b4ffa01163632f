"""Validation latency of one workbook: read (python-calamine + formula scan) and validate.

Prints p50/p95 over N runs and the ratio against a baseline in the same process: openpyxl
load_workbook(data_only=False) of the same bytes and a read of the same cells, which is what a
straightforward implementation would do. Usage: python bench/bench_validate.py [N]
"""
from __future__ import annotations

import io
import platform
import statistics
import sys
import time

from openpyxl import load_workbook

from workbook_templates.read import read_workbook
from workbook_templates.sample import bao_lam_2019, fill_template
from workbook_templates.spec import get_form_set
from workbook_templates.validate import validate


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def timed(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main(n: int = 200) -> None:
    data = fill_template(bao_lam_2019())
    form = get_form_set("bao_cao_nam")

    def ours():
        validate(read_workbook(data))

    def baseline():
        wb = load_workbook(io.BytesIO(data))
        for c in form.cells.values():
            _ = wb[c.sheet].cell(c.row, c.col).value

    ours()
    baseline()
    a, b = timed(ours, n), timed(baseline, max(10, n // 10))
    print(f"machine: {platform.machine()} {platform.processor() or ''} python "
          f"{platform.python_version()}, runs: {n}")
    print(f"read+validate  p50 {pct(a, 50):7.2f} ms   p95 {pct(a, 95):7.2f} ms")
    print(f"openpyxl read  p50 {pct(b, 50):7.2f} ms   p95 {pct(b, 95):7.2f} ms")
    print(f"ratio (baseline p50 / ours p50): {statistics.median(b) / statistics.median(a):.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
