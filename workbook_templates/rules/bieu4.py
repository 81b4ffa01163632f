"""Biểu 4: the shortcomings pointed out and how they were remedied."""
from __future__ import annotations

import datetime as dt

from .parse import parse_deadline

_KP_KEYS = ("NoiDung", "NamChiRa", "NguyenNhan", "GiaiPhap", "ThoiHan", "TrachNhiem", "KetQua",
            "GhiChu")
_KP_NAMES = []


def check_kp(ctx):
    from ..spec.bao_cao_nam import KP_ROWS
    if not _KP_NAMES:
        _KP_NAMES.extend((i, {k: f"KP_{k}_{i}" for k in _KP_KEYS}) for i in range(1, KP_ROWS + 1))
    ref_day = ctx.val.get("TT_NgayLap") or ctx.today
    val = ctx.val
    for i, names in _KP_NAMES:
        # every KP cell is an input: blank means None (or an empty text parsed to None)
        if all(val.get(n) is None for n in names.values()):
            continue
        for k, what in (("NoiDung", "nội dung hạn chế, khuyết điểm"), ("GiaiPhap", "giải pháp"),
                        ("ThoiHan", "thời hạn"), ("KetQua", "kết quả")):
            if ctx.blank(names[k]):
                ctx.add("R-KP", names[k], f"Dòng {i} của Biểu 4 chưa ghi {what}.",
                        "Mỗi hạn chế, khuyết điểm cần đủ nội dung, giải pháp, thời hạn và kết quả.")
        # a date or a period ("quý II/2026": its last day; "thường xuyên": never overdue)
        due, bad = parse_deadline(ctx.filled.raw.get(names["ThoiHan"]))
        if bad:
            col = ctx.cell(names["ThoiHan"]).col
            ctx.add("R-KP-HAN", names["ThoiHan"],
                    f"Dòng {i} của Biểu 4, cột ({col}): thời hạn {bad}.",
                    "Ghi ngày, tháng, quý hoặc năm phải xong, hoặc «thường xuyên».")
        res = ctx.val.get(names["KetQua"])
        if isinstance(due, dt.date) and due < ref_day and res and res != "DA":
            shown = ctx.val.get(names["ThoiHan"])
            shown = shown if due.strftime("%Y-%m-%d") not in str(shown) else f"{due:%d/%m/%Y}"
            ctx.add("R-KP-HAN", names["KetQua"],
                    f"Dòng {i} của Biểu 4: thời hạn {shown} đã qua (ngày lập biểu "
                    f"{ref_day:%d/%m/%Y}) nhưng kết quả là «{ctx.choice_label(names['KetQua'])}».",
                    "Ghi rõ lý do chậm khắc phục ở cột Ghi chú hoặc sheet «Giải trình».")
