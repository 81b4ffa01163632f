"""Spec -> .xlsx template (openpyxl).

Everything drawn here comes from the spec: positions and names from `spec`, formulas from the
cells' expressions, live error highlighting from `rules.checks.relations`, the XS share from the
rule packs. Styles follow Hướng dẫn 36-HD/VPTW: Times New Roman, header block left, "ĐẢNG CỘNG
SẢN VIỆT NAM" right, italic place-and-date line, A4.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from .read import META_ROWS
from .rules.checks import live_formulas, quota_rows, relations
from .rules.packs import share_formula
from .spec import META_SHEET, FormSet, form_sets
from .spec.danh_sach import KY_LUAT, NHOM, TINH_TRANG
from .spec.domain import KP_RESULTS, LEVELS, SECTORS, UNIT_TYPES, YES_NO
from .spec.model import (CHOICE, COUNT, DATE, DERIVED, DOCDATE, DOCNO, PHONE, SCORE, TEXT, XMARK,
                         YEAR)

FONT = "Times New Roman"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
INPUT_FILL = PatternFill("solid", fgColor="FFFDF3D0")     # pale yellow: type here
DERIVED_FILL = PatternFill("solid", fgColor="FFEDEDED")   # grey: computed
NA_FILL = PatternFill("solid", fgColor="FFBFBFBF")
HEAD_FILL = PatternFill("solid", fgColor="FFDDEBF7")
BAD_FILL = PatternFill("solid", fgColor="FFFFC7CE")       # live highlighting of a broken total
BAD_FONT = Font(name=FONT, color="FF9C0006", bold=True)

LISTS = {  # drop-down sources on the hidden _meta sheet: name -> (column, choices)
    "DS_LoaiDonVi": ("D", UNIT_TYPES), "DS_XepLoai": ("E", LEVELS),
    "DS_CoKhong": ("F", YES_NO), "DS_KetQua": ("G", KP_RESULTS),
    "DS_LinhVuc": ("K", SECTORS),
    # the member register's lists (spec/danh_sach.py)
    "DS_Nhom": ("H", NHOM), "DS_TinhTrang": ("I", TINH_TRANG), "DS_KyLuat": ("J", KY_LUAT),
}


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


DATE_LINE = ('=IFERROR(IF(TT_DiaDanh="","",TT_DiaDanh&", ")&"ngày "&TEXT(DAY(TT_NgayLap),"00")'
             '&" tháng "&TEXT(MONTH(TT_NgayLap),"00")&" năm "&YEAR(TT_NgayLap),'
             '"........, ngày .... tháng .... năm ........")')


def _header(ws, sh, last_col):
    """Party document header (rows 1–3), title (5) and subtitle (6)."""
    left_end = 2                      # A (STT) and B (the wide label column)
    right_start = 3 if last_col <= 5 else max(3, last_col - 5)
    _merge(ws, 1, 1, 1, left_end, '=UPPER(TT_CapTren)', _f(12))
    _merge(ws, 2, 1, 2, left_end, '=UPPER(TT_DonVi)', _f(12, bold=True))
    _merge(ws, 3, 1, 3, left_end, "*", _f(12))
    _merge(ws, 1, right_start, 1, last_col, "ĐẢNG CỘNG SẢN VIỆT NAM",
           _f(13, bold=True, underline="single"))
    _merge(ws, 2, right_start, 2, last_col, DATE_LINE, _f(12, italic=True))
    if sh.form_no:
        _merge(ws, 3, right_start, 3, last_col, sh.form_no, _f(12, bold=True),
               Alignment(horizontal="right", vertical="center"))
    _merge(ws, 5, 1, 5, last_col, sh.title, _f(14, bold=True))
    ws.row_dimensions[5].height = 36 if len(sh.title) > 70 else 22
    if sh.subtitle:
        _merge(ws, 6, 1, 6, last_col, sh.subtitle, _f(12, italic=True))
        ws.row_dimensions[6].height = 30 if len(sh.subtitle) > 100 else 18


def _head_cell(ws, r, c, text, r2=None, c2=None):
    cell = _merge(ws, r, c, r2 or r, c2 or c, text, _f(11, bold=True))
    for rr in range(r, (r2 or r) + 1):
        for cc in range(c, (c2 or c) + 1):
            ws.cell(rr, cc).border = BOX
            ws.cell(rr, cc).fill = HEAD_FILL
    return cell


def _grid_headers(ws, block, first_label="STT", second_label="Nội dung"):
    top, hr = block.top, block.header_rows
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
                _head_cell(ws, top + 1, c + k, cols[k].label)
            i = j + 1
        else:
            _head_cell(ws, top, c + i, col.header_formula or col.label, top + hr - 1, c + i)
            i += 1
    ws.row_dimensions[top + hr - 1].height = 62 if hr == 2 else 48
    if block.numbering:
        r = top + hr
        for k in range(1, block.last_col + 1):
            cell = ws.cell(r, k, f"({k})")
            cell.font = _f(10, italic=True)
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
    ws.row_dimensions[top].height = 36
    for k in range(1, block.last_col + 1):
        cell = ws.cell(top + 1, k, f"({k})")
        cell.font = _f(10, italic=True)
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
        ws.row_dimensions[r].height = 30
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


def _footer(ws, sh):
    r = sh.footer_row - len(sh.notes) - 1
    for i, note in enumerate(sh.notes):
        _merge(ws, r + 1 + i, 1, r + 1 + i, sh.last_col, note, _f(10, italic=True),
               Alignment(horizontal="left", vertical="top", wrap_text=True))
        ws.row_dimensions[r + 1 + i].height = 28 if len(note) > 110 else 15
    r = sh.footer_row
    left = max(3, sh.last_col - 5) if sh.last_col > 5 else 3
    _merge(ws, r, left, r, sh.last_col, "NGƯỜI LẬP BIỂU", _f(12, bold=True))
    _merge(ws, r + 1, left, r + 1, sh.last_col, "(Họ tên, số điện thoại)", _f(11, italic=True))
    _merge(ws, r + 4, left, r + 4, sh.last_col,
           '=TT_NguoiLap&IF(TT_DienThoai="",""," - "&TT_DienThoai)', _f(12, bold=True))


def _page(ws, sh):
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sh.landscape else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    # Party documents: top/bottom 2 cm, left 3 cm, right 1.5 cm (in inches)
    ws.page_margins.left, ws.page_margins.right = 1.18, 0.59
    ws.page_margins.top, ws.page_margins.bottom = 0.79, 0.79
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.font = FONT
    ws.print_area = f"A1:{get_column_letter(sh.last_col)}{sh.footer_row + 4}"
    ws.sheet_view.showGridLines = False


def _protect(ws):
    ws.protection.sheet = True
    ws.protection.formatCells = False   # the add-in colours cells and adds notes
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.objects = False


def _meta(wb, form: FormSet):
    ws = wb.create_sheet(META_SHEET)
    values = {"template": form.id, "version": form.version, "co_so": "tot",
              "ty_le_xs": share_formula(form.rating_year_name if form.id == "bao_cao_nam"
                                        else "TT_DenNam",
                                        "TT_NgoaiLe25" if "TT_NgoaiLe25" in form.cells else None)}
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


def build_workbook(form: FormSet) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for sh in form.sheets:
        ws = wb.create_sheet(sh.name)
        ws.column_dimensions["A"].width = 6
        ws.column_dimensions["B"].width = sh.label_width
        if sh.register is not None:     # the member register draws itself
            from .register_xlsx import draw_register
            draw_register(ws, sh, sh.register)
            for name, ref in sh.ranges.items():
                wb.defined_names[name] = DefinedName(name, attr_text=f"{_quote(sh.name)}!{ref}")
            continue
        for block in sh.blocks:
            for j, col in enumerate(block.cols):
                ws.column_dimensions[get_column_letter(block.first_col + j)].width = col.width
            if block.kind == "info":
                _info_block(ws, block)
            elif block.kind == "years":
                ws.column_dimensions["A"].width = 40
                ws.column_dimensions["B"].width = 15
                _years_block(ws, block)
            elif block.kind == "list":
                _list_block(ws, block, sh)
            else:
                _grid_headers(ws, block, second_label="Tiêu chí" if block.caption else
                              ("Tập thể, cá nhân" if block.kind == "checklist" else "Nội dung"))
                _row_labels(ws, block, sh)
        _header(ws, sh, sh.last_col)
        for c in sh.cells:
            _style_value_cell(ws, c)
            wb.defined_names[c.name] = DefinedName(c.name, attr_text=_abs(c))
            if c.hint:
                ws.cell(c.row, c.col + 1, c.hint).font = _f(10, italic=True, color="FF595959")
        for name, ref in sh.ranges.items():
            wb.defined_names[name] = DefinedName(name, attr_text=f"{_quote(sh.name)}!{ref}")
        _validations(ws, [c for c in sh.cells if c.kind != DERIVED])
        _footer(ws, sh)
        _page(ws, sh)
        _protect(ws)
        ws.freeze_panes = None
    _meta(wb, form)
    _live_checks(wb, form)
    wb.active = 0
    return wb


# The date written as the templates' creation and modification time. openpyxl stamps the current
# time into docProps/core.xml and into every zip entry, so each `kiemdiem template build` changed
# both tracked .xlsx files; a fixed date makes the same spec give the same bytes.
FIXED_DATE = "2025-07-01T00:00:00Z"
_ZIP_DATE = (2025, 7, 1, 0, 0, 0)
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _reproducible(data: bytes) -> bytes:
    """The same workbook with fixed dates (core properties, zip entries), entries in the order
    openpyxl wrote them."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
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
