"""A MergeResult -> the parent's .xlsx: the real template with the summed inputs written by
position from the spec's cell map, plus the sheets a collecting office reads beside the forms.

Derived cells keep their template formulas (Excel or LibreOffice recalculates them on open; the
validator recomputes them). Text that came from a child is written as text, so a proposal typed as
"=HYPERLINK(...)" stays the words the unit typed and never becomes a live formula.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import weakref
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import load_workbook
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.pagebreak import Break

from ..sheet_style import (
    capacity,
    column_want,
    line_height,
    share_width,
    text_lines,
    wrap_across,
)
from ..spec.bao_cao_nam import GT_COLS, KP_COLS
from ..spec.domain import LEVEL_LABEL, SECTOR_LABEL, UNIT_TYPE_LABEL
from ..spec.hierarchy import counted_rows
from ..spec.layout import printed_place
from ..xlsx_text import clean, put_text
from . import model as M

HERE = Path(__file__).parent.parent   # the committed templates: workbook_templates/*.xlsx
FONT = "Times New Roman"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="FFDDEBF7")
OWN_FILL = PatternFill("solid", fgColor="FFFCE4D6")      # orange: the parent fills this row
UNDECIDED_FILL = PatternFill("solid", fgColor="FFFFF2CC")
AUTHOR = "kiemdiem"


def _template(form_id: str) -> bytes:
    p = HERE / f"{form_id}.xlsx"
    if p.exists():
        return p.read_bytes()
    from ..build import build_bytes
    from ..spec import get_form_set
    return build_bytes(get_form_set(form_id))


def put(ws, row: int, col: int, value):
    """Write a value; a string is always text (a leading "=" does not make it a formula) and
    holds only characters an .xlsx can (xlsx_text.put_text)."""
    cell = ws.cell(row, col)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return put_text(cell, value)


def _level_label(code) -> str:
    if code in LEVEL_LABEL:
        return LEVEL_LABEL[code]
    if code in M.NOT_RATED:
        return M.NOT_RATED[code]
    return "Chưa xếp loại"


# Named styles: assigning one by name is far cheaper in openpyxl than setting font, border and
# alignment cell by cell (a 1,000-unit "Chi tiết đơn vị" has 20,000 cells).
STYLES = {
    "kd_head": dict(font=Font(name=FONT, bold=True, size=11), fill=HEAD_FILL, border=BOX,
                    alignment=Alignment(horizontal="center", vertical="center", wrap_text=True)),
    "kd_cell": dict(font=Font(name=FONT, size=11), border=BOX,
                    alignment=Alignment(vertical="top")),
    "kd_text": dict(font=Font(name=FONT, size=11), border=BOX,
                    alignment=Alignment(vertical="top", wrap_text=True)),
    "kd_date": dict(font=Font(name=FONT, size=11), border=BOX,
                    alignment=Alignment(vertical="top"), number_format="dd/mm/yyyy hh:mm"),
    "kd_total": dict(font=Font(name=FONT, bold=True, size=11), border=BOX),
}


def _styles(wb):
    have = set(wb.named_styles)
    for name, kw in STYLES.items():
        if name not in have:
            wb.add_named_style(NamedStyle(name=name, **kw))


def _style_of(v) -> str:
    if isinstance(v, str):
        return "kd_text"
    if isinstance(v, dt.datetime):
        return "kd_date"
    return "kd_cell"


#: worksheet -> {the SUM formula of a total row: its result}, filled by `_table`
_TOTALS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _table(ws, top: int, headers: list[str], rows: list[list], widths=None, title=None,
           total_cols: tuple[int, ...] = ()) -> int:
    """A plain bordered table; returns the next free row."""
    r = top
    if title:
        c = put(ws, r, 1, title)
        c.font = Font(name=FONT, bold=True, size=12)
        r += 1
    for j, h in enumerate(headers, start=1):
        ws.cell(r, j, h).style = "kd_head"
    head_row = r
    _fit_height(ws, r, headers, widths, bold=True)
    r += 1
    first = r
    _body(ws, r, rows, widths)
    r += len(rows)
    if total_cols and rows:
        for j in range(1, len(headers) + 1):
            ws.cell(r, j).style = "kd_total"
        ws.cell(r, 2, "Tổng cộng")
        totals = _TOTALS.setdefault(ws, {})
        for j in total_cols:
            L = get_column_letter(j)
            formula = f"SUM({L}{first}:{L}{r - 1})"
            ws.cell(r, j, "=" + formula)
            # its result, saved with it (cached_values): SUM adds the numbers, skips the rest
            totals[formula] = sum(v for row in rows if isinstance(v := row[j - 1], (int, float))
                                  and not isinstance(v, bool))
        r += 1
    if widths:
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
    if ws.freeze_panes is None:          # a coordinate: ws.cell() would make a body cell
        ws.freeze_panes = f"A{head_row + 1}"
    if not ws.print_title_rows:
        ws.print_title_rows = f"{head_row}:{head_row}"
        ws.print_title_cols = "A:C" if len(headers) > 8 else None
    return r + 1


def _fit_height(ws, r: int, values, widths, bold: bool = False) -> None:
    """Give a row of wrapped text the height of its longest cell. Neither LibreOffice nor Excel
    re-measures rows of a file written by openpyxl, so a wrapped header would show one line."""
    h = _row_height(values, widths, bold)
    if h:
        ws.row_dimensions[r].height = h


def _row_height(values, widths, bold: bool = False) -> int | None:
    if not widths:
        return None
    per_char = 0.95 if bold else 0.85    # Times New Roman 11 is narrower than the width unit
    lines = 1
    for v, w in zip(values, widths, strict=False):
        if isinstance(v, str) and len(v) * per_char > w:
            lines = max(lines, -(-int(len(v) * per_char) // max(1, int(w) - 1)))
    return 15 * lines + 1 if lines > 1 else None


# --- a table's body, written as XML ---------------------------------------------------------------
# openpyxl spends tens of microseconds on each cell (a Cell object, its style, an lxml element
# when saving); the tables of a 5,000-unit round have 170,000 cells. Their rows are made here as
# the XML openpyxl itself writes for them — same cell types, same named styles, text always a
# string cell (xlsx_text.clean) — and put into the sheet's part when the workbook is saved
# (`_splice`). openpyxl never holds these cells: nothing may write into a table's body rows.

def _body(ws, top: int, rows: list[list], widths) -> None:
    if not rows:
        return
    wb = ws.parent
    ids = {}
    for name in ("kd_text", "kd_date", "kd_cell"):
        proto = Cell(ws)
        proto.style = name
        ids[name] = proto.style_id          # the cellXfs index every cell of that style shares
    s_text, s_date, s_cell = (f' s="{ids[n]}"' for n in ("kd_text", "kd_date", "kd_cell"))
    width = max(len(row) for row in rows)
    cols = [get_column_letter(j) for j in range(1, width + 1)]
    out = ws.__dict__.setdefault("_kd_rows", [])
    epoch = wb.epoch
    for r, row in enumerate(rows, start=top):
        h = _row_height(row, widths)
        parts = [f'<row r="{r}" ht="{h}" customHeight="1">' if h else f'<row r="{r}">']
        for col, v in zip(cols, row, strict=False):
            ref = f"{col}{r}"
            if v == "":
                parts.append(f'<c r="{ref}"{s_text} t="inlineStr"/>')
            elif isinstance(v, str):
                v = clean(v)
                space = ' xml:space="preserve"' if v != v.strip() else ""
                parts.append(f'<c r="{ref}"{s_text} t="inlineStr"><is><t{space}>'
                             f'{escape(v, _XML_TEXT)}</t></is></c>')
            elif v is None:
                parts.append(f'<c r="{ref}"{s_cell} t="n"/>')
            elif isinstance(v, bool):
                parts.append(f'<c r="{ref}"{s_cell} t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, (int, float, Decimal)):
                parts.append(f'<c r="{ref}"{s_cell} t="n"><v>{_num(v)}</v></c>')
            elif isinstance(v, (dt.date, dt.time, dt.timedelta)):
                if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                    v = dt.datetime.combine(v, dt.time())
                style = s_date if isinstance(v, dt.datetime) else s_cell
                parts.append(f'<c r="{ref}"{style} t="n"><v>{_num(to_excel(v, epoch))}</v></c>')
            else:
                v = clean(str(v))
                parts.append(f'<c r="{ref}"{s_text} t="inlineStr"><is><t>'
                             f'{escape(v, _XML_TEXT)}</t></is></c>')
        parts.append("</row>")
        out.append((r, "".join(parts)))


_XML_TEXT = {"\r": "&#13;"}     # as lxml writes a carriage return in text


def _num(v) -> str:
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return ""
    return f"{float(v):.16g}"                  # openpyxl's safe_string: "%.16g"


_ROW_START = re.compile(rb'<row r="(\d+)"')
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/>')


def _splice(xml: bytes, rows: list[tuple[int, str]]) -> bytes:
    """The sheet part openpyxl wrote, with the tables' body rows in their places."""
    if xml.find(b"<sheetData/>") >= 0:
        xml = xml.replace(b"<sheetData/>", b"<sheetData></sheetData>", 1)
    start = xml.index(b"<sheetData>") + len(b"<sheetData>")
    end = xml.index(b"</sheetData>")
    data = xml[start:end]
    marks = [(int(m.group(1)), m.start()) for m in _ROW_START.finditer(data)]
    have = [(n, data[a:b]) for (n, a), (_, b) in
            zip(marks, marks[1:] + [(0, len(data))], strict=True)]
    mine = [(n, x.encode()) for n, x in rows]
    theirs = dict(have)
    for i, (n, x) in enumerate(mine):
        if n in theirs:     # a row openpyxl also wrote (merged cells, a height set afterwards)
            mine[i] = (n, _join_rows(theirs.pop(n), x))
    merged = b"".join(x for _, x in sorted(list(theirs.items()) + mine, key=lambda t: t[0]))
    xml = xml[:start] + merged + xml[end:]
    last = max(n for n, _ in mine)
    width = max(x.count(b"<c ") for _, x in mine)

    def wider(m):
        c1, r1, c2, r2 = m.groups()
        c2, r2 = (c2 or c1), int(r2 or r1)
        col = get_column_letter(max(column_index_from_string(c2.decode()), width)).encode()
        return b'<dimension ref="%s%s:%s%d"/>' % (c1, r1, col, max(r2, last))
    return _DIMENSION.sub(wider, xml, count=1)


_CELL = re.compile(rb'<c r="([A-Z]+)\d+"[^>]*?(?:/>|>.*?</c>)', re.S)


def _join_rows(theirs: bytes, mine: bytes) -> bytes:
    """One row from openpyxl's and the body's: openpyxl's row attributes (set after the body:
    a height, say), the cells of both in column order (Excel refuses a row out of order); a
    cell both hold is a writer's mistake."""
    cells = {}
    for part in (mine, theirs):
        for m in _CELL.finditer(part):
            col = column_index_from_string(m.group(1).decode())
            if col in cells:
                raise ValueError(f"cell {m.group(1).decode()} of a table's body also written "
                                 "by openpyxl")
            cells[col] = m.group(0)
    head = theirs[:theirs.index(b">") + 1]
    if head.endswith(b"/>"):                       # <row r="19" ht="30" customHeight="1"/>
        head = head[:-2] + b">"
    return head + b"".join(cells[c] for c in sorted(cells)) + b"</row>"


def _title(ws, text: str, sub: str = "") -> int:
    put(ws, 1, 1, text).font = Font(name=FONT, bold=True, size=14)
    if sub:
        put(ws, 2, 1, sub).font = Font(name=FONT, italic=True, size=11)
    # A4 landscape at 100 % as the forms (build.page_setup); a table wider than the page runs
    # onto further pages with its header row and first columns repeated, never shrunk to 4 pt
    from ..sheet_style import page_setup
    page_setup(ws, landscape=True)
    return 4


def _note(ws, r: int, text: str, bold=False) -> int:
    c = put(ws, r, 1, text)
    c.font = Font(name=FONT, italic=not bold, bold=bold, size=11)
    return r + 1


def _comment(cell, text: str):
    cell.comment = Comment(clean(text), AUTHOR, width=320, height=140)


# --- the form sheets ------------------------------------------------------------------------------

def _write_form(wb, result):
    form = result.form
    for name, value in result.values.items():
        c = form.cells[name]
        put(wb[c.sheet], c.row, c.col, value)
    if "_meta" in wb.sheetnames and result.base != "tot":
        wb["_meta"]["B3"] = result.base
    if form.rates_units:
        _mark_own_rows(wb, result)
        _mark_undecided(wb, result)
    else:
        _mark_so_ket(wb, result)


def _row_cells(form, sheet, row_key):
    return [c for c in form.cells.values() if c.sheet == sheet and c.row_key == row_key]


def _mark_own_rows(wb, result):
    form, p = result.form, result.parent
    for sheet in ("Biểu 2", "Biểu 3"):
        ws = wb[sheet]
        for key in result.own_rows:
            cells = _row_cells(form, sheet, key)
            if not cells:
                continue
            for c in cells:
                if c.is_input:
                    ws.cell(c.row, c.col).fill = OWN_FILL
            label = ws.cell(cells[0].row, 2)
            label.fill = OWN_FILL
            _comment(label, f"Dòng của chính {p.name}: cấp tổng hợp tự điền (không cộng từ đơn "
                            "vị trực thuộc). Các ô màu cam còn trống cho đến khi điền.")


def _mark_undecided(wb, result):
    if not result.undecided:
        return
    ws = wb["Biểu 2"]
    by_row: dict[str, list] = {}
    for ch in result.undecided:
        for row in counted_rows(ch.unit_type, ch.linh_vuc):
            by_row.setdefault(row, []).append(ch)
    for row, kids in by_row.items():
        cells = _row_cells(result.form, "Biểu 2", row)
        if not cells:
            continue
        label = ws.cell(cells[0].row, 2)
        label.fill = UNDECIDED_FILL
        names = "; ".join(f"{k.name} ({_level_label(k.rating()[0])})" for k in kids[:12])
        more = f"; và {len(kids) - 12} đơn vị khác" if len(kids) > 12 else ""
        _comment(label, f"{len(kids)} đơn vị {M.UNDECIDED} — tính theo mức đơn vị tự đề nghị: "
                        f"{names}{more}. Xem sheet «{M.SHEET_DETAIL}».")


def _mark_so_ket(wb, result):
    for sheet in ("Biểu số 2", "Biểu số 3", "Biểu số 4"):
        ws = wb[sheet]
        _comment(ws.cell(1, 1), f"Các ô đánh dấu của biểu này là ý kiến của chính "
                                f"{result.parent.name}; ý kiến của các đơn vị trực thuộc đã "
                                f"tổng hợp ở sheet «{M.SHEET_OPINIONS}».")
    _comment(wb["Biểu số 1"].cell(1, 1), f"Văn bản của chính {result.parent.name}; văn bản của "
                                         f"các đơn vị trực thuộc ở sheet «{M.SHEET_DOCS}».")


# --- extra sheets ---------------------------------------------------------------------------------

def _source_txt(ch) -> str:
    lv, decided = ch.rating()
    if decided:
        return "Cấp trên quyết định"
    if lv:
        return f"Đơn vị tự đề nghị — {M.UNDECIDED}"
    return f"Chưa xếp loại — {M.UNDECIDED}"


def _detail_sheet(wb, result):
    ws = wb.create_sheet(M.SHEET_DETAIL)
    p = result.parent
    r = _title(ws, f"CHI TIẾT CÁC ĐƠN VỊ TRỰC THUỘC — {p.name.upper()}",
               f"Mỗi dòng là một đơn vị đã được tổng hợp; năm {result.values.get('TT_Nam', '')}")
    if result.form.rates_units:
        headers = ["STT", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Lĩnh vực",
                   "Xếp loại dùng để tổng hợp",
                   "Căn cứ xếp loại", "Xếp loại cấp ủy", "Đảng viên: tổng số",
                   "Đảng viên được xếp loại", "Đảng viên XS", "Đảng viên Tốt", "Đảng viên HT",
                   "Đảng viên KHT", "Bị kỷ luật", "Chi bộ trực thuộc", "Đảng bộ bộ phận",
                   "Tổ chức cơ sở đảng", "Số lỗi", "Số cảnh báo", "Tệp", "Nhận lúc"]
        rows = []
        for i, ch in enumerate(sorted(result.included, key=lambda c: (c.code, c.source)), 1):
            v = ch.values
            lv, _ = ch.rating()
            cu, _ = ch.rating_cap_uy()
            rows.append([i, ch.code, ch.name, UNIT_TYPE_LABEL.get(ch.unit_type, "?"),
                         SECTOR_LABEL.get(ch.linh_vuc or "", ""),
                         _level_label(lv), _source_txt(ch), _level_label(cu) if cu else "",
                         M._int(v.get("XL_DV_TONG")), M._int(v.get("XL_DV_DG")),
                         M._int(v.get("XL_DV_XS")), M._int(v.get("XL_DV_TOT")),
                         M._int(v.get("XL_DV_HT")), M._int(v.get("XL_DV_KHT")),
                         M._int(v.get("XL_DV_KYLUAT")), M._int(v.get("XL_CBTT_TONG")),
                         M._int(v.get("XL_DBBP_TONG")), M._int(v.get("XL_TCCSD_TONG")),
                         len(ch.report.errors), len(ch.report.warnings), ch.source,
                         ch.received_at])
        # on paper: the ratings (A–H), then the figures (I–T) with STT, code and name again
        widths = [5, 14, 22, 14, 14, 26, 20, 14] + [7.5] * 12 + [26, 17]
        paper = _Paper(printed=20, first_page=8)
        head = r
        r = _table(ws, r, headers, rows, widths, total_cols=tuple(range(9, 19)))
    else:
        headers = ["STT", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Giai đoạn",
                   "Số văn bản đã kê", "Số dòng «Chưa phù hợp»", "Số đề nghị sửa đổi",
                   "Cá nhân được xếp loại (năm cuối)", "TCCSĐ được xếp loại (năm cuối)",
                   "Số lỗi", "Số cảnh báo", "Tệp", "Nhận lúc"]
        from ..spec.so_ket_quy_dinh import N_YEARS
        rows = []
        for i, ch in enumerate(sorted(result.included, key=lambda c: (c.code, c.source)), 1):
            v = ch.values
            ndoc = sum(1 for d in result.lists[M.SHEET_DOCS][1] if d[1] == ch.code)
            ncph = sum(1 for n, x in v.items() if n.endswith("_CPH") and x)
            ndn = sum(1 for n, x in v.items() if n.endswith("_DN") and x)
            tu, den = v.get("TT_TuNam"), v.get("TT_DenNam")   # the period's last year column
            last = f"Y{min(N_YEARS, den - tu + 1)}" if isinstance(tu, int) and \
                isinstance(den, int) and den >= tu else f"Y{N_YEARS}"
            rows.append([i, ch.code, ch.name, UNIT_TYPE_LABEL.get(ch.unit_type, "?"),
                         M._period_txt(ch.period), ndoc, ncph, ndn,
                         M._int(v.get(f"SK5_CANHAN_TONG_{last}")),
                         M._int(v.get(f"SK5_TCCSD_TONG_{last}")),
                         len(ch.report.errors), len(ch.report.warnings), ch.source,
                         ch.received_at])
        widths = [5, 14, 22, 14, 14, 9, 9, 9, 10, 10, 7.5, 7.5, 26, 17]
        paper = _Paper(printed=12, first_page=12)
        head = r
        r = _table(ws, r, headers, rows, widths, total_cols=(6, 7, 8, 9, 10))
    _head_height(ws, head, headers, widths)
    table_end = r - 2           # the units' table ends with its Tổng cộng row
    # what the parent must still fill
    if result.form.rates_units and result.own_rows:
        r = _note(ws, r, "Dòng cấp tổng hợp tự điền (không cộng từ đơn vị trực thuộc):", True)
        for key in result.own_rows:
            for sheet in ("Biểu 2", "Biểu 3"):
                cells = _row_cells(result.form, sheet, key)
                if cells:
                    _, stt, _ = printed_place(result.form, cells[0].name)
                    r = _note(ws, r, f"- {cells[0].row_label} ({sheet}, dòng {stt}), tô màu "
                                     "cam.")
    if result.form.rates_units:
        r = _note(ws, r, "Cấp tổng hợp tự ghi ở sheet Thông tin: người lập biểu, số điện thoại, "
                         "xếp loại của chính đơn vị, của cấp ủy và của người đứng đầu; Biểu 4 là "
                         f"hạn chế của chính cấp tổng hợp (của đơn vị trực thuộc ở sheet "
                         f"«{M.SHEET_KP}»).", True)
    else:
        r = _note(ws, r, "Cấp tổng hợp tự đánh dấu ý kiến của mình ở Biểu số 2–4 (ý kiến đơn vị "
                         f"trực thuộc ở sheet «{M.SHEET_OPINIONS}») và tự kê văn bản của mình ở "
                         f"Biểu số 1 (văn bản đơn vị trực thuộc ở sheet «{M.SHEET_DOCS}»).", True)
    for note in result.notes:
        r = _note(ws, r, note, True)
    if result.undecided:
        r = _note(ws, r, f"{len(result.undecided)} đơn vị {M.UNDECIDED}: xếp loại tính theo mức "
                         "đơn vị tự đề nghị; ghi quyết định xếp loại của cấp ủy rồi tổng hợp lại.",
                  True)
    if result.skipped:
        r += 1
        rows = [[i, ch.code, ch.name, ch.source, ch.received_at, reason]
                for i, (ch, reason) in enumerate(
                    sorted(result.skipped, key=lambda s: (s[0].code, s[0].source)), 1)]
        headers = ["STT", "Mã đơn vị", "Tên đơn vị", "Tệp", "Nhận lúc", "Lý do không tổng hợp"]
        top, r = r, _table(ws, r, headers, rows, title="ĐƠN VỊ / TỆP KHÔNG ĐƯỢC TỔNG HỢP")
        _spread_last(ws, top + 1, [headers] + rows, widths, paper.first_page)
    if result.unreadable:
        r += 1
        headers = ["STT", "Tệp", "Lý do không đọc được"]
        rows = [[i, f, msg] for i, (f, msg) in enumerate(sorted(result.unreadable), 1)]
        top, r = r, _table(ws, r, headers, rows, title="TỆP KHÔNG ĐỌC ĐƯỢC")
        _spread_last(ws, top + 1, [headers] + rows, widths, paper.first_page)
    invalid = [ch for ch in result.included if not ch.report.valid]
    if invalid:
        r = _note(ws, r, "Đã tổng hợp cả tệp còn lỗi (theo yêu cầu của người tổng hợp): " +
                  "; ".join(f"{c.name} ({len(c.report.errors)} lỗi)" for c in invalid) + ".",
                  True)
    paper.apply(ws, table_end, r, widths)


@dataclass(frozen=True)
class _Paper:
    """How «Chi tiết đơn vị» prints: A4 landscape at 100 % (11 pt stays 11 pt), the first
    `printed` columns — the file's name and the time it came (last on screen) stay off paper —
    in one page width or, where they do not fit, two: columns A to `first_page`, then the rest,
    each page with STT, code and name (print titles A:C)."""

    printed: int
    first_page: int

    def apply(self, ws, table_end: int, last_row: int, widths) -> None:
        """Print areas: the units' table over its page widths, then what is below it (notes,
        files left out) on the first page width alone, its notes wrapped within that width."""
        last = get_column_letter(self.first_page)
        below = range(table_end + 1, max(last_row, ws.max_row) + 1)
        if self.first_page < self.printed:
            # the title and subtitle wrapped within A:C, the columns every page prints
            self._wrap(ws, (1, 2), 3, widths)
        self._wrap(ws, [r for r in below if self._alone(ws, r)], self.first_page, widths)
        areas = [f"A1:{get_column_letter(self.printed)}{table_end}"]
        if below:
            areas.append(f"A{below.start}:{last}{below.stop - 1}")
        ws.print_area = areas
        ws.print_title_cols = "A:C"
        if self.first_page < self.printed:
            ws.col_breaks.append(Break(id=self.first_page))

    def _alone(self, ws, r: int) -> bool:
        """A note: a text in A alone on its row."""
        a = ws._cells.get((r, 1))
        return a is not None and isinstance(a.value, str) and not any(
            ws._cells.get((r, c)) is not None and ws._cells[(r, c)].value is not None
            for c in range(2, self.first_page + 1))

    @staticmethod
    def _wrap(ws, rows, span: int, widths) -> None:
        for r in rows:
            wrap_across(ws, r, span, sum(widths[:span]))


def _head_height(ws, r: int, headers, widths) -> None:
    """The header row as tall as its most wrapped heading, word by word (narrow figure columns
    break «Đảng viên được xếp loại» into four or five lines)."""
    lines = max(text_lines(h, w, 11, bold=True) for h, w in zip(headers, widths, strict=False))
    ws.row_dimensions[r].height = line_height(lines)


def _spread_last(ws, first: int, grid, widths, last_col: int) -> None:
    """A table below the units (files left out, unreadable files): its last column, the reason,
    merged across to the last column of the first printed page, and each row as tall as that
    reason wraps to. The rows are `first`, `first + 1`, … (the header, then the data)."""
    for i, values in enumerate(grid):
        r, k = first + i, len(values)
        if last_col > k:
            ws.merge_cells(start_row=r, start_column=k, end_row=r, end_column=last_col)
        room = [widths[j] for j in range(k - 1)] + [sum(widths[k - 1:last_col])]
        lines = max(text_lines(v, w, 11, bold=i == 0) if isinstance(v, str) else 1
                    for v, w in zip(values, room, strict=False))
        ws.row_dimensions[r].height = line_height(lines)


def _status_sheet(wb, result):
    ws = wb.create_sheet(M.SHEET_STATUS)
    r = _title(ws, f"TÌNH HÌNH NỘP BÁO CÁO — {result.parent.name.upper()}")
    by_code: dict[str, list] = {}
    for ch in result.included:
        by_code.setdefault(ch.code, []).append((ch, None))
    for ch, reason in result.skipped:
        by_code.setdefault(ch.code, []).append((ch, reason))
    rows, n_ok = [], 0
    expected_codes = set()
    for i, e in enumerate(result.expected, 1):
        expected_codes.add(e["code"])
        subs = by_code.get(e["code"], [])
        used = next((ch for ch, reason in subs if reason is None), None)
        if used is not None:
            n_ok += 1
            state = "Đã nộp, đã tổng hợp" if used.report.valid else \
                "Đã nộp, còn lỗi (vẫn tổng hợp theo yêu cầu)"
            note = ""
            if used.unit_type and e["type"] and used.unit_type != e["type"]:
                note = (f"Tệp ghi loại «{UNIT_TYPE_LABEL.get(used.unit_type)}», danh sách ghi "
                        f"«{UNIT_TYPE_LABEL.get(e['type'], e['type'])}».")
            older = [ch for ch, reason in subs if reason is not None]
            if older:
                note = (note + " " if note else "") + \
                    f"Đã bỏ {len(older)} tệp cũ hơn/khác: " + ", ".join(c.source for c in older)
            rows.append([i, e["code"], e["name"], UNIT_TYPE_LABEL.get(e["type"], e["type"]),
                         state, used.source, used.version, used.received_at,
                         len(used.report.errors), len(used.report.warnings), note])
        elif subs:
            ch, reason = subs[-1]
            rows.append([i, e["code"], e["name"], UNIT_TYPE_LABEL.get(e["type"], e["type"]),
                         "Đã trả lại, chờ bản mới" if ch.returned else "Đã nộp, không tổng hợp",
                         ch.source, ch.version, ch.received_at,
                         len(ch.report.errors), len(ch.report.warnings), reason])
        else:
            rows.append([i, e["code"], e["name"], UNIT_TYPE_LABEL.get(e["type"], e["type"]),
                         "CHƯA NỘP", "", None, None, None, None, ""])
    extra = sorted(c for c in by_code if c not in expected_codes)
    for code in extra:
        ch, reason = by_code[code][0]
        rows.append([len(rows) + 1, code, ch.name, UNIT_TYPE_LABEL.get(ch.unit_type, "?"),
                     "Không có trong danh sách đơn vị", ch.source, ch.version, ch.received_at,
                     len(ch.report.errors), len(ch.report.warnings), reason or ""])
    n = len(result.expected)
    miss = [e["name"] or e["code"] for e in result.missing]
    summary = f"Đã nộp và tổng hợp {n_ok}/{n} đơn vị."
    if miss:
        summary += f" Chưa nộp ({len(miss)}): {', '.join(miss)}."
    said, r = r, _note(ws, r, summary, True) + 1
    # on paper (A4 landscape, 100 %): the state of each unit on one page width (A–I), the notes
    # on the next with STT, code and name again, and only when some unit has one; the file's
    # name goes last and stays on screen
    rows = [row[:5] + row[6:] + row[5:6] for row in rows]
    headers = ["STT", "Mã đơn vị", "Tên đơn vị", "Loại", "Tình trạng", "Lần nộp",
               "Thời gian nhận", "Số lỗi", "Số cảnh báo", "Ghi chú", "Tệp"]
    widths = [5, 14, 24, 16, 22, 7, 16, 7, 8, 86, 26]
    paper = _Paper(printed=10 if any(row[9] for row in rows) else 9, first_page=9)
    head = r
    r = _table(ws, r, headers, rows, widths)
    _head_height(ws, head, headers, widths)
    # who has not sent, above the table: wrapped within the columns every printed page shows
    span = 3 if paper.printed > paper.first_page else paper.first_page
    wrap_across(ws, said, span, sum(widths[:span]))
    paper.apply(ws, r - 2, r - 2, widths)


def _opinions_sheet(wb, result):
    ws = wb.create_sheet(M.SHEET_OPINIONS)
    r = _title(ws, "TỔNG HỢP Ý KIẾN CỦA CÁC ĐƠN VỊ TRỰC THUỘC (BIỂU SỐ 2–4)",
               f"{len(result.included)} đơn vị được tổng hợp; số đơn vị đánh dấu mỗi cột và mọi "
               "đề nghị kèm tên đơn vị")
    rows = []
    n = len(result.included)
    for i, o in enumerate(result.opinions, 1):
        props = "\n".join(f"{u}: {t}" for u, t in o["proposals"])
        rows.append([i, o["sheet"], o["group"], o["label"], o["PH"], o["CPH"],
                     max(0, n - o["PH"] - o["CPH"]), ", ".join(o["CPH_units"]), props])
    headers = ["STT", "Biểu", "Nhóm", "Nội dung", "Số đơn vị «Phù hợp»",
               "Số đơn vị «Chưa phù hợp»", "Số đơn vị chưa đánh dấu",
               "Đơn vị chọn «Chưa phù hợp»", "Đề nghị sửa đổi, bổ sung (đơn vị: nội dung)"]
    widths = _one_page({1: (5, None), 2: (11, 8), 3: (34, 12), 4: (44, 16), 5: (9, None),
                        6: (9, None), 7: (9, None), 8: (30, 12), 9: (70, 20)})
    _table(ws, r, headers, rows, widths)
    _head_height(ws, r, headers, widths)


def _list_sheet(wb, title, headers, rows, heading, cols=None):
    """What the units wrote in one of their lists (Biểu 4, Giải trình, …), a row each under the
    unit's name and code. With the form's columns (`cols`, after name and code), as wide as the
    form has them, the text columns narrowed to fit one A4 landscape page at 100 % (they wrap);
    a list of Biểu 4 was 222 columns wide and printed on three pages."""
    ws = wb.create_sheet(title)
    r = _title(ws, heading, f"{len(rows)} dòng, cột đầu là tên đơn vị")
    if cols is None:
        widths = [5, 30, 14] + [max(10, min(40, len(h) + 4)) for h in headers[2:]]
    else:
        wants = {1: (5, None), 2: (24, 14), 3: (10, None)}
        wants.update({k: column_want(c) for k, c in enumerate(cols, start=4)})
        widths = _one_page(wants)
    head = r
    _table(ws, r, ["STT"] + headers, [[i] + row for i, row in enumerate(rows, 1)], widths)
    _head_height(ws, head, ["STT"] + headers, widths)


def _quota_sheet(wb, result):
    if not result.quota:
        return
    ws = wb.create_sheet(M.SHEET_QUOTA)
    base = "số Tốt" if result.base == "tot" else "số Tốt trở lên (XS + Tốt)"
    r = _title(ws, "HẠN MỨC XẾP LOẠI «HOÀN THÀNH XUẤT SẮC NHIỆM VỤ» CÒN LẠI THEO LOẠI ĐƠN VỊ",
               f"Tỷ lệ tối đa {result.quota[0].share} % {base}; tính theo quyết định của cấp "
               f"trên, đơn vị {M.UNDECIDED} tính theo mức tự đề nghị")
    rows = [[q.label, q.units, q.xs, q.tot, q.ht, q.kht, q.undecided, q.ceiling, q.message]
            for q in result.quota]
    headers = ["Nhóm đơn vị", "Số đơn vị", "XS", "Tốt", "HT", "KHT", "Chưa quyết định",
               "Số XS tối đa hiện tại", "Hạn mức còn lại"]
    widths = _one_page({1: (44, 20), 2: (9, None), 3: (7, None), 4: (7, None), 5: (7, None),
                        6: (7, None), 7: (10, None), 8: (11, None), 9: (60, 30)})
    _table(ws, r, headers, rows, widths)
    _head_height(ws, r, headers, widths)


def _one_page(wants: dict[int, tuple[float, float | None]]) -> list[float]:
    """Column widths of a summary's table, the text columns (those with a least width) narrowed
    to fit one A4 landscape page at 100 %: a wider table printed on further page widths with
    its title cut at the columns repeated there."""
    fit = share_width(wants, capacity(landscape=True))
    return [fit[k] for k in sorted(fit)]


def write_summary(result) -> bytes:
    wb = load_workbook(io.BytesIO(_template(result.form.id)))
    _styles(wb)
    _write_form(wb, result)
    _detail_sheet(wb, result)
    if result.expected is not None:
        _status_sheet(wb, result)
    if result.form.has_opinions:
        _opinions_sheet(wb, result)
        headers, rows = result.lists[M.SHEET_DOCS]
        _list_sheet(wb, M.SHEET_DOCS, headers, rows,
                    "TỔNG HỢP VĂN BẢN CỦA CÁC ĐƠN VỊ TRỰC THUỘC (BIỂU SỐ 1)")
    else:
        _quota_sheet(wb, result)
        headers, rows = result.lists[M.SHEET_KP]
        _list_sheet(wb, M.SHEET_KP, headers, rows,
                    "TỔNG HỢP KẾT QUẢ KHẮC PHỤC HẠN CHẾ, KHUYẾT ĐIỂM CỦA ĐƠN VỊ TRỰC THUỘC",
                    KP_COLS)
        headers, rows = result.lists[M.SHEET_GT]
        if rows:
            _list_sheet(wb, M.SHEET_GT, headers, rows,
                        "TỔNG HỢP GIẢI TRÌNH CẢNH BÁO CỦA ĐƠN VỊ TRỰC THUỘC", GT_COLS)
    # the hidden _meta sheet stays last, the forms first
    if "_meta" in wb.sheetnames:
        meta = wb["_meta"]
        wb._sheets.remove(meta)
        wb._sheets.append(meta)
    # each formula's result saved with it, for what shows a file without calculating it
    from ..build import contents_of, formula_values
    results = {None: formula_values(result.form, contents_of(wb, result.form))}
    results.update({ws.title: _TOTALS.pop(ws) for ws in wb.worksheets if ws in _TOTALS})
    buf = io.BytesIO()
    wb.save(buf)
    bodies = {ws.path.lstrip("/"): ws._kd_rows for ws in wb.worksheets
              if ws.__dict__.get("_kd_rows")}
    # fixed dates, as the templates: the same summary gives the same bytes, so a commune sending
    # the same report up twice makes no second version, whatever second it was written in
    from ..build import _reproducible
    return _reproducible(buf.getvalue(), results,
                         edit=lambda name, xml: _splice(xml, bodies[name])
                         if name in bodies else xml)


M.MergeResult.writer = write_summary
