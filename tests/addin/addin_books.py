"""Books for the add-in tests: real template workbooks turned into the JSON an Excel client sends
to xlwings' remote engine (see conftest.py for the engine's licence, set for tests only)."""
from __future__ import annotations

import datetime as dt
import io
import json


def clean_unit() -> dict:
    """A small đảng bộ cơ sở whose figures all agree: no error, no warning, even on the server
    (which also sees formulas)."""
    from workbook_templates.sample import unit_info
    v = unit_info("Đảng bộ xã Lộc Bảo", "LB", "Huyện ủy Bảo Lâm", "DB_CS", 2024,
                  TT_XepLoai="Hoàn thành tốt nhiệm vụ",
                  TT_XepLoaiNguoiDungDau="Hoàn thành tốt nhiệm vụ")
    v.update({"KD_PHAI_DV": 120, "KD_DA_DV": 118, "KD_MOIKN_DV": 2, "KD_GOIY_DV": 0,
              "XL_DV_TONG": 120, "XL_DV_MOI": 2, "XL_DV_XS": 10, "XL_DV_TOT": 80,
              "XL_DV_HT": 27, "XL_DV_KHT": 1, "XL_DV_KYLUAT": 0,
              "XL_CBTT_TONG": 6, "XL_CBTT_XS": 1, "XL_CBTT_TOT": 5})
    return v


def _json_value(v):
    """A cell value as Office.js sends it: numbers as doubles, dates as ISO with Z, "" for empty."""
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(v, dt.date):
        return f"{v.isoformat()}T00:00:00.000Z"
    if isinstance(v, dt.time):
        return v.isoformat()
    return str(v)


def book_json(xlsx: bytes, name: str = "bao_cao.xlsx", notes: bool = True,
              note_cells: dict | None = None) -> dict:
    """The remote engine's book JSON for an .xlsx: every sheet's values from A1 (python-calamine,
    as the client's getBookData does), its visibility, and its notes (cells with a comment).

    Formula cells written by openpyxl carry no cached value, so they arrive empty — as they would
    from a workbook Excel has not recalculated; the validator recomputes them anyway.
    """
    import xlwings
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    cal = CalamineWorkbook.from_filelike(io.BytesIO(xlsx))
    wb = load_workbook(io.BytesIO(xlsx))
    sheets = []
    for ws in wb.worksheets:
        grid = cal.get_sheet_by_name(ws.title).to_python(skip_empty_area=False)
        values = [[_json_value(v) for v in row] for row in grid] or [[]]
        width = max((len(r) for r in values), default=0)
        values = [r + [""] * (width - len(r)) for r in values]
        commented = [c.coordinate for row in ws.iter_rows() for c in row if c.comment]
        commented += list((note_cells or {}).get(ws.title, ()))
        sheets.append({
            "name": ws.title,
            "values": values,
            "visibility": {"visible": "Visible", "hidden": "Hidden"}.get(ws.sheet_state,
                                                                         "VeryHidden"),
            "pictures": [], "shapes": [], "charts": [], "tables": [], "pivot_tables": [],
            "notes": [{"address": a} for a in commented],
            "notes_supported": notes,
            "print_area": None, "show_gridlines": True,
        })
    data = {
        "client": "Office.js",
        "version": xlwings.__version__,
        "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }
    return json.loads(json.dumps(data))   # exactly what survives the wire


def open_book(xlsx: bytes, **kw):
    import xlwings as xw
    return xw.Book(json=book_json(xlsx, **kw))
