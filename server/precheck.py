"""Cheap checks on an upload before any parsing, so a hostile file costs the server nothing.

The core's `workbook_templates.safety.check_package` looks at the zip directory (not a zip,
entries, sizes and ratios, encryption, DTDs), refuses active content by content type (macros,
external links, DDE, OLE/ActiveX, parts a template never has) and bounds the work of reading
(rows, columns, cells and shared strings within the templates' shape). The server adds one
check of its own:

`xl/workbook.xml` parsed with defusedxml must list the hidden `_meta` sheet of our templates,
so a spreadsheet that is not ours is refused before calamine opens it. The reader then applies
its own limits (sheet extent, template id and version).
"""
from __future__ import annotations

import io
import zipfile

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from workbook_templates.errors import NotTaken
from workbook_templates.safety import Limits, UnsafeFile, check_package
from workbook_templates.spec import META_SHEET

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


class Rejected(NotTaken):
    """The server does not take this upload: (code, Vietnamese message, HTTP status). The status
    defaults to the one `errors.NotTaken` gives the code; the intake's own refusals name theirs
    (503 busy, 403 another unit's file, …)."""

    def __init__(self, code: str, message: str, status: int | None = None):
        super().__init__(message, code, status)

    @classmethod
    def of(cls, e: NotTaken) -> Rejected:
        """A refusal of the core (reader, safety checks) as the server's, same code and status."""
        return cls(e.code, e.message, e.status)


def check_upload(data: bytes, filename: str, max_bytes: int) -> None:
    """Raise `Rejected` (code, Vietnamese message, HTTP status) or return quietly."""
    label = f"«{filename}»" if filename else "đã gửi"
    try:
        check_package(data, label, Limits(max_bytes=max_bytes))
    except UnsafeFile as e:
        raise Rejected.of(e) from e
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
