"""What a clerk meets on the forms themselves: Biểu 4 deadlines written as resolutions write
them, sixty rows on Biểu 4 and Giải trình, warnings named as the paper numbers rows and columns."""
from __future__ import annotations

import datetime as dt

import pytest

from workbook_templates.read import read_workbook
from workbook_templates.sample import fill_template, unit_info
from workbook_templates.spec import get_form_set
from workbook_templates.validate import validate

TODAY = dt.date(2026, 11, 22)


def biểu_4(thoi_han, ket_qua="Đang khắc phục", row=1) -> dict:
    v = unit_info(year=2025, TT_NgayLap=dt.datetime(2025, 12, 15))
    v.update({f"KP_NoiDung_{row}": "Sinh hoạt chi bộ có nơi còn hình thức",
              f"KP_GiaiPhap_{row}": "Đổi mới nội dung sinh hoạt", f"KP_ThoiHan_{row}": thoi_han,
              f"KP_KetQua_{row}": ket_qua})
    return v


def findings(values, rule):
    report = validate(read_workbook(fill_template(values)), today=TODAY)
    return [f for f in report.findings if f.rule in rule and f.name.startswith("KP_")]


@pytest.mark.parametrize("thoi_han", ["quý II/2025", "Tháng 6/2025", "30/6/2025",
                                      dt.datetime(2025, 6, 30), "năm 2024"])
def test_a_passed_deadline_is_reported_whether_date_or_period(thoi_han):
    f = findings(biểu_4(thoi_han), ("R-KP",))
    assert f and "đã qua" in f[0].message and "Đang khắc phục" in f[0].message
    shown = "30/06/2025" if isinstance(thoi_han, dt.datetime) else thoi_han
    assert shown in f[0].message


@pytest.mark.parametrize("thoi_han", ["Thường xuyên", "quý I/2026", "năm 2025", "tháng 12/2025"])
def test_ongoing_or_future_deadlines_are_not_overdue(thoi_han):
    assert not findings(biểu_4(thoi_han), ("R-KP", "R-KP-HAN"))


def test_an_unreadable_deadline_is_a_warning_with_its_column():
    f = findings(biểu_4("sớm nhất có thể"), ("R-KP",))    # R-KP-HAN, reported as R-KP
    assert f and f[0].severity == "warning" and "cột (6)" in f[0].message
    assert "«sớm nhất có thể»" in f[0].message


def test_sixty_rows_each_named_and_checked():
    form = get_form_set("bao_cao_nam")
    for prefix, key in (("KP", "NoiDung"), ("GT", "NoiDung")):
        assert f"{prefix}_{key}_60" in form.cells and f"{prefix}_{key}_61" not in form.cells
    f = findings(biểu_4("quý II/2025", row=60), ("R-KP",))
    assert f and f[0].name == "KP_KetQua_60" and f[0].printed_ref == "Biểu 4, dòng 60, cột (8)"
    # the count under the list covers row 60
    assert "KP_NoiDung_60" in form.cells["KP_Tong"].expr.refs


def test_sample_writes_the_bao_lam_review_and_refuses_another_form(tmp_path, capsys):
    from workbook_templates.cli import main
    out = tmp_path / "so_ket.xlsx"
    assert main(["sample", "bao-lam-so-ket", "-o", str(out)]) == 0
    filled = read_workbook(out)
    assert filled.form.id == "so_ket_quy_dinh"
    v = validate(filled, today=TODAY).values
    # seed 004 §2.1, the yearly review counts 2018–2022, on Biểu số 5
    assert [v[f"SK5_KD_CN_Y{k}"] for k in range(1, 6)] == [2795, 2886, 2947, 2965, 3016]
    assert [v[f"SK5_KD_GOIY_TT_Y{k}"] for k in range(1, 6)] == [9, 4, 4, 12, 8]
    assert filled.form.cells["SK5_KD_CN_Y1"].sheet == "Biểu số 5"
    capsys.readouterr()
    bad = tmp_path / "bad.xlsx"
    assert main(["sample", "bao-lam-so-ket", "--form", "bao_cao_nam", "-o", str(bad)]) != 0
    assert not bad.exists() and "không thể ghi" in capsys.readouterr().err


def test_review_has_ten_year_columns_that_follow_the_period():
    form = get_form_set("so_ket_quy_dinh")
    assert "SK1_QD_SO_Y10" in form.cells and "SK5_CANHAN_XS_Y10" in form.cells
    head = form.sheet("Biểu số 1").blocks[0].cols[5].header_formula     # Năm thứ 6
    assert "TT_DenNam" in head and "TT_TuNam+5" in head


def test_deadline_and_explanation_cells_say_how_to_write_them():
    from openpyxl import load_workbook

    from workbook_templates.sample import HERE
    wb = load_workbook(HERE / "bao_cao_nam.xlsx")
    form = get_form_set("bao_cao_nam")

    def prompt(name):
        c = form.cells[name]
        for dv in wb[c.sheet].data_validations.dataValidation:
            if c.a1 in dv.sqref:
                return dv.prompt or ""
        return ""
    assert "quý II/2026" in prompt("KP_ThoiHan_60") and "thường xuyên" in prompt("KP_ThoiHan_1")
    assert "(7)" in prompt("GT_Cot_1") and "1.1" in prompt("GT_Dong_60")
    # the deadline column no longer refuses a text while typing
    assert all(dv.type is None for dv in wb["Biểu 4"].data_validations.dataValidation
               if form.cells["KP_ThoiHan_1"].a1 in dv.sqref)
