"""Units from and to Excel: one row per unit with columns Mã đơn vị, Tên đơn vị, Loại,
Mã đơn vị cấp trên and, optionally, Lĩnh vực (the sector of a TCCSĐ, SPEC §7.1). The tree may be
of any depth; a row may name a parent further down the sheet. Which type may sit under which is
`spec.hierarchy`'s: a file that breaks it anywhere (a chi bộ trực thuộc straight under a
province, a province under a commune, a cycle) is refused whole, every bad row named.
"""
from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlalchemy import select

from workbook_templates.merge import sector_code, unit_type_code
from workbook_templates.spec import hierarchy
from workbook_templates.spec.domain import SECTOR_LABEL, TCCSD_TYPES, UNIT_TYPE_LABEL

from . import db
from .models import Unit

COLUMNS = ("Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên")
SECTOR_COLUMN = "Lĩnh vực"      # optional: files made before it still import
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
    has_sector = _key(SECTOR_COLUMN) in header
    if has_sector:
        idx[SECTOR_COLUMN] = header.index(_key(SECTOR_COLUMN))
    out, problems, seen = [], [], {}
    for n, row in enumerate(rows, start=2):
        def cell(col, row=row):
            return row[idx[col]] if idx[col] < len(row) else None
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
        rec = {"code": code, "name": name, "type": type_, "parent_code": parent, "row": n}
        if has_sector:
            raw = cell(SECTOR_COLUMN)
            sector = sector_code(raw)
            if str(raw or "").strip() and sector is None:
                problems.append(f"Dòng {n}: lĩnh vực «{raw}» không hợp lệ; dùng một trong: "
                                + "; ".join(SECTOR_LABEL.values()) + ".")
            elif sector and type_ and type_ not in TCCSD_TYPES:
                problems.append(f"Dòng {n}: đơn vị «{code}» là «{UNIT_TYPE_LABEL[type_]}»; chỉ "
                                "tổ chức cơ sở đảng (đảng bộ cơ sở, chi bộ cơ sở) ghi lĩnh vực. "
                                "Để trống ô lĩnh vực của dòng này.")
            rec["linh_vuc"] = sector
        out.append(rec)
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
    problems += _cycles(rows, parents) + _misplaced(rows, existing, parents)
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
        if "linh_vuc" in r:         # a file without the column leaves the sector as it was
            u.linh_vuc = r["linh_vuc"]
    s.flush()
    for r in rows:
        units[r["code"]].parent = units[r["parent_code"]] if r["parent_code"] else None
    s.commit()
    return created, updated


def _cycles(rows, parents) -> list[str]:
    """Every row on a cycle of «cấp trên» (each cycle said once, from its first row)."""
    out, on_cycle = [], set()
    for r in rows:
        code, path = r["code"], []
        while code is not None and code not in path:
            path.append(code)
            code = parents.get(code)
        if code is not None and r["code"] not in on_cycle:
            loop = path[path.index(code):]
            if r["code"] in loop:
                on_cycle.update(loop)
                out.append(f"Dòng {r['row']}: vòng lặp cấp trên: "
                           + " → ".join(loop + [code]) + ".")
    return out


def _misplaced(rows, existing, parents) -> list[str]:
    """Rows whose type may not sit under their parent's type (`spec.hierarchy`, any year), and
    units already on the server whose new parent type (changed by this file) no longer takes them.
    """
    types = {u.code: u.type for u in existing.values()}
    types.update({r["code"]: r["type"] for r in rows if r["type"]})
    in_file = {r["code"]: r for r in rows}
    out = []
    for r in rows:
        p = r["parent_code"]
        if r["type"] and p and types.get(p) and not hierarchy.may_have_child(types[p], r["type"]):
            out.append(f"Dòng {r['row']}: «{r['name'] or r['code']}» ({r['code']}) có cấp trên "
                       f"«{p}»: {hierarchy.bad_parent_message(r['type'], types[p])}. Sửa loại "
                       "đơn vị hoặc mã đơn vị cấp trên.")
    for code, u in existing.items():
        p = parents.get(code)
        if code in in_file or p not in in_file or not in_file[p]["type"]:
            continue
        if not hierarchy.may_have_child(in_file[p]["type"], u.type):
            out.append(f"Dòng {in_file[p]['row']}: đổi «{p}» thành "
                       f"«{UNIT_TYPE_LABEL[in_file[p]['type']]}» thì «{u.name}» ({code}) đang "
                       f"trực thuộc không còn hợp lệ: "
                       f"{hierarchy.bad_parent_message(u.type, in_file[p]['type'])}.")
    return out


def export_units() -> bytes:
    """All units, parents before children, in the import format (so a file round-trips)."""
    s = db.session()
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(COLUMNS + (SECTOR_COLUMN,))
    for c in ws[1]:
        c.font = Font(bold=True)
    roots = s.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.code))

    def walk(u):
        ws.append((u.code, u.name, UNIT_TYPE_LABEL.get(u.type, u.type),
                   u.parent.code if u.parent else None, SECTOR_LABEL.get(u.linh_vuc or "")))
        for ch in u.children:
            walk(ch)
    for root in roots:
        walk(root)
    for col, width in zip("ABCDE", (16, 48, 44, 20, 24), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
