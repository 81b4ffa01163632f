"""Cheap checks on an upload before any parsing, so a hostile file costs the server nothing.

The core's `workbook_templates.safety.check_package` looks at the zip directory (not a zip,
entries, sizes and ratios, encryption, macros, DTDs). The server adds two checks of its own:

* `xl/workbook.xml` parsed with defusedxml must list the hidden `_meta` sheet of our templates;
* the cells a sheet declares must fit a sane grid: python-calamine allocates the whole rectangle
  from A1 to the last used cell, so a single value at XFD1048576 asks for 512 GB and aborts the
  process (tried: Rust `memory allocation failed`, the interpreter dies). Only the `r="…"`
  attributes are scanned, with a regular expression over bytes — no XML tree is built.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from workbook_templates.findings import fmt_int
from workbook_templates.safety import Limits, UnsafeFile, check_package
from workbook_templates.spec import META_SHEET

MAX_GRID_CELLS = 2_000_000   # rows × columns of the rectangle the reader will allocate, per sheet

_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3})([0-9]{1,7})\"")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"([0-9]{1,7})\"")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s/>]")
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@dataclass
class Rejected(Exception):
    code: str
    message: str
    status: int = 422

    def __str__(self):
        return self.message


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def check_upload(data: bytes, filename: str, max_bytes: int) -> None:
    """Raise `Rejected` (code, Vietnamese message, HTTP status) or return quietly."""
    label = f"«{filename}»" if filename else "đã gửi"
    try:
        check_package(data, label, Limits(max_bytes=max_bytes))
    except UnsafeFile as e:
        status = 413 if e.code == "too_large" else 415 if e.code in (
            "not_xlsx", "encrypted", "macro") else 422
        raise Rejected(e.code, e.message, status) from e
    z = zipfile.ZipFile(io.BytesIO(data))
    try:
        root = SafeET.fromstring(z.read("xl/workbook.xml"))
    except (DefusedXmlException, SafeET.ParseError, ValueError) as e:
        raise Rejected("bad_workbook_xml", f"Tệp {label} có phần xl/workbook.xml hỏng hoặc không "
                       "được phép. Hãy mở bằng Excel, lưu lại dạng .xlsx rồi gửi lại.") from e
    sheets = [el.get("name") for el in root.iter(f"{_NS}sheet")]
    if META_SHEET not in sheets:
        raise Rejected("not_template", f"Tệp {label} không phải biểu mẫu của kiemdiem (không có "
                       "sheet ẩn _meta của mẫu). Hãy tải mẫu Báo cáo năm về, nhập số liệu vào mẫu "
                       "rồi gửi lại.")
    for info in z.infolist():
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            _check_extent(z.read(info.filename), label)


def _check_extent(xml: bytes, label: str) -> None:
    refs = _CELL_REF.findall(xml)
    n_cells = len(_CELL_TAG.findall(xml))
    rows = [int(r) for r in _ROW_REF.findall(xml)]
    n_rows = len(_ROW_TAG.findall(xml))
    max_row = max([int(r) for _, r in refs] + rows + [0])
    max_col = max([_col(c) for c, _ in refs] + [0])
    if len(refs) < n_cells:          # cells without an address: the reader places them in order
        max_col = max(max_col, n_cells - len(refs))
    if len(rows) < n_rows:
        max_row = max(max_row, n_rows)
    if max_row * max_col > MAX_GRID_CELLS:
        raise Rejected("sheet_too_large",
                       f"Tệp {label} có ô dữ liệu ở rất xa (dòng {fmt_int(max_row)}, cột "
                       f"{fmt_int(max_col)}), vượt vùng của biểu mẫu. Hãy xóa các ô thừa ngoài "
                       "bảng (Ctrl+End để tìm) rồi lưu lại.")
