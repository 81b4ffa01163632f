"""Chasing late reports: each unit's contact person and phone (from its latest workbook, cells
«Người lập biểu» and «Số điện thoại»), the dashboard table as an Excel file, and a printable list
of the units that have not reported, whose report has errors or was returned."""
from __future__ import annotations

import io

from flask import render_template, send_file
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from . import bp
from .access import login_required, overseeing
from .dot import STATES, round_view
from .lien_he import with_contacts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_chase(st: dict) -> list[dict]:
    return [u for u in st["units"] if u["state"] in ("chua_nop", "co_loi", "tra_lai")]


@bp.get("/dot/<int:round_id>/nhac-nop")
@login_required
def reminder(round_id: int):
    _p, rnd, _may = overseeing(round_id)
    st = with_contacts(rnd, round_view(rnd))
    return render_template("web/reminder.html", rnd=rnd, st=st, units=to_chase(st),
                           states=STATES)


HEADERS = ("Mã đơn vị", "Tên đơn vị", "Loại", "Trạng thái", "Phiên bản", "Thời gian nộp",
           "Hạn nộp", "Nộp muộn", "Số lỗi", "Số cảnh báo", "Đơn vị đề xuất",
           "Cấp trên quyết định", "Người lập biểu", "Điện thoại")


@bp.get("/dot/<int:round_id>/bang-theo-doi.xlsx")
@login_required
def dashboard_xlsx(round_id: int):
    """The dashboard table as a workbook. Every text is written as a text cell (a unit name or a
    phone beginning with «=» stays text, never a formula); numbers and dates stay numbers."""
    from ..summary import local_time
    from .filters import level
    _p, rnd, _may = overseeing(round_id)
    st = with_contacts(rnd, round_view(rnd))
    wb = Workbook()
    ws = wb.active
    ws.title = "Theo dõi nộp biểu"
    ws.append([f"{rnd.unit.name} — năm đánh giá {rnd.year}, hạn nộp "
               f"{rnd.deadline.strftime('%d/%m/%Y')}"])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append(list(HEADERS))
    for c in ws[2]:
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    for u in st["units"]:
        up = local_time(u["uploaded_at"].replace(tzinfo=None)) if u["uploaded_at"] else None
        row = [u["code"], u["name"], u["type_label"], STATES[u["state"]], u["version"],
               up, u["deadline"],
               ("có" if u["late"] else "không") if u["submitted"] else "",
               u["errors"] if u["submitted"] else None,
               u["warnings"] if u["submitted"] else None,
               level(u["proposed"]) if u["submitted"] and u["proposed"] else "",
               level(u["decided"]) if u["decided"] else "", u["contact"], u["phone"]]
        ws.append(row)
        r = ws.max_row
        for col, v in enumerate(row, start=1):
            cell = ws.cell(row=r, column=col)
            if isinstance(v, str):
                cell.value = v
                cell.data_type = "s"        # never a formula, whatever the text begins with
            elif col == 6 and v is not None:
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif col == 7 and v is not None:
                cell.number_format = "dd/mm/yyyy"
    widths = (14, 34, 18, 14, 9, 17, 12, 9, 8, 10, 22, 22, 22, 15)
    for col, w in zip("ABCDEFGHIJKLMN", widths, strict=True):
        ws.column_dimensions[col].width = w
    ws.freeze_panes = "C3"
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return send_file(buf, mimetype=XLSX, as_attachment=True,
                     download_name=f"theo_doi_dot_{rnd.id}_{rnd.unit.code}.xlsx")

