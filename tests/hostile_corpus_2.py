"""A second round of hostile files, made differently from `hostile_corpus` (issue 14, "done
when"): other escapes, other part names and cases, other encodings, other element prefixes and
attribute orders. Each must be refused, or read and reported, exactly as its first-round twin.

Same shape as the first corpus: (name, file name as sent, bytes, "reject" | "findings").
"""
from __future__ import annotations

import io
import re
import zipfile
from functools import cache

from hostile_corpus import OLE_BLOB, _add, _replace, _with_part, _workbook, built_once, sheet_part

from workbook_templates.safety import DEFAULT as LIMITS
from workbook_templates.spec import get_form_set

SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _rebuild(data: bytes, rename=None, extra=()) -> bytes:
    """The same parts, with entry names changed by `rename` and raw extra entries appended
    (zipfile would refuse none of these, Excel might read some)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(rename(info.filename) if rename else info.filename,
                       src.read(info.filename))
        for name, body in extra:
            z.writestr(name, body)
    return out.getvalue()


def _utf16(b: bytes) -> bytes:
    text = b.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return b"\xff\xfe" + text.encode("utf-16-le")


def _input_cell(sheet="Biểu 1"):
    spec = get_form_set("bao_cao_nam")
    return next(c for c in spec.inputs() if c.kind == "count" and c.sheet == sheet)


def _cell_xml(data: bytes, cell, new: bytes) -> bytes:
    def edit(xml):
        out, n = re.subn(rb'<c r="%s"([^>]*?)(?:/>|>.*?</c>)' % cell.a1.encode(), new, xml,
                         count=1, flags=re.S)
        assert n == 1
        return out
    return _replace(data, sheet_part(data, cell.sheet), edit)


def _text_cell(data: bytes, name: str, raw_inline: bytes) -> bytes:
    """The text cell `name` written as an inline string with raw XML content."""
    c = get_form_set("bao_cao_nam").cells[name]
    return _cell_xml(data, c, b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>'
                     % (c.a1.encode(), raw_inline))


@cache  # once per process; callers only read it
def corpus2() -> tuple[tuple[str, str, bytes, str], ...]:
    return built_once("corpus2", _build)


def _build() -> tuple[tuple[str, str, bytes, str], ...]:
    good = _workbook()
    items: list[tuple[str, str, bytes, str]] = []

    def add(name, fname, data, expect="reject"):
        items.append((name, fname, data, expect))

    # --- macros and embedded objects under other names, other types, other cases -------------
    add("ole_blob_named_as_image", "anh.xlsx", _add(good, {"xl/media/image1.png": OLE_BLOB}))
    add("ole_blob_as_printer_settings", "in.xlsx",
        _add(_replace(good, "[Content_Types].xml", lambda b: b.replace(
            b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.printerSettings"/></Types>')),
            {"xl/printerSettings/printerSettings1.bin": OLE_BLOB}))
    add("vba_type_upper_case_no_relationship", "hoa.xlsx", _replace(
        _add(good, {"xl/x.dat": b"Attribute VB_Name = \"Module1\""}), "[Content_Types].xml",
        lambda b: b.replace(b"</Types>", b'<Override PartName="/XL/X.DAT" ContentType='
                            b'"APPLICATION/VND.MS-OFFICE.VBAPROJECT"/></Types>')))
    add("macrosheet_by_default_extension", "xlm2.xlsx", _replace(
        _add(good, {"xl/sheets/m1.xlm": b"<macrosheet/>"}), "[Content_Types].xml",
        lambda b: b.replace(b"</Types>", b'<Default Extension="xlm" ContentType="application/'
                            b'vnd.ms-excel.intlmacrosheet+xml"/></Types>')))
    add("macro_enabled_main_part", "chinh.xlsx", _replace(
        good, "[Content_Types].xml", lambda b: b.replace(
            b"spreadsheetml.sheet.main+xml", b"spreadsheetml.sheet.main+xml;x=1").replace(
            b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            b'main+xml;x=1"', b'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main'
            b'+xml"')))
    add("activex_binary_backslash_name", "ax.xlsx",
        _rebuild(good, extra=[("xl\\activeX\\activeX1.bin", OLE_BLOB)]))
    add("external_link_prefixed_single_quotes", "lk2.xlsx", _replace(
        good, "xl/_rels/workbook.xml.rels", lambda b: b.replace(
            b"</Relationships>", b"<pr:Relationship xmlns:pr='http://schemas.openxmlformats.org/"
            b"package/2006/relationships' Id='rIdZ' Type='http://schemas.openxmlformats.org/"
            b"officeDocument/2006/relationships/EXTERNALLINK' Target='externalLinks/e.xml'/>"
            b"</Relationships>")))
    add("ole_object_external_target_in_sheet_rels", "ole2.xlsx", _add(good, {
        "xl/worksheets/_rels/sheet1.xml.rels":
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/image" Target="file:///C:/x.png" TargetMode="EXTERNAL"/>'
            b"</Relationships>"}))
    add("dde_formula_numeric_entity", "dde2.xlsx", _replace(
        good, sheet_part(good, "Biểu 1"), lambda b: b.replace(
            b"</sheetData>", b'<row r="41"><c r="F41"><f>cmd&#124;\' /C calc\'!A0</f><v>0</v>'
            b"</c></row></sheetData>", 1)))
    add("dde_formula_hex_entity_prefixed", "dde3.xlsx", _replace(
        good, sheet_part(good, "Biểu 1"), lambda b: b.replace(
            b"</sheetData>", b'<row r="41"><x:c xmlns:x="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main" r="F41"><x:f>msexcel&#x7C;\'\\..\\..\\calc\'!\'\'</x:f>'
            b"</x:c></row></sheetData>", 1)))
    add("dde_link_element_in_sheet", "dde4.xlsx", _replace(
        good, sheet_part(good, "Biểu 2"), lambda b: b.replace(
            b"</worksheet>", b"<extLst><ddeLink ddeService='cmd' ddeTopic='x'/></extLst>"
                             b"</worksheet>", 1)))
    add("unknown_part_undeclared_extension", "txt.xlsx", _add(good, {"xl/notes.txt": b"hi"}))
    add("connections_part", "ketnoi.xlsx", _with_part(
        good, "xl/connections.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml",
        b'<connections xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<connection id="1" name="q"><dbPr connection="Provider=x" command="y"/></connection>'
        b"</connections>"))

    # --- other part names, cases and paths -------------------------------------------------------
    add("duplicate_workbook_part_other_case", "trung.xlsx", _rebuild(
        good, extra=[("XL/Workbook.xml", b"<workbook/>")]))
    add("traversal_entry_name", "duong_dan.xlsx", _rebuild(
        good, extra=[("../../evil.xml", b"<a/>")]))
    add("sheet_declared_as_plain_xml_huge", "an.xlsx", _replace(
        _add(good, {"xl/worksheets/sheet99.xml":
                    _big_sheet(LIMITS.max_rows + 1000, rows_numbered=True)}),
        "xl/_rels/workbook.xml.rels", lambda b: b.replace(
            b"</Relationships>", b'<Relationship Id="rIdQ" Type="http://schemas.openxmlformats.'
            b'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet99.xml"/>'
            b"</Relationships>")))
    add("sheet_under_odd_name_and_type", "la2.xlsx", _with_part(
        good, "xl/data/payload.dat", SHEET_TYPE,
        _big_sheet(LIMITS.max_rows + 500, rows_numbered=False)))
    add("rows_without_numbers", "khong_so.xlsx", _with_part(
        good, "xl/worksheets/sheet50.xml", SHEET_TYPE,
        _big_sheet(LIMITS.max_rows + 500, rows_numbered=False),
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet",
        target="worksheets/sheet50.xml"))
    # the outside test's file: an extra sheet of a million rows (6.7 MB sent)
    add("million_rows_extra_sheet", "trieu_dong.xlsx", _with_part(
        good, "xl/worksheets/sheet60.xml", SHEET_TYPE, _big_sheet(1_000_000, rows_numbered=True),
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet",
        target="worksheets/sheet60.xml"))
    add("shared_strings_prefixed", "chuoi2.xlsx", _with_part(
        good, "xl/sharedStrings.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
        b'<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"".join(b"<x:si><x:t>%d</x:t></x:si>" % i
                   for i in range(LIMITS.max_shared_strings + 5000)) + b"</x:sst>",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings",
        target="sharedStrings.xml"))

    # --- other encodings -------------------------------------------------------------------------
    add("content_types_utf16", "u16.xlsx", _replace(good, "[Content_Types].xml", _utf16))
    add("sheet_xml_utf16", "u16s.xlsx", _replace(good, sheet_part(good, "Biểu 3"), _utf16))
    add("styles_declares_latin1", "l1.xlsx", _replace(
        good, "xl/styles.xml", lambda b: re.sub(rb"^(<\?xml[^>]*?)(\?>)",
                                                rb'\1 encoding="ISO-8859-1"\2', b)
        if b.startswith(b"<?xml") else b'<?xml version="1.0" encoding="ISO-8859-1"?>' + b))
    add("doctype_in_styles", "dtd.xlsx", _replace(
        good, "xl/styles.xml",
        lambda b: b'<!DOCTYPE s [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + b))

    # --- formulas in input cells, written differently --------------------------------------------
    c = _input_cell()
    add("input_formula_attribute_order", "f1.xlsx", _cell_xml(
        good, c, b'<c s="0" t="n" r="%s"><f>1</f><v>100</v></c>' % c.a1.encode()), "findings")
    add("input_formula_prefixed", "f2.xlsx", _cell_xml(
        good, c, b'<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'r="%s"><x:f>1</x:f><x:v>100</x:v></x:c>' % c.a1.encode()), "findings")
    add("input_formula_shared_empty", "f3.xlsx", _cell_xml(
        good, c, b'<c r="%s"><f t="shared" si="7"/><v>100</v></c>' % c.a1.encode()),
        "findings")

    # --- characters an .xlsx cell cannot hold, written other ways --------------------------------
    add("control_x000B_inline", "k1.xlsx",
        _text_cell(good, "TT_DonVi", b"\xc4\x90\xe1\xba\xa3ng b\xe1\xbb\x99_x000B_x\xc3\xa3"),
        "findings")
    add("control_lowercase_and_null", "k2.xlsx",
        _text_cell(good, "TT_DonVi", b"A_x001b_B_x0000_C_xfffe_D"), "findings")
    # a character reference to a control character is not XML at all (Excel never writes one;
    # calamine reads it, openpyxl stops): refused
    add("control_numeric_entity", "k3.xlsx",
        _text_cell(good, "TT_DonVi", b"A&#11;B&#x1F;C"))
    add("control_raw_byte", "k5.xlsx", _text_cell(good, "TT_DonVi", b"A\x01B"))
    add("formula_like_text_inline", "k4.xlsx",
        _text_cell(good, "TT_DonVi", b'=HYPERLINK("http://evil.example","x")'), "findings")
    return tuple(items)


def _big_sheet(rows: int, rows_numbered: bool) -> bytes:
    row = (lambda i: b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i)) if rows_numbered \
        else (lambda i: b"<row><c><v>1</v></c></row>")
    return (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData>" + b"".join(row(i) for i in range(1, rows + 1))
            + b"</sheetData></worksheet>")
