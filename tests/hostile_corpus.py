"""A corpus of hostile and broken uploads, generated (nothing binary is committed).

Each entry: (name, file name as sent, bytes, expectation). Expectation "reject": the file must be
refused before or while parsing with a clear Vietnamese message; "findings": the file is one of our
workbooks with bad content, which must be read and reported, never crash anything.
"""
from __future__ import annotations

import fcntl
import hashlib
import io
import pickle
import re
import zipfile
from functools import cache
from pathlib import Path

from openpyxl import load_workbook

from workbook_templates.safety import DEFAULT as LIMITS
from workbook_templates.sample import bao_lam_2019, fill_template, unit_info
from workbook_templates.spec import get_form_set

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "test-output" / ".cache"


def _digest() -> str:
    """Everything the corpora are made from: both corpus modules, the workbook_templates package
    (its code and templates) and openpyxl's version."""
    import openpyxl
    h = hashlib.sha256(openpyxl.__version__.encode())
    files = [ROOT / "tests" / "hostile_corpus.py", ROOT / "tests" / "hostile_corpus_2.py"]
    files += sorted(f for f in (ROOT / "workbook_templates").rglob("*")
                    if f.is_file() and "__pycache__" not in f.parts)
    for f in files:
        h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def built_once(name: str, build):
    """`build()`, made once whichever test process asks first (pytest-xdist runs one per core,
    and each collects the whole suite: the corpora took 16 s of CPU in each) and kept in
    test-output/.cache/ under the digest of what it is made from, so a run with nothing changed
    reads it back. The others wait on a lock and read the file."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}-{_digest()}.pickle"
    with open(CACHE / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return pickle.loads(path.read_bytes())
        items = build()
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)
        for old in CACHE.glob(f"{name}-*.pickle"):
            if old != path:
                old.unlink()
        return items


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


@cache
def _good() -> bytes:
    """The Bảo Lâm 2019 workbook, filled once: most entries are it with one thing changed."""
    return fill_template(bao_lam_2019(corrected=True))


def _workbook(values=None, edit=None) -> bytes:
    data = fill_template(values) if values else _good()
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


EMPTY_SHEET = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               b'<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/><pageSetUpPr/></sheetPr>'
               b'<dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"><selection '
               b'activeCell="A1" sqref="A1"/></sheetView></sheetViews><sheetFormatPr '
               b'baseColWidth="8" defaultRowHeight="15"/><sheetData/><pageMargins left="0.75" '
               b'right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>')


def _many_sheets(data: bytes, n: int) -> bytes:
    """`data` with n more empty sheets S0…S{n-1}, each declared in the workbook, its
    relationships and content types — the parts openpyxl writes for `create_sheet`, written
    straight into the zip (openpyxl takes seconds for 2,000 sheets)."""
    ns_r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ws_type = ns_r + "/worksheet"
    ws_ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    first = 1 + len(re.findall(rb"<sheet ", zipfile.ZipFile(io.BytesIO(data))
                               .read("xl/workbook.xml")))
    ids = range(first, first + n)
    sheets = "".join(f'<sheet xmlns:r="{ns_r}" name="S{i - first}" sheetId="{i}" '
                     f'state="visible" r:id="rIdS{i}"/>' for i in ids).encode()
    rels = "".join(f'<Relationship Type="{ws_type}" Target="/xl/worksheets/sheet{i}.xml" '
                   f'Id="rIdS{i}"/>' for i in ids).encode()
    types = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                    f'ContentType="{ws_ctype}"/>' for i in ids).encode()
    for part, end, more in (("xl/workbook.xml", b"</sheets>", sheets),
                            ("xl/_rels/workbook.xml.rels", b"</Relationships>", rels),
                            ("[Content_Types].xml", b"</Types>", types)):
        data = _replace(data, part, lambda b, end=end, more=more: b.replace(end, more + end))
    return _add(data, {f"xl/worksheets/sheet{i}.xml": EMPTY_SHEET for i in ids})


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


CT_OVERRIDE = ('<Override PartName="/{part}" ContentType="{ctype}"/></Types>')


def _with_part(data: bytes, part: str, ctype: str, body: bytes, rel_type: str | None = None,
               rel_from: str = "xl/_rels/workbook.xml.rels", target: str | None = None,
               external: bool = False) -> bytes:
    """Add a part declared with its content type (and a relationship to it), as Excel would."""
    def types(b):
        return b.replace(b"</Types>", CT_OVERRIDE.format(part=part, ctype=ctype).encode())

    def rels(b):
        mode = ' TargetMode="External"' if external else ""
        return b.replace(b"</Relationships>", (
            f'<Relationship Id="rIdX9" Type="{rel_type}" Target="{target or "/" + part}"'
            f'{mode}/></Relationships>').encode())
    data = _replace(data, "[Content_Types].xml", types)
    if rel_type:
        data = _replace(data, rel_from, rels)
    return _add(data, {part: body})


def sheet_part(data: bytes, sheet: str) -> str:
    """The zip part of a sheet, by its name (openpyxl numbers them in order)."""
    from workbook_templates.read import sheet_paths
    return sheet_paths(zipfile.ZipFile(io.BytesIO(data)))[sheet]


def formula_in_input(data: bytes) -> tuple[bytes, str]:
    """An input count cell holding <f>1</f><v>100</v>: a formula whose cached value is 100."""
    spec = get_form_set("bao_cao_nam")
    c = next(c for c in spec.inputs() if c.kind == "count" and c.sheet == "Biểu 1")
    part = sheet_part(data, c.sheet)

    def edit(xml):
        new, n = re.subn(rb'<c r="%s"([^>]*?)(?:/>|>.*?</c>)' % c.a1.encode(),
                         b'<c r="%s"\\1><f>1</f><v>100</v></c>' % c.a1.encode(), xml, count=1)
        assert n == 1
        return new
    return _replace(data, part, edit), c.name


OLE_BLOB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
VBA_TYPE = "application/vnd.ms-office.vbaProject"


@cache  # once per process; callers only read it
def corpus() -> tuple[tuple[str, str, bytes, str], ...]:
    return built_once("corpus", _build)


def _build() -> tuple[tuple[str, str, bytes, str], ...]:
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
    add("huge_sheet", "lon.xlsx", _workbook(edit=huge))

    def far_cell(wb):
        wb["Biểu 3"]["XFD1048576"] = 1
    add("far_away_cell", "o_xa.xlsx", _workbook(edit=far_cell))
    add("far_dimension", "kich_thuoc.xlsx", _replace(
        good, "xl/worksheets/sheet1.xml",
        lambda b: b.replace(b"<sheetPr", b'<dimension ref="A1:XFD1048576"/><sheetPr', 1)
        if b"<dimension" not in b else re.sub(rb'<dimension ref="[^"]*"',
                                              b'<dimension ref="A1:XFD1048576"', b)))

    add("thousands_of_sheets", "nghin_sheet.xlsx", _many_sheets(good, 2000))

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

    # issue 14: active content recognised by what it is, shape beyond the templates', formulas
    add("vba_under_other_name", "du_lieu.xlsx", _with_part(
        good, "xl/data.bin", VBA_TYPE, b"VBA project stored without OLE magic",
        "http://schemas.microsoft.com/office/2006/relationships/vbaProject"))
    add("macro_sheet_xlm", "xlm.xlsx", _with_part(
        good, "xl/macrosheets/sheet1.xml",
        "application/vnd.ms-excel.macrosheet+xml",
        b'<xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"/>',
        "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"))
    add("external_link", "lien_ket.xlsx", _with_part(
        good, "xl/externalLinks/externalLink1.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml",
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<externalBook r:id="rId1"/></externalLink>',
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink"))
    add("dde_link", "dde.xlsx", _with_part(
        good, "xl/externalLinks/externalLink1.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml",
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<ddeLink ddeService="cmd" ddeTopic="/c calc"/></externalLink>',
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink"))
    add("dde_formula", "dde_f.xlsx", _replace(
        good, sheet_part(good, "Biểu 1"),
        lambda b: b.replace(b"</sheetData>", b'<row r="40"><c r="F40"><f>cmd|\' /C calc\'!A0'
                                             b'</f><v>0</v></c></row></sheetData>', 1)))
    add("ole_object", "ole.xlsx", _with_part(
        good, "xl/embeddings/oleObject1.bin",
        "application/vnd.openxmlformats-officedocument.oleObject", OLE_BLOB,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject"))
    add("activex_control", "activex.xlsx", _with_part(
        good, "xl/activeX/activeX1.xml", "application/vnd.ms-office.activeX+xml",
        b'<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" '
        b'ax:classid="{8BD21D40-EC42-11CE-9E0D-00AA006002F3}"/>',
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/control"))
    add("external_target_relationship", "ra_ngoai.xlsx", _replace(
        good, "xl/_rels/workbook.xml.rels",
        lambda b: b.replace(b"</Relationships>", b'<Relationship Id="rIdX8" Type="http://schemas'
                            b'.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                            b'Target="\\\\evil.example\\share\\a.xml" TargetMode="External"/>'
                            b"</Relationships>")))
    add("unknown_part", "la.xlsx", _with_part(good, "xl/foo/bar.xml",
                                             "application/vnd.example.unknown+xml", b"<a/>"))

    def million(wb):
        ws = wb.create_sheet("Thêm")
        for r in range(1, LIMITS.max_rows + 1000):   # past any sheet of the forms and the register
            ws.cell(r, 1, r)
    add("extra_sheet_many_rows", "them_dong.xlsx", _workbook(edit=million))

    def wide(wb):
        ws = wb.create_sheet("Rộng")
        for c in range(1, 200):
            ws.cell(1, c, c)
    add("extra_sheet_wide", "rong.xlsx", _workbook(edit=wide))
    strings = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               + b"".join(b"<si><t>%d</t></si>" % i
                          for i in range(LIMITS.max_shared_strings + 10_000))
               + b"</sst>")
    add("many_shared_strings", "chuoi.xlsx", _with_part(
        good, "xl/sharedStrings.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml", strings,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings",
        target="sharedStrings.xml"))
    add("formula_in_input_cell", "cong_thuc_nhap.xlsx", formula_in_input(good)[0], "findings")
    control = dict(bao_lam_2019(True), TT_DonVi="Đảng bộ\x01 xã\x0b Lộc\x1f")
    add("control_chars_in_text", "ky_tu_dieu_khien.xlsx", _escaped_controls(control), "findings")
    return tuple(items)


def _escaped_controls(values) -> bytes:
    """Control characters written as Excel writes them (_x0001_), which openpyxl cannot."""
    clean = {k: (v.replace("\x01", "<<1>>").replace("\x0b", "<<11>>").replace("\x1f", "<<31>>")
                 if isinstance(v, str) else v) for k, v in values.items()}
    data = fill_template(clean)

    def esc(b):
        return (b.replace(b"&lt;&lt;1&gt;&gt;", b"_x0001_")
                .replace(b"&lt;&lt;11&gt;&gt;", b"_x000B_")
                .replace(b"&lt;&lt;31&gt;&gt;", b"_x001f_").replace(b"<<1>>", b"_x0001_")
                .replace(b"<<11>>", b"_x000B_").replace(b"<<31>>", b"_x001f_"))
    src = zipfile.ZipFile(io.BytesIO(data))
    for part in src.namelist():
        if part.endswith(".xml") and b"&lt;&lt;1&gt;&gt;" in src.read(part) or \
                part.endswith(".xml") and b"<<1>>" in src.read(part):
            data = _replace(data, part, esc)
    return data
