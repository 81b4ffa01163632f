"""An open workbook, through xlwings: read each sheet in one call, write the core's marks back.

Only calls that both xlwings engines implement are used (desktop Excel through COM/AppleScript
when the ribbon button runs RunPython, and the remote engine the tests drive), so the same code
runs in both. Reads are bulk: one `.value` and at most one `.formula` per sheet over the
rectangle the form set defines. Writes touch formats, notes and our own report sheet only — never
a value on a form sheet.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workbook_templates import marks as M
from workbook_templates.findings import Finding
from workbook_templates.read import META_ROWS
from workbook_templates.spec import META_SHEET, form_sets

# the member register (thousands of rows, no formula of ours): its values only
_NO_FORMULAS = {f.register.sheet for f in form_sets().values() if f.register is not None}


def _extents() -> dict[str, tuple[int, int]]:
    """Sheet name -> (rows, cols) to read: the largest rectangle any form set needs for it."""
    out: dict[str, tuple[int, int]] = {}
    for form in form_sets().values():
        for name in form.sheet_names:
            r, c = form.extent(name)
            pr, pc = out.get(name, (0, 0))
            out[name] = (max(r, pr), max(c, pc))
    out[META_SHEET] = (len(META_ROWS), 2)
    return out


@dataclass
class Snapshot:
    """What was read from the book: grids for the core reader and the previous run's record."""

    grids: dict = field(default_factory=dict)
    formulas: dict | None = field(default_factory=dict)   # None when the engine cannot say
    record: list = field(default_factory=list)           # [(sheet, A1, note added)]
    sheet_names: list = field(default_factory=list)


def _rows(value) -> list[list]:
    return [list(r) for r in (value or ())]


def read(book) -> Snapshot:
    snap = Snapshot()
    sheets = {s.name: s for s in book.sheets}
    snap.sheet_names = list(sheets)
    extents = _extents()
    for name, sheet in sheets.items():
        if name == M.REPORT_SHEET:
            snap.record = M.read_record(_rows(sheet.used_range.options(ndim=2).value))
            continue
        if name not in extents:
            continue
        rows, cols = extents[name]
        rng = sheet.range((1, 1), (rows, cols))
        snap.grids[name] = _rows(rng.options(ndim=2).value)
        if name == META_SHEET or name in _NO_FORMULAS or snap.formulas is None:
            continue
        try:
            formulas = rng.formula
        except NotImplementedError:   # the remote engine sends values only
            snap.formulas = None
            continue
        snap.formulas[name] = _rows(formulas if isinstance(formulas[0], (list, tuple))
                                    else [formulas])
    return snap


def _sheet(book, name):
    for s in book.sheets:
        if s.name == name:
            return s
    return None


def write(book, form, findings: list[Finding], snap: Snapshot, subtitle: str) -> set:
    """Undo the previous run's marks, mark `findings`, rebuild the report sheet.

    Returns the (sheet, cell) pairs that got a note. Fills: one `set_colors` per sheet over the
    rectangle of cells to restore or mark (cells outside it untouched). Restored cells get the
    fill the template gave them.
    """
    new = M.marks(findings)
    by_sheet: dict[str, dict[tuple[int, int], str | None]] = {}
    old_notes: dict[str, list[str]] = {}
    for sheet, a1, noted in snap.record:
        r, c = M.row_col(a1)
        by_sheet.setdefault(sheet, {})[(r, c)] = M.template_fill(form, sheet, r, c)
        if noted:
            old_notes.setdefault(sheet, []).append(a1)
    for m in new:
        by_sheet.setdefault(m.sheet, {})[(m.row, m.col)] = m.fill

    noted: set = set()
    notes_work = True
    for name in snap.sheet_names:
        if name not in by_sheet and name not in old_notes:
            continue
        sheet = _sheet(book, name)
        if sheet is None or name == M.REPORT_SHEET:
            continue
        for a1 in old_notes.get(name, ()):
            try:
                note = sheet.range(a1).note
                if note is not None:
                    note.delete()
            except Exception:  # noqa: BLE001 - a note we cannot delete must not stop the check
                pass
        colours = by_sheet.get(name)
        if colours:
            r1 = min(r for r, _ in colours)
            r2 = max(r for r, _ in colours)
            c1 = min(c for _, c in colours)
            c2 = max(c for _, c in colours)
            matrix = [[colours.get((r, c), ...) for c in range(c1, c2 + 1)]
                      for r in range(r1, r2 + 1)]
            sheet.range((r1, c1), (r2, c2)).set_colors(matrix)
        for m in new:
            if m.sheet != name or not notes_work:
                continue
            cell = sheet.range(m.cell)
            try:
                if cell.note is None:      # never replace a note the user wrote
                    cell.add_note(m.note)
                    noted.add((m.sheet, m.cell))
            except Exception:  # noqa: BLE001 - no notes on this engine or sheet protection
                notes_work = False          # forbids them: the fills and the report still tell

    old = _sheet(book, M.REPORT_SHEET)
    if old is not None:
        old.delete()
    sheets = book.sheets
    report = sheets.add(name=M.REPORT_SHEET, after=sheets[len(sheets) - 1])
    grid = M.report_grid(findings, subtitle, noted, links="formula")
    report.range((1, 1), (len(grid), len(grid[0]))).value = grid
    for i, width in enumerate(M.COLUMN_WIDTHS, start=1):
        report.range((1, i)).column_width = width
    n = len(M.REPORT_HEADERS)
    report.range((M.HEADER_ROW, 1), (M.HEADER_ROW, n)).font.bold = True
    report.range((1, 1), (2, 1)).font.bold = True
    if len(grid) > M.HEADER_ROW:
        rows = report.range((M.HEADER_ROW + 1, 1), (len(grid), n))
        rows.wrap_text = True
        rows.rows.autofit()
    report.range((1, n + 1), (1, n + len(M.RECORD_HEADERS))).columns.hidden = True
    report.activate()
    return noted
