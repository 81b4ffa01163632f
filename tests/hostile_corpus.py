"""A corpus of hostile and broken uploads, generated (nothing binary is committed).

Each entry: (name, file name as sent, bytes, expectation). Expectation "reject": the file must be
refused before or while parsing with a clear Vietnamese message; "findings": the file is one of our
workbooks with bad content, which must be read and reported, never crash anything.
"""
from __future__ import annotations

import io
import re
import zipfile

from openpyxl import load_workbook

from workbook_templates.sample import bao_lam_2019, fill_template, unit_info
from workbook_templates.spec import get_form_set


def _add(data: bytes, extra: dict) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, src.read(info.filename))
        for name, body in extra.items():
            z.writestr(name, body)
    return out.getvalue()


def _replace(data: bytes, part: str, fn) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == part:
                body = fn(body)
            if body is not None:
                z.writestr(info.filename, body)
    return out.getvalue()


def _workbook(values=None, edit=None) -> bytes:
    data = fill_template(values or bao_lam_2019(corrected=True))
    if edit is None:
        return data
    wb = load_workbook(io.BytesIO(data))
    edit(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    return out.getvalue()


def _many_entries(n=20000) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for i in range(n):
            z.writestr(f"xl/media/a{i}.bin", b"")
    return out.getvalue()


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1
                                                           else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b']><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                    b'main"><sheets><sheet name="&lol9;" sheetId="1" r:id="rId1"/></sheets>'
                    b"</workbook>")
XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
       b'<sheets><sheet name="&x;" sheetId="1"/></sheets></workbook>')


def corpus() -> list[tuple[str, str, bytes, str]]:
    good = _workbook()
    spec = get_form_set("bao_cao_nam")
    items: list[tuple[str, str, bytes, str]] = []

    def add(name, fname, data, expect="reject"):
        items.append((name, fname, data, expect))

    add("empty", "trong.xlsx", b"")
    add("not_a_zip", "van_ban.xlsx", "Báo cáo năm 2024 — không phải Excel".encode())
    add("pdf_renamed", "bao_cao.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n")
    add("truncated_zip", "cat_cut.xlsx", good[: len(good) // 2])
    add("zip_bomb", "bom.xlsx", _zip_bomb())
    add("many_entries", "nhieu_tep.xlsx", _many_entries())
    add("xml_entity_bomb", "tieng_cuoi.xlsx",
        _replace(good, "xl/workbook.xml", lambda b: BILLION_LAUGHS))
    add("external_entity", "xxe.xlsx", _replace(good, "xl/workbook.xml", lambda b: XXE))
    add("encrypted_ole", "mat_khau.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    add("xls_97", "cu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\1" * 2048)
    add("macro_enabled", "macro.xlsm", _add(good, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0VBA"}))
    add("no_content_types", "thieu.xlsx",
        _replace(good, "[Content_Types].xml", lambda b: None))
    add("no_workbook_part", "thieu_wb.xlsx", _replace(good, "xl/workbook.xml", lambda b: None))
    add("garbage_sheet_xml", "hong.xlsx",
        _replace(good, "xl/worksheets/sheet4.xml", lambda b: b"<worksheet><sheetData><row"))

    def other(wb):
        del wb["_meta"]
    add("wrong_template", "bang_luong.xlsx", _workbook(edit=other))
    for ver, label in (("0.9", "old_template_version"), ("9.9", "unknown_template_version")):
        add(label, f"v{ver}.xlsx",
            _workbook(edit=lambda wb, v=ver: wb["_meta"].__setitem__("B2", v)))
    add("other_template_id", "khac.xlsx",
        _workbook(edit=lambda wb: wb["_meta"].__setitem__("B1", "mau_khac")))
    add("renamed_sheet", "doi_ten.xlsx",
        _workbook(edit=lambda wb: setattr(wb["Biểu 3"], "title", "Bieu3")))

    def huge(wb):
        ws = wb["Biểu 4"]
        for r in range(200, 200 + 20000):     # below the form (60 rows, notes, signature)
            ws.cell(r, 2, "x" * 50)
    add("huge_sheet", "lon.xlsx", _workbook(edit=huge), "findings")

    def thousands(wb):
        for i in range(2000):
            wb.create_sheet(f"S{i}")
    def far_cell(wb):
        wb["Biểu 3"]["XFD1048576"] = 1
    add("far_away_cell", "o_xa.xlsx", _workbook(edit=far_cell))
    add("far_dimension", "kich_thuoc.xlsx", _replace(
        good, "xl/worksheets/sheet1.xml",
        lambda b: b.replace(b"<sheetPr", b'<dimension ref="A1:XFD1048576"/><sheetPr', 1)
        if b"<dimension" not in b else re.sub(rb'<dimension ref="[^"]*"',
                                              b'<dimension ref="A1:XFD1048576"', b)))

    add("thousands_of_sheets", "nghin_sheet.xlsx", _workbook(edit=thousands))

    # our workbook, bad content: read and reported
    add("wrong_year_future", "nam_2099.xlsx", _workbook(dict(bao_lam_2019(True), TT_Nam=2099)),
        "findings")
    add("wrong_year_text", "nam_chu.xlsx",
        _workbook(dict(bao_lam_2019(True), TT_Nam="năm nay")), "findings")
    counts = {c.name: "mười hai" for c in spec.inputs() if c.kind == "count"}
    add("text_in_every_number_cell", "chu.xlsx", _workbook(dict(unit_info(), **counts)),
        "findings")
    texts = {c.name: '=HYPERLINK("http://evil.example/x","bấm")'
             for c in spec.inputs() if c.kind == "text"}
    add("formula_injection_in_text", "cong_thuc.xlsx", _workbook(dict(unit_info(), **texts)),
        "findings")
    add("negative_and_fractions", "am.xlsx",
        _workbook(dict(bao_lam_2019(True), XL_DV_XS=-5, XL_DV_HT=1.5)), "findings")
    add("path_in_file_name", "../../etc/passwd.xlsx", good, "findings")
    add("windows_path_in_name", "..\\..\\Windows\\win.ini.xlsx", good, "findings")
    add("control_chars_in_name", "bao\x00cao\n.xlsx", good, "findings")
    add("very_long_name", ("tên" * 200) + ".xlsx", good, "findings")
    add("unicode_sheet_text", "unicode.xlsx",
        _workbook(dict(bao_lam_2019(True), TT_DonVi="\u202eĐảng bộ\u200b xã 🙂" * 50)),
        "findings")
    return items
