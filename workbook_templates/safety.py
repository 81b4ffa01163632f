"""Cheap checks on an .xlsx package before any parsing: a file that is not a zip, a zip bomb,
thousands of entries, macros, encryption, XML with a DTD (entity bombs, external entities).

Everything here reads the zip directory and a few small parts only; nothing is decompressed
beyond the declared limits. The reader and the server share it.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * 1024 * 1024          # the upload itself
    max_entries: int = 400
    max_uncompressed: int = 60 * 1024 * 1024  # all parts together
    max_ratio: int = 120                       # uncompressed / compressed, per large part
    max_sheets: int = 40


DEFAULT = Limits()


class UnsafeFile(Exception):
    """str() is the Vietnamese message; .code a stable identifier."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


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
        raise UnsafeFile(f"Tệp {name} quá lớn ({len(data) // 1024:,} KB, tối đa "
                         f"{limits.max_bytes // 1024:,} KB). Biểu mẫu thật chỉ vài chục KB; "
                         "hãy xóa ảnh, sheet thừa rồi lưu lại.".replace(",", "."), "too_large")
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
        raise UnsafeFile(f"Tệp {name} chứa {len(infos):,} phần, quá nhiều cho một biểu mẫu "
                         f"(tối đa {limits.max_entries}).".replace(",", "."), "too_many_entries")
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
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UnsafeFile(f"Tệp {name} có macro (VBA). Hãy lưu lại dạng .xlsx (không macro) rồi "
                         "gửi.", "macro")
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
    return Package(z, wb)
