"""A workbook of an outdated template version -> the same figures in the current template.

The reader refuses an outdated version (its cells are no longer where the current layout expects
them: bao_cao_nam 1.1 inserted rows on Biểu 2). But every input cell of every version carries a
workbook-level defined name, and a name keeps its meaning across versions, so the figures can be
carried over by name instead of being typed again: each input of the current template whose name
the old file defines gets the old cell's value as typed (never a formula, never a cached value).
Names the current template added stay blank and are listed, so the unit knows what to fill.
"""
from __future__ import annotations

import io

from openpyxl import load_workbook

from .read import META_ROWS, OUTDATED, ReadError
from .safety import UnsafeFile, check_package
from .spec import META_SHEET, form_sets

NEW_ROWS_HINT = "Các ô mới của mẫu hiện hành còn trống"


def upgrade(data: bytes, source: str = "tệp") -> tuple[bytes, list[str]]:
    """(the current template filled with the old file's inputs, Vietnamese notes).
    Raises ReadError when the file is not an outdated kiemdiem workbook."""
    try:
        check_package(data, source)
        old = load_workbook(io.BytesIO(data), data_only=False)
    except UnsafeFile as e:
        raise ReadError(str(e), e.code) from e
    except Exception as e:
        raise ReadError(f"Không mở được {source} ({type(e).__name__}). Hãy lưu lại dạng .xlsx "
                        "rồi thử lại.", "unreadable") from e
    meta = {}
    if META_SHEET in old.sheetnames:
        ws = old[META_SHEET]
        for i, (key, _) in enumerate(META_ROWS, start=1):
            meta[key] = ws.cell(i, 2).value
    tid = str(meta.get("template") or "").strip()
    ver = str(meta.get("version") or "").strip()
    forms = form_sets()
    if tid not in forms:
        raise ReadError(f"{source} không phải biểu mẫu của kiemdiem.", "not_template")
    form = forms[tid]
    if ver == form.version:
        raise ReadError(f"{source} đã dùng mẫu phiên bản hiện hành {form.version}; không cần "
                        "chuyển.", "current_version")
    if ver not in OUTDATED.get(tid, ()):
        raise ReadError(f"{source} dùng mẫu phiên bản «{ver}» không chuyển được.",
                        "unknown_version")
    from .sample import fill_template
    values, missing = {}, []
    for cell in form.inputs():
        dn = old.defined_names.get(cell.name)
        if dn is None:
            missing.append(cell)
            continue
        for sheet, ref in dn.destinations:
            if sheet not in old.sheetnames:
                continue
            v = old[sheet][ref.replace("$", "")].value
            if isinstance(v, str) and v.startswith("="):
                continue            # a formula typed into an input: the validator will say so
            if v is not None:
                values[cell.name] = v
            break
    notes = [f"Đã chép {len(values)} ô có số liệu từ mẫu phiên bản {ver} sang mẫu phiên bản "
             f"{form.version}."]
    rows = []
    for c in missing:
        label = c.row_label if not c.col_label else f"{c.row_label} ({c.sheet})"
        if label not in rows:
            rows.append(label)
    if rows:
        notes.append(f"{NEW_ROWS_HINT}, hãy điền nếu đơn vị có số liệu: " + "; ".join(rows) + ".")
    return fill_template(values, tid), notes
