"""Units from and to Excel: one row per unit with columns Mã đơn vị, Tên đơn vị, Loại,
Mã đơn vị cấp trên. The tree may be of any depth; a row may name a parent further down the sheet.
"""
from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlalchemy import select

from workbook_templates.merge import unit_type_code
from workbook_templates.spec.domain import UNIT_TYPE_LABEL

from . import db
from .models import Unit

COLUMNS = ("Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên")
SHEET = "Đơn vị"


class UnitsFileError(ValueError):
    """str() lists every problem, one line each, with its row number."""


def _key(s) -> str:
    return " ".join(str(s or "").split()).casefold()


def read_units(data: bytes) -> list[dict]:
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_key(h) for h in next(rows, ())]
    idx = {}
    for col in COLUMNS:
        if _key(col) not in header:
            raise UnitsFileError(f"Thiếu cột «{col}» ở dòng tiêu đề (dòng 1). Các cột cần có: "
                                 + ", ".join(COLUMNS) + ".")
        idx[col] = header.index(_key(col))
    out, problems, seen = [], [], {}
    for n, row in enumerate(rows, start=2):
        cell = lambda col: row[idx[col]] if idx[col] < len(row) else None  # noqa: E731
        code = str(cell("Mã đơn vị") or "").strip()
        if not code and not any(v not in (None, "") for v in row):
            continue
        name = str(cell("Tên đơn vị") or "").strip()
        type_ = unit_type_code(cell("Loại"))
        parent = str(cell("Mã đơn vị cấp trên") or "").strip() or None
        if not code:
            problems.append(f"Dòng {n}: thiếu mã đơn vị.")
            continue
        if code in seen:
            problems.append(f"Dòng {n}: mã «{code}» trùng với dòng {seen[code]}.")
        seen[code] = n
        if not name:
            problems.append(f"Dòng {n}: đơn vị «{code}» thiếu tên.")
        if type_ is None:
            problems.append(f"Dòng {n}: loại «{cell('Loại')}» không hợp lệ; dùng mã hoặc tên: "
                            + "; ".join(f"{c} ({label})" for c, label in UNIT_TYPE_LABEL.items())
                            + ".")
        out.append({"code": code, "name": name, "type": type_, "parent_code": parent, "row": n})
    if problems:
        raise UnitsFileError("\n".join(problems))
    return out


def import_units(data: bytes) -> tuple[int, int]:
    """Create or update the units of the file; returns (created, updated). All or nothing."""
    rows = read_units(data)
    s = db.session()
    existing = {u.code: u for u in s.scalars(select(Unit))}
    problems = []
    for r in rows:
        p = r["parent_code"]
        if p and p not in existing and p not in {x["code"] for x in rows}:
            problems.append(f"Dòng {r['row']}: mã đơn vị cấp trên «{p}» không có trong tệp "
                            "và chưa có trên máy chủ.")
    parents = {u.code: (u.parent.code if u.parent else None) for u in existing.values()}
    parents.update({r["code"]: r["parent_code"] for r in rows})
    for r in rows:
        code, path = r["code"], []
        while code is not None and code not in path:
            path.append(code)
            code = parents.get(code)
        if code is not None:
            problems.append(f"Dòng {r['row']}: vòng lặp cấp trên: " + " → ".join(path + [code])
                            + ".")
            break
    if problems:
        raise UnitsFileError("\n".join(problems))
    created = updated = 0
    units = dict(existing)
    for r in rows:
        u = units.get(r["code"])
        if u is None:
            u = Unit(code=r["code"], name=r["name"], type=r["type"])
            s.add(u)
            units[r["code"]] = u
            created += 1
        else:
            u.name, u.type = r["name"], r["type"]
            updated += 1
    s.flush()
    for r in rows:
        units[r["code"]].parent = units[r["parent_code"]] if r["parent_code"] else None
    s.commit()
    return created, updated


def export_units() -> bytes:
    """All units, parents before children, in the import format (so a file round-trips)."""
    s = db.session()
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(COLUMNS)
    for c in ws[1]:
        c.font = Font(bold=True)
    roots = s.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.code))

    def walk(u):
        ws.append((u.code, u.name, UNIT_TYPE_LABEL.get(u.type, u.type),
                   u.parent.code if u.parent else None))
        for ch in u.children:
            walk(ch)
    for root in roots:
        walk(root)
    for col, width in zip("ABCD", (16, 48, 44, 20)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
