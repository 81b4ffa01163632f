"""The page of a Party document (Hướng dẫn 36-HD/VPTW) drawn with python-docx.

What HD 36 fixes and a clerk checks first: A4, margins top/bottom 20–25 mm, left 30–35 mm, right
15–20 mm; Times New Roman; body 13–14 pt; the header block (cấp trên / đơn vị / «*» left,
«ĐẢNG CỘNG SẢN VIỆT NAM» bold underlined right), «Số …-BC/…» under the unit, the place-date line in
italics, page numbers from page 2 at the top centre, «Nơi nhận» bottom left and the signature
block bottom right. Everything here is layout; the words come from `nam.py` and `so_ket.py`.
"""
from __future__ import annotations

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 11
SMALL_PT = 12
FIRST_LINE = Mm(12.7)


def new_document() -> Document:
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.left_margin, sec.right_margin = Mm(30), Mm(17)
    sec.header_distance, sec.footer_distance = Mm(10), Mm(10)
    st = doc.styles["Normal"]
    st.font.name = FONT
    st.font.size = Pt(BODY_PT)
    rpr = st.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    pf = st.paragraph_format
    pf.space_before, pf.space_after = Pt(0), Pt(6)
    pf.line_spacing = 1.1
    _page_numbers(doc)
    return doc


def _field(run, code: str):
    """A Word field (PAGE) that Word and LibreOffice both update when they lay out the pages."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    txt = OxmlElement("w:t")
    txt.text = "2"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, instr, sep, txt, end):
        run._r.append(el)


def _page_numbers(doc):
    """HD 36: the page number at the top centre, not on the first page."""
    sec = doc.sections[0]
    sec.different_first_page_header_footer = True
    p = sec.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = p.add_run()
    r.font.size = Pt(SMALL_PT)
    _field(r, "PAGE")


def para(doc_or_cell, text: str = "", *, bold=False, italic=False, size=None, align=None,
         indent=True, space_after=None, underline=False, keep_next=False):
    p = doc_or_cell.add_paragraph()
    if text:
        run(p, text, bold=bold, italic=italic, size=size, underline=underline)
    if align == "center":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif align == "left":
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            p.paragraph_format.first_line_indent = FIRST_LINE
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    if keep_next:
        p.paragraph_format.keep_with_next = True
    return p


def run(p, text, *, bold=False, italic=False, size=None, underline=False, highlight=False):
    r = p.add_run(text)
    r.bold, r.italic = bold or None, italic or None
    if underline:
        r.underline = True
    if size:
        r.font.size = Pt(size)
    if highlight:
        r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return r


def placeholder(doc, what: str, example: str = ""):
    """A place only people can fill (đánh giá chung, nguyên nhân, kiến nghị): bracketed,
    highlighted and italic, so it is seen on screen and cannot pass unnoticed on paper."""
    p = para(doc)
    text = f"[{what}" + (f": {example}" if example else "") + "]"
    run(p, text, italic=True, highlight=True)
    return p


def heading(doc, text: str, level: int = 1):
    """I. II. … bold capitals; 1. 2. … bold; a) b) … bold italic — the usual Party report."""
    p = para(doc, text, bold=True, italic=level >= 3, indent=level > 1, keep_next=True,
             space_after=4)
    p.paragraph_format.space_before = Pt(6 if level == 1 else 3)
    return p


_TBLPR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
                "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
                "shd", "tblLayout", "tblCellMar", "tblLook")


def _tblpr_put(table, el):
    """Insert a table property where the schema wants it: LibreOffice ignores one out of order."""
    tblPr = table._tbl.tblPr
    tag = el.tag.split("}")[1]
    later = _TBLPR_ORDER[_TBLPR_ORDER.index(tag) + 1:]
    for child in tblPr:
        if child.tag.split("}")[1] in later:
            child.addprevious(el)
            return
    tblPr.append(el)


def _no_borders(table):
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    _tblpr_put(table, borders)


def _cell_para(cell, text, *, bold=False, italic=False, size=BODY_PT, underline=False,
               align="center", first=False):
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                   "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.first_line_indent = None
    if text:
        run(p, text, bold=bold, italic=italic, size=size, underline=underline)
    return p


def header_block(doc, cap_tren: str, don_vi: str, so_ky_hieu: str, place_date: str):
    """The two-column head of the first page (HD 36 §III.1–5)."""
    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = (Mm(78), Mm(87))
    for i, w in enumerate(widths):
        t.columns[i].width = w
        t.rows[0].cells[i].width = w
    left, right = t.rows[0].cells
    _cell_para(left, cap_tren.upper(), size=SMALL_PT + 1, first=True)
    _cell_para(left, don_vi.upper(), bold=True, size=SMALL_PT + 1)
    _cell_para(left, "*", size=SMALL_PT + 1)
    p = _cell_para(left, "Số       -BC/", size=BODY_PT)
    run(p, "…", size=BODY_PT, highlight=True)
    _cell_para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=15, first=True)
    _cell_para(right, "", size=SMALL_PT)
    _cell_para(right, place_date, italic=True, size=BODY_PT)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def title(doc, kind: str, lines: list[str]):
    para(doc, kind, bold=True, size=16, align="center", space_after=0)
    for i, line in enumerate(lines):
        para(doc, line, bold=True, size=BODY_PT, align="center",
             space_after=0 if i < len(lines) - 1 else 0)
    para(doc, "-----", align="center", space_after=6)


def table(doc, headers: list[str], rows: list[list], widths_mm: list[float], *,
          bold_rows=(), left_cols=(1,), size=TABLE_PT, header_rows: list[list[str]] | None = None):
    """A bordered table: header row(s) bold and centred, numbers centred, labels left."""
    hdr = header_rows or [headers]
    t = doc.add_table(rows=len(hdr) + len(rows), cols=len(widths_mm))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    _cell_margins(t, 0.8)
    for j, w in enumerate(widths_mm):
        t.columns[j].width = Mm(w)
    for i, hrow in enumerate(hdr):
        cells = t.rows[i].cells
        for j, text in enumerate(hrow):
            if text is None:
                continue
            c = cells[j]
            c.width = Mm(widths_mm[j])
            _cell_para(c, text, bold=True, size=size, first=True)
        _repeat_header(t.rows[i])
    for i, row in enumerate(rows):
        cells = t.rows[len(hdr) + i].cells
        for j, value in enumerate(row):
            c = cells[j]
            c.width = Mm(widths_mm[j])
            lines = value if isinstance(value, tuple) else ("" if value is None else str(value),)
            for k, line in enumerate(lines):  # a tuple: one paragraph a line (count, then %)
                _cell_para(c, line, bold=i in bold_rows, size=size, italic=k > 0,
                           align="left" if j in left_cols else "center", first=k == 0)
    _keep_rows(t)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)
    return t


def _cell_margins(table, mm: float):
    """Narrow cell padding so a count of a province (150.000) fits a 12 mm column."""
    mar = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(int(mm * 56.7)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    _tblpr_put(table, mar)


def merge_header(t, row: int, c0: int, c1: int):
    a, b = t.cell(row, c0), t.cell(row, c1)
    text = a.text
    m = a.merge(b)
    for p in m.paragraphs[1:]:
        p._p.getparent().remove(p._p)
    m.paragraphs[0].runs[0].text = text if m.paragraphs[0].runs else text
    return m


def merge_vertical(t, col: int, r0: int, r1: int):
    a = t.cell(r0, col)
    text = a.text
    m = a.merge(t.cell(r1, col))
    for p in m.paragraphs[1:]:
        p._p.getparent().remove(p._p)
    if m.paragraphs[0].runs:
        m.paragraphs[0].runs[0].text = text
    return m


def _keep_rows(table):
    """No row broken across two pages (LibreOffice split a row and the signature block)."""
    for row in table.rows:
        trPr = row._tr.get_or_add_trPr()
        el = OxmlElement("w:cantSplit")
        el.set(qn("w:val"), "true")
        trPr.insert(0, el)


def _repeat_header(row):
    trPr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trPr.append(el)


def _shade(cell, fill: str):
    tcPr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcPr.append(shd)


def error_box(doc, heading_text: str, lines: list[str], note: str):
    """A framed, shaded box at the very top: the report was made from a workbook that still has
    errors, and these are they. Framed so it is not mistaken for the report's own text."""
    t = doc.add_table(rows=1, cols=1)
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    c = t.rows[0].cells[0]
    c.width = Mm(165)
    _shade(c, "FDE9E7")
    p = _cell_para(c, heading_text, bold=True, size=SMALL_PT, first=True)
    for r in p.runs:
        r.font.color.rgb = RGBColor(0xA0, 0x10, 0x10)
    for line in lines:
        _cell_para(c, line, size=SMALL_PT - 1, align="left")
    _cell_para(c, note, italic=True, size=SMALL_PT - 1, align="left")
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def closing(doc, noi_nhan: list[str], tm: str, chuc_vu: str, nguoi_ky: str | None,
            prepared_by: str = ""):
    """«Nơi nhận» left (12 pt, bold italic heading), the signature right (HD 36 §III.9–10)."""
    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    t.autofit = False
    widths = (Mm(80), Mm(85))
    for i, w in enumerate(widths):
        t.columns[i].width = w
        t.rows[0].cells[i].width = w
    left, right = t.rows[0].cells
    _cell_para(left, "Nơi nhận:", bold=True, italic=True, size=SMALL_PT, align="left", first=True)
    for line in noi_nhan:
        _cell_para(left, line, size=11, align="left")
    if prepared_by:
        _cell_para(left, "", size=11)
        _cell_para(left, prepared_by, italic=True, size=11, align="left")
    _cell_para(right, tm, bold=True, size=BODY_PT, first=True)
    _cell_para(right, chuc_vu, bold=True, size=BODY_PT)
    for _ in range(3):
        _cell_para(right, "", size=BODY_PT)
    if nguoi_ky:
        _cell_para(right, nguoi_ky, bold=True, size=BODY_PT)
    else:
        p = _cell_para(right, "", size=BODY_PT)
        run(p, "[Họ và tên người ký]", italic=True, highlight=True)
    _keep_rows(t)
