"""Checks the server makes against what it already holds: year over year against the unit's
previous accepted report, and the 25 % exception the round did not grant."""
from __future__ import annotations

from ..findings import fmt_int, fmt_pct
from ..spec.layout import printed_ref
from ..spec.model import percent


def year_over_year(current, previous) -> list:
    """R-YOY (server side): against the unit's previous accepted year, a total that moves by more
    than the pack's threshold, or a group that appears or disappears. Takes two Reports."""
    from ..findings import Finding
    from ..spec import get_form_set
    from .packs import PACKS
    pack = PACKS[current.rule_pack]
    form = get_form_set(current.template)
    out = []
    for name, cell in form.cells.items():
        if cell.col_key != "TONG" or not name.startswith("XL_"):
            continue
        now, before = current.values.get(name), previous.values.get(name)
        now_i = now if isinstance(now, int) else 0
        before_i = before if isinstance(before, int) else 0
        if (now_i == 0) != (before_i == 0):
            what = "xuất hiện" if now_i else "không còn"
            msg = (f"{cell.row_label}: dòng này {what} so với năm {previous.year} "
                   f"({fmt_int(before_i)} → {fmt_int(now_i)}).")
        elif before_i and abs(now_i - before_i) * 100 > pack.yoy_change_percent * before_i:
            change = percent(now_i - before_i, before_i)
            msg = (f"{cell.row_label}: tổng số thay đổi {fmt_pct(change)} so với năm "
                   f"{previous.year} ({fmt_int(before_i)} → {fmt_int(now_i)}), quá "
                   f"{pack.yoy_change_percent} %.")
        else:
            continue
        out.append(Finding("R-YOY", pack.severity("R-YOY"), cell.sheet, cell.a1, name, msg,
                           "Kiểm tra lại số liệu hoặc giải trình nguyên nhân thay đổi.",
                           pack.regulation("R-YOY"), cell.row_label, cell.col_label))
    return out


def exception_not_granted(report, round_name: str, round_year) -> list:
    """R-NGOAILE25 (server side): a unit never grants itself the 25 % exception. A workbook that
    says «Có» in a round the collecting office opened without the exception is an error naming
    both facts. Takes a Report; returns findings to add to it."""
    from ..findings import Finding
    from ..spec import get_form_set
    from .packs import PACKS
    pack = PACKS[report.rule_pack]
    v, form = report.values, get_form_set(report.template)
    if not form.rates_units or v.get("TT_NgoaiLe25") != "CO" or not pack.enabled("R-NGOAILE25"):
        return []
    cell = form.cells["TT_NgoaiLe25"]
    so = v.get("TT_QD25_So")
    by = f" theo quyết định số {so}" if so else ""
    return [Finding(
        "R-NGOAILE25", pack.severity("R-NGOAILE25"), cell.sheet, cell.a1, cell.name,
        f"Biểu ghi «Có» áp dụng tỷ lệ xuất sắc 25 %{by} ({printed_ref(form, cell.name)}), "
        f"nhưng đợt nhận báo cáo năm {round_year} của {round_name} được mở không có ngoại lệ "
        f"25 % (tỷ lệ {pack.quota_share} %).",
        "Nếu cấp có thẩm quyền đã quyết định cho áp dụng 25 %, đề nghị văn phòng cấp trên ghi "
        "ngoại lệ cho đợt nhận báo cáo rồi gửi lại; nếu không, chọn «Không» và giữ số xuất sắc "
        f"trong tỷ lệ {pack.quota_share} %.",
        pack.regulation("R-NGOAILE25"), cell.row_label, cell.col_label)]
