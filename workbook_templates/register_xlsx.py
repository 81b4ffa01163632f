"""The member register in an .xlsx (openpyxl): drawing the empty sheet of the template, and
writing members into a workbook (the import, the next year's template, samples).

The sheet holds 4,000 rows but no cell of an empty row exists: the data columns get their font,
number format and unlocked protection as column styles, borders come from one conditional
format (a row gets its grid once something is typed in it), drop-downs and date checks are one
validation per column. So the template stays small, the reader reads only the rows typed, and
printing (no fixed print area) prints the members, not 4,000 empty rows.
"""
from __future__ import annotations

import datetime as dt
import io
from copy import copy

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .sheet_style import (
    BAD_FILL,
    BAD_FONT,
    BOX,
    FONT,
    _head_cell,
    _header,
    line_height,
    page_setup,
    text_lines,
)
from .spec.danh_sach import COL, REGISTER, SCORE, RegisterSpec
from .spec.model import CHOICE, DATE, XMARK

DATE_FORMAT = "dd/mm/yyyy"


def draw_register(ws, sh, reg: RegisterSpec = REGISTER) -> None:
    """The empty register sheet of the template (called by build.build_workbook)."""

    last_col = reg.last_col
    widths = {1: 5.0} | {reg.first_col + i: c.width for i, c in enumerate(reg.columns)}
    _header(ws, sh, last_col, widths)
    ws.row_dimensions[6].height = 32
    ws.column_dimensions["A"].width = widths[1]
    _head_cell(ws, reg.header_row, reg.stt_col, "STT")
    for i, c in enumerate(reg.columns):
        col = reg.first_col + i
        _head_cell(ws, reg.header_row, col, c.label)
        dim = ws.column_dimensions[get_column_letter(col)]
        dim.width = c.width
        dim.font = Font(name=FONT, size=11)
        dim.protection = Protection(locked=False)
        if c.kind == DATE:
            dim.number_format = DATE_FORMAT
            dim.alignment = Alignment(horizontal="center", vertical="top")
        elif c.kind in (XMARK, SCORE):
            dim.alignment = Alignment(horizontal="center", vertical="top")
        else:
            dim.number_format = "@" if c.kind != CHOICE else "General"
            dim.alignment = Alignment(vertical="top", wrap_text=True)
    stt = ws.column_dimensions["A"]
    stt.font = Font(name=FONT, size=11)
    stt.protection = Protection(locked=False)
    stt.alignment = Alignment(horizontal="center", vertical="top")
    ws.row_dimensions[reg.header_row].height = 48

    first, last = reg.first_row, reg.last_row
    area = f"A{first}:{get_column_letter(last_col)}{last}"
    cols = f"$A{first}:${get_column_letter(last_col)}{first}"
    ws.conditional_formatting.add(area, FormulaRule(formula=[f"COUNTA({cols})>0"], border=BOX))
    _register_validations(ws, reg)
    add_live_checks(ws.parent, _form_of(sh))

    # A4 landscape at 100 % as every form (build.page_setup: page number top centre from page
    # 2); the columns fit the page, so the list prints at the forms' 11 pt
    page_setup(ws, True, f"{reg.header_row}:{reg.header_row}")
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = ws.cell(first, reg.first_col + 1)
    ws.auto_filter.ref = f"A{reg.header_row}:{get_column_letter(last_col)}{last}"
    ws.protection.sheet = True
    for what in ("formatCells", "formatColumns", "formatRows", "objects", "insertRows",
                 "deleteRows", "sort", "autoFilter"):
        setattr(ws.protection, what, False)


def _form_of(sh):
    from .spec import form_sets
    return next(f for f in form_sets().values() if any(s is sh for s in f.sheets))


def _register_validations(ws, reg: RegisterSpec) -> None:
    first, last = reg.first_row, reg.last_row
    by_list: dict[str, list[str]] = {}
    for i, c in enumerate(reg.columns):
        L = get_column_letter(reg.first_col + i)
        ref = f"{L}{first}:{L}{last}"
        if c.kind == CHOICE:
            by_list.setdefault(c.list_name, []).append(ref)
            continue
        if c.kind == DATE:
            kw = dict(type="date", operator="between", formula1="3654", formula2="73050",
                      error="Nhập ngày dạng ngày/tháng/năm, ví dụ 03/02/1995.",
                      errorTitle="Ngày không hợp lệ")
        elif c.kind == XMARK:
            kw = dict(type="list", formula1='"x"', error="Ghi x nếu là cấp ủy viên, để trống "
                      "nếu không.", errorTitle="Chỉ đánh dấu x")
        elif c.kind == SCORE:
            kw = dict(type="decimal", operator="between", formula1="0", formula2="100",
                      error="Điểm từ 0 đến 100.", errorTitle="Điểm không hợp lệ")
        else:
            continue
        dv = DataValidation(allow_blank=True, showErrorMessage=True, errorStyle="stop", **kw)
        dv.add(ref)
        ws.add_data_validation(dv)
    for name, refs in by_list.items():
        dv = DataValidation(type="list", formula1=f"={name}", allow_blank=True,
                            showErrorMessage=True, errorStyle="stop",
                            error="Hãy chọn một giá trị trong danh sách thả xuống.",
                            errorTitle="Giá trị không có trong danh sách")
        for ref in refs:
            dv.add(ref)
        ws.add_data_validation(dv)


def _xl_value(key: str, v):
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    return v


def write_register(wb, members: list[dict], reg: RegisterSpec = REGISTER) -> int:
    """Replace the register of an openpyxl workbook by `members` (dicts by column key, values as
    they should appear: labels for choices, dates as dates). Returns how many rows were cleared
    first. STT is written 1, 2, 3… so findings' "STT 17" is the row the user sees."""
    ws = wb[reg.sheet]
    ncols = reg.last_col
    # the old rows go entirely (values, styles, heights): no leftover rows to print
    old = [k for k in ws._cells if k[0] >= reg.first_row]
    cleared = len({r for r, c in old if ws._cells[(r, c)].value is not None})
    for k in old:
        del ws._cells[k]
    for r in [r for r in ws.row_dimensions if r >= reg.first_row]:
        del ws.row_dimensions[r]
    # cells written here get the look a typed cell gets from its column's style
    styles = {c: ws.column_dimensions[get_column_letter(c)]._style for c in range(1, ncols + 1)}
    keys = [(k, reg.col_of(k)) for k in COL]
    width = {reg.col_of(c.key): c.width for c in reg.columns}
    for i, m in enumerate(members):
        r = reg.first_row + i
        lines = 1
        for c, v in [(reg.stt_col, i + 1)] + [(col, m.get(k)) for k, col in keys]:
            if v is None or v == "":
                continue           # an empty cell is no cell: its column's style shows anyway
            cell = ws.cell(r, c)
            cell._style = copy(styles[c])
            cell.value = _xl_value("", v)
            if isinstance(v, str):
                cell.data_type = "s"   # a name starting with "=" stays text
                lines = max(lines, text_lines(v, width.get(c, 10)))
        if lines > 1:   # openpyxl cannot autofit and LibreOffice does not on opening: estimate
            ws.row_dimensions[r].height = line_height(lines)
    return cleared


def workbook_with_register(xlsx: bytes, members: list[dict], values: dict | None = None) -> bytes:
    """A copy of a workbook (bytes) with its register replaced, and defined-name cells of
    `values` set (Thông tin of a new template)."""
    from openpyxl import load_workbook

    from .spec import get_form_set
    wb = load_workbook(io.BytesIO(xlsx))
    if values:
        spec = get_form_set("bao_cao_nam")
        for name, v in values.items():
            c = spec.cells[name]
            wb[c.sheet].cell(c.row, c.col).value = v
    write_register(wb, members)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- live checks: Biểu 1 / Biểu 3 against the register while the user types -----------------------

def count_formulas(form) -> dict[str, str]:
    """Excel formulas (without "=") giving, from the register, the count each Biểu 1 / Biểu 3
    member cell must hold: the same counting as `rules.members.counts` (a member rated while
    exempt counts as exempt; admitted within 6 months of the rating date counts as new). Used
    for live highlighting; the validator counts in Python and has the last word."""
    from .rules.members import COUNT_COLS
    from .spec.danh_sach import label_of
    from .spec.domain import LEVEL_LABEL

    def q(s):
        return '"' + s.replace('"', '""') + '"'

    tam, mien, dc = (label_of("TinhTrang", c) for c in ("TAM", "MIEN", "DINHCHI"))
    day = "IF(ISNUMBER(TT_NgayLap),TT_NgayLap,DATE(N(TT_Nam),12,31))"
    cut = f"EDATE({day},-6)"
    here = f'DSDV_HoTen,"<>",DSDV_TinhTrang,{q("<>" + tam)}'
    normal = f'{here},DSDV_TinhTrang,{q("<>" + mien)},DSDV_TinhTrang,{q("<>" + dc)}'
    old = f'{normal},DSDV_NgayVaoDang,"<="&{cut}'
    dv = {
        "TONG": f"COUNTIFS({here})",
        "MIEN": f'COUNTIFS(DSDV_HoTen,"<>",DSDV_TinhTrang,{q(mien)})',
        "DINHCHI": f'COUNTIFS(DSDV_HoTen,"<>",DSDV_TinhTrang,{q(dc)})',
        "MOI": f'COUNTIFS({normal},DSDV_NgayVaoDang,">"&{cut})',
        "KHAC": f'COUNTIFS({old},DSDV_XepLoai,"",DSDV_GhiChu,"<>")',
        "KYLUAT": f'COUNTIFS({here},DSDV_KyLuat,"<>",DSDV_KyLuat,{q("<>Không")})',
    }
    for code, label in LEVEL_LABEL.items():
        dv[code] = f"COUNTIFS({old},DSDV_XepLoai,{q(label)})"
    out = {f"XL_DV_{k}": dv[k] for k in COUNT_COLS}
    rated = "+".join(f"COUNTIFS({old},DSDV_XepLoai,{q(lb)})" for lb in LEVEL_LABEL.values())
    out.update({"KD_PHAI_DV": dv["TONG"], "KD_DA_DV": rated, "KD_MOIKN_DV": dv["MOI"],
                "KD_MIEN_DV": dv["MIEN"], "KD_DINHCHI_DV": dv["DINHCHI"],
                "KD_KHAC_DV": dv["KHAC"]})
    return {n: f for n, f in out.items() if n in form.cells and form.cells[n].is_input}


def add_live_checks(wb, form) -> None:
    """A Biểu 1 / Biểu 3 member cell turns red while it disagrees with a non-empty register."""
    from openpyxl.formatting.rule import FormulaRule

    for name, f in count_formulas(form).items():
        c = form.cells[name]
        rule = FormulaRule(formula=[f"AND(COUNTA(DSDV_HoTen)>0,N({name})<>{f})"],
                           fill=BAD_FILL, font=BAD_FONT)
        wb[c.sheet].conditional_formatting.add(c.a1, rule)
