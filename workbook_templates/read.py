"""Workbook -> values by defined name.

Two doors, one map: `read_workbook` reads an .xlsx file (python-calamine for the values, a scan of
the sheet XML for which cells hold formulas), `read_grids` takes the grids an Excel session gives
(the add-in reads each sheet in one call). Both use the spec's cell positions, check the hidden
`_meta` sheet, and return the same `Filled`. Cached values of formula cells are never used: the
validator recomputes every derived value from the inputs, and an input cell holding a formula is
read as empty and named in `input_formulas` (the validator reports it: "ô nhập liệu chứa công
thức"), since its cached value is whatever the sender's program, or the sender, wrote there.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from .errors import DEFAULT_STATUS, NotTaken
from .findings import fmt_int
from .safety import DEFAULT as DEFAULT_LIMITS
from .safety import Limits, UnsafeFile, check_package
from .spec import META_SHEET, FormSet, form_sets
from .spec.model import DERIVED

# The rows of the hidden _meta sheet (column B holds the value); shared with the builder.
META_ROWS = (("template", "META_Template"), ("version", "META_Version"),
             ("co_so", "META_CoSo"), ("ty_le_xs", "META_TyLeXS"))
OUTDATED = {"bao_cao_nam": {"0.9", "1.0"}, "so_ket_quy_dinh": {"0.9", "1.0"}}


class ReadError(NotTaken):
    """The file cannot be used by the reader; str() is the Vietnamese message for the user.

    Always HTTP 422, whatever the code: on the server the upload's pre-check has already
    answered 413/415 for what the safety checks refuse, so a reader's refusal is a file that
    arrived and cannot be taken."""

    def __init__(self, message: str, code: str = "unreadable", status: int | None = None):
        super().__init__(message, code, DEFAULT_STATUS if status is None else status)


@dataclass
class Filled:
    """The inputs of one workbook, by defined name, as typed (not yet checked)."""

    form: FormSet
    version: str
    raw: dict[str, Any]
    has_formula: dict[str, bool | None] = field(default_factory=dict)
    source: str = ""
    # input cells that hold a formula: their value is not read (raw is None)
    input_formulas: tuple[str, ...] = ()
    # the member register (SPEC §8) as rows, read as one block; None when not read (a kept
    # reading never holds members' names), register_size then says how many rows it had
    register: list | None = None
    register_size: int = 0

    @property
    def template(self) -> str:
        return self.form.id


def _form_for(meta: Mapping[str, Any], source: str) -> tuple[FormSet, str]:
    tid = str(meta.get("template") or "").strip()
    ver = meta.get("version")
    ver = "" if ver is None else str(ver).strip()
    if ver.endswith(".0") and ver.count(".") == 2:  # a number cell 1.0 read as "1.0.0"? keep safe
        ver = ver[:-2]
    forms = form_sets()
    if tid not in forms:
        raise ReadError(
            f"Tệp {source} không phải biểu mẫu của kiemdiem (không nhận ra mẫu «{tid}» trên "
            "sheet _meta). Hãy tải mẫu Báo cáo năm hoặc Sơ kết quy định mới và nhập lại số liệu.",
            "not_template")
    form = forms[tid]
    if ver != form.version:
        if ver in OUTDATED.get(tid, ()):
            raise ReadError(
                f"Tệp {source} dùng mẫu «{form.title}» phiên bản {ver} đã cũ; phiên bản hiện hành "
                f"là {form.version}. Hãy tải mẫu mới và chép số liệu sang.", "outdated_version")
        raise ReadError(
            f"Tệp {source} dùng mẫu «{form.title}» phiên bản «{ver}» không được hỗ trợ (phiên bản "
            f"hiện hành: {form.version}). Hãy tải mẫu mới.", "unknown_version")
    return form, ver


def _meta_from_grid(grid: Sequence[Sequence[Any]]) -> dict[str, Any]:
    meta = {}
    for row in grid or ():
        if len(row) >= 2 and isinstance(row[0], str):
            meta[row[0].strip()] = row[1]
    return meta


_POSITIONS: dict[tuple[str, str], tuple] = {}


def _positions(form: FormSet) -> tuple:
    """Per sheet: (sheet, ((name, row index, col index), ...), ((name, b"E12"), ...) of the
    derived cells). Computed once per form; reading a file is then one pass per sheet."""
    key = (form.id, form.version)
    if key in _POSITIONS:
        return _POSITIONS[key]
    cells: dict[str, list] = {}
    derived: dict[str, list] = {}
    inputs: dict[str, list] = {}
    for name, cell in form.cells.items():
        cells.setdefault(cell.sheet, []).append((name, cell.row - 1, cell.col - 1))
        (derived if cell.kind == DERIVED else inputs).setdefault(cell.sheet, []).append(
            (name, cell.a1.encode()))
    _POSITIONS[key] = tuple((sheet, tuple(v), tuple(derived.get(sheet, ())),
                             tuple(inputs.get(sheet, ())))
                            for sheet, v in cells.items())
    return _POSITIONS[key]


def formula_sheets(form: FormSet) -> tuple[str, ...]:
    """The sheets that hold derived cells: the only ones whose formulas matter."""
    return tuple(sheet for sheet, _, derived, _ in _positions(form) if derived)


def _collect(form: FormSet, grids: Mapping[str, Sequence[Sequence[Any]]],
             formulas: Mapping[str, set] | None, source: str) -> tuple[dict, dict, tuple]:
    """raw: every cell's value ("" read as None); has_f: for each derived cell whether it holds
    a formula (None when unknown); the input cells that hold a formula, read as None."""
    missing = [s for s in form.sheet_names if s not in grids]
    if missing:
        raise ReadError(
            f"Tệp {source} thiếu sheet {', '.join(repr(m) for m in missing)} của mẫu "
            f"«{form.title}». Không đổi tên hay xóa sheet; hãy dùng mẫu gốc.", "missing_sheet")
    raw, has_f, in_f = {}, {}, []
    for sheet, cells, derived, inputs in _positions(form):
        grid = grids[sheet] or ()
        for name, r, c in cells:
            try:
                v = grid[r][c]
            except IndexError:
                v = None
            else:
                if v == "":
                    v = None
            raw[name] = v
        if formulas is None:
            has_f.update((name, None) for name, _ in derived)
        else:
            fset = formulas.get(sheet, ())
            has_f.update((name, pos in fset) for name, pos in derived)
            for name, pos in inputs:
                if pos in fset:
                    raw[name] = None        # the cached value is never the value
                    in_f.append(name)
    return raw, has_f, tuple(in_f)


def read_grids(grids: Mapping[str, Sequence[Sequence[Any]]],
               formulas: Mapping[str, Sequence[Sequence[Any]]] | None = None,
               source: str = "sổ tính") -> Filled:
    """Values from grids that start at A1 (what xlwings' `.value` returns for a sheet's range).

    formulas: the matching `.formula` grids ("=..." marks a formula) or None when unknown.
    """
    if META_SHEET not in grids:
        raise ReadError(
            f"{source[:1].upper()}{source[1:]} không có sheet ẩn _meta nên không phải biểu mẫu "
            "của kiemdiem. "
            "Hãy tải mẫu mới và nhập lại số liệu.", "not_template")
    form, ver = _form_for(_meta_from_grid(grids[META_SHEET]), source)
    fcells = None
    if formulas is not None:
        fcells = {}
        for sheet, grid in formulas.items():
            s = set()
            for i, row in enumerate(grid or ()):
                for j, f in enumerate(row or ()):
                    if isinstance(f, str) and f.startswith("="):
                        s.add(b"%s%d" % (_col_letters(j + 1), i + 1))
            fcells[sheet] = s
    raw, has_f, in_f = _collect(form, grids, fcells, source)
    return _with_register(Filled(form, ver, raw, has_f, source, in_f), grids)


def _with_register(filled: Filled, grids) -> Filled:
    reg = filled.form.register
    if reg is not None:
        from .spec.danh_sach import rows_from_grid
        filled.register = rows_from_grid(grids.get(reg.sheet), reg)
        filled.register_size = len(filled.register)
    return filled


# --- .xlsx files --------------------------------------------------------------------------------

_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _unescape(b: bytes) -> str:
    s = b.decode("utf-8")
    return (s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def sheet_paths(zf: zipfile.ZipFile, workbook_xml: bytes | None = None) -> dict[str, str]:
    """Sheet name -> its XML part, from workbook.xml and its relationships."""
    wb = zf.read("xl/workbook.xml") if workbook_xml is None else workbook_xml
    # only the <sheets> list matters; the defined names after it are most of the file
    end = wb.find(b"</sheets>")
    if end < 0:
        end = wb.find(b":sheets>")
    if end > 0:
        wb = wb[:end]
    rels = zf.read("xl/_rels/workbook.xml.rels")
    targets = {}
    for m in _REL.finditer(rels):
        a = dict(_ATTR.findall(m.group(1)))
        if b"Id" in a and b"Target" in a:
            t = a[b"Target"].decode()
            targets[a[b"Id"].decode()] = t.lstrip("/") if t.startswith("/") else \
                posixpath.normpath(posixpath.join("xl", t))
    out = {}
    for m in _SHEET.finditer(wb):
        a = dict(_ATTR.findall(m.group(1)))
        rid = next((v for k, v in a.items() if k.endswith(b":id")), None)
        if b"name" in a and rid is not None and rid.decode() in targets:
            out[_unescape(a[b"name"])] = targets[rid.decode()]
    return out


# Excel, LibreOffice and openpyxl all write a cell as <c r="E12" ...> with r first; one C-level
# findall then finds every formula. Anything else (prefixed elements, other attribute orders) is
# caught by comparing with the number of <f> elements and scanned the slow way.
_FORMULA_FAST = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*><f[\s>/]')
_F_TAG = re.compile(rb'<f[\s>/]')
_F_PREFIXED = re.compile(rb':f[\s>/]')


def formula_refs(xml: bytes) -> set[bytes]:
    """A1 references (b"E12") of every cell holding a formula, by a scan of the sheet XML."""
    found = _FORMULA_FAST.findall(xml)
    if len(found) == len(_F_TAG.findall(xml)) and not _F_PREFIXED.search(xml):
        return set(found)
    return {b"%s%d" % (_col_letters(c), r) for r, c in _formula_cells_any(xml)}


def _col_letters(n: int) -> bytes:
    out = b""
    while n:
        n, rem = divmod(n - 1, 26)
        out = bytes((65 + rem,)) + out
    return out


def _formula_cells_any(xml: bytes) -> set[tuple[int, int]]:
    """(row, col) of every formula cell, the general way: each <f> element belongs to the
    nearest <c> start tag before it (a plain search, no XML tree)."""
    out = set()
    for m in _FORMULA.finditer(xml):
        pos = m.start()
        lo = max(0, pos - 1024)  # a <c …> start tag is short; never scan back to the top
        start = max(xml.rfind(b"<c ", lo, pos), xml.rfind(b":c ", lo, pos))
        if start < 0:
            continue
        r = _REF.search(xml, start, xml.find(b">", start) + 1)
        if r:
            out.add((int(r.group(2)), _col_index(r.group(1))))
    return out


def _open(source) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), "đã tải lên"
    if isinstance(source, (str, Path)):
        p = Path(source)
        try:
            return p.read_bytes(), p.name
        except OSError as e:
            raise ReadError(f"Không mở được tệp {p}: {e.strerror or e}.", "unreadable") from e
    return source.read(), getattr(source, "name", "đã tải lên")


_DIM = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="(?:[A-Z]+[0-9]+:)?([A-Z]+)([0-9]+)"')
_ROW_R = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]+)"')
MAX_GRID_CELLS = 2_000_000


# a reference with a column of two or more letters or a row of five or more digits
_FAR = re.compile(rb'r="(?:[A-Z]{2,}[0-9]|[A-Z]*[0-9]{5})'
                  rb'|ref="[A-Z]+[0-9]+:(?:[A-Z]{2,}[0-9]|[A-Z]+[0-9]{5})')


def sheet_extent(xml: bytes) -> tuple[int, int]:
    """(rows, cols) of the rectangle from A1 a reader would allocate for this sheet XML.

    python-calamine allocates that whole rectangle: one value at XFD1048576 asks for hundreds of
    GB and kills the process, so the extent is checked on the raw XML first. Our forms stay
    within column Z and row 9999; only a sheet with a farther reference is measured exactly."""
    if not _FAR.search(xml):
        return 9999, 26
    rows = cols = 0
    for m in _DIM.finditer(xml):
        cols, rows = max(cols, _col_index(m.group(1))), max(rows, int(m.group(2)))
    for m in _ROW_R.finditer(xml):
        rows = max(rows, int(m.group(1)))
    for m in _REF.finditer(xml):
        cols, rows = max(cols, _col_index(m.group(1))), max(rows, int(m.group(2)))
    return rows, cols


def _sheet_xml(zf, paths, sheet, label) -> bytes:
    try:
        xml = zf.read(paths[sheet])
    except (KeyError, zipfile.BadZipFile, OSError, EOFError) as e:
        raise ReadError(f"Không đọc được sheet «{sheet}» trong tệp {label}: tệp bị hỏng. Hãy mở "
                        "bằng Excel, lưu lại rồi gửi lại.", "unreadable") from e
    rows, cols = sheet_extent(xml)
    if rows * cols > MAX_GRID_CELLS:
        raise ReadError(f"Sheet «{sheet}» trong tệp {label} có ô ở tận dòng {fmt_int(rows)}, "
                        f"cột {fmt_int(cols)} — quá xa so với biểu mẫu. Hãy xóa các ô thừa ở cuối "
                        "sheet rồi lưu lại.", "grid_too_large")
    return xml


def read_workbook(source: str | Path | bytes | BinaryIO, *, formulas: bool = True,
                  limits: Limits = DEFAULT_LIMITS) -> Filled:
    """Read an .xlsx made from one of our templates (saved by Excel, LibreOffice or openpyxl)."""
    from python_calamine import CalamineWorkbook

    data, label = _open(source)
    try:
        package = check_package(data, label, limits)
    except UnsafeFile as e:
        raise ReadError(e.message, e.code) from e
    broken = ReadError(f"Không đọc được tệp {label}: tệp bị hỏng hoặc không phải .xlsx. Hãy mở "
                       "bằng Excel, lưu lại rồi gửi lại.", "unreadable")
    zf = package.zip
    try:
        paths = sheet_paths(zf, package.workbook_xml)
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = wb.sheet_names
    except Exception as e:  # zipfile and calamine raise several types for damaged files
        raise broken from e
    if META_SHEET not in names or META_SHEET not in paths:
        raise ReadError(
            f"Tệp {label} không có sheet ẩn _meta nên không phải biểu mẫu của kiemdiem. Hãy tải "
            "mẫu Báo cáo năm hoặc Sơ kết quy định và nhập lại số liệu.", "not_template")
    xml = {META_SHEET: _sheet_xml(zf, paths, META_SHEET, label)}
    try:
        grids = {META_SHEET: wb.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False)}
    except Exception as e:
        raise broken from e
    form, ver = _form_for(_meta_from_grid(grids[META_SHEET]), label)
    for s in form.sheet_names:
        if s in names and s in paths:
            xml[s] = _sheet_xml(zf, paths, s, label)  # also refuses a sheet far too large
            try:
                grids[s] = wb.get_sheet_by_name(s).to_python(skip_empty_area=False)
            except Exception as e:
                raise broken from e
    # every form sheet: input cells anywhere may hold a formula, which is an error
    fcells = {s: formula_refs(xml[s]) for s in form.sheet_names if s in xml} \
        if formulas else None
    raw, has_f, in_f = _collect(form, grids, fcells, label)
    return _with_register(Filled(form, ver, raw, has_f, label, in_f), grids)
