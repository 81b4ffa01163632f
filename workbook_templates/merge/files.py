"""The side files of a merge done from files (`kiemdiem tong-hop`): the children's workbooks, the
units list (who is expected) and the superior's decisions."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from python_calamine import CalamineWorkbook

from ..read import ReadError, read_workbook
from ..validate import validate
from .model import Child, level_code


def read_child(path: str | Path, *, base: str = "tot", decision: str | None = None) -> Child:
    """Read and validate one child's file with the core reader and validator; the file's
    modification time stands for when it was received."""
    p = Path(path)
    filled = read_workbook(p)
    report = validate(filled, base=base)
    report.source = str(p)
    return Child(filled, report, source=p.name,
                 received_at=dt.datetime.fromtimestamp(p.stat().st_mtime), decision=decision)


def _table_rows(path: str | Path, wanted: dict[str, tuple[str, ...]]) -> list[dict]:
    """Rows of the first sheet of an .xlsx whose header row holds the wanted column titles
    (any case, surrounding spaces ignored). wanted: key -> accepted titles."""
    p = Path(path)
    try:
        wb = CalamineWorkbook.from_path(str(p))
        grid = wb.get_sheet_by_index(0).to_python()
    except Exception as e:
        raise ReadError(f"Không đọc được tệp {p.name} ({type(e).__name__}). Hãy lưu lại dạng "
                        ".xlsx rồi thử lại.", "unreadable") from e
    norm = {k: {t.casefold() for t in titles} for k, titles in wanted.items()}
    for i, row in enumerate(grid):
        heads = [str(v).strip().casefold() if v is not None else "" for v in row]
        pos = {}
        for k, titles in norm.items():
            for j, h in enumerate(heads):
                if h in titles:
                    pos[k] = j
                    break
        if "code" in pos and len(pos) >= 2:
            out = []
            for r in grid[i + 1:]:
                rec = {k: (r[j] if j < len(r) else None) for k, j in pos.items()}
                if isinstance(rec.get("code"), float) and rec["code"].is_integer():
                    rec["code"] = int(rec["code"])
                if rec.get("code") not in (None, ""):
                    rec["code"] = str(rec["code"]).strip()
                    out.append(rec)
            return out
    first = ", ".join(t[0] for t in wanted.values())
    raise ReadError(f"Tệp {p.name}: không tìm thấy dòng tiêu đề có các cột {first} ở sheet "
                    "đầu tiên.", "bad_table")


def read_expected(path) -> list[dict]:
    """Units list: Mã đơn vị, Tên đơn vị, Loại, Mã đơn vị cấp trên and optionally Lĩnh vực
    (the format of the server's export-units)."""
    return _table_rows(path, {"code": ("Mã đơn vị", "Ma don vi", "code"),
                              "name": ("Tên đơn vị", "Ten don vi", "name"),
                              "type": ("Loại", "Loại đơn vị", "Loai", "type"),
                              "parent_code": ("Mã đơn vị cấp trên", "Ma don vi cap tren",
                                              "parent_code"),
                              "sector": ("Lĩnh vực", "Linh vuc", "sector")})


def read_decisions(path) -> dict[str, tuple[str | None, str | None]]:
    """Decisions: Mã đơn vị, Xếp loại (label or code) and optionally Xếp loại cấp ủy.
    Returns code -> (level, committee level). Raises ReadError on a level it cannot read."""
    rows = _table_rows(path, {"code": ("Mã đơn vị", "Ma don vi", "code"),
                              "level": ("Xếp loại", "Xep loai", "level"),
                              "cap_uy": ("Xếp loại cấp ủy", "Xep loai cap uy")})
    out, bad = {}, []
    for _i, r in enumerate(rows, start=2):
        lv, cu = r.get("level"), r.get("cap_uy")
        lvc, cuc = level_code(lv), level_code(cu)
        if lv not in (None, "") and lvc is None:
            bad.append(f"{r['code']}: «{lv}»")
        if cu not in (None, "") and cuc is None:
            bad.append(f"{r['code']} (cấp ủy): «{cu}»")
        out[r["code"]] = (lvc, cuc)
    if bad:
        raise ReadError(f"Tệp quyết định xếp loại {Path(path).name} có mức xếp loại không đọc "
                        f"được: {'; '.join(bad)}. Ghi một trong bốn mức (XS, TOT, HT, KHT hoặc "
                        "tên đầy đủ).", "bad_table")
    return out
