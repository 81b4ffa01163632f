"""`kiemdiem danh-sach nhap`: a member list as an office keeps it -> the unit's register, with
every column and row it could not map reported."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from workbook_templates import sample
from workbook_templates.cli import main
from workbook_templates.danh_sach_io import match_header
from workbook_templates.read import read_workbook
from workbook_templates.spec.danh_sach import SHEET
from workbook_templates.validate import validate


def office_list(path):
    """Headers in another order, without accents or in capitals, a title above them, dates both
    as Excel dates and as text, a total row, an unknown column, a bad date, free-text levels."""
    wb = Workbook()
    ws = wb.active
    ws.title = "DS 2026"
    ws.append(["DANH SÁCH ĐẢNG VIÊN CHI BỘ THÔN 3"])
    ws.append([])
    ws.append(["STT", "XẾP LOẠI", "Ho ten dang vien", "Quê quán", "Ngày kết nạp (dd/mm/yyyy)",
               "Ngày chính thức", "Tình trạng sinh hoạt", "Điểm", "Cấp ủy viên", "Ghi chú"])
    ws.append([1, "Hoàn thành tốt nhiệm vụ", "Nguyễn Văn Một", "Lộc Bảo",
               dt.datetime(1998, 5, 19), dt.datetime(1999, 5, 19), "Bình thường", 82, "x", None])
    ws.append([2, "Tốt", "Trần Thị Hai", "Bảo Lâm", "03/02/2005", "3/2/2006", "binh thuong", "75",
               None, None])
    ws.append([3, None, "Lê Văn Ba", "Lộc Bảo", "31/02/2010", None, "Miễn sinh hoạt", None, None,
               "Tuổi cao"])
    ws.append([])
    ws.append([4, "xuat sac", "Phạm Thị Bốn", "Lộc Bảo", 36526, "2001-01-01", None, 95, "có",
               None])
    ws.append([None, None, None, "Tổng cộng: 4 đảng viên"])
    wb.save(path)


def test_headers_match_without_accents_case_or_notes():
    assert match_header("Họ và tên") == "HoTen"
    assert match_header("HO TEN DANG VIEN") == "HoTen"
    assert match_header("Ngày kết nạp (dd/mm/yyyy)") == "NgayVaoDang"
    assert match_header("Tự xếp loại") == "TuXepLoai"
    assert match_header("Xếp loại") == "XepLoai"
    assert match_header("STT") == ""
    assert match_header("Quê quán") is None


def test_import_maps_the_list_and_reports_what_it_could_not(tmp_path, capsys):
    src, out = tmp_path / "ds.xlsx", tmp_path / "bieu.xlsx"
    office_list(src)
    assert main(["danh-sach", "nhap", str(src), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Đã đọc 4 đảng viên từ sheet «DS 2026» (dòng tiêu đề: dòng 3)" in text
    assert "cột D «Quê quán»" in text
    assert "dòng 6, cột E «Ngày vào Đảng»: không phải ngày có thật" in text
    assert "dòng 9: một dòng tổng cộng" in text
    assert "«Nhóm (QĐ 366)»" in text            # a column the list does not have
    assert "Nguyễn" not in text                 # the report names rows, never members
    filled = read_workbook(out)
    reg = filled.register
    assert [m.values["HoTen"] for m in reg] == ["Nguyễn Văn Một", "Trần Thị Hai", "Lê Văn Ba",
                                                  "Phạm Thị Bốn"]
    one, two, three, four = (m.values for m in reg)
    day = lambda v: v.date() if isinstance(v, dt.datetime) else v  # noqa: E731
    assert day(one["NgayVaoDang"]) == dt.date(1998, 5, 19) and one["CapUy"] == "x"
    assert day(two["NgayVaoDang"]) == dt.date(2005, 2, 3)
    assert two["XepLoai"] == "Hoàn thành tốt nhiệm vụ" and two["Diem"] == 75
    assert three["TinhTrang"] == "Miễn công tác và sinh hoạt đảng"
    assert three["NgayVaoDang"] == "31/02/2010"      # copied as typed: the check marks it
    assert day(four["NgayVaoDang"]) == dt.date(2000, 1, 1) and four["XepLoai"].startswith(
        "Hoàn thành xuất sắc")
    report = validate(filled, today=dt.date(2026, 12, 31))
    bad = [f for f in report.findings if f.sheet == SHEET and f.rule == "R-DS-NGAY"]
    assert bad and bad[0].row_label == "STT 3"


def test_import_into_an_existing_workbook_replaces_its_register_and_fills_counts(tmp_path,
                                                                                 capsys):
    values, members = sample.commune_2026(60)
    old = tmp_path / "cu.xlsx"
    old.write_bytes(sample.fill_template(values | {"XL_DV_TONG": 999}, members=members))
    src, out = tmp_path / "ds.xlsx", tmp_path / "moi.xlsx"
    office_list(src)
    assert main(["danh-sach", "nhap", str(src), "-o", str(out), "--vao", str(old),
                 "--dien-so"]) == 0
    text = capsys.readouterr().out
    assert "Đã thay 60 dòng của danh sách cũ" in text
    filled = read_workbook(out)
    assert filled.register_size == 4
    assert filled.raw["TT_DonVi"] == values["TT_DonVi"]          # the rest of the workbook kept
    assert filled.raw["XL_DV_TONG"] == 4 and filled.raw["XL_DV_MIEN"] == 1
    wb = load_workbook(out)
    assert wb[SHEET].max_row == 12                     # no leftovers of the 60 old rows


@pytest.mark.parametrize("content, message", [
    (b"not a workbook", "tệp bị hỏng hoặc không phải tệp Excel"),
    (None, "Không tìm thấy cột «Họ và tên»"),
])
def test_a_list_that_cannot_be_used_is_a_clear_error(tmp_path, capsys, content, message):
    src = tmp_path / "ds.xlsx"
    if content is None:
        wb = Workbook()
        wb.active.append(["Quê quán", "Nghề nghiệp"])
        buf = io.BytesIO()
        wb.save(buf)
        content = buf.getvalue()
    src.write_bytes(content)
    assert main(["danh-sach", "nhap", str(src), "-o", str(tmp_path / "x.xlsx")]) == 2
    assert message in capsys.readouterr().err
