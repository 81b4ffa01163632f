"""Report benchmark: the written report (.docx) of a province's summary, against reading and
validating the same summary (what `kiemdiem validate` costs) in the same run.

    python bench/bench_bao_cao.py [N_UNITS] [--repeat R]

The summary is made as the merge bench makes one (N unit workbooks merged, default 1,000), then
timed: read + validate alone (the baseline: the report cannot be cheaper), and the whole report
(read + validate + write the .docx). Target (issue 19): under 1 s for a province summary.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_merge  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    from workbook_templates.bao_cao import build_report
    from workbook_templates.cli_merge import read_children
    from workbook_templates.merge import Parent, merge
    from workbook_templates.read import read_workbook
    from workbook_templates.validate import validate

    with tempfile.TemporaryDirectory(prefix="kiemdiem-bao-cao-") as tmp:
        paths = bench_merge.write_units(args.n, Path(tmp))
        children, _ = read_children(paths, jobs=min(2, os.cpu_count() or 1))
        parent = Parent("Đảng bộ tỉnh Lâm Đồng", "LD", "DB_TINH", "Trung ương",
                        nguoi_lap="Người lập", ngay_lap=dt.date(bench_merge.YEAR, 12, 20))
        summary = merge(children, parent).to_xlsx()
    print(f"kiemdiem report benchmark: summary of {args.n} units ({len(summary) / 1e3:.0f} kB), "
          f"best and median of {args.repeat} runs, Python {sys.version.split()[0]}")
    base, full = [], []
    size = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        validate(read_workbook(summary))
        base.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        built = build_report(summary, include_errors=True)
        full.append(time.perf_counter() - t0)
        size = len(built.data)
    b, f = min(base), min(full)
    print(f"  baseline read + validate       {b:6.3f} s (median {statistics.median(base):.3f})")
    print(f"  report (read + validate + docx) {f:6.3f} s (median {statistics.median(full):.3f}); "
          f"{size / 1e3:.0f} kB .docx")
    print(f"  writing the document itself     {f - b:6.3f} s; report / baseline = {f / b:.1f}x")
    print(f"  target < 1 s: {'met' if f < 1 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
