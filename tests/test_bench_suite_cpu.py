"""bench/bench_suite_cpu.py, which says where the suite's CPU time goes (issue 21), still runs
pytest and counts its processes: here on one small test file (the figures themselves are read
by a person, not asserted)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_suite_cpu.py"


def test_it_counts_the_workers_and_adds_up():
    out = subprocess.run([sys.executable, str(BENCH), "tests/test_catalogue.py", "-n", "2"],
                         capture_output=True, text=True, timeout=300).stdout
    rows = re.findall(r"^ +([\d.]+) +([\d.]+)% +(\d*)  (.+)$", out, re.M)
    kinds = {k: (float(cpu), n) for cpu, _, n, k in rows}
    assert kinds["pytest workers (the tests themselves)"][1] == "2", out
    assert kinds["pytest workers (the tests themselves)"][0] > 0.5, out
    total = float(re.search(r"^ *([\d.]+) CPU s in all", out, re.M).group(1))
    assert abs(sum(float(s) for _, s, _, _ in rows) - 100) < 1, out
    assert abs(sum(c for c, _ in kinds.values()) - total) < 0.5, out
    assert "pytest exit code 0" in out and "CPU time over machine speed:" in out, out
