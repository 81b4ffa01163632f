"""The add-in marks register rows like any other cell (issue 18), through xlwings' remote engine."""
from __future__ import annotations

import datetime as dt

from addin_books import open_book
from test_addin_remote import coloured, notes_added

import addin
from workbook_templates import marks as M
from workbook_templates import sample
from workbook_templates.spec.danh_sach import SHEET


def test_the_addin_marks_the_members_row_and_counts_the_register():
    values, members = sample.commune_2026(80)
    members = [dict(m) for m in members]
    members[16]["XepLoai"] = "Tốt"                       # STT 17: a level typed as free text
    members[16]["TuXepLoai"] = None
    book = open_book(sample.fill_template(values, members=members))
    found = addin.kiem_tra(book, today=dt.date(2026, 12, 31))
    on_row = [f for f in found if f.sheet == SHEET]
    assert [(f.rule, f.cell, f.row_label) for f in on_row] == [("R-DS-CHON", "L25", "STT 17")]
    assert on_row[0].message.startswith(f"{SHEET}, STT 17 (dòng 25): ")
    assert coloured(book)[(SHEET, "L25")] == M.ERROR_FILL.lower()
    note = notes_added(book)[(SHEET, "L25")]
    assert "có lẽ là «Hoàn thành tốt nhiệm vụ»" in note
    assert members[16]["HoTen"] not in note
