"""The printed look every sheet the tool writes shares: fonts, borders and fills, the Party
document header, column headers, page setup and the row heights wrapped text needs.

Below `build` (the templates) and `register_xlsx` (the member register), which both draw with it,
so neither imports the other for it."""
from __future__ import annotations

from dataclasses import dataclass

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from .spec.model import (
    DOCDATE,
    DOCNO,
    TEXT,
    UNKNOWN,
    Expr,
    as_number,
    as_text,
    from_serial,
    is_empty,
    upper,
)

FONT = "Times New Roman"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
INPUT_FILL = PatternFill("solid", fgColor="FFFDF3D0")     # pale yellow: type here
DERIVED_FILL = PatternFill("solid", fgColor="FFEDEDED")   # grey: computed
NA_FILL = PatternFill("solid", fgColor="FFBFBFBF")
HEAD_FILL = PatternFill("solid", fgColor="FFDDEBF7")
BAD_FILL = PatternFill("solid", fgColor="FFFFC7CE")       # live highlighting of a broken total
BAD_FONT = Font(name=FONT, color="FF9C0006", bold=True)

def _f(size=12, bold=False, italic=False, underline=None, color=None):
    return Font(name=FONT, size=size, bold=bold, italic=italic, underline=underline, color=color)


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _abs(cell) -> str:
    return f"{_quote(cell.sheet)}!${get_column_letter(cell.col)}${cell.row}"


def _merge(ws, r1, c1, r2, c2, value=None, font=None, align=None):
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    cell = ws.cell(r1, c1)
    if value is not None:
        cell.value = value
    if font:
        cell.font = font
    cell.alignment = align or Alignment(horizontal="center", vertical="center", wrap_text=True)
    return cell


DOTS = "........................"


def _or_dots(expr: str, name: str) -> str:
    """A header value from Thông tin, or a dotted write-in line while it is blank."""
    return f'=IF({name}="","{DOTS}",{expr})'


# The formulas of the document header and the signature, each with the result it gives
# (`cached`, Excel's result from the cells as saved: see spec.model.Expr.cached).

@dataclass(frozen=True)
class UpperOrDots(Expr):
    """The superior's or the unit's name in capitals, or a write-in line while it is blank."""

    name: str

    @property
    def refs(self):
        return (self.name,)

    def excel(self):
        return _or_dots(f"UPPER({self.name})", self.name)

    def cached(self, get):
        v = get(self.name)
        empty = is_empty(v)
        if empty is UNKNOWN:
            return UNKNOWN
        return DOTS if empty else upper(as_text(v))


@dataclass(frozen=True)
class Signer(Expr):
    """NGƯỜI LẬP BIỂU: "name - phone", or a write-in line while the name is blank."""

    name: str = "TT_NguoiLap"
    phone: str = "TT_DienThoai"

    @property
    def refs(self):
        return (self.name, self.phone)

    def excel(self):
        return _or_dots(f'{self.name}&IF({self.phone}="",""," - "&{self.phone})', self.name)

    def cached(self, get):
        name, phone = get(self.name), get(self.phone)
        if UNKNOWN in (is_empty(name), is_empty(phone)):
            return UNKNOWN
        if is_empty(name):
            return DOTS
        parts = (as_text(name),) + (() if is_empty(phone) else (" - ", as_text(phone)))
        return UNKNOWN if UNKNOWN in parts else "".join(parts)


@dataclass(frozen=True)
class DateLine(Expr):
    """HD 36: "Hạ Long, ngày 05 tháng 02 năm 2018" (day 1–9 and months 1–2 with a leading
    zero). A blank date (0 to Excel: "30/12/1899") or a text prints the write-in line of a paper
    form instead."""

    place: str = "TT_DiaDanh"
    date: str = "TT_NgayLap"

    @property
    def refs(self):
        return (self.place, self.date)

    def excel(self):
        p, d = self.place, self.date
        return (f'=IF(OR(N({d})<1,N({d})>2958465),'
                f'IF({p}="","..............",{p})'
                '&", ngày ..... tháng ..... năm ........",'
                f'IF({p}="","",{p}&", ")&"ngày "&TEXT(DAY({d}),"00")'
                f'&" tháng "&IF(MONTH({d})<3,"0","")&MONTH({d})'
                f'&" năm "&YEAR({d}))')

    def cached(self, get):
        place, n = get(self.place), as_number(get(self.date))
        empty = is_empty(place)
        if empty is UNKNOWN or n is UNKNOWN:
            return UNKNOWN
        text = "" if empty else as_text(place)
        if text is UNKNOWN:
            return UNKNOWN
        if n < 1 or n > 2958465:
            return (text or "..............") + ", ngày ..... tháng ..... năm ........"
        day = from_serial(n)
        if day is None:
            return UNKNOWN
        return (f"{text}, " if text else "") + (
            f"ngày {day.day:02d} tháng {'0' if day.month < 3 else ''}{day.month} "
            f"năm {day.year}")


PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
#: a superior's name as long as real ones get (the header's first row is made tall enough for it)
LONG_SUPERIOR = "ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH"
CAP_TREN, DON_VI = UpperOrDots("TT_CapTren"), UpperOrDots("TT_DonVi")
SIGNER = Signer()
DATE = DateLine()
DATE_LINE = DATE.excel()
#: the date line of a blank form, about as long as a filled one
BLANK_DATE = DATE.cached(lambda _: None)
#: every formula of the header and the signature block, for their cached results
HEADER_FORMULAS = (CAP_TREN, DON_VI, DATE, SIGNER)


def _halves(widths: dict[int, float], last_col: int) -> tuple[int, int]:
    """(last column of the left header block, first column of the right one): each about half
    the printed width, as on a Party document."""
    total = sum(widths.get(k, 9) for k in range(1, last_col + 1))
    left_end, acc = 1, widths.get(1, 9)
    while left_end < last_col - 1 and acc < 0.4 * total and \
            acc + widths.get(left_end + 1, 9) <= 0.6 * total:
        left_end += 1
        acc += widths.get(left_end, 9)
    return max(2, left_end), max(3, left_end + 1)


def _header(ws, sh, last_col, widths):
    """Party document header (rows 1–3), title (5) and subtitle (6)."""
    left_end, right_start = _halves(widths, last_col)
    # Rows 1 and 2 as tall as their text wraps to (a superior's name in the narrow left block of
    # Thông tin, «ĐẢNG CỘNG SẢN VIỆT NAM» in the right half of Biểu 1): a wrapped line in a
    # one-line row is cut on paper. The names are typed later, so a long real one is measured.
    # Row 1 sits on its bottom and row 2 on its top: one-line names stay together.
    left = sum(widths.get(k, 9) for k in range(1, left_end + 1))
    right = sum(widths.get(k, 9) for k in range(right_start, last_col + 1))
    row1 = max(line_height(text_lines(LONG_SUPERIOR, left, 12), 12),
               line_height(text_lines(PARTY, right, 13, bold=True), 13))
    row2 = max(line_height(2, 12), line_height(text_lines(BLANK_DATE, right, 12), 12))
    low, high = (Alignment(horizontal="center", vertical=v, wrap_text=True)
                 for v in ("bottom", "top"))
    _merge(ws, 1, 1, 1, left_end, CAP_TREN.excel(), _f(12), low)
    _merge(ws, 2, 1, 2, left_end, DON_VI.excel(), _f(12, bold=True), high)
    _merge(ws, 3, 1, 3, left_end, "*", _f(12))
    _merge(ws, 1, right_start, 1, last_col, PARTY, _f(13, bold=True, underline="single"), low)
    _merge(ws, 2, right_start, 2, last_col, DATE_LINE, _f(12, italic=True), high)
    if sh.form_no:
        _merge(ws, 3, right_start, 3, last_col, sh.form_no, _f(12, bold=True),
               Alignment(horizontal="right", vertical="center"))
    _merge(ws, 5, 1, 5, last_col, sh.title, _f(14, bold=True))
    if sh.subtitle:
        _merge(ws, 6, 1, 6, last_col, sh.subtitle, _f(12, italic=True))
    for r, h in ((1, row1), (2, row2), (3, 17)):
        ws.row_dimensions[r].height = h


def _head_cell(ws, r, c, text, r2=None, c2=None, narrow=False):
    """A column header; over a narrow number column in 10 pt so a word such as "nhiệm" is not
    broken (10 pt at 100 % is still the smallest print the forms allow)."""
    cell = _merge(ws, r, c, r2 or r, c2 or c, text, _f(10 if narrow else 11, bold=True))
    for rr in range(r, (r2 or r) + 1):
        for cc in range(c, (c2 or c) + 1):
            ws.cell(rr, cc).border = BOX
            ws.cell(rr, cc).fill = HEAD_FILL
    return cell


MM = 1 / 25.4                      # inch
MARGINS = {False: (30, 15, 20, 20), True: (20, 15, 20, 15)}   # left, right, top, bottom (mm)
PT_PER_UNIT = 5.5                  # a column-width unit: a digit of the default font (TNR 11 pt)
TEXT_PT = 11                       # every table, note and hint; headers 12–14


def capacity(landscape: bool) -> float:
    """Column-width units that fit between the margins of an A4 page at 100 %."""
    left, right, _, _ = MARGINS[landscape]
    mm = (297 if landscape else 210) - left - right
    return mm * 72 / 25.4 / PT_PER_UNIT - 1.5       # a little slack for borders and rounding


def _columns(sh) -> dict[int, tuple[float, float | None]]:
    """Column index -> (width wanted, minimum when it may shrink; None = fixed)."""
    cols: dict[int, tuple[float, float | None]] = {1: (4.5, None), 2: (sh.label_width, 18)}
    for block in sh.blocks:
        if block.kind == "years":
            cols[1], cols[2] = (40, 20), (13, None)
        if block.kind == "info":
            cols[3], cols[4] = (block.cols[0].width, 18), (block.cols[1].width, 14)
            continue
        for j, col in enumerate(block.cols):
            want = column_want(col)
            k = block.first_col + j
            if k not in cols or want[0] > cols[k][0]:
                cols[k] = want
    return cols


def column_want(col) -> tuple[float, float | None]:
    """(width wanted, the least it may shrink to, None when fixed) of a form's column: text
    wraps, a number, a year or a choice keeps its width."""
    if col.kind not in (TEXT, DOCNO, DOCDATE):
        return col.width, None
    least = min(col.width, 9.0 if col.kind in (DOCNO, DOCDATE) else 12.0)
    return col.width, max(8.0, least)


def plan_columns(sh) -> tuple[bool, dict[int, float]]:
    """(landscape, widths): portrait when the table fits it (shrinking text columns no further
    than their minimum, and only on sheets the spec marks portrait), else landscape; text
    columns share what the fixed ones leave."""
    cols = _columns(sh)
    fixed = sum(w for w, lo in cols.values() if lo is None)
    flex = {k: (w, lo) for k, (w, lo) in cols.items() if lo is not None}
    natural = fixed + sum(w for w, _ in flex.values())
    least = fixed + sum(lo for _, lo in flex.values())
    if natural <= capacity(False) or (not sh.landscape and least <= capacity(False)):
        landscape = False
    else:
        landscape = True
    return landscape, share_width(cols, capacity(landscape))


def share_width(cols: dict[int, tuple[float, float | None]], room: float) -> dict[int, float]:
    """Column index -> width: fixed columns (minimum None) as wanted, the others shrunk in
    proportion, none below its minimum, so that the whole fits `room` where it can (a form's
    sheet, a summary's list of what the units wrote)."""
    room -= sum(w for w, lo in cols.values() if lo is None)
    widths = {k: w for k, (w, lo) in cols.items() if lo is None}
    todo = {k: (w, lo) for k, (w, lo) in cols.items() if lo is not None}
    while todo:                      # share the room in proportion, respecting each minimum
        f = room / sum(w for w, _ in todo.values()) if todo else 1
        if f >= 1:
            widths.update({k: w for k, (w, _) in todo.items()})
            break
        low = {k: lo for k, (w, lo) in todo.items() if w * f < lo}
        if not low:
            widths.update({k: int(w * f * 10) / 10 for k, (w, _) in todo.items()})
            break
        for k, lo in low.items():
            widths[k] = lo
            room -= lo
            del todo[k]
    return widths


def text_lines(text, width: float, size: float = TEXT_PT, bold: bool = False) -> int:
    """How many lines `text` wraps to in a column `width` units wide (Times New Roman: about
    0.42 em a character, 0.48 em bold), word by word as Excel and LibreOffice wrap."""
    if text is None or text == "":
        return 1
    per_line = max(1.0, (width * PT_PER_UNIT - 5) / (size * (0.48 if bold else 0.42)))

    def length(word: str) -> float:       # capitals are about 1.5 times as wide
        return sum(1.5 if ch.isupper() else 1.0 for ch in word)

    lines = 0
    for para in str(text).split("\n"):
        n, used = 1, 0.0
        for word in para.split():
            w = length(word) + (1 if used else 0)
            if used and used + w > per_line:
                n, used = n + 1, length(word)
            else:
                used += w
            while used > per_line:          # a word longer than the line breaks inside
                n, used = n + 1, used - per_line
        lines += n
    return lines


def line_height(lines: int, size: float = TEXT_PT) -> float:
    return round(lines * size * 1.2 + 4, 1)


def _fit_rows(ws, widths: dict[int, float], rows) -> None:
    """Give each row of wrapped text the height of its tallest cell: neither Excel nor
    LibreOffice re-measures rows of a file written by openpyxl, so a wrapped label would be cut
    to one line on paper. Merged cells count with their merged width, on their first row."""
    spans = {}
    for rng in ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = (rng.max_col, rng.max_row - rng.min_row + 1)
    for r in rows:
        need = ws.row_dimensions[r].height or 0
        for c in range(1, max(widths) + 1):
            cell = ws.cell(r, c)
            v = cell.value
            if not isinstance(v, str) or v.startswith("="):
                continue
            last, nrows = spans.get((r, c), (c, 1))
            w = sum(widths.get(k, 9) for k in range(c, last + 1))
            size = cell.font.sz or TEXT_PT
            indent = (cell.alignment.indent or 0) * 1.2
            h = line_height(text_lines(v, w - indent, size, cell.font.b), size) / nrows
            need = max(need, h)
        if need:
            ws.row_dimensions[r].height = need


def wrap_across(ws, r: int, span: int, width: float) -> None:
    """A sentence written in column A of row `r` (a note, a sheet's title) merged across columns
    A to `span` (`width` units together), wrapped there and its row made as tall as it wraps to:
    a long line runs on into the next cells on screen but is cut at the printed page's edge."""
    a = ws.cell(r, 1)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=span)
    a.alignment = Alignment(vertical="top", wrap_text=True)
    size = a.font.sz or TEXT_PT
    lines = text_lines(a.value, width, size, bool(a.font.b))
    ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 0, line_height(lines, size))


def print_titles(sh) -> str | None:
    """The header rows of the sheet's one table, repeated on every printed page."""
    if len(sh.blocks) != 1:
        return None
    b = sh.blocks[0]
    return f"{b.top}:{b.first_data_row - 1}"


def page_setup(ws, landscape: bool, title_rows: str | None = None, scale: int = 100,
               print_area: str | None = None) -> None:
    """A4 as HD 36 lays it out, page number top centre from page 2, nothing else in the
    margins. Shared with the summary workbook so every printed sheet looks the same."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    ws.page_setup.scale = scale
    ws.page_setup.firstPageNumber = 1
    ws.page_setup.useFirstPageNumber = True
    left, right, top, bottom = MARGINS[landscape]
    ws.page_margins.left, ws.page_margins.right = left * MM, right * MM
    ws.page_margins.top, ws.page_margins.bottom = top * MM, bottom * MM
    ws.page_margins.header, ws.page_margins.footer = 10 * MM, 8 * MM
    ws.print_options.horizontalCentered = True
    ws.HeaderFooter.differentFirst = True
    ws.oddHeader.center.text = "&P"
    ws.oddHeader.center.font = FONT
    ws.oddHeader.center.size = 12
    if title_rows:
        ws.print_title_rows = title_rows
    if print_area:
        ws.print_area = print_area
    ws.sheet_view.showGridLines = False
