"""Spec -> .xlsx template (openpyxl).

Everything drawn here comes from the spec: positions and names from `spec`, formulas from the
cells' expressions, live error highlighting from `rules.checks.relations`, the XS share from the
rule packs. Styles follow Hướng dẫn 36-HD/VPTW: Times New Roman, header block left, "ĐẢNG CỘNG
SẢN VIỆT NAM" right, italic place-and-date line, A4.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break

from .cached_values import filled_parts
from .read import META_ROWS
from .rules.checks import live_formulas, quota_rows, relations
from .rules.packs import QuotaShare
from .sheet_style import (  # noqa: F401  (re-exported: build.page_setup etc. are used elsewhere)
    BAD_FILL,
    BAD_FONT,
    BOX,
    DATE_LINE,
    DERIVED_FILL,
    DOTS,
    FONT,
    HEAD_FILL,
    HEADER_FORMULAS,
    INPUT_FILL,
    MARGINS,
    MM,
    NA_FILL,
    PT_PER_UNIT,
    SIGNER,
    TEXT_PT,
    THIN,
    _abs,
    _columns,
    _f,
    _fit_rows,
    _halves,
    _head_cell,
    _header,
    _merge,
    _or_dots,
    _quote,
    capacity,
    line_height,
    page_setup,
    plan_columns,
    print_titles,
    text_lines,
)
from .spec import META_SHEET, FormSet, form_sets
from .spec.danh_sach import KY_LUAT, NHOM, TINH_TRANG
from .spec.domain import KP_RESULTS, LEVELS, SECTORS, UNIT_TYPES, YES_NO
from .spec.model import (
    CHOICE,
    COUNT,
    DATE,
    DERIVED,
    SCORE,
    TEXT,
    UNKNOWN,
    XMARK,
    YEAR,
    Block,
    Expr,
)

LISTS = {  # drop-down sources on the hidden _meta sheet: name -> (column, choices)
    "DS_LoaiDonVi": ("D", UNIT_TYPES), "DS_XepLoai": ("E", LEVELS),
    "DS_CoKhong": ("F", YES_NO), "DS_KetQua": ("G", KP_RESULTS),
    "DS_LinhVuc": ("K", SECTORS),
    # the member register's lists (spec/danh_sach.py)
    "DS_Nhom": ("H", NHOM), "DS_TinhTrang": ("I", TINH_TRANG), "DS_KyLuat": ("J", KY_LUAT),
}


def _grid_headers(ws, block, first_label="STT", second_label="Nội dung"):
    from .spec.bao_cao_nam import HEADER_UNITS
    top, hr = block.top, block.header_rows
    block = Block(block.kind, block.top, block.first_data_row, block.rows, tuple(
        replace(col, label=f"{col.label} {HEADER_UNITS[(ws.title, col.key)]}")
        if (ws.title, col.key) in HEADER_UNITS else col for col in block.cols),
        block.first_col, block.caption, block.header_rows, block.numbering, block.sum_rows)
    if block.caption:
        _merge(ws, top - 1, 1, top - 1, block.last_col, block.caption, _f(12, bold=True),
               Alignment(horizontal="left", vertical="center"))
    _head_cell(ws, top, 1, first_label, top + hr - 1, 1)
    _head_cell(ws, top, 2, second_label, top + hr - 1, 2)
    c, cols = block.first_col, list(block.cols)
    i = 0
    while i < len(cols):
        col = cols[i]
        if hr == 2 and col.group:
            j = i
            while j + 1 < len(cols) and cols[j + 1].group == col.group:
                j += 1
            _head_cell(ws, top, c + i, col.group, top, c + j)
            for k in range(i, j + 1):
                _head_cell(ws, top + 1, c + k, cols[k].label, narrow=cols[k].width < 10)
            i = j + 1
        else:
            _head_cell(ws, top, c + i, col.header_formula or col.label, top + hr - 1, c + i,
                       narrow=col.width < 10)
            i += 1
    if block.numbering:
        r = top + hr
        for k in range(1, block.last_col + 1):
            cell = ws.cell(r, k, f"({k})")
            cell.font = _f(TEXT_PT, italic=True)
            cell.alignment = Alignment(horizontal="center")
            cell.border = BOX


def _row_labels(ws, block, sh):
    r = block.first_data_row
    for row in block.rows:
        a = ws.cell(r, 1, row.stt)
        b = ws.cell(r, 2, row.label)
        bold = row.section or (row.indent == 0 and block.kind == "grid")
        a.font = _f(11, bold=bold)
        b.font = _f(11, bold=row.section, italic=row.italic)
        a.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        b.alignment = Alignment(vertical="center", wrap_text=True, indent=2 * row.indent)
        for c in range(1, block.last_col + 1):
            ws.cell(r, c).border = BOX
            if c >= block.first_col and (row.section or
                                         block.cols[c - block.first_col].key in row.na):
                ws.cell(r, c).fill = NA_FILL if not row.section else HEAD_FILL
        if row.section:
            a.fill = b.fill = HEAD_FILL
        r += 1


def _years_block(ws, block):
    top = block.top
    _head_cell(ws, top, 1, "NỘI DUNG", top + 1, 1)
    _head_cell(ws, top, 2, "Thể loại văn bản", top + 1, 2)
    for k, col in enumerate(block.cols):
        _head_cell(ws, top, 3 + k, col.header_formula or col.label, top + 1, 3 + k)
    r = block.first_data_row
    for i in range(0, len(block.rows), 2):
        row = block.rows[i]
        _merge(ws, r, 1, r + 1, 1, row.label, _f(11),
               Alignment(vertical="center", wrap_text=True))
        for rr in (r, r + 1):
            ws.cell(rr, 2, block.rows[i + rr - r].stt).font = _f(11, italic=True)
            ws.row_dimensions[rr].height = 32
            for c in range(1, block.last_col + 1):
                ws.cell(rr, c).border = BOX
        r += 2


def _list_block(ws, block, sh):
    top = block.top
    _head_cell(ws, top, 1, "STT")
    for j, col in enumerate(block.cols):
        _head_cell(ws, top, block.first_col + j, col.label)
    for k in range(1, block.last_col + 1):
        cell = ws.cell(top + 1, k, f"({k})")
        cell.font = _f(TEXT_PT, italic=True)
        cell.alignment = Alignment(horizontal="center")
        cell.border = BOX
    for i, row in enumerate(block.rows):
        r = block.first_data_row + i
        ws.cell(r, 1, int(row.stt)).alignment = Alignment(horizontal="center", vertical="top")
        for c in range(1, block.last_col + 1):
            ws.cell(r, c).border = BOX
            ws.cell(r, c).font = _f(11)
    r = block.first_data_row + len(block.rows)
    for label, _name in block.sum_rows:
        _merge(ws, r, 1, r, 2, label, _f(11, bold=True), Alignment(horizontal="right"))
        r += 1


def _info_block(ws, block):
    top = block.top
    for c, text in enumerate(("STT", "Nội dung", "Thông tin", "Hướng dẫn"), start=1):
        _head_cell(ws, top, c, text)
    r = block.first_data_row
    for row in block.rows:
        ws.cell(r, 1, row.stt).alignment = Alignment(horizontal="center", vertical="center")
        ws.cell(r, 2, row.label).alignment = Alignment(vertical="center", wrap_text=True)
        for c in range(1, 5):
            ws.cell(r, c).border = BOX
            ws.cell(r, c).font = _f(11)
        ws.row_dimensions[r].height = 24   # room to write by hand
        r += 1


def _style_value_cell(ws, cell, data_font=None):
    x = ws.cell(cell.row, cell.col)
    x.border = BOX
    x.font = data_font or _f(11)
    if cell.kind == DERIVED:
        x.value = cell.expr.excel()
        x.fill = DERIVED_FILL
        x.protection = Protection(locked=True)
        x.number_format = cell.number_format or "#,##0"
        x.alignment = Alignment(horizontal="right", vertical="center")
        return
    x.protection = Protection(locked=False)
    x.fill = INPUT_FILL
    if cell.kind == COUNT:
        x.number_format = "#,##0"
        x.alignment = Alignment(horizontal="right", vertical="center")
    elif cell.kind == DATE:
        x.number_format = "dd/mm/yyyy"
        x.alignment = Alignment(horizontal="center", vertical="center")
    elif cell.kind == XMARK:
        x.alignment = Alignment(horizontal="center", vertical="center")
    elif cell.kind == SCORE:
        x.number_format = "General"
        x.alignment = Alignment(horizontal="right", vertical="center")
    elif cell.kind == YEAR:
        x.number_format = "0"
        x.alignment = Alignment(horizontal="center", vertical="center")
    else:
        x.number_format = "@"
        x.alignment = Alignment(vertical="center", wrap_text=True)


def _validations(ws, cells):
    groups: dict[str, list[str]] = {}
    for c in cells:
        if c.kind == CHOICE:
            key = {UNIT_TYPES: "DS_LoaiDonVi", LEVELS: "DS_XepLoai", YES_NO: "DS_CoKhong",
                   KP_RESULTS: "DS_KetQua", SECTORS: "DS_LinhVuc"}[c.choices]
        else:
            key = c.kind
        groups.setdefault(key, []).append(c.a1)
    specs = {
        COUNT: dict(type="whole", operator="greaterThanOrEqual", formula1="0",
                    error="Chỉ nhập số nguyên không âm (0, 1, 2, …), không dấu chấm, không chữ.",
                    errorTitle="Số lượng không hợp lệ"),
        YEAR: dict(type="whole", operator="between", formula1="1990", formula2="2100",
                   error="Năm phải là số có 4 chữ số, ví dụ 2025.", errorTitle="Năm không hợp lệ"),
        DATE: dict(type="date", operator="between", formula1="36526", formula2="73050",
                   error="Nhập ngày dạng ngày/tháng/năm, ví dụ 15/12/2025.",
                   errorTitle="Ngày không hợp lệ"),
        SCORE: dict(type="decimal", operator="between", formula1="0", formula2="100",
                    error="Điểm là số từ 0 đến 100 (thang 100 điểm), ví dụ 92 hoặc 89,5.",
                    errorTitle="Điểm không hợp lệ"),
        XMARK: dict(type="list", formula1='"x"', error="Chỉ đánh dấu chữ x hoặc để trống.",
                    errorTitle="Chỉ đánh dấu x"),
    }
    from .spec.bao_cao_nam import PROMPTS
    prompts: dict[str, list[str]] = {}
    for c in cells:
        column = c.name.rsplit("_", 1)[0]
        if column in PROMPTS and c.kind == TEXT:
            prompts.setdefault(column, []).append(c.a1)
    for column, refs in prompts.items():      # a text column that needs a word of guidance
        dv = DataValidation(allow_blank=True, showInputMessage=True, promptTitle="Cách ghi",
                            prompt=PROMPTS[column][:255])
        for ref in refs:
            dv.add(ref)
        ws.add_data_validation(dv)
    for key, refs in groups.items():
        if key in LISTS:
            kw = dict(type="list", formula1=f"={key}",
                      error="Hãy chọn một giá trị trong danh sách thả xuống.",
                      errorTitle="Giá trị không có trong danh sách")
        elif key in specs:
            kw = specs[key]
        else:
            continue
        dv = DataValidation(allow_blank=True, showErrorMessage=True, errorStyle="stop", **kw)
        if key in (DATE, YEAR):
            dv.showInputMessage, dv.promptTitle = True, "Cách ghi"
            dv.prompt = ("Ngày/tháng/năm, ví dụ 15/12/2025." if key == DATE
                         else "Năm có 4 chữ số, ví dụ 2025.")
        for ref in refs:
            dv.add(ref)
        ws.add_data_validation(dv)


def _live_checks(wb, form: FormSet):
    """Conditional formatting that shows a broken total while the user types."""
    for rel in relations(form):
        t = form.cells.get(rel.target)
        if t is None or any(p not in form.cells for p in rel.parts):
            continue
        parts = "+".join(rel.parts)
        # as the checker: a breakdown (R-PART) is judged only once one of its parts is filled
        watched = rel.parts if rel.rule == "R-PART" else (rel.target,) + rel.parts
        anyfilled = "COUNT(" + ",".join(watched) + ")>0"
        op = {"eq": "<>", "le": ">", "ge": "<"}[rel.kind]
        rule = FormulaRule(formula=[f"AND({anyfilled},{rel.target}{op}{parts})"],
                           fill=BAD_FILL, font=BAD_FONT)
        wb[t.sheet].conditional_formatting.add(t.a1, rule)
    for _rule, name, cond in live_formulas(form):
        c = form.cells[name]
        wb[c.sheet].conditional_formatting.add(
            c.a1, FormulaRule(formula=[cond], fill=BAD_FILL, font=BAD_FONT))
    for c in quota_rows(form):
        xs = form.cells[c.expr.xs]
        rule = FormulaRule(formula=[f"AND(N({xs.name})>0,{xs.name}>{c.name})"],
                           fill=BAD_FILL, font=BAD_FONT)
        wb[xs.sheet].conditional_formatting.add(xs.a1, rule)


def _outside_period(wb, form: FormSet):
    """Review forms: a year column past Đến năm is greyed and its figures hidden, so a five-year
    review does not print five columns of zeros."""
    if "TT_DenNam" not in form.cells:
        return
    for c in form.cells.values():
        if c.year_index is None:
            continue
        rule = FormulaRule(formula=[f"AND(N(TT_TuNam)>0,N(TT_DenNam)>0,"
                                    f"TT_TuNam+{c.year_index}>TT_DenNam)"],
                           fill=NA_FILL, font=Font(name=FONT, color="FFBFBFBF"))
        wb[c.sheet].conditional_formatting.add(c.a1, rule)


def _footer(ws, sh, widths):
    """"Hướng dẫn ghi biểu" (the sheet's notes) under the table, then the signature block."""
    r = sh.footer_row - len(sh.notes) - 2
    if sh.notes:
        _merge(ws, r, 1, r, sh.last_col, "Hướng dẫn ghi biểu:", _f(TEXT_PT, bold=True, italic=True),
               Alignment(horizontal="left", vertical="top"))
    for i, note in enumerate(sh.notes):
        _merge(ws, r + 1 + i, 1, r + 1 + i, sh.last_col, note, _f(TEXT_PT, italic=True),
               Alignment(horizontal="left", vertical="top", wrap_text=True))
    r = sh.footer_row
    left = _halves(widths, sh.last_col)[1]
    _merge(ws, r, left, r, sh.last_col, "NGƯỜI LẬP BIỂU", _f(12, bold=True))
    _merge(ws, r + 1, left, r + 1, sh.last_col, "(Họ tên, số điện thoại)", _f(11, italic=True))
    _merge(ws, r + 4, left, r + 4, sh.last_col,
           SIGNER.excel(),
           _f(12, bold=True))


# --- paper -------------------------------------------------------------------------------------
# HD 36-HD/VPTW: A4, Times New Roman, margins top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm,
# page numbers from page 2, top centre, 10 mm from the edge. A landscape table is bound along its
# top edge, so it keeps 20 mm there and 20/15 mm left/right. Text is never shrunk to fit: columns
# are sized so the table fits the width at 100 %, and a long table runs onto more pages with its
# header rows repeated.
def _page(ws, sh, landscape: bool, widths: dict[int, float]):
    total = sum(widths.get(k, 9) for k in range(1, sh.last_col + 1))
    scale = min(100, int(100 * capacity(landscape) / total))
    page_setup(ws, landscape, print_titles(sh), scale,
               f"A1:{get_column_letter(sh.last_col)}{sh.footer_row + 4}")


DEFAULT_ROW_PT = 15.0


def _keep_together(ws, sh, landscape: bool) -> None:
    """Start a table of a sheet holding several (Biểu số 5: five, each under its caption), and
    "Hướng dẫn ghi biểu" with the signature block (with the last table, when there are several),
    on a new page when they would otherwise be split across two: a table's header left alone at
    the foot of a page, its rows overleaf without it, or a signature alone on a page that cannot
    be filed. Pages are laid out as LibreOffice and Excel do at 100 %: row heights as set,
    header rows repeated."""
    _, _, top, bottom = MARGINS[landscape]
    room = ((210 if landscape else 297) - top - bottom) * 72 / 25.4 - 6
    first = sh.footer_row - (len(sh.notes) + 2 if sh.notes else 0)   # the footer's first row
    last = sh.footer_row + 4
    groups = {first: last}
    if len(sh.blocks) > 1:        # the last table stays with the signature under it
        starts = [b.top - (1 if b.caption else 0) for b in sh.blocks]
        groups = {r0: b.first_data_row + len(b.rows) - 1
                  for r0, b in zip(starts, sh.blocks, strict=True)}
        groups[starts[-1]] = last
    titles = print_titles(sh)
    t0, t1 = (int(x) for x in titles.split(":")) if titles else (0, -1)

    def height(r0, r1):
        return sum(ws.row_dimensions[r].height or DEFAULT_ROW_PT for r in range(r0, r1 + 1))
    title_h = height(t0, t1)
    used = 0.0
    for r in range(1, last + 1):
        h = ws.row_dimensions[r].height or DEFAULT_ROW_PT
        new_page = used + h > room
        if r in groups and not new_page:
            whole = height(r, groups[r])
            if used + whole > room and whole + title_h < room:
                ws.row_breaks.append(Break(id=r - 1))
                new_page = True
        if new_page:
            used = title_h if r > t1 else 0.0
        used += h


def _freeze(sh) -> str | None:
    """Keep a table's header rows (and its STT and label columns) in view while scrolling."""
    if len(sh.blocks) != 1 or sh.blocks[0].kind == "info":
        return None
    b = sh.blocks[0]
    return f"{get_column_letter(b.first_col)}{b.first_data_row}"


def _protect(ws):
    ws.protection.sheet = True
    ws.protection.formatCells = False   # the add-in colours cells and adds notes
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.objects = False


def _meta(wb, form: FormSet):
    ws = wb.create_sheet(META_SHEET)
    values = {"template": form.id, "version": form.version, "co_so": "tot",
              "ty_le_xs": quota_share(form).excel()}
    for i, (key, name) in enumerate(META_ROWS, start=1):
        ws.cell(i, 1, key)
        ws.cell(i, 2, values[key])
        wb.defined_names[name] = DefinedName(name, attr_text=f"{_quote(META_SHEET)}!$B${i}")
    for name, (col, choices) in LISTS.items():
        for i, ch in enumerate(choices, start=1):
            ws[f"{col}{i}"] = ch.label
        wb.defined_names[name] = DefinedName(
            name, attr_text=f"{_quote(META_SHEET)}!${col}$1:${col}${len(choices)}")
    ws.sheet_state = "hidden"
    _protect(ws)


def quota_share(form: FormSet) -> QuotaShare:
    """The formula of META_TyLeXS on the _meta sheet."""
    return QuotaShare(form.rating_year_name,
                      "TT_NgoaiLe25" if "TT_NgoaiLe25" in form.cells else None)


# --- the results of the formulas ----------------------------------------------------------------
# openpyxl saves a formula without its result; Excel recalculates on opening, but a phone's
# preview, python-calamine and pandas show what the file holds. The summary and the annotated copy
# therefore carry each formula's result, computed by the formula's own definition (Expr.cached)
# from the cells as saved, and written into the file by `cached_values`.

def formulas(form: FormSet) -> list[Expr]:
    """Every formula the builder writes into a template of `form`. Each reads defined names only,
    so the same formula gives the same result on whichever sheet it stands."""
    out: list[Expr] = [*HEADER_FORMULAS, quota_share(form)]
    out += [c.expr for c in form.derived()]
    out += [col.header for sh in form.sheets for b in sh.blocks for col in b.cols
            if col.header is not None]
    return out


def contents_of(wb, form: FormSet):
    """get(name) -> what the cell of a defined name holds in an openpyxl workbook (not loaded
    with data_only): its value, or UNKNOWN when it holds a formula; META_CoSo from _meta."""
    meta = {name: i for i, (_key, name) in enumerate(META_ROWS, start=1)}

    def get(name):
        c = form.cells.get(name)
        if c is not None and c.kind != DERIVED and c.sheet in wb.sheetnames:
            sheet, row, col = c.sheet, c.row, c.col
        elif name in meta and META_SHEET in wb.sheetnames:
            sheet, row, col = META_SHEET, meta[name], 2
        else:
            return UNKNOWN
        cell = wb[sheet]._cells.get((row, col))      # never creates an empty cell
        if cell is None:
            return None
        if cell.data_type in ("f", "e") or not isinstance(   # a formula, an error (#N/A)
                cell.value, (str, int, float, dt.date, type(None))):
            return UNKNOWN
        return cell.value

    return get


def formula_values(form: FormSet, contents) -> dict[str, object]:
    """{formula as written, without "=": its result (UNKNOWN where not sure)} for every formula
    of the template, from `contents(name)` (contents_of)."""
    share = quota_share(form)
    memo: dict[str, object] = {}

    def get(name):
        if name not in memo:
            c = form.cells.get(name)
            if c is not None and c.kind == DERIVED:
                memo[name] = c.expr.cached(get)
            elif name == "META_TyLeXS":
                memo[name] = share.cached(get)
            else:
                memo[name] = contents(name)
        return memo[name]

    return {e.excel()[1:]: e.cached(get) for e in formulas(form)}


def default_font(wb) -> None:
    """Times New Roman 11 as the workbook's default font. Column widths are counted in digits of
    that font, so Excel (Times New Roman) and LibreOffice (Liberation Serif, the same metrics)
    give a column the same printed width; with Calibri, missing on Linux, LibreOffice's fallback
    made every column a third wider and the tables ran off the page."""
    wb._fonts[0] = Font(name=FONT, size=TEXT_PT)
    wb._named_styles["Normal"].font = Font(name=FONT, size=TEXT_PT)


def build_workbook(form: FormSet) -> Workbook:
    wb = Workbook()
    default_font(wb)
    wb.remove(wb.active)
    for sh in form.sheets:
        ws = wb.create_sheet(sh.name)
        if sh.register is not None:     # the member register draws itself
            ws.column_dimensions["A"].width = 6
            ws.column_dimensions["B"].width = sh.label_width
            from .register_xlsx import draw_register
            draw_register(ws, sh, sh.register)
            for name, ref in sh.ranges.items():
                wb.defined_names[name] = DefinedName(name, attr_text=f"{_quote(sh.name)}!{ref}")
            continue
        landscape, widths = plan_columns(sh)
        for k, w in widths.items():
            ws.column_dimensions[get_column_letter(k)].width = w
        for block in sh.blocks:
            if block.kind == "info":
                _info_block(ws, block)
            elif block.kind == "years":
                _years_block(ws, block)
            elif block.kind == "list":
                _list_block(ws, block, sh)
            else:
                _grid_headers(ws, block, second_label="Tiêu chí" if block.caption else
                              ("Tập thể, cá nhân" if block.kind == "checklist" else "Nội dung"))
                _row_labels(ws, block, sh)
        _header(ws, sh, sh.last_col, widths)
        for c in sh.cells:
            _style_value_cell(ws, c)
            wb.defined_names[c.name] = DefinedName(c.name, attr_text=_abs(c))
            if c.hint:
                hint = ws.cell(c.row, c.col + 1, c.hint)
                hint.font = _f(TEXT_PT, italic=True, color="FF595959")
                hint.alignment = Alignment(vertical="center", wrap_text=True)
        for name, ref in sh.ranges.items():
            wb.defined_names[name] = DefinedName(name, attr_text=f"{_quote(sh.name)}!{ref}")
        _validations(ws, [c for c in sh.cells if c.kind != DERIVED])
        _footer(ws, sh, widths)
        _fit_rows(ws, widths, range(5, sh.footer_row + 5))
        _page(ws, sh, landscape, widths)
        _keep_together(ws, sh, landscape)
        _protect(ws)
        ws.freeze_panes = _freeze(sh)
    _meta(wb, form)
    _live_checks(wb, form)
    _outside_period(wb, form)
    wb.active = 0
    return wb


# The date written as the templates' creation and modification time. openpyxl stamps the current
# time into docProps/core.xml and into every zip entry, so each `kiemdiem template build` changed
# both tracked .xlsx files; a fixed date makes the same spec give the same bytes.
FIXED_DATE = "2025-07-01T00:00:00Z"
_ZIP_DATE = (2025, 7, 1, 0, 0, 0)
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _reproducible(data: bytes, results=None, edit=None) -> bytes:
    """The same workbook with fixed dates (core properties, zip entries), entries in the order
    openpyxl wrote them; with `results`, the formulas' results filled in as well
    (cached_values), in the same pass; `edit(name, body) -> body`, if given, may then change
    each entry on the way (the summary puts its tables' body rows in, merge/xlsx.py: after the
    results, so the scan for formulas does not walk thousands of plain rows)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        parts = filled_parts(src, results) if results else {}
        for info in src.infolist():
            body = parts.get(info.filename) or src.read(info.filename)
            if edit is not None:
                body = edit(info.filename, body)
            if info.filename == "docProps/core.xml":
                body = _CORE_DATES.sub(lambda m: m.group(1) + FIXED_DATE.encode() + m.group(3),
                                       body)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, body)
    return out.getvalue()


def build_bytes(form: FormSet) -> bytes:
    buf = io.BytesIO()
    build_workbook(form).save(buf)
    return _reproducible(buf.getvalue())


def build_all(out_dir: str | Path | None = None) -> list[Path]:
    """Write every form set's template; an unchanged spec gives byte-identical files (the git
    tree stays clean after a rebuild)."""
    out_dir = Path(out_dir or Path(__file__).parent)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for form in form_sets().values():
        p = out_dir / f"{form.id}.xlsx"
        data = build_bytes(form)
        if not p.exists() or p.read_bytes() != data:
            p.write_bytes(data)
        paths.append(p)
    return paths
