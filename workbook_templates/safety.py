"""Cheap checks on an .xlsx package before any parsing: a file that is not a zip, a zip bomb,
thousands of entries, encryption, XML with a DTD (entity bombs, external entities), active content
(macros, external links, DDE, OLE/ActiveX) and a shape far beyond the templates'.

Everything here reads the zip directory and the XML parts within the declared limits (a few
hundred KB for a real workbook); nothing is decompressed beyond them and no XML tree is built.
Active content is recognised by what a part *is* (its content type, its relationship type, an
OLE compound file's magic bytes), never by its name: a VBA project renamed `xl/data.bin` is the
same VBA project. The reader and the server share it.
"""
from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass

from .errors import NotTaken
from .findings import fmt_int

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * 1024 * 1024          # the upload itself
    max_entries: int = 400
    max_uncompressed: int = 60 * 1024 * 1024  # all parts together
    max_ratio: int = 120                       # uncompressed / compressed, per large part
    max_sheets: int = 40
    # The templates' known shape: the forms' largest sheet is 56 rows by 20 columns and a whole
    # workbook holds about 1,300 cells, besides the member register (SPEC §8: 4,000 rows of 13
    # columns; a commune has 1,000–2,000 members, and a list pasted past the form's last row
    # must still be read to be reported, R-DS-DAY). tests/test_hostile_reader.py checks the
    # templates stay well under these. The report sheet of an annotated copy adds one row a
    # finding.
    max_xml_part: int = 12 * 1024 * 1024      # one XML part, uncompressed (5,000 members ≈ 4 MB)
    max_xml_total: int = 24 * 1024 * 1024     # all XML parts together
    max_rows: int = 10_000                     # per sheet
    max_cols: int = 64                         # per sheet (column BL)
    max_cells: int = 100_000                   # all sheets together
    max_shared_strings: int = 60_000


DEFAULT = Limits()


class UnsafeFile(NotTaken):
    """Refused before reading; str() is the Vietnamese message, .code a stable identifier (its
    HTTP status and exit code: `errors.NotTaken`)."""

    def __init__(self, message: str, code: str):
        super().__init__(message, code)


@dataclass(frozen=True)
class Package:
    """An .xlsx that passed the checks: its open zip and workbook.xml (read once, used again by
    the reader)."""

    zip: zipfile.ZipFile
    workbook_xml: bytes


def check_package(data: bytes, name: str = "tệp", limits: Limits = DEFAULT) -> Package:
    """Raise UnsafeFile with a Vietnamese message, or return the opened package."""
    if not data:
        raise UnsafeFile(f"Tệp {name} rỗng (0 byte). Hãy chọn lại tệp biểu đã lưu.", "empty")
    if len(data) > limits.max_bytes:
        raise UnsafeFile(f"Tệp {name} quá lớn ({fmt_int(len(data) // 1024)} KB, tối đa "
                         f"{fmt_int(limits.max_bytes // 1024)} KB). Biểu mẫu thật chỉ vài chục "
                         "KB; "
                         "hãy xóa ảnh, sheet thừa rồi lưu lại.", "too_large")
    if data.startswith(OLE_MAGIC):
        raise UnsafeFile(f"Tệp {name} là tệp Excel 97–2003 (.xls) hoặc tệp có đặt mật khẩu. "
                         "Hãy gỡ mật khẩu và lưu dạng «Sổ làm việc Excel (.xlsx)».", "encrypted")
    if not data.startswith(b"PK"):
        raise UnsafeFile(f"Tệp {name} không phải tệp Excel .xlsx. Hãy gửi tệp làm từ mẫu biểu.",
                         "not_xlsx")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError) as e:
        raise UnsafeFile(f"Tệp {name} bị hỏng hoặc chưa tải lên trọn vẹn ({e}). Hãy mở bằng "
                         "Excel, lưu lại rồi gửi lại.", "bad_zip") from e
    if len(infos) > limits.max_entries:
        raise UnsafeFile(f"Tệp {name} chứa {fmt_int(len(infos))} phần, quá nhiều cho một biểu "
                         f"mẫu (tối đa {fmt_int(limits.max_entries)}).", "too_many_entries")
    total = 0
    for info in infos:
        total += info.file_size
        if info.flag_bits & 0x1:
            raise UnsafeFile(f"Tệp {name} được mã hóa. Hãy gỡ mật khẩu rồi gửi lại.",
                             "encrypted")
        if info.file_size > 1024 * 1024 and \
                info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise UnsafeFile(f"Tệp {name} có phần «{info.filename}» nén bất thường (có thể là "
                             "bom nén). Tệp bị từ chối.", "zip_bomb")
    if total > limits.max_uncompressed:
        raise UnsafeFile(f"Tệp {name} khi giải nén lớn {total // (1024 * 1024)} MB, vượt mức "
                         f"{limits.max_uncompressed // (1024 * 1024)} MB cho một biểu mẫu.",
                         "too_large_uncompressed")
    names = {i.filename for i in infos}
    _check_names(infos, name)
    kinds = _check_active(z, infos, name)
    for part in ("[Content_Types].xml", "xl/workbook.xml"):
        if part not in names:
            raise UnsafeFile(f"Tệp {name} thiếu phần «{part}» nên không phải sổ tính Excel hợp "
                             "lệ. Hãy mở bằng Excel, lưu lại rồi gửi.", "not_xlsx")
    wb = z.read("xl/workbook.xml")
    if b"<!DOCTYPE" in wb or b"<!ENTITY" in wb:
        raise UnsafeFile(f"Tệp {name} có khai báo XML không được phép (DTD/ENTITY). Tệp bị từ "
                         "chối.", "xml_dtd")
    sheets = wb.count(b"<sheet ") + wb.count(b":sheet ")
    if sheets > limits.max_sheets:
        raise UnsafeFile(f"Tệp {name} có {sheets} sheet, quá nhiều cho một biểu mẫu (tối đa "
                         f"{limits.max_sheets}).", "too_many_sheets")
    _check_shape(z, infos, kinds, name, limits, _sheet_names(z, wb))
    return Package(z, wb)


# --- part names ----------------------------------------------------------------------------------

def _check_names(infos, name: str) -> None:
    """Two entries whose names differ only in case (or are equal) are one part to Excel and two
    to a zip reader: which one a reader takes is up to the reader, so such a file is refused."""
    seen: set[str] = set()
    for info in infos:
        n = info.filename.replace("\\", "/").lower()
        if n in seen or n.startswith("/") or ".." in n.split("/"):
            raise UnsafeFile(f"Tệp {name} có phần «{info.filename}» trùng tên hoặc đặt sai chỗ nên "
                             "không phải tệp Excel hợp lệ. Hãy mở bằng Excel, lưu lại rồi gửi.",
                             "bad_part_name")
        seen.add(n)


# --- active content ------------------------------------------------------------------------------

# What a plain workbook made from our templates (by Excel 2016-365, LibreOffice, WPS or openpyxl)
# may hold, by content type. Anything else is a part the template never has: refused, with the
# active kinds named for the user.
ALLOWED_TYPES = (
    "application/xml", "text/xml",
    "application/vnd.openxmlformats-package.relationships+xml",
    "application/vnd.openxmlformats-package.core-properties+xml",
    "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    "application/vnd.openxmlformats-officedocument.custom-properties+xml",
    "application/vnd.openxmlformats-officedocument.customxmlproperties+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedstrings+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.calcchain+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.printersettings",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheetmetadata+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml",
    "application/vnd.openxmlformats-officedocument.theme+xml",
    "application/vnd.openxmlformats-officedocument.themeoverride+xml",
    "application/vnd.openxmlformats-officedocument.drawing+xml",
    "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
    "application/vnd.openxmlformats-officedocument.vmldrawing",
    "application/vnd.ms-excel.threadedcomments+xml",
    "application/vnd.ms-excel.person+xml",
    "application/vnd.ms-office.chartstyle+xml",
    "application/vnd.ms-office.chartcolorstyle+xml",
    "image/png", "image/jpeg", "image/gif", "image/x-emf", "image/x-wmf", "image/bmp",
    "image/tiff",
)
# Substrings of content or relationship types that are active content, and what to call them.
ACTIVE_KINDS = (
    ("vbaproject", "macro (VBA)"), ("macrosheet", "sheet macro (XLM)"),
    ("macroenabled", "macro"), ("vbadata", "macro (VBA)"), ("activex", "điều khiển ActiveX"),
    ("oleobject", "đối tượng nhúng OLE"), ("embeddings", "đối tượng nhúng"),
    ("package", "đối tượng nhúng"), ("externallink", "liên kết ngoài"),
    ("connections", "kết nối dữ liệu ngoài"), ("querytable", "truy vấn dữ liệu ngoài"),
    ("dialogsheet", "hộp thoại macro"), ("ctrlprop", "điều khiển biểu mẫu"),
    ("control", "điều khiển biểu mẫu"), ("attachedtemplate", "mẫu đính kèm bên ngoài"),
    ("webextension", "phần bổ trợ nhúng"), ("taskpane", "phần bổ trợ nhúng"),
    ("dde", "liên kết DDE"),
)
_CT = re.compile(rb'<(?:\w+:)?(Default|Override)\b([^>]*)>', re.I)
_ATTRS = re.compile(rb'([\w:]+)\s*=\s*("[^"]*"|\'[^\']*\')')
_REL_EL = re.compile(rb'<(?:\w+:)?Relationship\b([^>]*)>', re.I)
_FORMULA_TEXT = re.compile(rb'<(?:\w+:)?f\b[^>]*>(.*?)</(?:\w+:)?f>', re.S)
_DDE_ELEMENT = re.compile(rb'<(?:\w+:)?dde(?:Link|Item|Service)\b', re.I)
_QUOTED = re.compile(r'"[^"]*"|\'[^\']*\'')


def _attrs(raw: bytes) -> dict[str, str]:
    return {k.decode("ascii", "replace").split(":")[-1].lower(): html.unescape(
        v[1:-1].decode("utf-8", "replace")) for k, v in _ATTRS.findall(raw)}


def _active_kind(text: str) -> str | None:
    low = text.lower()
    for key, label in ACTIVE_KINDS:
        if key in low:
            return label
    return None


def _refuse_active(name: str, label: str, part: str):
    raise UnsafeFile(f"Tệp {name} chứa {label} (phần «{part}»). Biểu mẫu không được chứa macro, "
                     "liên kết ngoài hay đối tượng nhúng: hãy chép số liệu sang mẫu biểu gốc, lưu "
                     "dạng «Sổ làm việc Excel (.xlsx)» rồi gửi lại.", "active_content")


# What XML 1.0 forbids and Excel never writes (it writes a control character as _x0001_): a raw
# control byte, or a character reference to one. Readers disagree on such a part (calamine
# reads it, openpyxl stops), so it is refused before either sees it.
# references that may name an illegal character (tab, LF, CR excluded: openpyxl writes &#10;
# for every line break); each match is then checked exactly
_CHAR_REF = re.compile(rb"&#([xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}"
                       rb"|[fF]{3}[eEfF])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|5[5-7][0-9]{3}"
                       rb"|6553[45]));")


def _legal(cp: int) -> bool:
    return cp in (9, 10, 13) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or \
        0x10000 <= cp <= 0x10FFFF


def _not_xml(data: bytes) -> tuple[int, bytes] | None:
    """(position, what) of the first raw control byte or reference to an illegal character."""
    if len(data.translate(None, _CONTROL_BYTES)) != len(data):      # C speed
        pos = min(i for i in (data.find(bytes((b,))) for b in _CONTROL_BYTES) if i >= 0)
        return pos, data[pos:pos + 1]
    if b"&#" not in data:
        return None
    for m in _CHAR_REF.finditer(data):
        ref = m.group(1)
        cp = int(ref[1:], 16) if ref[:1] in b"xX" else int(ref)
        if not _legal(cp):
            return m.start(), m.group(0)
    return None


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))


def _shown(found: bytes) -> str:
    return f"mã U+{found[0]:04X}" if len(found) == 1 else f"«{found.decode('ascii', 'replace')}»"


def xml_text(data: bytes, part: str, name: str) -> bytes:
    """An XML part as UTF-8 bytes, refusing any other encoding and any DTD.

    Excel, LibreOffice and WPS write UTF-8; a part in UTF-16 (or declaring another encoding)
    would slip past every byte-level check below, so it is refused rather than decoded."""
    head = data[:200]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
        raise UnsafeFile(f"Tệp {name} có phần «{part}» mã hóa UTF-16, Excel không lưu như vậy. "
                         "Hãy mở bằng Excel, lưu lại dạng .xlsx rồi gửi.", "xml_encoding")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    m = re.match(rb'\s*<\?xml[^>]*encoding\s*=\s*["\']([^"\']+)', head)
    if m and m.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        enc = m.group(1).decode("ascii", "replace")
        raise UnsafeFile(f"Tệp {name} có phần «{part}» mã hóa «{enc}», Excel không lưu như vậy. "
                         "Hãy mở bằng Excel, lưu lại dạng .xlsx rồi "
                         "gửi.", "xml_encoding")
    bad = _not_xml(data)
    if bad:
        raise UnsafeFile(f"Tệp {name} có phần «{part}» chứa ký tự mà tệp Excel không được chứa "
                         f"({_shown(bad[1])} ở vị trí {bad[0]})"
                         ". Excel không lưu như vậy: hãy mở bằng Excel, lưu lại rồi gửi.",
                         "xml_invalid")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise UnsafeFile(f"Tệp {name} có khai báo XML không được phép (DTD/ENTITY) ở phần "
                         f"«{part}». Tệp bị từ chối.", "xml_dtd")
    return data


def _check_active(z: zipfile.ZipFile, infos, name: str) -> dict[str, str]:
    """Refuse macros, macro sheets, external links, DDE, OLE and ActiveX objects and any part
    whose content type a plain workbook never has. Returns each part's content type."""
    by_lower = {i.filename.lower(): i for i in infos}
    ct_info = by_lower.get("[content_types].xml")
    if ct_info is None:
        return {}                             # reported below as not an .xlsx
    if ct_info.file_size > 1024 * 1024:
        raise UnsafeFile(f"Tệp {name} có phần [Content_Types].xml lớn bất thường. Tệp bị từ chối.",
                         "bad_part_name")
    types = xml_text(z.read(ct_info), "[Content_Types].xml", name)
    defaults, overrides = {}, {}
    for kind, raw in _CT.findall(types):
        a = _attrs(raw)
        ctype = a.get("contenttype", "").split(";")[0].strip().lower()
        if kind.lower() == b"default":
            defaults[a.get("extension", "").lower()] = ctype
        else:
            overrides[a.get("partname", "").lstrip("/").lower()] = ctype
    kinds = {}
    for info in infos:
        low = info.filename.lower()
        if low.endswith("/"):
            continue
        with z.open(info) as f:
            magic = f.read(8)
        if magic == OLE_MAGIC:       # a compound file inside: VBA, OLE object, any binary embed
            _refuse_active(name, "đối tượng nhúng hoặc macro", info.filename)
        ctype = overrides.get(low) or defaults.get(low.rsplit(".", 1)[-1] if "." in low else "")
        if low == "[content_types].xml":
            continue
        kinds[info.filename] = ctype
        if ctype is None or ctype not in ALLOWED_TYPES:
            label = _active_kind(ctype or "") or _active_kind(low)
            if label:
                _refuse_active(name, label, info.filename)
            raise UnsafeFile(f"Tệp {name} có phần «{info.filename}» ({ctype or 'không khai báo'}) "
                             "mà mẫu biểu không bao giờ có. Hãy chép số liệu sang mẫu biểu gốc, "
                             "lưu dạng «Sổ làm việc Excel (.xlsx)» rồi gửi lại.", "unknown_part")
        if low.endswith(".rels"):
            rels = xml_text(z.read(info), info.filename, name)
            for raw in _REL_EL.findall(rels):
                a = _attrs(raw)
                rtype = a.get("type", "").lower()
                label = _active_kind(rtype.rsplit("/", 1)[-1])
                if label:
                    _refuse_active(name, label, info.filename)
                if a.get("targetmode", "").lower() == "external" and \
                        not rtype.endswith("/hyperlink"):
                    _refuse_active(name, "liên kết ngoài", info.filename)
    return kinds


# --- shape ---------------------------------------------------------------------------------------

_CELL = re.compile(rb'<(?:\w+:)?c[\s>/]')
_ROW_EL = re.compile(rb'<(?:\w+:)?row[\s>/]')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br\s*=\s*["\']([A-Za-z]{1,3})([0-9]{1,7})["\']')
_CELL_REF_FAST = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_REF_FAST = re.compile(rb'<row r="([0-9]{1,7})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br\s*=\s*["\']([0-9]{1,7})["\']')
_SI = re.compile(rb'<(?:\w+:)?si[\s>/]')
_SST = re.compile(rb'<(?:\w+:)?sst[\s>/]')
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedstrings+xml"


def _sheet_names(z: zipfile.ZipFile, wb: bytes) -> dict[str, str]:
    """Part name (lower case) -> the sheet's name, so that a message names the sheet the user
    sees; a part not found keeps its own name."""
    out = {}
    try:
        rels = z.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return out
    targets = {}
    for raw in _REL_EL.findall(rels):
        a = _attrs(raw)
        t = a.get("target", "")
        t = t.lstrip("/") if t.startswith("/") else "xl/" + t
        targets[a.get("id", "")] = t.lower()
    for raw in re.findall(rb"<(?:\w+:)?sheet\b([^>]*)>", wb):
        a = _attrs(raw)
        if a.get("id") in targets:
            out[targets[a["id"]]] = a.get("name", "")
    return out


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _check_shape(z: zipfile.ZipFile, infos, kinds: dict[str, str], name: str,
                 limits: Limits, sheets: dict[str, str]) -> None:
    """Every XML part within its size, every sheet within the templates' rows and columns, the
    whole workbook within a cell count and a shared-string count. One regex pass a part."""
    total_xml = cells = 0
    for info in infos:
        low = info.filename.lower()
        ctype = kinds.get(info.filename) or ""
        if low.endswith("/") or ctype.startswith("image/") or ctype.endswith("printersettings"):
            continue            # binary parts, neither parsed by the reader nor XML
        if info.file_size > limits.max_xml_part:
            what = f"sheet «{sheets[low]}»" if low in sheets else f"phần «{info.filename}»"
            raise UnsafeFile(f"Tệp {name} có {what} lớn "
                             f"{fmt_int(info.file_size // 1024)} KB khi giải nén, biểu mẫu thật "
                             "chỉ vài chục KB. Hãy xóa dữ liệu, sheet thừa rồi lưu lại.",
                             "part_too_large")
        total_xml += info.file_size
        if total_xml > limits.max_xml_total:
            raise UnsafeFile(f"Tệp {name} khi giải nén lớn hơn {limits.max_xml_total // 2**20} MB,"
                             " biểu mẫu thật chỉ vài trăm KB. Hãy xóa dữ liệu, sheet thừa rồi lưu "
                             "lại.", "too_large_uncompressed")
        # every XML part: UTF-8, no DTD (openpyxl and calamine parse styles, comments, … too)
        xml = xml_text(z.read(info), info.filename, name)
        # a sheet is known by its type, by workbook.xml pointing at it, or by what it holds:
        # readers follow relationships, not content types, so all three count
        is_sheet = ctype == WORKSHEET_TYPE or low in sheets or b"sheetData" in xml
        is_strings = ctype == STRINGS_TYPE or _SST.search(xml, 0, 4096) is not None
        if not (is_sheet or is_strings):
            continue
        if is_strings and not is_sheet:
            n = len(_SI.findall(xml))
            if n > limits.max_shared_strings:
                raise UnsafeFile(f"Tệp {name} có {fmt_int(n)} chuỗi chữ khác nhau, vượt mức "
                                 f"{fmt_int(limits.max_shared_strings)} của một biểu mẫu. Hãy "
                                 "xóa dữ liệu thừa rồi lưu lại.", "too_many_strings")
            continue
        sheet = sheets.get(low)
        where = f"sheet «{sheet}»" if sheet else f"phần «{info.filename}»"
        if _DDE_ELEMENT.search(xml):
            _refuse_active(name, "liên kết DDE", info.filename)
        for f in _FORMULA_TEXT.findall(xml) if (b"|" in xml or b"&#" in xml) else ():
            if b"|" not in f and b"&#" not in f:
                continue
            text = _QUOTED.sub("", html.unescape(f.decode("utf-8", "replace")))
            if "|" in text:          # =cmd|' /C calc'!A0: a DDE call
                _refuse_active(name, "công thức gọi chương trình ngoài (DDE)",
                               sheet or info.filename)
        if b":sheetData" in xml or b":c " in xml or b":row " in xml:     # prefixed elements
            n_cells, n_rows = len(_CELL.findall(xml)), len(_ROW_EL.findall(xml))
            row_refs = _ROW_REF.findall(xml)
        else:                                   # the usual spelling: counted at C speed
            n_cells = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>")
            n_rows = xml.count(b"<row ") + xml.count(b"<row>") + xml.count(b"<row/>")
            row_refs = _ROW_REF_FAST.findall(xml)
            if len(row_refs) != xml.count(b"<row r="):
                row_refs = _ROW_REF.findall(xml)
        cells += n_cells
        rows = max([int(r) for r in row_refs] + [n_rows])
        refs = _CELL_REF_FAST.findall(xml)       # how Excel, LibreOffice and openpyxl write it
        if len(refs) != n_cells:
            refs = _CELL_REF.findall(xml)
        cols = max(map(_col_number, {c for c, _ in refs}), default=0)
        rows = max(rows, max((int(r) for r in {r for _, r in refs}), default=0))
        if rows > limits.max_rows or cols > limits.max_cols:
            col = f", cột {cols}" if cols else ""
            raise UnsafeFile(f"Tệp {name}: {where} dùng đến dòng {fmt_int(rows)}{col}, vượt xa "
                             f"biểu mẫu (tối đa {fmt_int(limits.max_rows)} dòng, "
                             f"{limits.max_cols} cột)."
                             " Hãy xóa các dòng, cột thừa ở cuối sheet hoặc xóa sheet thừa rồi lưu"
                             " lại.", "sheet_too_large")
        if cells > limits.max_cells:
            raise UnsafeFile(f"Tệp {name} có hơn {fmt_int(limits.max_cells)} ô có nội dung, "
                             "vượt xa biểu mẫu. Hãy xóa các sheet, dòng thừa rồi lưu lại.",
                             "too_many_cells")
