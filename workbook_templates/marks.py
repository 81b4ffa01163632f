"""Findings -> marks: what a checked workbook shows its user. One model, two writers.

The add-in (`addin/`) writes these marks into the open workbook through xlwings; `annotate_xlsx`
writes the same marks into a copy of an uploaded file with openpyxl, so the server can hand an
office without Python an annotated copy. Both writers take everything from here: which cells get
which fill, the note text, the report sheet's rows, the summary sentence, and how to undo an
earlier run (each cell gets back the fill the template gave it). Nothing here changes a value.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from .findings import ERROR, SEVERITY_LABEL, WARNING, Finding, sort_key
from .xlsx_text import clean, clean_escaped, put_text

REPORT_SHEET = "Kết quả kiểm tra"
NOTE_TITLE = "Kiểm tra biểu:"   # first line of every note we write: tells our notes from the user's
NOTE_AUTHOR = "kiemdiem"

ERROR_FILL = "#FF8080"      # red: must be fixed before sending
WARNING_FILL = "#FFB347"    # orange: check it, explain it on "Giải trình" if it is right
MARK_FILLS = {ERROR: ERROR_FILL, WARNING: WARNING_FILL}

REPORT_TITLE = "KẾT QUẢ KIỂM TRA BIỂU"
REPORT_HEADERS = ("Mức độ", "Biểu", "Ô", "Nội dung", "Cách sửa", "Quy định")
# Columns G:H (hidden) record what this run marked, so the next run can undo exactly that.
RECORD_HEADERS = ("Ô đã tô (kiemdiem)", "Đã thêm ghi chú (kiemdiem)")
HEADER_ROW = 5               # 1-based row of REPORT_HEADERS; findings start on the next row
# A4 landscape at 100 % (build.capacity(True) ≈ 133 units for the six printed columns)
COLUMN_WIDTHS = (11, 10, 14, 46, 32, 19, 18, 10)


@dataclass(frozen=True)
class Mark:
    """One cell to colour and annotate; several findings on one cell make one mark."""

    sheet: str
    cell: str          # A1
    row: int           # 1-based
    col: int
    severity: str      # the worst of the cell's findings
    fill: str          # "#RRGGBB"
    note: str          # Vietnamese, starts with NOTE_TITLE

    @property
    def ref(self) -> str:
        return f"{self.sheet}!{self.cell}"


def row_col(a1: str) -> tuple[int, int]:
    letters, row = coordinate_from_string(a1.replace("$", ""))
    return row, column_index_from_string(letters)


def _finding_line(f: Finding) -> str:
    line = f"• {SEVERITY_LABEL[f.severity]} ({f.rule}): {f.message}"
    if f.hint:
        line += f" {f.hint}"
    if f.explained:
        line += " (đã giải trình)"
    return line


def marks(findings: Iterable[Finding]) -> list[Mark]:
    """One mark per cell that has findings, in workbook order; whole-workbook findings (no cell)
    appear only in the report."""
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in sorted(findings, key=sort_key):
        if f.sheet and f.cell:
            by_cell.setdefault((f.sheet, f.cell.replace("$", "")), []).append(f)
    out = []
    for (sheet, cell), fs in by_cell.items():
        severity = ERROR if any(f.is_error for f in fs) else WARNING
        row, col = row_col(cell)
        note = "\n".join([NOTE_TITLE] + [_finding_line(f) for f in fs])
        out.append(Mark(sheet, cell, row, col, severity, MARK_FILLS[severity], note))
    out.sort(key=lambda m: (m.sheet, m.row, m.col))
    return out


def _hex(pattern_fill) -> str:
    return "#" + str(pattern_fill.fgColor.rgb)[-6:].upper()


def template_fill(form, sheet: str, row: int, col: int) -> str | None:
    """The fill the template builder gave a cell ("#RRGGBB"), or None for a cell that is not one
    of the form's value cells (we never mark those, so never restore them either)."""
    from .sheet_style import DERIVED_FILL, INPUT_FILL
    from .spec.model import DERIVED

    cell = form.by_pos.get((sheet, row, col)) if form is not None else None
    if cell is None:
        return None
    return _hex(DERIVED_FILL) if cell.kind == DERIVED else _hex(INPUT_FILL)


# --- the summary and the report sheet -----------------------------------------------------------

def counts(findings: Sequence[Finding]) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.is_error)
    return errors, len(findings) - errors


def summary(findings: Sequence[Finding]) -> str:
    """The one sentence the user reads first (the add-in's alert, the report's second row)."""
    errors, warnings = counts(findings)
    explained = sum(1 for f in findings if not f.is_error and f.explained)
    where = f"Xem từng mục ở sheet «{REPORT_SHEET}»"
    if errors and not any(f.cell for f in findings):   # the file itself: not a template, …
        return f"Có {errors} lỗi: " + " ".join(f.message for f in findings if f.is_error)
    if errors:
        text = f"Có {errors} lỗi" + (f", {warnings} cảnh báo" if warnings else "") + "."
        return (f"{text} Ô có lỗi tô đỏ" + (", ô có cảnh báo tô cam" if warnings else "")
                + f", di chuột vào ô để đọc ghi chú. {where}. Sửa hết lỗi rồi bấm "
                "«Kiểm tra biểu» lần nữa; biểu còn lỗi thì chưa gửi được.")
    if warnings:
        open_ = warnings - explained
        tail = (f" {open_} cảnh báo chưa giải trình: nếu số liệu đúng, hãy ghi lý do ở sheet "
                "«Giải trình»." if open_ else " Các cảnh báo đều đã được giải trình.")
        return (f"Biểu hợp lệ, có {warnings} cảnh báo (ô tô cam). {where}.{tail}")
    return "Biểu hợp lệ: không có lỗi, không có cảnh báo."


def link_target(f: Finding) -> str:
    """Where the report's "Ô" column jumps to, in Excel's syntax: 'Biểu 3'!E12."""
    return "'" + f.sheet.replace("'", "''") + "'!" + f.cell


def hyperlink_formula(f: Finding) -> str:
    """=HYPERLINK("#'Biểu 3'!E12","Biểu 3!E12"): a link that is written together with the other
    values, in one call, and works the same in desktop Excel, Excel on the web and LibreOffice."""
    def q(s):
        return s.replace('"', '""')
    return f'=HYPERLINK("#{q(link_target(f))}","{q(f.ref)}")'


def report_rows(findings: Iterable[Finding]) -> list[dict]:
    """The report's rows, errors first, each as the fields both writers render."""
    rows = []
    for f in sorted(findings, key=sort_key):
        level = SEVERITY_LABEL[f.severity] + (" (đã giải trình)" if f.explained else "")
        rows.append({
            "finding": f,
            "muc_do": level,
            "bieu": f.sheet or "(cả tệp)",
            "o": f.ref if f.cell else "",
            # where, as the printed form numbers it, for a reader holding the paper
            "noi_dung": f"{f.printed_ref}: {f.message}" if f.printed_ref else f.message,
            "cach_sua": f.hint,
            "quy_dinh": f.regulation,     # the regulation, not our rule id: it is printed
        })
    return rows


def report_grid(findings: Sequence[Finding], subtitle: str = "",
                noted: set[tuple[str, str]] | None = None, links: str = "formula") -> list[list]:
    """The whole report sheet from A1, as one grid of values (one write).

    links="formula" puts a HYPERLINK formula in the "Ô" column (the add-in); links="text" puts the
    plain reference (the openpyxl writer adds a real hyperlink to that cell). `noted`: the
    (sheet, cell) pairs that got a note in this run, recorded in hidden column H.
    """
    width = len(REPORT_HEADERS) + len(RECORD_HEADERS)
    blank = [None] * width

    def line(*vals):
        return list(vals) + [None] * (width - len(vals))

    grid = [line(REPORT_TITLE), line(summary(findings)), line(subtitle or None), list(blank),
            list(REPORT_HEADERS + RECORD_HEADERS)]
    marked = set()
    for r in report_rows(findings):
        f = r["finding"]
        o = (hyperlink_formula(f) if links == "formula" else r["o"]) if f.cell else None
        key = (f.sheet, f.cell.replace("$", "")) if f.cell else None
        rec = note = None
        if key and key not in marked:   # record each marked cell once
            marked.add(key)
            rec = f.ref
            note = "có" if noted is not None and key in noted else None
        grid.append([r["muc_do"], r["bieu"], o, r["noi_dung"], r["cach_sua"] or None,
                     r["quy_dinh"], rec, note])
    return grid


_REF = re.compile(r"^(.+)!\$?([A-Z]{1,3})\$?([0-9]+)$")


def read_record(grid: Sequence[Sequence]) -> list[tuple[str, str, bool]]:
    """What an earlier run marked, from its report sheet's values: [(sheet, A1, note added)]."""
    out = []
    for row in list(grid or ())[HEADER_ROW:]:
        row = list(row or ()) + [None] * 8
        rec = row[len(REPORT_HEADERS)]
        m = _REF.match(rec.strip()) if isinstance(rec, str) else None
        if m:
            out.append((m.group(1), m.group(2) + m.group(3),
                        isinstance(row[len(REPORT_HEADERS) + 1], str)
                        and row[len(REPORT_HEADERS) + 1].strip() != ""))
    return out


def row_height(values: Sequence, widths: Sequence[float] = COLUMN_WIDTHS) -> float:
    """Points for a wrapped report row: enough lines for its longest cell (15 pt a line)."""
    lines = 1
    for v, w in zip(values, widths, strict=False):
        if isinstance(v, str) and v:
            per_line = max(1, int(w * 1.1))
            lines = max(lines, sum(-(-max(1, len(part)) // per_line) for part in v.split("\n")))
    return 15.0 * lines + 3


# --- the openpyxl writer ------------------------------------------------------------------------

def annotate_xlsx(xlsx_bytes: bytes, findings: Sequence[Finding], subtitle: str = "") -> bytes:
    """A copy of an uploaded workbook with the findings marked, for offices without Python.

    Earlier marks (ours: a mark fill on a form cell, a note starting with NOTE_TITLE, the report
    sheet) are removed first, so annotating an annotated file gives the same result. Values are
    never touched.
    """
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    from .build import contents_of, formula_values
    from .cached_values import with_results
    from .read import ReadError, read_workbook

    try:
        form = read_workbook(xlsx_bytes, formulas=False).form
    except ReadError:
        form = None
    wb = load_workbook(io.BytesIO(xlsx_bytes))
    if REPORT_SHEET in wb.sheetnames:
        del wb[REPORT_SHEET]
    ours = {ERROR_FILL[1:], WARNING_FILL[1:]}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.data_type != "f":
                    # the unit's own text, e.g. _x0001_: the copy shows «�», the stored file
                    # and the reading keep the character
                    c.value = clean_escaped(c.value)
                    c.data_type = "s"
                if c.comment is not None and c.comment.text.startswith(NOTE_TITLE):
                    c.comment = None
                elif c.comment is not None:
                    c.comment.text = clean_escaped(c.comment.text)
                if c.fill is not None and c.fill.fill_type == "solid" and \
                        str(c.fill.fgColor.rgb)[-6:].upper() in ours:
                    restore = template_fill(form, ws.title, c.row, c.column)
                    c.fill = PatternFill("solid", fgColor="FF" + restore[1:]) if restore \
                        else PatternFill(fill_type=None)

    for m in marks(findings):
        if m.sheet not in wb.sheetnames:
            continue
        c = wb[m.sheet].cell(m.row, m.col)
        c.fill = PatternFill("solid", fgColor="FF" + m.fill[1:])
        lines = m.note.count("\n") + 1 + len(m.note) // 45
        c.comment = Comment(clean(m.note), NOTE_AUTHOR, width=360,
                            height=min(600, 20 + 16 * lines))

    ws = wb.create_sheet(REPORT_SHEET)
    grid = report_grid(findings, subtitle, noted={(m.sheet, m.cell) for m in marks(findings)},
                       links="text")
    for r, values in enumerate(grid, start=1):
        for c, v in enumerate(values, start=1):
            if v is not None:
                put_text(ws.cell(r, c), v)     # text, never a formula (a unit named "=…")
    bold = Font(name="Times New Roman", bold=True, size=12)
    ws["A1"].font = Font(name="Times New Roman", bold=True, size=14)
    ws["A2"].font = bold
    for c in range(1, len(REPORT_HEADERS) + 1):
        ws.cell(HEADER_ROW, c).font = bold
    link_col = REPORT_HEADERS.index("Ô") + 1
    for i, row in enumerate(report_rows(findings), start=HEADER_ROW + 1):
        f = row["finding"]
        for c in range(1, len(REPORT_HEADERS) + 1):
            ws.cell(i, c).alignment = Alignment(vertical="top", wrap_text=True)
        if f.is_error:
            ws.cell(i, 1).font = Font(bold=True, color="FFC00000")
        if f.cell:
            cell = ws.cell(i, link_col)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=link_target(f),
                                       display=f.ref)
            cell.style = "Hyperlink"
            cell.alignment = Alignment(vertical="top")
    from openpyxl.utils import get_column_letter

    from .sheet_style import wrap_across
    for c, w in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    # the sentences above the table wrapped within its width (printed pages cut a long line)
    across = sum(COLUMN_WIDTHS[:len(REPORT_HEADERS)])
    for r in range(2, HEADER_ROW):
        if isinstance(ws.cell(r, 1).value, str) and ws.cell(r, 1).value:
            wrap_across(ws, r, len(REPORT_HEADERS), across)
    for r in range(HEADER_ROW + 1, ws.max_row + 1):   # openpyxl cannot autofit: estimate
        ws.row_dimensions[r].height = row_height(
            [ws.cell(r, c).value for c in range(1, len(REPORT_HEADERS) + 1)])
    from .sheet_style import page_setup  # A4 as the forms, at 100 %, never shrunk below 10 pt
    page_setup(ws, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    ws.print_area = f"A1:{get_column_letter(len(REPORT_HEADERS))}{ws.max_row}"
    for c in range(len(REPORT_HEADERS) + 1, len(REPORT_HEADERS) + len(RECORD_HEADERS) + 1):
        ws.column_dimensions[get_column_letter(c)].hidden = True
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    wb.active = wb.sheetnames.index(REPORT_SHEET)
    for other in wb.worksheets:
        other.sheet_view.tabSelected = other.title == REPORT_SHEET
    # the formulas' results saved with them, computed from the copy's own cells
    results = {None: formula_values(form, contents_of(wb, form))} if form is not None else {}
    out = io.BytesIO()
    wb.save(out)
    return with_results(out.getvalue(), results)
