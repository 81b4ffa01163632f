"""so_ket_quy_dinh: the documents issued (Biểu số 1), the checklists (Biểu số 2–4) and the
review period."""
from __future__ import annotations

import datetime as dt
import re

from .parse import parse_date

DOCNO = re.compile(r"^(\d+)-([A-ZĐ]+)/([A-ZĐ0-9]+(?:[-.][A-ZĐ0-9]+)*)$")
_SPLIT = re.compile(r"[;,\n]+|\s+")


def docno_problem(token: str) -> str | None:
    if DOCNO.match(token):
        return None
    if re.match(r"^[A-ZĐ]+/[A-ZĐ0-9]+$", token):
        return f"«{token}» thiếu số văn bản (ví dụ 70-{token})"
    m = re.match(r"^(\d+)-([A-ZĐ]+)$", token)
    if m:
        return (f"«{token}» thiếu dấu «/» giữa loại văn bản và cơ quan ban hành (ví dụ "
                f"{m.group(1)}-CV/BTCHU)")
    return f"«{token}» không đúng dạng <số>-<LOẠI>/<CƠ QUAN> (ví dụ 70-KH/HU)"


def check_docs(ctx):
    start = ctx.val.get("TT_TuNam")
    for c in ctx.form.cells.values():
        if c.kind != "docno":
            continue
        raw = ctx.val.get(c.name)
        date_name = c.name.replace("_SO_", "_NGAY_")
        raw_dates = ctx.filled.raw.get(date_name)
        tokens = [t for t in _SPLIT.split(str(raw or "").strip()) if t]
        for t in tokens:
            p = docno_problem(t)
            if p:
                ctx.add("R-DOCNO", c.name, f"Số, ký hiệu văn bản {p}.",
                        "Ghi theo mẫu <số>-<LOẠI>/<CƠ QUAN>, nhiều văn bản cách nhau bằng «;».")
        dates = _split_dates(raw_dates)
        year = start + c.year_index if isinstance(start, int) else None
        for d in dates:
            if isinstance(d, str):
                ctx.add("R-DOCNO", date_name, f"Ngày ban hành {d}.",
                        "Ghi ngày dạng ngày/tháng/năm, ví dụ 10/11/2022.")
            elif year and d.year != year:
                ctx.add("R-DOCNO", date_name,
                        f"Ngày ban hành {d:%d/%m/%Y} không thuộc năm {year} của cột này.",
                        "Kiểm tra lại ngày hoặc ghi văn bản vào đúng cột năm.")
        if tokens and len(dates) != len(tokens):
            ctx.add("R-DOCNO", date_name,
                    f"Có {len(tokens)} số văn bản nhưng {len(dates)} ngày ban hành.",
                    "Mỗi văn bản ghi một ngày ban hành, theo cùng thứ tự, cách nhau bằng «;».")


def _split_dates(v):
    if v is None:
        return []
    if isinstance(v, (dt.date, dt.datetime, int, float)) and not isinstance(v, bool):
        d, p = parse_date(v)
        return [d] if d else [p]
    out = []
    for t in (t for t in _SPLIT.split(str(v).strip()) if t):
        d, p = parse_date(t)
        out.append(d if d else p)
    return out


def check_xmarks(ctx):
    for c in ctx.form.cells.values():
        if c.col_key != "PH":
            continue
        base = c.name[:-3]
        ph, cph, dn = ctx.val.get(c.name), ctx.val.get(base + "_CPH"), ctx.val.get(base + "_DN")
        n = int(bool(ph)) + int(bool(cph))
        if n != 1:
            state = "chưa đánh dấu cột nào" if n == 0 else "đánh dấu cả hai cột"
            extra = f" (đã ghi đề nghị «{dn}»)" if n == 0 and dn else ""
            ctx.add("R-XMARK", c.name,
                    f"Dòng «{c.row_label}» {state} «Phù hợp» / «Chưa phù hợp»{extra}.",
                    "Đánh dấu x vào đúng một trong hai cột.")
        elif cph and not dn:
            ctx.add("R-XMARK", base + "_DN",
                    f"Dòng «{c.row_label}» chọn «Chưa phù hợp» nhưng chưa ghi đề nghị sửa đổi, "
                    "bổ sung.", "Ghi cụ thể nội dung đề nghị.")
def check_period(ctx):
    """R-REQ on so_ket_quy_dinh: the review period fits the five year columns."""
    start, end, year = (ctx.val.get(n) for n in ("TT_TuNam", "TT_DenNam", "TT_Nam"))
    if not (isinstance(start, int) and isinstance(end, int)):
        return
    n = len([c for c in ctx.form.cells.values() if c.name.startswith("SK1_QD_SO_Y")])
    if end < start:
        ctx.add("R-REQ", "TT_DenNam", f"Đến năm {end} trước Từ năm {start}.",
                "Ghi năm đầu và năm cuối của giai đoạn sơ kết theo đúng thứ tự.")
    elif end - start + 1 > n:
        ctx.add("R-REQ", "TT_DenNam",
                f"Giai đoạn {start}–{end} dài {end - start + 1} năm, mẫu có {n} cột năm.",
                f"Chia thành các giai đoạn không quá {n} năm.")
    if isinstance(year, int) and year < end:
        ctx.add("R-REQ", "TT_Nam", f"Năm lập báo cáo {year} trước năm cuối của giai đoạn {end}.",
                "Năm lập báo cáo phải từ năm cuối của giai đoạn trở về sau.")
