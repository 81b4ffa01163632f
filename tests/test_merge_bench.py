"""The merge benchmark still runs and its generated units are real, valid template workbooks
(the figures themselves are printed by bench/bench_merge.py, not asserted)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from workbook_templates.read import read_workbook
from workbook_templates.validate import validate

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_merge.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_merge", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_generated_units_are_valid_and_differ(tmp_path):
    paths = _bench().write_units(6, tmp_path)
    reports = [validate(read_workbook(p)) for p in paths]
    assert all(r.valid for r in reports), [f.message for r in reports for f in r.errors]
    assert len({r.values["XL_DV_TONG"] for r in reports}) > 1
    assert len({r.values["TT_MaDonVi"] for r in reports}) == 6


def test_bench_prints_its_figures(capsys):
    assert _bench().main(["4", "--jobs", "1", "--baseline-sample", "2"]) == 0
    out = capsys.readouterr().out
    for word in ("read + validate", "TOTAL", "peak memory", "ratio:", "4 included"):
        assert word in out, out
