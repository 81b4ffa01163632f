"""The second writer of the marking model: `annotate_xlsx`, the annotated copy the server hands to
an office without Python. Same marks as the add-in, written with openpyxl; values untouched."""
from __future__ import annotations

import io
import shutil

from addin_books import clean_unit
from openpyxl import load_workbook

from workbook_templates import marks as M
from workbook_templates.read import read_workbook
from workbook_templates.sample import bao_lam_2019, fill_template
from workbook_templates.spec import get_form_set
from workbook_templates.validate import validate


def _findings(data):
    return validate(read_workbook(data)).findings


def test_annotated_copy_marks_the_cells_and_lists_the_findings():
    data = fill_template(bao_lam_2019())
    found = _findings(data)
    out = M.annotate_xlsx(data, found, subtitle="Huyện ủy Bảo Lâm — phiên bản 2")
    wb = load_workbook(io.BytesIO(out))
    assert wb.sheetnames[-1] == M.REPORT_SHEET and wb.active.title == M.REPORT_SHEET

    marked = {(f.sheet, f.cell) for f in found if f.cell}
    for sheet in get_form_set("bao_cao_nam").sheet_names:
        for row in wb[sheet].iter_rows():
            for c in row:
                rgb = str(c.fill.fgColor.rgb)[-6:] if c.fill.fill_type == "solid" else ""
                is_mark = "#" + rgb in (M.ERROR_FILL, M.WARNING_FILL)
                assert is_mark == ((sheet, c.coordinate) in marked), (sheet, c.coordinate)
    c11 = wb["Biểu 3"]["C11"]
    assert "#" + str(c11.fill.fgColor.rgb)[-6:] == M.ERROR_FILL
    assert c11.comment.text.startswith(M.NOTE_TITLE) and "2.886" in c11.comment.text

    ws = wb[M.REPORT_SHEET]
    assert ws["A1"].value == "KẾT QUẢ KIỂM TRA BIỂU"
    assert ws["A2"].value.startswith("Có 3 lỗi, 4 cảnh báo.")
    assert ws["A3"].value == "Huyện ủy Bảo Lâm — phiên bản 2"
    rows = list(ws.iter_rows(min_row=M.HEADER_ROW + 1, values_only=True))
    assert len(rows) == len(found) and rows[0][0] == "Lỗi"
    link = next(ws.cell(r, 3) for r in range(M.HEADER_ROW + 1, ws.max_row + 1)
                if ws.cell(r, 3).value == "Biểu 3!C11")
    assert link.hyperlink.location == "'Biểu 3'!C11"
    assert ws.column_dimensions["G"].hidden and ws.column_dimensions["H"].hidden


def test_values_are_never_changed_and_the_copy_still_checks_the_same():
    data = fill_template(bao_lam_2019())
    found = _findings(data)
    out = M.annotate_xlsx(data, found)
    form = get_form_set("bao_cao_nam")

    def typed(raw):     # the copy adds the formulas' results (tests/test_cached_values.py)
        return {k: v for k, v in raw.items() if form.cells[k].is_input}

    assert typed(read_workbook(out).raw) == typed(read_workbook(data).raw)
    assert [f.text() for f in _findings(out)] == [f.text() for f in found]


def test_annotating_again_replaces_the_old_marks():
    old_values = bao_lam_2019()
    old = M.annotate_xlsx(fill_template(old_values), _findings(fill_template(old_values)))
    # the office fixes the total in the annotated copy it got back, and uploads that
    wb = load_workbook(io.BytesIO(old))
    wb["Biểu 3"]["C11"].value = 2866
    buf = io.BytesIO()
    wb.save(buf)
    fixed = buf.getvalue()
    found = _findings(fixed)
    assert not any(f.sheet == "Biểu 3" for f in found)
    out = load_workbook(io.BytesIO(M.annotate_xlsx(fixed, found)))
    c11 = out["Biểu 3"]["C11"]
    assert c11.comment is None
    assert str(c11.fill.fgColor.rgb) == "FFFDF3D0"            # the template's input fill
    assert out.sheetnames.count(M.REPORT_SHEET) == 1
    assert out[M.REPORT_SHEET]["A2"].value.startswith("Có 2 lỗi")


def test_a_users_own_note_survives():
    from openpyxl.comments import Comment
    wb = load_workbook(io.BytesIO(fill_template(bao_lam_2019())))
    wb["Biểu 4"]["B10"].comment = Comment("Số liệu theo Công văn 12-CV/HU", "Văn An")
    buf = io.BytesIO()
    wb.save(buf)
    out = load_workbook(io.BytesIO(M.annotate_xlsx(buf.getvalue(), _findings(buf.getvalue()))))
    assert out["Biểu 4"]["B10"].comment.text == "Số liệu theo Công văn 12-CV/HU"


def test_a_valid_workbook_gets_a_short_report():
    data = fill_template(clean_unit())
    assert _findings(data) == []
    ws = load_workbook(io.BytesIO(M.annotate_xlsx(data, [])))[M.REPORT_SHEET]
    assert ws["A2"].value == "Biểu hợp lệ: không có lỗi, không có cảnh báo."
    assert ws.max_row == M.HEADER_ROW


def test_libreoffice_opens_the_annotated_copy(libreoffice, tmp_path, artifacts):
    data = fill_template(bao_lam_2019())
    src = tmp_path / "bao_lam_kiem_tra.xlsx"
    src.write_bytes(M.annotate_xlsx(data, _findings(data)))
    again = libreoffice.convert(src, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    wb = load_workbook(again)
    assert wb["Biểu 3"]["C11"].comment.text.startswith(M.NOTE_TITLE)
    assert wb[M.REPORT_SHEET]["A2"].value.startswith("Có 3 lỗi")
    assert read_workbook(again.read_bytes()).raw["XL_DV_TONG"] == 2886
    pdf = libreoffice.convert(src, "pdf", tmp_path / "pdf")
    (artifacts / "addin").mkdir(exist_ok=True)
    shutil.copy(pdf, artifacts / "addin" / "bao_lam_kiem_tra.pdf")
