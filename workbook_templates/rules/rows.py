"""Checks on the counted rows: relations, formulas, required rows, the XS quota, the hierarchy's
prerequisites (a unit's own rows), kỷ luật and kiểm điểm rows."""
from __future__ import annotations

from ..findings import fmt_int, fmt_pct
from ..spec.domain import LEVEL_LABEL, RANK
from ..spec.hierarchy import FULL_ROW, decided_rows
from ..spec.model import percent
from .helpers import (
    _CATEGORY_ROWS,
    _col_no,
    _direct_org_rows,
    _filled,
    _label,
    _members_or_orgs,
    _n,
    _part_label,
    _row_label,
    _where,
)
from .relations import quota_rows, relations

# --- checks -------------------------------------------------------------------------------------

def check_relations(ctx):
    form = ctx.form
    for rel in relations(form):
        if rel.live_only:
            continue
        names = (rel.target,) + rel.parts
        if any(n not in form.cells for n in names) or not _filled(ctx, names):
            continue
        if rel.rule == "R-PART" and not _filled(ctx, rel.parts):
            continue
        t = ctx.cell(rel.target)
        total = sum(_n(ctx, p) for p in rel.parts)
        have = _n(ctx, rel.target)
        parts_txt = " + ".join(f"{_part_label(t, ctx.cell(p))} {fmt_int(_n(ctx, p))}"
                               for p in rel.parts)
        what = (f"{_where(ctx, t)}: {t.row_label.split(': ')[-1]}" if t.year_index is not None
                else _label(t))
        if rel.kind == "eq" and have != total:
            diff = have - total
            ctx.add(rel.rule, rel.target,
                    f"{what} là {fmt_int(have)} nhưng {parts_txt} = {fmt_int(total)} "
                    f"(chênh {'+' if diff > 0 else ''}{fmt_int(diff)}).",
                    "Sửa ô này hoặc các ô thành phần cho khớp; nếu có số không đánh giá chưa "
                    "ghi, hãy ghi vào cột lý do tương ứng.")
        elif rel.kind == "le" and have > total:
            ctx.add(rel.rule, rel.target,
                    f"{_label(t)} là {fmt_int(have)}, lớn hơn {parts_txt}.",
                    "Số được gợi ý kiểm điểm không thể nhiều hơn số đã kiểm điểm.")
        elif rel.kind == "ge" and total > have:
            ctx.add(rel.rule, rel.target,
                    f"Các dòng «trong đó» cộng lại {fmt_int(total)} ({parts_txt}), lớn hơn "
                    f"{_label(t)} là {fmt_int(have)}.",
                    "Dòng «trong đó» là một phần của dòng trên; hãy sửa cho không vượt.")


def check_formulas(ctx):
    """R-FORMULA / R-DG: a derived cell must hold its formula."""
    for c in ctx.form.derived():
        hf = ctx.filled.has_formula.get(c.name)
        typed = ctx.filled.raw.get(c.name)
        want = ctx.val.get(c.name)
        if hf is False:
            shown = "để trống" if typed is None else f"ghi đè bằng giá trị «{_typed(typed)}»"
            ctx.add("R-FORMULA", c.name,
                    f"{_label(c)} là ô tính tự động nhưng đã bị {shown}; giá trị đúng là "
                    f"{_show(want)}.",
                    "Tải mẫu gốc hoặc chép lại công thức từ ô cùng cột; không gõ đè vào ô "
                    "tính tự động.")
        if c.col_key == "DG" and hf is not True and isinstance(typed, (int, float)) \
                and not isinstance(typed, bool) and typed != want:
            ctx.add("R-DG", c.name,
                    f"{_label(c)} ghi {fmt_int(int(typed))} nhưng XS + Tốt + HT + KHT = "
                    f"{fmt_int(want)}.",
                    "Số được đánh giá phải bằng tổng bốn mức xếp loại.")


def _typed(v):
    """A typed value as the user saw it: 2.0 from a number cell shows as 2."""
    if isinstance(v, float) and v.is_integer():
        return fmt_int(int(v))
    return v


def _show(v):
    if v is None:
        return "trống"
    if isinstance(v, int):
        return fmt_int(v)
    return fmt_pct(v) if not isinstance(v, str) else v


def check_required_rows(ctx):
    """R-REQ: a whole row left blank although the unit's type requires it."""
    if not ctx.unit_type:
        return
    for sheet in ctx.form.sheets:
        for block in sheet.blocks:
            if block.kind != "grid":
                continue
            for row in block.rows:
                if ctx.unit_type not in row.required_for:
                    continue
                names = [c.name for c in sheet.cells if c.row_key == row.key and c.is_input]
                if names and not _filled(ctx, names):
                    ctx.add("R-REQ", names[0],
                            f"Dòng «{row.label}» ({sheet.name}) còn trống, trong khi "
                            f"{ctx.unit_type_label} phải báo cáo dòng này.",
                            "Nhập số liệu (ghi 0 nếu không có).")


def _quota_is_decided(unit_type, group) -> bool:
    """R-QUOTA is an error on the rows the unit decides itself (`spec.hierarchy`)."""
    return group in decided_rows(unit_type)


def check_quota(ctx):
    for c in quota_rows(ctx.form):
        xs, tot = _n(ctx, c.expr.xs), _n(ctx, c.expr.tot)
        ceiling = ctx.val.get(c.name)
        if xs == 0 or ceiling is None or xs <= ceiling:
            continue
        group = c.row_key
        decided = ctx.form.rates_units and _quota_is_decided(ctx.unit_type, group)
        if _same_as_decided_part(ctx, group, xs, tot):
            continue    # the error on the direct-children row already says it
        base_txt = "số hoàn thành tốt" if ctx.base == "tot" else "số hoàn thành tốt trở lên"
        where = _where(ctx, c)
        msg = (f"{where}: {fmt_int(xs)} xếp loại «Hoàn thành xuất sắc nhiệm vụ» vượt mức tối đa "
               f"{fmt_int(ceiling)} ({ctx.share} % {base_txt}; XS/Tốt = "
               f"{fmt_pct(percent(xs, tot))}, XS/(XS+Tốt) = {fmt_pct(percent(xs, xs + tot))}).")
        hint = ("Giảm số xuất sắc xuống tối đa " + fmt_int(ceiling) + " hoặc kiểm tra lại số "
                "hoàn thành tốt." if decided else
                "Số này cộng từ cấp dưới nên chỉ để tham khảo; đề nghị giải trình ở sheet "
                "«Giải trình».")
        if not decided and group in _CATEGORY_ROWS:
            hint = ("Quy định 366 tính tỷ lệ xuất sắc trong từng nhóm đối tượng tương đồng: xem "
                    "lại nhóm này hoặc giải trình ở sheet «Giải trình».")
        ctx.add("R-QUOTA" if decided else "R-QUOTA-SUMMED", c.expr.xs, msg, hint)


def _same_as_decided_part(ctx, group, xs, tot) -> bool:
    """A full row (TCCSD, CUCS) whose XS and TOT are all in its direct-children row, which the
    unit decides (a district: TCCSD_TT = TCCSD): one finding, the error, is enough."""
    return ctx.form.rates_units and any(
        full == group and _quota_is_decided(ctx.unit_type, part)
        and (_n(ctx, f"XL_{part}_XS"), _n(ctx, f"XL_{part}_TOT")) == (xs, tot)
        for part, full in FULL_ROW.items())


def check_prereq(ctx):
    if ctx.val.get("TT_XepLoai") != "XS" or ctx.pack.prereq_tot_percent is None:
        return
    groups, who = _members_or_orgs(ctx)
    if not groups:
        return
    kht = sum(_n(ctx, f"XL_{g}_KHT") for g in groups)
    good = sum(_n(ctx, f"XL_{g}_XS") + _n(ctx, f"XL_{g}_TOT") for g in groups)
    dg = sum(_n(ctx, f"XL_{g}_DG") for g in groups)
    p = percent(good, dg)
    need = ctx.pack.prereq_tot_percent
    problems = []
    if kht:
        problems.append(f"còn {fmt_int(kht)} {who} «Không hoàn thành nhiệm vụ»")
    if dg and p is not None and p < need:
        problems.append(f"chỉ {fmt_pct(p)} {who} hoàn thành tốt trở lên ({fmt_int(good)}/"
                        f"{fmt_int(dg)}), dưới {need} %")
    if problems:
        ctx.add("R-PREREQ", "TT_XepLoai",
                "Đơn vị tự xếp loại «Hoàn thành xuất sắc nhiệm vụ» nhưng " +
                "; ".join(problems) + ".",
                "Xem lại mức tự xếp loại của đơn vị hoặc số liệu xếp loại.")


def check_head(ctx):
    """R-HEAD: the head is not rated above the unit, nor above its committee (QĐ 366: the head's
    rating goes with the collective's, the committee's included)."""
    head = ctx.val.get("TT_XepLoaiNguoiDungDau")
    if not head:
        return
    against = [("TT_XepLoai", "đơn vị")]
    if ctx.pack.head_vs_committee:
        against.append(("TT_XepLoaiCapUy", "cấp ủy"))
    for name, whose in against:
        other = ctx.val.get(name)
        if other and RANK[head] < RANK[other]:
            ctx.add("R-HEAD", "TT_XepLoaiNguoiDungDau",
                    f"Người đứng đầu xếp loại «{LEVEL_LABEL[head]}», cao hơn mức của {whose} "
                    f"«{LEVEL_LABEL[other]}».",
                    f"Mức xếp loại người đứng đầu không được cao hơn mức của {whose}; hạ mức "
                    f"người đứng đầu hoặc xem lại mức của {whose}.")


def check_kyluat(ctx):
    """R-KYLUAT: those disciplined in the year are rated KHT. R-XS-KYLUAT (QĐ 366 Điều 11): a
    collective proposing XS has no directly subordinate organisation and no member of its own
    leadership collective disciplined — ordinary members disciplined do not block it."""
    for c in ctx.form.cells.values():
        if c.col_key != "KYLUAT":
            continue
        g = c.row_key
        k, kht = _n(ctx, c.name), _n(ctx, f"XL_{g}_KHT")
        if k > kht:
            who = "người" if c.sheet == "Biểu 3" else "tổ chức, tập thể"
            ctx.add("R-KYLUAT", c.name,
                    f"{c.row_label}: {fmt_int(k)} {who} bị kỷ luật trong năm nhưng chỉ "
                    f"{fmt_int(kht)} xếp loại «Không hoàn thành nhiệm vụ».",
                    f"{who.capitalize()} bị thi hành kỷ luật trong năm xếp loại «Không hoàn "
                    "thành nhiệm vụ»; sửa số hoặc giải trình.")
    if ctx.val.get("TT_XepLoai") == "XS":
        problems = []
        for g in _direct_org_rows(ctx):
            k = _n(ctx, f"XL_{g}_KYLUAT")
            if k:
                problems.append(f"{fmt_int(k)} {_row_label(ctx, g).lower()} bị kỷ luật "
                                f"(Biểu 2, {_col_no(ctx, f'XL_{g}_KYLUAT')})")
        k = _n(ctx, "XL_CUV_KYLUAT")
        if k:
            problems.append(f"{fmt_int(k)} thành viên cấp ủy, tập thể lãnh đạo của đơn vị bị kỷ "
                            f"luật (Biểu 3, {_col_no(ctx, 'XL_CUV_KYLUAT')})")
        if problems:
            ctx.add("R-XS-KYLUAT", "TT_XepLoai",
                    "Đơn vị tự xếp loại «Hoàn thành xuất sắc nhiệm vụ» nhưng trong năm có "
                    + "; ".join(problems) + ".",
                    "Tập thể có tổ chức trực thuộc trực tiếp hoặc thành viên cấp ủy bị kỷ luật "
                    "trong năm không được xếp loại xuất sắc; chọn mức thấp hơn hoặc sửa số "
                    "người, tổ chức bị kỷ luật nếu ghi nhầm.")
    committee = ctx.val.get("TT_XepLoaiCapUy")
    k = _n(ctx, "XL_CUV_KYLUAT")
    if k and committee and committee != "KHT":
        ctx.add("R-CUV-KYLUAT", "TT_XepLoaiCapUy",
                f"Cấp ủy có {fmt_int(k)} thành viên bị kỷ luật trong năm (Biểu 3, "
                f"{_col_no(ctx, 'XL_CUV_KYLUAT')}) nhưng xếp loại «{LEVEL_LABEL[committee]}».",
                "Tập thể lãnh đạo có thành viên bị kỷ luật (từ khiển trách, vi phạm liên quan "
                "đến chức trách) xếp loại «Không hoàn thành nhiệm vụ», trừ khi cấp có thẩm "
                "quyền quyết định khác: ghi căn cứ ở sheet «Giải trình».")


def check_kd_xl(ctx):
    pairs = [("KD_PHAI_DV", "XL_DV_TONG", "số đảng viên thuộc đối tượng kiểm điểm",
              "tổng số đảng viên"),
             ("KD_DA_DV", "XL_DV_DG", "số đảng viên đã kiểm điểm", "số được xếp loại")] + [
        (f"KD_{a}_DV", f"XL_DV_{b}", f"lý do «{lab}» ở Biểu 1", f"cột «{lab}» ở Biểu 3")
        for a, b, lab in (("MOIKN", "MOI", "mới kết nạp"), ("MIEN", "MIEN", "miễn"),
                          ("DINHCHI", "DINHCHI", "đình chỉ"), ("KHAC", "KHAC", "lý do khác"))]
    for a, b, la, lb in pairs:
        if a not in ctx.form.cells or ctx.blank(a) or not _filled(ctx, ctx.row_inputs(b)):
            continue
        va, vb = _n(ctx, a), _n(ctx, b)
        if va != vb:
            ctx.add("R-KD-XL", a,
                    f"Biểu 1 ghi {la} là {fmt_int(va)} nhưng Biểu 3 ghi {lb} là {fmt_int(vb)} "
                    f"(chênh {fmt_int(abs(va - vb))}).",
                    "Hai biểu nói về cùng những đảng viên; sửa cho khớp hoặc giải trình.")
