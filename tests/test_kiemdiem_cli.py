"""The `kiemdiem` command as a user runs it: exit codes, text and JSON, refusal of other files."""
from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys

from openpyxl import Workbook, load_workbook

from workbook_templates.cli import main
from workbook_templates.sample import bao_lam_2019, fill_template
from workbook_templates.spec.bao_cao_nam import VERSION


def kiemdiem(*args, real: bool = False) -> subprocess.CompletedProcess:
    """`kiemdiem ARGS`: its exit code and what it printed. `real`: as a process, the way a user
    runs it; otherwise `main()` in this process (the same code without a Python start: the
    suite's time, issue 21)."""
    argv = [str(a) for a in args]
    if real:
        return subprocess.run([sys.executable, "-m", "workbook_templates.cli", *argv],
                              capture_output=True, text=True, timeout=120)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
    return subprocess.CompletedProcess(argv, code or 0, out.getvalue(), err.getvalue())


def test_validate_errors_exit_1_and_name_the_cell(tmp_path):
    f = tmp_path / "bao_lam_2019.xlsx"
    f.write_bytes(fill_template(bao_lam_2019()))
    p = kiemdiem("validate", f, real=True)
    assert p.returncode == 1
    # the place as the printed form numbers it, then as Excel does; no rule code, no cell name
    assert "- Lỗi — Biểu 3, dòng 1, cột (3) — ô C11: Đảng viên — Tổng số" in p.stdout
    assert "R-TONG" not in p.stdout and "XL_DV_TONG" not in p.stdout
    assert "KHÔNG HỢP LỆ" in p.stdout


def test_validate_json_shape(tmp_path):
    f = tmp_path / "ok.xlsx"
    f.write_bytes(fill_template(bao_lam_2019(corrected=True)))
    p = kiemdiem("validate", f, "--format", "json")
    assert p.returncode == 0, p.stdout + p.stderr
    d = json.loads(p.stdout)
    assert d["valid"] is True and d["template"] == "bao_cao_nam" and d["version"] == VERSION
    assert d["rule_pack"] == "HD21" and d["file"] == str(f)
    assert all({"rule", "severity", "sheet", "cell", "name", "message"} <= set(x)
               for x in d["findings"])
    assert d["findings"] and all(x["severity"] == "warning" for x in d["findings"])


def test_rules_and_base_options(tmp_path):
    f = tmp_path / "ok.xlsx"
    f.write_bytes(fill_template(bao_lam_2019(corrected=True)))
    d = json.loads(kiemdiem("validate", f, "--format", "json", "--rules", "QD366").stdout)
    assert d["rule_pack"] == "QD366"
    d = json.loads(kiemdiem("validate", f, "--format", "json", "--base", "tot_tro_len").stdout)
    assert not [x for x in d["findings"] if x["rule"] == "R-QUOTA" and x["name"] == "XL_DBCS_XS"]


def test_other_workbook_is_refused_with_exit_2(tmp_path):
    wb = Workbook()
    wb.active["A1"] = "Bảng lương tháng 12"
    f = tmp_path / "bang_luong.xlsx"
    wb.save(f)
    p = kiemdiem("validate", f)
    assert p.returncode == 2
    assert "không phải biểu mẫu của kiemdiem" in p.stderr and "bang_luong.xlsx" in p.stderr
    p = kiemdiem("validate", f, "--format", "json")
    assert p.returncode == 2 and json.loads(p.stdout)["error"] == "not_template"


def test_unknown_and_outdated_versions_exit_2(tmp_path):
    for version, word in (("7.3", "không được hỗ trợ"), ("0.9", "đã cũ")):
        wb = load_workbook(io.BytesIO(fill_template(bao_lam_2019())))
        wb["_meta"]["B2"] = version
        f = tmp_path / f"v{version}.xlsx"
        wb.save(f)
        p = kiemdiem("validate", f)
        assert p.returncode == 2 and word in p.stderr and version in p.stderr


def test_not_a_file_of_excel_exit_2(tmp_path):
    f = tmp_path / "ghi_chu.xlsx"
    f.write_text("không phải excel", encoding="utf-8")
    p = kiemdiem("validate", f)
    assert p.returncode == 2 and "không phải tệp Excel .xlsx" in p.stderr
    p = kiemdiem("validate", tmp_path / "khong_co.xlsx")
    assert p.returncode == 2 and "Không mở được tệp" in p.stderr


def test_template_build_writes_both_templates(tmp_path):
    p = kiemdiem("template", "build", "--out", tmp_path)
    assert p.returncode == 0
    assert {x.name for x in tmp_path.iterdir()} == {"bao_cao_nam.xlsx", "so_ket_quy_dinh.xlsx"}
