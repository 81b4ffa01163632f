"""`addin.kiem_tra(book)` on real filled templates through xlwings' remote engine.

What a user would notice is asserted on the actions the engine records: which cells turn red or
orange, the notes, the report sheet, the alert — and that no value on a form sheet is written.
"""
from __future__ import annotations

import datetime as dt

import pytest
import xlwings as xw
from addin_books import book_json, clean_unit, open_book
from xlwings.pro import _xlremote

import addin
from workbook_templates import marks as M
from workbook_templates.read import read_workbook
from workbook_templates.sample import bao_lam_2019, fill_template
from workbook_templates.spec import get_form_set
from workbook_templates.validate import validate

FORM_WRITES = {"setRangeColors", "addNote", "deleteNote"}   # all we may do on a form sheet


def coloured(book) -> dict[tuple[str, str], str]:
    """(sheet, A1) -> colour for every cell a setRangeColors action paints (not "keep")."""
    from openpyxl.utils import get_column_letter
    names = [s["name"] for s in book.impl.api["sheets"]]
    out = {}
    for a in book.json()["actions"]:
        if a["func"] != "setRangeColors":
            continue
        for i, row in enumerate(a["args"][0]):
            for j, colour in enumerate(row):
                if colour != "keep":
                    cell = f"{get_column_letter(a['start_column'] + j + 1)}{a['start_row'] + i + 1}"
                    out[(names[a["sheet_position"]], cell)] = colour
    return out


def notes_added(book) -> dict[tuple[str, str], str]:
    names = [s["name"] for s in book.impl.api["sheets"]]
    return {(names[a["sheet_position"]], a["args"][0].replace("$", "")): a["args"][1]
            for a in book.json()["actions"] if a["func"] == "addNote"}


def report_values(book) -> list[list]:
    acts = book.json()["actions"]
    add = [a for a in acts if a["func"] == "addSheet"]
    assert [a["args"][1] for a in add] == [M.REPORT_SHEET]
    pos = add[0]["args"][0]
    writes = [a for a in acts if a["func"] == "setValues" and a["sheet_position"] == pos]
    assert len(writes) == 1, "the report is written in one call"
    assert (writes[0]["start_row"], writes[0]["start_column"]) == (0, 0)
    return writes[0]["values"]


def alerts(book) -> list[list]:
    return [a["args"] for a in book.json()["actions"] if a["func"] == "alert"]


def core_findings(xlsx: bytes):
    """What the core says about the file, minus R-FORMULA (the remote engine sends no formulas;
    the server checks those)."""
    return [f for f in validate(read_workbook(xlsx)).findings if f.rule != "R-FORMULA"]


@pytest.fixture(scope="module")
def bao_lam() -> bytes:
    return fill_template(bao_lam_2019())


def test_findings_are_the_cores_and_exactly_their_cells_are_coloured(bao_lam):
    book = open_book(bao_lam)
    found = addin.kiem_tra(book, today=dt.date(2020, 3, 1))
    expected = core_findings(bao_lam)
    assert [f.text() for f in found] == [f.text() for f in expected]
    assert len([f for f in found if f.is_error]) == 3   # seed 004: 2.886 ≠ 2.866, two quotas

    paint = coloured(book)
    cells = {(f.sheet, f.cell) for f in found if f.cell}
    assert set(paint) == cells
    for f in found:
        worst = "error" if any(g.is_error for g in found
                               if (g.sheet, g.cell) == (f.sheet, f.cell)) else "warning"
        assert paint[(f.sheet, f.cell)] == M.MARK_FILLS[worst].lower()
    assert paint[("Biểu 3", "C11")] == M.ERROR_FILL.lower()       # TONG 2.886
    assert paint[("Biểu 1", "D11")] == M.WARNING_FILL.lower()     # KD_DA_DV vs XL_DV_DG


def test_each_marked_cell_gets_a_note_with_the_message(bao_lam):
    book = open_book(bao_lam)
    found = addin.kiem_tra(book)
    notes = notes_added(book)
    assert set(notes) == {(f.sheet, f.cell) for f in found if f.cell}
    note = notes[("Biểu 3", "C11")]
    assert note.startswith(M.NOTE_TITLE)
    assert "2.886" in note and "2.866" in note and "R-TONG" in note


def test_report_sheet_lists_every_finding_errors_first_with_links(bao_lam):
    book = open_book(bao_lam)
    found = addin.kiem_tra(book)
    grid = report_values(book)
    assert grid[0][0] == "KẾT QUẢ KIỂM TRA BIỂU"
    assert grid[1][0].startswith("Có 3 lỗi, 4 cảnh báo.")
    assert grid[M.HEADER_ROW - 1][:6] == ["Mức độ", "Biểu", "Ô", "Nội dung", "Cách sửa",
                                          "Quy định"]
    rows = grid[M.HEADER_ROW:]
    assert len(rows) == len(found)
    levels = [r[0] for r in rows]
    assert levels == sorted(levels, key=lambda x: 0 if x.startswith("Lỗi") else 1)
    tong = next(r for r in rows if r[1] == "Biểu 3")
    assert tong[2] == '=HYPERLINK("#\'Biểu 3\'!C11","Biểu 3!C11")'
    assert "2.886" in tong[3] and tong[4]              # the numbers, and how to fix it
    assert "R-TONG" not in tong[5] and "Quy cách điền biểu mẫu" in tong[5]   # no rule id
    assert {r[6] for r in rows if r[6]} == {f.ref for f in found if f.cell}   # the record


def test_alert_sums_it_up_in_vietnamese(bao_lam):
    book = open_book(bao_lam)
    addin.kiem_tra(book)
    [alert] = alerts(book)
    assert alert[0].startswith("Có 3 lỗi, 4 cảnh báo.")
    assert "Kết quả kiểm tra" in alert[0]
    assert alert[1:4] == ["Kiểm tra biểu", "ok", "critical"]


def test_a_valid_workbook_says_so_and_nothing_is_red():
    data = fill_template(clean_unit())
    assert core_findings(data) == []
    book = open_book(data)
    assert addin.kiem_tra(book, today=dt.date(2025, 1, 10)) == []
    assert coloured(book) == {}
    assert alerts(book)[0][0] == "Biểu hợp lệ: không có lỗi, không có cảnh báo."
    assert alerts(book)[0][3] == "info"
    assert report_values(book)[1][0] == "Biểu hợp lệ: không có lỗi, không có cảnh báo."


def test_no_action_writes_a_value_on_a_form_sheet(bao_lam):
    values = bao_lam_2019()
    values["XL_DV_HT"] = "143 đv"          # text in a count cell: R-NUM, the value must stay
    data = fill_template(values)
    book = open_book(data)
    found = addin.kiem_tra(book)
    assert any(f.rule == "R-NUM" and f.sheet == "Biểu 3" for f in found)
    form_sheets = set(get_form_set("bao_cao_nam").sheet_names) | {"_meta"}
    names = [s["name"] for s in book_json(data)["sheets"]]
    for a in book.json()["actions"]:
        if a["sheet_position"] is not None and a["sheet_position"] < len(names) \
                and names[a["sheet_position"]] in form_sheets:
            assert a["func"] in FORM_WRITES, a
    assert book.sheets["Biểu 3"]["C11"].value == 2886         # nothing changed what was read


def test_reads_are_bulk_a_bounded_number_of_calls_per_sheet(bao_lam, monkeypatch):
    calls = []
    raw = _xlremote.Range.raw_value
    formula = _xlremote.Range.formula

    def counting(prop, kind):
        def get(self):
            calls.append((kind, self.sheet.name, self.shape))
            return prop.fget(self)
        return property(get, prop.fset)

    monkeypatch.setattr(_xlremote.Range, "raw_value", counting(raw, "value"))
    monkeypatch.setattr(_xlremote.Range, "formula", counting(formula, "formula"))
    book = open_book(bao_lam)
    addin.kiem_tra(book)
    sheets = {name for _, name, _ in calls}
    assert sheets == set(get_form_set("bao_cao_nam").sheet_names) | {"_meta"}
    for name in sheets:
        mine = [c for c in calls if c[1] == name]
        assert len([c for c in mine if c[0] == "value"]) == 1, mine
        assert len([c for c in mine if c[0] == "formula"]) <= 1, mine
    assert all(shape != (1, 1) for _, _, shape in calls)       # never cell by cell
    assert len(calls) <= 2 * len(sheets)


def test_running_again_undoes_its_own_marks_first():
    """First run on the Bảo Lâm figures; the user fixes Biểu 3 and runs again: the old marks
    go (fill back to the template's, our notes deleted, report rebuilt), only what is still
    wrong is marked."""
    first = fill_template(bao_lam_2019())
    old = core_findings(first)
    fixed = bao_lam_2019()
    fixed["XL_DV_TONG"] = 2866
    # the workbook as the user has it now: last run's marks and report, today's figures
    data = M.annotate_xlsx(fill_template(fixed), old)
    book = open_book(data)
    found = addin.kiem_tra(book)
    assert not any(f.sheet == "Biểu 3" for f in found)

    acts = book.json()["actions"]
    names = [s["name"] for s in book_json(data)["sheets"]]
    deleted = {(names[a["sheet_position"]], a["args"][0].replace("$", ""))
               for a in acts if a["func"] == "deleteNote"}
    assert deleted == {(f.sheet, f.cell) for f in old if f.cell}
    paint = coloured(book)
    form = get_form_set("bao_cao_nam")
    for f in old:
        if not any((g.sheet, g.cell) == (f.sheet, f.cell) for g in found):
            r, c = M.row_col(f.cell)
            assert paint[(f.sheet, f.cell)] == M.template_fill(form, f.sheet, r, c).lower()
    assert paint[("Biểu 3", "C11")] == "#fdf3d0"             # the template's pale yellow again
    assert ("Biểu 3", "C11") not in notes_added(book)
    # the old report sheet is deleted before the new one is added, all at the end
    funcs = [a["func"] for a in acts]
    assert funcs.index("sheetDelete") < funcs.index("addSheet")
    deleted_sheet = [a for a in acts if a["func"] == "sheetDelete"][0]
    assert names[deleted_sheet["sheet_position"]] == M.REPORT_SHEET
    assert report_values(book)[1][0].startswith("Có 2 lỗi")


def test_a_note_the_user_wrote_is_left_alone(bao_lam):
    book = open_book(bao_lam, note_cells={"Biểu 3": ["C11"]})
    addin.kiem_tra(book)
    assert ("Biểu 3", "C11") not in notes_added(book)
    assert not [a for a in book.json()["actions"] if a["func"] == "deleteNote"]
    assert coloured(book)[("Biểu 3", "C11")] == M.ERROR_FILL.lower()   # still marked


def test_without_notes_the_fills_and_report_still_tell_everything(bao_lam):
    book = open_book(bao_lam, notes=False)
    found = addin.kiem_tra(book)
    assert notes_added(book) == {}
    assert set(coloured(book)) == {(f.sheet, f.cell) for f in found if f.cell}
    rows = report_values(book)[M.HEADER_ROW:]
    assert len(rows) == len(found) and not any(r[7] for r in rows)   # no note recorded


def test_a_workbook_that_is_not_a_template_is_explained():
    import io

    from openpyxl import Workbook
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active["A1"] = "Báo cáo tự làm"
    buf = io.BytesIO()
    wb.save(buf)
    book = open_book(buf.getvalue(), name="tu_lam.xlsx")
    found = addin.kiem_tra(book)
    assert [f.rule for f in found] == ["R-READ"]
    assert coloured(book) == {}
    [alert] = alerts(book)
    assert "tu_lam.xlsx" in alert[0] and "_meta" in alert[0] and "mẫu" in alert[0]
    assert alert[3] == "critical"


def test_main_does_not_offer_to_send_a_workbook_with_errors(bao_lam):
    book = open_book(bao_lam)
    addin.main(book)
    [alert] = alerts(book)
    assert alert[0].startswith("Có 3 lỗi") and alert[2] == "ok"


def test_main_asks_before_sending_a_valid_workbook(monkeypatch):
    monkeypatch.setenv("KIEMDIEM_SERVER", "http://127.0.0.1:9")
    monkeypatch.setenv("KIEMDIEM_TOKEN", "abc")
    book = open_book(fill_template(clean_unit()))
    addin.main(book)
    [question] = alerts(book)
    assert question[0].startswith("Biểu hợp lệ")
    assert "Gửi biểu này lên máy chủ http://127.0.0.1:9" in question[0]
    assert question[2] == "yes_no"
    # the remote engine answers through a callback, never "yes" here: nothing is saved or sent
    assert "save" not in [a["func"] for a in book.json()["actions"]]


def test_main_without_settings_says_what_to_set():
    book = open_book(fill_template(clean_unit()))
    addin.main(book)
    [alert] = alerts(book)
    assert "KIEMDIEM_SERVER" in alert[0] and "KIEMDIEM_TOKEN" in alert[0]
    assert "chưa gửi" in alert[0]


def test_kiemdiem_module_is_what_the_ribbon_imports():
    import kiemdiem
    assert kiemdiem.main is addin.main
    assert xw.__version__ == "0.37.8"


def test_the_review_form_set_is_checked_the_same_way():
    """so_ket_quy_dinh, seed 004 as typed: the missing slash of 236-CVBTCHU, the unticked rows
    and the two wrong totals are marked where they are."""
    from workbook_templates.sample import bao_lam_so_ket
    data = fill_template(bao_lam_so_ket(), form="so_ket_quy_dinh")
    book = open_book(data, name="so_ket_bao_lam.xlsx")
    found = addin.kiem_tra(book)
    assert [f.text() for f in found] == [f.text() for f in core_findings(data)]
    paint = coloured(book)
    assert paint[("Biểu số 1", "G14")] == M.ERROR_FILL.lower()      # 236-CVBTCHU
    assert paint[("Biểu số 5", "D48")] == M.ERROR_FILL.lower()         # 2.886 typed, 2.866 summed
    assert set(paint) == {(f.sheet, f.cell) for f in found if f.cell}
    assert alerts(book)[0][0].startswith(f"Có {len([f for f in found if f.is_error])} lỗi")


def test_the_quota_base_follows_the_settings_file(bao_lam, monkeypatch, tmp_path):
    """Same rules as the server: a province that counts «tốt trở lên» sets KIEMDIEM_CO_SO."""
    from addin import config as C
    C.save_config({C.CO_SO: "tot_tro_len", C.QUY_DINH: "khong-co"})
    found = addin.kiem_tra(open_book(bao_lam))
    wider = [f for f in validate(read_workbook(bao_lam), base="tot_tro_len").findings
             if f.rule != "R-FORMULA"]
    assert [f.text() for f in found] == [f.text() for f in wider]
    assert [f.text() for f in found] != [f.text() for f in core_findings(bao_lam)]
