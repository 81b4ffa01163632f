"""The member register (SPEC §8): the sheet, reading it as one block, the R-DS-* rules, counts
against Biểu 1 and Biểu 3, and no member's name in any finding."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from workbook_templates import marks, sample
from workbook_templates.read import read_grids, read_workbook
from workbook_templates.rules.catalogue import RULES
from workbook_templates.spec import get_form_set
from workbook_templates.spec.danh_sach import COLUMNS, REGISTER, SHEET
from workbook_templates.validate import validate

TODAY = dt.date(2026, 12, 31)
FORM = get_form_set("bao_cao_nam")


def check(values, members, today=TODAY, **kw):
    data = sample.fill_template(values, members=members)
    return data, validate(read_workbook(data), today=today, **kw)


def rules_of(report, prefix="R-DS"):
    return [f for f in report.findings if f.rule.startswith(prefix)]


@pytest.fixture(scope="module")
def commune():
    return sample.commune_2026(120)


# --- the sheet --------------------------------------------------------------------------------

def test_template_has_the_register_as_column_ranges():
    data = (sample.HERE / "bao_cao_nam.xlsx").read_bytes()
    wb = load_workbook(io.BytesIO(data))
    assert SHEET in wb.sheetnames
    names = {n: wb.defined_names[n].attr_text for n in wb.defined_names if n.startswith("DSDV_")}
    assert set(names) == {c.name for c in COLUMNS} and len(names) == 12
    assert names["DSDV_HoTen"] == f"'{SHEET}'!$B$9:$B${9 + REGISTER.n_rows - 1}"
    assert REGISTER.n_rows >= 3000
    ws = wb[SHEET]
    assert [ws.cell(REGISTER.header_row, c).value for c in (1, 2, 3, 12)] == [
        "STT", "Họ và tên", "Ngày vào Đảng", "Xếp loại (chi bộ, cấp ủy quyết định)"]
    # the empty rows are not cells: a small file, a fast reader
    assert ws.max_row < 20 and len(data) < 60_000
    lists = {ref: dv.formula1 for dv in ws.data_validations.dataValidation
             for ref in str(dv.sqref).split()}
    assert lists["L9:L4008"] == "=DS_XepLoai" and lists["H9:H4008"] == "=DS_TinhTrang"
    assert ws.column_dimensions["C"].number_format == "dd/mm/yyyy"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$8:$8"
    assert "ngày/tháng/năm" in ws.cell(6, 1).value       # the one-line instruction
    meta = wb["_meta"]
    assert [meta[f"I{i}"].value for i in range(1, 5)] == [
        "Bình thường", "Miễn công tác và sinh hoạt đảng", "Đình chỉ sinh hoạt đảng",
        "Sinh hoạt tạm thời nơi khác"]


def test_register_is_read_as_one_block_from_a_file_and_from_grids(commune):
    values, members = commune
    data = sample.fill_template(values, members=members[:5])
    filled = read_workbook(data)
    assert filled.register_size == 5
    assert [m.stt for m in filled.register] == [1, 2, 3, 4, 5]
    assert filled.register[0].values["HoTen"] == members[0]["HoTen"]
    # the add-in's door: one grid per sheet, with a blank line inside the list
    wb = load_workbook(io.BytesIO(data))
    grids = {ws.title: [list(r) for r in ws.iter_rows(
        max_row=max(ws.max_row, 1), max_col=max(ws.max_column, 14), values_only=True)]
        for ws in wb.worksheets}
    grids[SHEET].insert(REGISTER.first_row + 1, [None] * 14)
    got = read_grids(grids)
    assert got.register_size == 5 and got.register[2].row == REGISTER.first_row + 3
    assert not any(n.startswith("DSDV") for n in got.raw)


# --- counts -----------------------------------------------------------------------------------

def test_a_consistent_commune_validates_clean(commune):
    values, members = commune
    _, report = check(values, members)
    assert report.findings == [], [f.text() for f in report.findings]


def test_a_count_typed_differently_is_an_error_with_both_numbers(commune):
    values, members = commune
    rated_tot = values["XL_DV_TOT"]
    _, report = check(values | {"XL_DV_TOT": rated_tot + 2, "XL_DV_TONG": values["XL_DV_TONG"] + 2,
                                "KD_MIEN_DV": None}, members)
    khop = {f.name: f for f in report.findings if f.rule == "R-DS-KHOP"}
    assert set(khop) == {"XL_DV_TOT", "XL_DV_TONG", "KD_MIEN_DV"}
    f = khop["XL_DV_TOT"]
    assert f.severity == "error" and f.sheet == "Biểu 3"
    assert f"ghi {rated_tot + 2}" in f.message and f"đếm được {rated_tot}" in f.message
    assert "(chênh +2)" in f.message
    assert "để trống" in khop["KD_MIEN_DV"].message


def test_bao_lam_2022_register_reproduces_the_published_table_and_shows_the_eleven():
    values, members = sample.bao_lam_2022_register()
    counts = sample.counts_of(members, dt.date(2022, 12, 15), today=dt.date(2023, 2, 2))
    fx = sample.bao_lam_fixture()
    assert counts["XL_DV_TONG"] == fx["structure_12_2022"]["dang_vien"] == 3254
    assert counts["XL_DV_MIEN"] == 189 and counts["XL_DV_MOI"] == 38
    assert [counts[f"XL_DV_{k}"] for k in ("XS", "TOT", "HT", "KHT")] == [496, 2411, 93, 16]
    assert counts["KD_DA_DV"] == fx["tables"]["ca_nhan"]["stated_total"][4] == 3016
    _, report = check(values, members, today=dt.date(2023, 2, 2))
    assert not [f for f in report.findings if f.rule == "R-DS-KHOP"]
    eleven = [f for f in report.findings if f.rule == "R-DS-REQ"]
    assert len(eleven) == 11
    for f in eleven:
        assert f.sheet == SHEET and f.cell.startswith("L") and f.row_label.startswith("STT ")
        assert f.message.startswith(f"{SHEET}, STT ")
    # and Biểu 1 / Biểu 3 as typed show the same 11 (3.254 ≠ 3.016 + 38 + 189)
    assert any(f.rule == "R-TONG" and "chênh +11" in f.message for f in report.findings)


# --- member rules and bad input -----------------------------------------------------------------

def _bad(members):
    m = [dict(x) for x in members]
    m[3]["XepLoai"] = "Tốt"                                   # free text
    m[4]["NgayVaoDang"] = dt.date(2027, 3, 1)                 # the future
    m[5]["NgayChinhThuc"] = m[5]["NgayVaoDang"] - dt.timedelta(days=30)
    m[6]["TinhTrang"] = "Miễn công tác và sinh hoạt đảng"      # exempt and rated
    m[7]["NgayVaoDang"] = dt.date(2026, 10, 1)                # new and rated
    m[8]["KyLuat"], m[8]["XepLoai"], m[8]["Diem"] = "Cảnh cáo", "Hoàn thành tốt nhiệm vụ", 80
    m[9]["XepLoai"], m[9]["Diem"] = "Hoàn thành xuất sắc nhiệm vụ", 75
    m[10]["Nhom"] = "Nguyễn Văn Dán Nhầm"                     # a name in the wrong column
    m.append(dict(m[2]))                                      # the same person twice
    return m


def test_each_bad_row_is_a_finding_on_its_row_and_never_names_anyone(commune):
    values, members = commune
    bad = _bad(members)
    _, report = check(values, bad)
    by = {}
    for f in rules_of(report):
        if f.sheet != SHEET:
            continue
        by.setdefault(f.rule, []).append(f)
    stt = {r: {int(f.row_label.split()[1]) for f in fs if f.row_label} for r, fs in by.items()}
    assert 4 in stt["R-DS-CHON"] and 11 in stt["R-DS-CHON"]
    assert {5, 6} <= stt["R-DS-NGAY"]
    assert 7 in stt["R-DS-MIEN"] and 8 in stt["R-DS-MOI"]
    assert 9 in stt["R-DS-KYLUAT"] and by["R-DS-KYLUAT"][0].severity == "warning"   # QĐ 366
    assert 10 in stt["R-DS-DIEM"]
    dup = by["R-DS-TRUNG"][0]
    assert dup.severity == "warning" and f"STT {len(bad)}" == dup.row_label
    assert "với STT 3" in dup.message
    chon = next(f for f in by["R-DS-CHON"] if f.row_label == "STT 4")
    assert "có lẽ là «Hoàn thành tốt nhiệm vụ»" in chon.message and chon.cell == "L12"
    # the rest of the workbook is still checked
    assert any(f.rule == "R-DS-KHOP" for f in report.findings)
    names = {m["HoTen"] for m in bad} | {"Nguyễn Văn Dán Nhầm"}
    for f in report.findings:
        text = " ".join(str(x) for x in f.to_dict().values())
        assert not any(n in text for n in names), f.text()


def test_pack_decides_the_severity_of_discipline(commune):
    values, members = commune
    m = [dict(x) for x in members]
    m[0]["KyLuat"], m[0]["XepLoai"] = "Khiển trách", "Hoàn thành nhiệm vụ"
    v = values | {"TT_Nam": 2021, "TT_NgayLap": dt.datetime(2021, 12, 10)}
    _, report = check(v, m, today=dt.date(2022, 1, 10))
    f = next(f for f in report.findings if f.rule == "R-DS-KYLUAT")
    assert report.rule_pack == "HD21" and f.severity == "error"
    assert "Hướng dẫn 21-HD/BTCTW" in f.regulation
    assert not [f for f in report.findings if f.rule == "R-DS-DIEM"]   # QĐ 366 only


def test_five_thousand_rows_is_one_clear_error_and_nothing_breaks():
    members = sample.register_members({"TOT": 4500, "XS": 500}, 2026, dt.date(2026, 12, 10))
    values = sample.unit_info(type_="DB_CS", year=2026, TT_NgayLap=dt.datetime(2026, 12, 10))
    _, report = check(values, members)
    day = [f for f in report.findings if f.rule == "R-DS-DAY"]
    assert len(day) == 1 and "5.000 dòng" in day[0].message and "1.000 dòng" in day[0].message
    assert day[0].cell == f"B{REGISTER.last_row + 1}"
    assert any(f.rule == "R-DS-KHOP" and f.name == "XL_DV_TONG" and "5.000" in f.message
               for f in report.findings)


def test_a_register_above_the_grassroots_is_refused():
    members = sample.register_members({"TOT": 3}, 2026)
    values = sample.unit_info("Đảng bộ tỉnh Lâm Đồng", "LD", "Ban Chấp hành Trung ương",
                              "DB_TINH", 2026)
    _, report = check(values, members)
    cap = [f for f in report.findings if f.rule.startswith("R-DS")]
    assert [f.rule for f in cap] == ["R-DS-CAP"] and cap[0].severity == "error"
    assert "Nghị định 13/2023/NĐ-CP" in cap[0].regulation


def test_every_register_rule_is_catalogued():
    """Every R-DS-* rule the register checks report is in the rule catalogue, with a title, a
    severity and a reference a user can look up (never the spec or the software)."""
    import inspect

    from workbook_templates.rules import members
    used = set(__import__("re").findall(r'"(R-DS-[A-Z]+)"', inspect.getsource(members)))
    catalogued = {rid for rid in RULES if rid.startswith("R-DS-")}
    assert used and used == catalogued
    for rid in used:
        r = RULES[rid]
        assert r.title and r.checks and r.severity in ("error", "warning"), rid
        assert "SPEC" not in r.reference and "kiemdiem" not in r.reference


# --- marks --------------------------------------------------------------------------------------

def test_register_rows_are_marked_in_the_annotated_copy(commune):
    values, members = commune
    bad = _bad(members)
    data, report = check(values, bad)
    ms = {(m.sheet, m.cell): m for m in marks.marks(report.findings)}
    assert (SHEET, "L12") in ms and ms[(SHEET, "L12")].severity == "error"
    out = marks.annotate_xlsx(data, report.findings)
    wb = load_workbook(io.BytesIO(out))
    c = wb[SHEET]["L12"]
    assert c.fill.fgColor.rgb.endswith(marks.ERROR_FILL[1:])
    assert c.comment is not None and "STT 4" in c.comment.text
    # annotating again leaves the cell without our fill but never breaks the file
    again = marks.annotate_xlsx(out, [])
    assert not load_workbook(io.BytesIO(again))[SHEET]["L12"].fill.fgColor.rgb.endswith(
        marks.ERROR_FILL[1:])
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        assert z.testzip() is None


def test_bench_prints_its_figures_and_ratio():
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    p = subprocess.run([sys.executable, "bench/bench_register.py", "2", "0", "500"], cwd=root,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "     500 " in p.stdout and "target ≤ 100 ms at 500 members" in p.stdout
    print(p.stdout)


def test_the_register_prints_on_a4_with_its_header_on_every_page(libreoffice, artifacts,
                                                                 tmp_path):
    """Paper: LibreOffice prints the members, not the 4.000 rows of the form; the column
    headers repeat on each page; the text stays readable (≥ 9 pt after fitting the width)."""
    import subprocess
    values, members = sample.commune_2026(120)
    src = tmp_path / "danh_sach.xlsx"
    src.write_bytes(sample.fill_template(values, members=members))
    pdf = libreoffice.convert(src, "pdf", artifacts / "register")
    n = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True).stdout).group(1))
    pages = [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"],
                            capture_output=True, text=True).stdout for i in range(1, n + 1)]
    reg = [i for i, t in enumerate(pages) if "Họ và tên" in t and "Ngày vào" in t]
    assert 2 <= len(reg) <= 20, len(reg)             # 120 members, not 4.000 empty rows
    assert "DANH SÁCH ĐẢNG VIÊN" in pages[reg[0]]
    assert members[0]["HoTen"] in pages[reg[0]] and members[-1]["HoTen"] in pages[reg[-1]]
    box = subprocess.run(["pdftotext", "-bbox", "-f", str(reg[1] + 1), "-l", str(reg[1] + 1),
                          str(pdf), "-"], capture_output=True, text=True).stdout
    heights = sorted(float(a) - float(b) for b, a in re.findall(
        r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', box))
    assert heights[len(heights) // 2] >= 9.0           # the body text, in points


def test_a_whole_column_wrong_is_fifty_cells_and_one_line_for_the_rest():
    """QĐ 366 needs a score for each rated member: a register without scores is not 1.500 red
    cells but 50 and one finding that counts the rest."""
    values, members = sample.commune_2026(300)
    members = [dict(m, Diem=None) for m in members]
    _, report = check(values, members)
    diem = [f for f in report.findings if f.rule == "R-DS-DIEM"]
    rated = sum(1 for m in members if m.get("XepLoai"))
    assert len(diem) == 51
    assert f"còn {rated - 50} dòng khác cùng lỗi này ở cột «Điểm»" in diem[-1].message


def test_the_merge_never_copies_a_register_upward(tmp_path, capsys):
    """`kiemdiem merge` of two communes with their registers: not one member's name in any cell
    of any sheet of the summary, nor in what the command prints."""
    from workbook_templates.cli import main
    names, paths = set(), []
    for i, n in enumerate((90, 40)):
        values, members = sample.commune_2026(n)
        values |= {"TT_MaDonVi": f"XA{i}", "TT_DonVi": f"Đảng bộ xã Thử {i}"}
        members = [dict(m, HoTen=f"{m['HoTen']} {i}") for m in members]
        names |= {m["HoTen"] for m in members}
        p = tmp_path / f"xa{i}.xlsx"
        p.write_bytes(sample.fill_template(values, members=members))
        paths.append(str(p))
    out = tmp_path / "tong_hop.xlsx"
    assert main(["merge", *paths, "-o", str(out), "--parent-name", "Đảng bộ tỉnh Thử",
                 "--parent-code", "TINH", "--parent-type", "DB_TINH", "-q"]) in (0, 1)
    printed = capsys.readouterr().out
    wb = load_workbook(out)
    text = "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                     if c.value is not None)
    assert not [n for n in names if n in text or n in printed]
    summary = read_workbook(out)
    assert summary.register_size == 0 and summary.raw["XL_DV_TONG"] == 130


def test_live_counts_in_excel_agree_with_the_validator(libreoffice, tmp_path):
    """The template's live highlighting counts with COUNTIFS; LibreOffice computes those formulas
    on a register with every kind of member, and they must give the validator's numbers."""
    import datetime as dt

    from python_calamine import CalamineWorkbook

    from workbook_templates.register_xlsx import count_formulas
    values, members = sample.commune_2026(120)
    members = [dict(m) for m in members]
    members[0]["TinhTrang"] = "Miễn công tác và sinh hoạt đảng"        # rated while exempt
    members[1]["NgayVaoDang"] = dt.date(2026, 9, 1)                     # new, rated
    members[2]["XepLoai"], members[2]["GhiChu"] = None, "Đi học dài hạn"
    members[3]["TinhTrang"] = "Sinh hoạt tạm thời nơi khác"
    members[4]["KyLuat"] = "Cảnh cáo"
    formulas = count_formulas(FORM)
    wb = load_workbook(io.BytesIO(sample.fill_template(values, members=members)))
    ws = wb.create_sheet("Kiem")
    for i, (name, f) in enumerate(formulas.items(), start=1):
        ws.cell(i, 1, name)
        ws.cell(i, 2, "=" + f)
    src = tmp_path / "live.xlsx"
    wb.save(src)
    out = libreoffice.convert(src, "xlsx:Calc MS Excel 2007 XML", tmp_path / "out")
    grid = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Kiem").to_python()
    got = {r[0]: int(r[1]) for r in grid}
    want = sample.counts_of(members, dt.date(2026, 12, 10), today=TODAY)
    assert got == {n: want[n] for n in formulas}
    assert got["XL_DV_MIEN"] == want["XL_DV_MIEN"] and want["XL_DV_KHAC"] == 3


def test_next_year_keeps_who_the_members_are_and_clears_the_year():
    from workbook_templates.spec.danh_sach import carry_over
    values, members = sample.commune_2026(30)
    members = [dict(m) for m in members]
    members[5]["KyLuat"] = "Khai trừ"
    filled = read_workbook(sample.fill_template(values, members=members))
    nxt = carry_over(filled.register)
    assert len(nxt) == 29 and members[5]["HoTen"] not in {m["HoTen"] for m in nxt}
    assert all(not ({"XepLoai", "TuXepLoai", "Diem", "KyLuat", "GhiChu"} & set(m)) for m in nxt)
    assert all(m["HoTen"] and m["NgayVaoDang"] and m["TinhTrang"] for m in nxt)


def test_under_hd16_a_suspended_member_is_rated():
    """Rating year 2018 (HD 16): đình chỉ is not a reason to leave a member unrated; a pack says
    so by leaving DINHCHI out of its not-rated reasons (issue 13's packs)."""
    from types import SimpleNamespace

    from workbook_templates.rules.members import _not_rated_statuses
    assert _not_rated_statuses(SimpleNamespace()) == ("MIEN", "DINHCHI")
    hd16 = SimpleNamespace(not_rated_reasons=("MOI", "MIEN", "KHAC"))
    assert _not_rated_statuses(hd16) == ("MIEN",)
