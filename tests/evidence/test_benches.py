"""The benchmarks' smallest sizes run in CI: each prints its figures and its ratio against the
baseline measured in the same run (the figures are printed, not asserted)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    p = subprocess.run([sys.executable, *map(str, args)], cwd=ROOT, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    print(p.stdout)
    return p.stdout


def test_validation_latency_bench():
    out = run("bench/bench_validate.py", 10)
    assert "read+validate  p50" in out and "ratio (baseline p50 / ours p50)" in out


@pytest.mark.slow  # 20 s on the 2-core machine: CI runs it, -m "not slow" leaves it out
def test_upload_throughput_bench():
    out = run("bench/bench_upload.py", 20, 4)
    assert out.count("ratio to 1 client") >= 1 and "sqlite" in out


def test_server_summary_bench():
    """The summary from the readings kept at upload holds the same inputs as one made by reading
    every stored file again (the bench exits 1 when they differ)."""
    out = run("bench/bench_summary.py", 12)
    assert "summary from the readings kept at upload" in out and "ratio:" in out
    assert "the two summaries hold the same inputs: yes" in out
