"""Turns table descriptions into positioned, named cells.

Every sheet has the Party document header on rows 1–3, the title on row 5, a subtitle on row 6 and
its first table from row 8 (SPEC §3). The helpers here are the only place that decides where a
cell sits, so the builder, the readers and the validator cannot disagree.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from .model import (
    COUNT,
    DERIVED,
    UNKNOWN,
    Block,
    Cell,
    ColDef,
    CountA,
    CountIf,
    Expr,
    RowDef,
    SheetSpec,
    as_number,
    whole,
)

TABLE_TOP = 8


def _finish(sheet: SheetSpec, last_row: int) -> SheetSpec:
    """Under the last table: a blank row, "Hướng dẫn ghi biểu" and the notes, a blank row, then
    the signature block at footer_row."""
    sheet.footer_row = last_row + 2 + (len(sheet.notes) + 2 if sheet.notes else 0)
    return sheet


NUMBER_WIDTH = 6.0    # a count up to 99.999 at 11 pt, with room for the cell's padding
RATIO_WIDTH = 6.0     # a percentage "19.75" (or "100.00")


def sized(col: ColDef) -> ColDef:
    """A number column as wide as its numbers, not its header: headers wrap instead, so the
    table fits the page at 100 % and nothing is printed below 10 pt."""
    if col.kind != COUNT or col.width >= 10:
        return col
    # but no narrower than the header's longest word ("(người)", "(XS+Tốt)") in 10 pt bold
    word = max((len(w) for w in col.label.split()), default=0) * 0.95
    base = RATIO_WIDTH if col.number_format else NUMBER_WIDTH
    return replace(col, width=round(max(base, min(8.0, word)), 1))


def info_sheet(name, title, fields, subtitle="") -> SheetSpec:
    """Label/value pairs. fields: (name, label, kind, choices, required, hint)."""
    rows, cells = [], []
    first = TABLE_TOP + 1
    for i, (cname, label, kind, choices, required, hint) in enumerate(fields):
        r = first + i
        rows.append(RowDef(cname, label, stt=str(i + 1)))
        cells.append(Cell(cname, name, r, 3, kind, row_label=label, col_label="Nội dung",
                          row_key=cname, col_key="VALUE", choices=tuple(choices or ()),
                          required=required, hint=hint))
    block = Block("info", TABLE_TOP, first, tuple(rows),
                  (ColDef("VALUE", "Nội dung", width=44), ColDef("HINT", "Hướng dẫn", width=46)),
                  header_rows=1, numbering=False)
    sh = SheetSpec(name, title, subtitle, blocks=[block], cells=cells, label_width=34,
                   landscape=False)
    return _finish(sh, first + len(fields) - 1)


def inputs_first(cols, derived) -> tuple[ColDef, ...]:
    """Input columns first, then the computed ones (a spanning group moves as a whole), so a
    row of inputs is contiguous: pasting last year's row of figures never hits a locked cell."""
    runs: list[list[ColDef]] = []
    for c in cols:
        if runs and c.group and runs[-1][-1].group == c.group:
            runs[-1].append(c)
        else:
            runs.append([c])
    computed = [r for r in runs if all(c.key in derived for c in r)]
    typed = [r for r in runs if not all(c.key in derived for c in r)]
    return tuple(c for r in typed + computed for c in r)


def grid_block(sheet_name, prefix, rows, cols, top, derived: dict[str, Callable[[str], Expr]],
               caption="", name_of=None) -> tuple[Block, list[Cell], int]:
    """Rows × columns of counts; derived columns get one expression per row.

    Returns the block, its cells and its last row. Names are PREFIX_ROW_COL unless name_of says
    otherwise (Biểu 5 puts the year first).
    """
    name_of = name_of or (lambda rk, ck: f"{prefix}_{rk}_{ck}")
    cols = tuple(sized(c) for c in inputs_first(cols, derived))
    caption_rows = 1 if caption else 0
    header_top = top + caption_rows
    groups = any(c.group for c in cols)
    header_rows = 2 if groups else 1
    first = header_top + header_rows + 1  # + numbering row
    cells, r = [], first
    for row in rows:
        if not row.section:
            for j, col in enumerate(cols):
                if col.key in row.na:
                    continue
                kind = DERIVED if col.key in derived else col.kind
                expr = derived[col.key](row.key) if col.key in derived else None
                cells.append(Cell(name_of(row.key, col.key), sheet_name, r, 3 + j, kind,
                                  row_label=row.label, col_label=col.label, row_key=row.key,
                                  col_key=col.key, expr=expr, number_format=col.number_format))
        r += 1
    block = Block("grid", header_top, first, tuple(rows), tuple(cols), caption=caption,
                  header_rows=header_rows)
    return block, cells, r - 1


def grid_sheet(name, title, prefix, rows, cols, derived, subtitle="", form_no="",
               notes=()) -> SheetSpec:
    block, cells, last = grid_block(name, prefix, rows, cols, TABLE_TOP, derived)
    sh = SheetSpec(name, title, subtitle, form_no=form_no, blocks=[block], cells=cells,
                   notes=tuple(notes))
    return _finish(sh, last)


def list_sheet(name, title, prefix, cols, n_rows, subtitle="", form_no="", notes=(),
               counts=()) -> SheetSpec:
    """Numbered rows for a list (Biểu 4, Giải trình). Each cell is named PREFIX_COL_n; each column
    range PREFIX_COL. counts: (name, label, column key, Choice or None for 'non-empty')."""
    first = TABLE_TOP + 2
    cells, rows = [], []
    for i in range(n_rows):
        r = first + i
        rows.append(RowDef(str(i + 1), "", stt=str(i + 1)))
        for j, col in enumerate(cols):
            cells.append(Cell(f"{prefix}_{col.key}_{i + 1}", name, r, 2 + j, col.kind,
                              row_label=f"dòng {i + 1}", col_label=col.label, row_key=str(i + 1),
                              col_key=col.key, number_format=col.number_format))
    last = first + n_rows - 1
    ranges = {}
    for j, col in enumerate(cols):
        from openpyxl.utils import get_column_letter
        L = get_column_letter(2 + j)
        ranges[f"{prefix}_{col.key}"] = f"${L}${first}:${L}${last}"
    sum_rows = []
    r = last + 1
    for cname, label, ckey, choice in counts:
        members = tuple(c.name for c in cells if c.col_key == ckey)
        # choice: a drop-down entry (counted by its label in Excel, by label or code here)
        expr = (CountIf(f"{prefix}_{ckey}", choice.label, members, (choice.code,)) if choice
                else CountA(f"{prefix}_{ckey}", members))
        cells.append(Cell(cname, name, r, 3, DERIVED, row_label=label, col_label="Số lượng",
                          row_key=cname, col_key="SO", expr=expr))
        sum_rows.append((label, cname))
        r += 1
    block = Block("list", TABLE_TOP, first, tuple(rows), tuple(cols), first_col=2,
                  header_rows=1, sum_rows=tuple(sum_rows))
    sh = SheetSpec(name, title, subtitle, form_no=form_no, blocks=[block], cells=cells,
                   label_width=5, ranges=ranges, notes=tuple(notes))
    return _finish(sh, r - 1)


CHECK_COLS = (
    ColDef("PH", "Phù hợp (1)", kind="xmark", width=11),
    ColDef("CPH", "Chưa phù hợp (1)", kind="xmark", width=11),
    ColDef("DN", "Đề nghị sửa đổi, bổ sung (nếu có) (2)", kind="text", width=46),
)
CHECK_NOTES = ('(1) "Phù hợp" hoặc "Chưa phù hợp": đánh dấu x vào một trong hai cột.',
               "(2) Ghi cụ thể nội dung đề nghị sửa đổi, bổ sung; bắt buộc khi chọn "
               '"Chưa phù hợp".')


def checklist_sheet(name, title, prefix, rows, subtitle="", form_no="") -> SheetSpec:
    block, cells, last = grid_block(name, prefix, rows, CHECK_COLS, TABLE_TOP, {})
    block = Block("checklist", block.top, block.first_data_row, block.rows, block.cols,
                  header_rows=1)
    sh = SheetSpec(name, title, subtitle, form_no=form_no, blocks=[block], cells=cells,
                   label_width=60, landscape=False, notes=CHECK_NOTES)
    return _finish(sh, last)


def years_sheet(name, title, prefix, doc_rows, n_years, subtitle="", form_no="",
                notes=()) -> SheetSpec:
    """Biểu số 1: per kind of document two rows (Số, ký hiệu / Ngày ban hành), one column a year.
    Names PREFIX_<ROW>_SO_Y<k> and PREFIX_<ROW>_NGAY_Y<k>."""
    rows = []
    for key, label in doc_rows:
        rows.append(RowDef(f"{key}_SO", label, stt="Số, ký hiệu"))
        rows.append(RowDef(f"{key}_NGAY", label, stt="Ngày ban hành"))
    cols = year_cols(n_years, kind="docno", width=17)
    first = TABLE_TOP + 2
    cells = []
    for i, row in enumerate(rows):
        kind = "docno" if row.key.endswith("_SO") else "docdate"
        for k, col in enumerate(cols):
            cells.append(Cell(f"{prefix}_{row.key}_{col.key}", name, first + i, 3 + k, kind,
                              row_label=f"{row.label} — {row.stt}", col_label=col.label,
                              row_key=row.key, col_key=col.key, year_index=k))
    block = Block("years", TABLE_TOP, first, tuple(rows), cols, header_rows=1, numbering=False)
    sh = SheetSpec(name, title, subtitle, form_no=form_no, blocks=[block], cells=cells,
                   label_width=46, notes=tuple(notes))
    return _finish(sh, first + len(rows) - 1)


@dataclass(frozen=True)
class YearHeader(Expr):
    """The header of the k-th year column (k from 0): the year once Từ năm is filled, blank past
    Đến năm, «Năm thứ k+1» while Từ năm is blank."""

    k: int

    @property
    def refs(self):
        return ("TT_TuNam", "TT_DenNam")

    def excel(self):
        k = self.k
        return (f'=IF(N(TT_TuNam)=0,"Năm thứ {k + 1}",'
                f'IF(AND(N(TT_DenNam)>0,TT_TuNam+{k}>N(TT_DenNam)),"",TT_TuNam+{k}))')

    def cached(self, get):
        start, end = as_number(get("TT_TuNam")), as_number(get("TT_DenNam"))
        if start is UNKNOWN or end is UNKNOWN:
            return UNKNOWN
        if start == 0:
            return f"Năm thứ {self.k + 1}"
        if end > 0 and start + self.k > end:
            return ""
        return whole(start + self.k)      # a year; a fraction or a date is left blank


def year_cols(n_years, **kw):
    """One column a year of the review: the header shows the year once Từ năm is filled, and
    stays blank past Đến năm, so a five-year review prints five years, not ten."""
    return tuple(ColDef(f"Y{k + 1}", f"Năm thứ {k + 1}", header=YearHeader(k), **kw)
                 for k in range(n_years))


def stacked_year_grids(name, title, prefix, tables, level_rows, n_years, derived_rows,
                       subtitle="", form_no="", extra_tables=()) -> SheetSpec:
    """Biểu 5: several small tables (rows = levels and Tổng số, one column a year).
    tables: (key, caption). Names PREFIX_<TABLE>_<ROW>_Y<k>; derived_rows: row key -> function
    (table key, year key) -> Expr."""
    cols = year_cols(n_years)          # numbers: sized to their digits (see sized())
    blocks, cells, top = [], [], TABLE_TOP
    every = [(t, cap, tuple(level_rows)) for t, cap in tables] + [
        (t, cap, tuple(rows)) for t, cap, rows in extra_tables]   # their own rows, after
    for tkey, caption, rows in every:
        # derived rows are per column here, so build cells by hand with grid_block for inputs
        block, bcells, last = grid_block(
            name, prefix, rows, cols, top, {},
            caption=caption, name_of=lambda rk, ck, t=tkey: f"{prefix}_{t}_{rk}_{ck}")
        fixed = []
        for c in bcells:
            if c.row_key in derived_rows:
                expr = derived_rows[c.row_key](tkey, c.col_key)
                c = Cell(c.name, c.sheet, c.row, c.col, DERIVED, c.row_label, c.col_label,
                         c.row_key, c.col_key, expr=expr,
                         number_format="0.00" if type(expr).__name__ == "Percent" else None)
            fixed.append(Cell(c.name, c.sheet, c.row, c.col, c.kind, f"{caption}: {c.row_label}",
                              c.col_label, c.row_key, c.col_key, expr=c.expr,
                              number_format=c.number_format,
                              year_index=int(c.col_key[1:]) - 1))
        blocks.append(block)
        cells.extend(fixed)
        top = last + 2
    sh = SheetSpec(name, title, subtitle, form_no=form_no, blocks=blocks, cells=cells,
                   label_width=36, landscape=False)
    return _finish(sh, top - 2)


# --- the printed reference ----------------------------------------------------------------------
# A printed form numbers its rows (STT) and its columns ("(7)"); that, not "G11", is what a clerk
# and the superior reading the paper can follow. Findings and "Giải trình" both use it.

def _stt_of(sh: SheetSpec, cell: Cell) -> str:
    for b in sh.blocks:
        if b.kind == "list":
            if b.first_data_row <= cell.row < b.first_data_row + len(b.rows):
                return b.rows[cell.row - b.first_data_row].stt
            continue
        for row in b.rows:
            if row.key == cell.row_key:
                return row.stt if row.stt and b.kind != "years" else ""
    return ""


def _numbered(sh: SheetSpec, cell: Cell) -> bool:
    for b in sh.blocks:
        if b.first_col <= cell.col <= b.last_col and b.top <= cell.row:
            return b.numbering and b.kind != "years"
    return False


def printed_place(form, name: str) -> tuple[str, str, int | None]:
    """(sheet, row STT or "", printed column number or None) of a named cell."""
    cache = form.__dict__.setdefault("_printed", {})
    if name not in cache:
        c = form.cells[name]
        sh = form.sheet(c.sheet)
        cache[name] = (c.sheet, _stt_of(sh, c), c.col if _numbered(sh, c) else None)
    return cache[name]


def printed_ref(form, name: str) -> str:
    """"Biểu 3, dòng 1.1, cột (7)": the cell as the printed form numbers it; rows without an
    STT and sheets without column numbers are named by their labels."""
    if name not in form.cells:
        return ""
    c = form.cells[name]
    sheet, stt, col = printed_place(form, name)
    row = f"dòng {stt}" if stt else f"dòng «{c.row_label}»"
    column = f"cột ({col})" if col else f"cột «{c.col_label}»"
    if c.sheet == "Thông tin" or c.col_key == "VALUE":
        return f"{sheet}, {row}"
    return f"{sheet}, {row}, {column}"


def _norm_sheet(text) -> str:
    s = str(text or "").casefold().replace("biểu", "").replace("số", "").replace("bieu", "")
    return "".join(ch for ch in s if ch.isalnum())


def _norm_stt(text) -> str:
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    s = str(text if text is not None else "").strip().casefold()
    for word in ("dòng", "stt", "số"):
        s = s.replace(word, "")
    return s.strip(" .:")


def _norm_col(text) -> int | None:
    if text is None or str(text).strip() == "":
        return None
    s = str(text).strip().casefold().replace("cột", "").strip(" ():.")
    if s.endswith(".0"):
        s = s[:-2]
    if s.isdigit():
        return int(s)
    if s.isalpha() and s.isascii() and len(s) <= 2:     # a column letter, as Excel shows it
        from openpyxl.utils import column_index_from_string
        return column_index_from_string(s.upper())
    return None


def resolve_printed(form, sheet_text, row_text, col_text) -> set[str] | None:
    """The cell names a written reference points at: "Biểu 3" + STT "1" + cột "(7)", or a cell
    address ("Biểu 3!G11", "G11" with the sheet given) or defined name in any of the three.
    A blank column means the whole row. None when the reference cannot be read at all."""
    import re
    texts = [str(t).strip() for t in (sheet_text, row_text, col_text) if t not in (None, "")]
    for t in texts:                                      # an address or a name, Excel's way
        t2 = t.replace("'", "").replace("$", "")
        if t2 in form.cells:
            return {t2}
        m = re.match(r"^(?:(.+)!)?\s*([A-Za-z]{1,2})(\d+)$", t2)
        if m:
            sheet = m.group(1) or sheet_text
            key = _norm_sheet(sheet)
            from openpyxl.utils import column_index_from_string
            col, row = column_index_from_string(m.group(2).upper()), int(m.group(3))
            return {c.name for c in form.cells.values()
                    if _norm_sheet(c.sheet) == key and c.row == row and c.col == col}
    key = _norm_sheet(sheet_text)
    if not key:
        return None
    stt, col = _norm_stt(row_text), _norm_col(col_text)
    if col_text not in (None, "") and col is None:
        return None
    out = set()
    for c in form.cells.values():
        if _norm_sheet(c.sheet) != key:
            continue
        _, cstt, ccol = printed_place(form, c.name)
        if stt and cstt.casefold() != stt and c.row_label.casefold() != stt:
            continue
        if col is not None and c.col != col:
            continue
        out.add(c.name)
    return out
