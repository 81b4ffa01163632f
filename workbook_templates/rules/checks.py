"""The checks of SPEC §4, each a small function over named values that yields findings.

A check reads `ctx.val` (parsed inputs and recomputed derived values), never the cached value of
a formula. Relations that the template also shows live (conditional formatting) are declared once
in `relations()`, which both the checks and the builder use.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..findings import fmt_int, fmt_pct
from ..spec.domain import LEVEL_LABEL, RANK
from ..spec.hierarchy import FULL_ROW, SECTOR_ROWS, decided_rows, prereq_rows
from ..spec.model import percent
from ..spec.so_ket_quy_dinh import RESULTS_SHEET
from .members import check_register
from .parse import parse_date, parse_deadline

LEVELS = ("XS", "TOT", "HT", "KHT")
# not-rated columns per sheet: TONG = DG + these (R-TONG)
NOT_RATED = {"Biểu 2": ("MOI", "KHAC"), "Biểu 3": ("MOI", "MIEN", "DINHCHI", "KHAC")}
NOT_RATED_LABEL = {"MOI": "mới", "MIEN": "miễn", "DINHCHI": "đình chỉ", "KHAC": "lý do khác"}


@dataclass(frozen=True)
class Relation:
    """An equality or ceiling between named cells, shown live in the template and checked here.

    kind "eq": target = sum(parts); "le": target <= sum(parts)."""

    rule: str
    target: str
    parts: tuple[str, ...]
    kind: str = "eq"
    # checked by a check of its own with a fuller message; the relation only feeds the
    # template's live highlight
    live_only: bool = False


_RELATIONS: dict = {}


def relations(form) -> list[Relation]:
    """Every total/part relation of a form set (bao_cao_nam Biểu 1–3, so_ket Biểu 5); computed
    once per form."""
    key = (form.id, form.version)
    if key not in _RELATIONS:
        _RELATIONS[key] = _relations(form) + _qd366_relations(form)
    return _RELATIONS[key]


def _relations(form) -> list[Relation]:
    out, cells = [], form.cells
    if form.id == "bao_cao_nam":
        for sheet, extra in NOT_RATED.items():
            for c in cells.values():
                if c.sheet == sheet and c.col_key == "TONG":
                    g = c.row_key
                    out.append(Relation("R-TONG", c.name, (f"XL_{g}_DG",) +
                                        tuple(f"XL_{g}_{k}" for k in extra)))
        for col in ("TT", "DV"):
            out.append(Relation("R-KD", f"KD_PHAI_{col}", (f"KD_DA_{col}", f"KD_CHUA_{col}")))
        out.append(Relation("R-KD", "KD_GOIY_TT", ("KD_DA_TT",), "le"))
        out.append(Relation("R-KD", "KD_GOIY_DV", ("KD_DA_DV",), "le"))
        for k in ("TONG", "MOI", "KHAC") + LEVELS:
            out.append(Relation("R-PART", f"XL_TCCSD_{k}", (f"XL_DBCS_{k}", f"XL_CBCS_{k}")))
            # SPEC §7.1: the sector rows add up to TCCSD (when any is filled); the rows of the
            # direct children are part of the full rows
            out.append(Relation("R-PART", f"XL_TCCSD_{k}",
                                tuple(f"XL_{r}_{k}" for r in SECTOR_ROWS)))
            out.append(Relation("R-PART", f"XL_TCCSD_{k}", (f"XL_TCCSD_TT_{k}",), "ge"))
            out.append(Relation("R-PART", f"XL_CUCS_{k}", (f"XL_CUCS_TT_{k}",), "ge"))
        for k in ("TONG", "MOI", "MIEN", "DINHCHI", "KHAC") + LEVELS + ("KYLUAT",):
            out.append(Relation("R-PART", f"XL_DV_{k}",
                                tuple(f"XL_CBLD_{s}_{k}" for s in ("TINH", "CTCS", "CS")),
                                "ge"))
    else:
        for c in cells.values():
            if c.sheet == RESULTS_SHEET and c.row_key == "TONG":
                t, y = c.name.split("_")[1], c.col_key
                out.append(Relation("R-TONG", c.name,
                                    tuple(f"SK5_{t}_{lv}_{y}" for lv in LEVELS)))
    return out


_QUOTA_ROWS: dict = {}


def quota_rows(form):
    """Every XS-ceiling cell (its expression names the XS and TOT cells it limits)."""
    from ..spec.model import Ceiling
    key = (form.id, form.version)
    if key not in _QUOTA_ROWS:
        _QUOTA_ROWS[key] = tuple(c for c in form.cells.values() if isinstance(c.expr, Ceiling))
    return _QUOTA_ROWS[key]


# --- helpers ------------------------------------------------------------------------------------

def _label(cell) -> str:
    return f"{cell.row_label} — {cell.col_label}" if cell.col_label else cell.row_label


def _where(ctx, cell) -> str:
    """A row as the user reads it; per-year tables (Biểu 5) name the table and the year."""
    if cell.year_index is not None and ": " in cell.row_label:
        return f"{cell.row_label.split(': ')[0]} năm {ctx.year_of(cell)}"
    return cell.row_label


def _part_label(target, part) -> str:
    """A part named as the user sees it: its column on the same row, else its row."""
    lab = part.col_label if part.row_key == target.row_key else part.row_label
    lab = lab.replace("Trong đó: ", "").split(": ")[-1]
    return lab[:1].lower() + lab[1:]


def _n(ctx, name) -> int:
    v = ctx.val.get(name)
    return v if isinstance(v, int) else 0


def _filled(ctx, names) -> bool:
    return any(not ctx.blank(n) for n in names)


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
        decided = ctx.form.id == "bao_cao_nam" and _quota_is_decided(ctx.unit_type, group)
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
    return ctx.form.id == "bao_cao_nam" and any(
        full == group and _quota_is_decided(ctx.unit_type, part)
        and (_n(ctx, f"XL_{part}_XS"), _n(ctx, f"XL_{part}_TOT")) == (xs, tot)
        for part, full in FULL_ROW.items())


def _members_or_orgs(ctx):
    """R-PREREQ: the rows whose ratings qualify the unit itself for XS (`spec.hierarchy`)."""
    return prereq_rows(ctx.unit_type)


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


# --- QĐ 366 (SPEC §7.2) -------------------------------------------------------------------------

def _qd366_relations(form) -> list[Relation]:
    """Relations added with QĐ 366's rows and fields, kept apart from `_relations` so the
    hierarchy rows (TCCSD_TT, sectors) and these do not touch the same code."""
    if form.id != "bao_cao_nam":
        return []
    out, cells = [], form.cells
    person_cols = sorted({c.col_key for c in cells.values()
                          if c.sheet == "Biểu 3" and c.row_key == "DV" and c.is_input})
    for k in person_cols:
        cats = tuple(f"XL_{g}_{k}" for g in ("DV_LD", "DV_KLD", "DV_NGOAI"))
        if all(n in cells for n in cats):
            out.append(Relation("R-PART", f"XL_DV_{k}", cats))
        if f"XL_CUV_{k}" in cells:
            out.append(Relation("R-PART", f"XL_DV_{k}", (f"XL_CUV_{k}",), "ge"))
    if all(f"XL_{g}_KYLUAT" in cells for g in ("TCCSD", "DBCS", "CBCS")):
        out.append(Relation("R-PART", "XL_TCCSD_KYLUAT", ("XL_DBCS_KYLUAT", "XL_CBCS_KYLUAT")))
    if "TT_NV_Giao" in cells:
        out += [Relation("R-NHIEMVU", "TT_NV_HoanThanh", ("TT_NV_Giao",), "le", live_only=True),
                Relation("R-NHIEMVU", "TT_NV_VuotMuc", ("TT_NV_HoanThanh",), "le",
                         live_only=True),
                Relation("R-NHIEMVU", "TT_NV_ChamTienDo", ("TT_NV_Giao",), "le",
                         live_only=True)]
    return out


def live_formulas(form) -> list[tuple[str, str, str]]:
    """(rule, cell name, Excel condition) highlights for QĐ 366 rules that are not sums: the
    builder turns each into conditional formatting, so the cell turns red while the user types.
    Only from rating year 2025 (the pack that has these rules)."""
    from ..spec.domain import LEVEL_LABEL as L
    from .packs import QD366
    cells = form.cells
    if form.id != "bao_cao_nam" or "TT_Diem" not in cells:
        return []
    y = f"N(TT_Nam)>={QD366.first_year}"
    out = []
    bands = dict(QD366.score_bands)
    for level_name, score_name in _SCORE_OF.items():
        over = ",".join(f'AND({level_name}="{L[lv]}",{score_name}<{low})'
                        for lv, low in bands.items())
        out.append(("R-DIEM", level_name,       # the finding is on the rating, so is the mark
                    f'AND({y},{level_name}<>"",ISNUMBER({score_name}),OR({over}))'))
        out.append(("R-DIEM", score_name,
                    f'AND({y},ISNUMBER({score_name}),OR({score_name}<0,{score_name}>100))'))
    if "XL_CUV_KYLUAT" in cells:
        from types import SimpleNamespace

        from ..spec.domain import UNIT_TYPES
        orgs = []
        for t in UNIT_TYPES:       # the directly subordinate organisations of each unit type
            rows = _direct_org_rows(SimpleNamespace(unit_type=t.code, form=form))
            if rows:
                total = "+".join(f"N(XL_{g}_KYLUAT)" for g in rows)
                orgs.append(f'AND(TT_LoaiDonVi="{t.label}",{total}>0)')
        out.append(("R-XS-KYLUAT", "TT_XepLoai",
                    f'AND({y},TT_XepLoai="{L["XS"]}",OR(N(XL_CUV_KYLUAT)>0,{",".join(orgs)}))'))
        out.append(("R-CUV-KYLUAT", "TT_XepLoaiCapUy",
                    f'AND({y},TT_XepLoaiCapUy<>"",TT_XepLoaiCapUy<>"{L["KHT"]}",'
                    f"N(XL_CUV_KYLUAT)>0)"))
    if "KP_KetQua" in cells or any(n.startswith("KP_KetQua_") for n in cells):
        from ..spec.domain import KP_RESULTS
        done = KP_RESULTS[0].label
        open_ = f'KP_NoiDung,"<>",KP_KetQua,"<>{done}"'   # not remedied, pointed out earlier
        out.append(("R-XS-KP", "TT_XepLoai",
                    f'AND({y},TT_XepLoai="{L["XS"]}",COUNTIFS({open_},KP_NamChiRa,"<"&TT_Nam)'
                    f'+COUNTIFS({open_},KP_NamChiRa,"")>0)'))
    return out


_CATEGORY_ROWS = frozenset({"DV_LD", "DV_KLD", "DV_NGOAI", "CUV"})
_SCORE_OF = {"TT_XepLoai": "TT_Diem", "TT_XepLoaiCapUy": "TT_DiemCapUy",
             "TT_XepLoaiNguoiDungDau": "TT_DiemNguoiDungDau"}
_WHOSE = {"TT_XepLoai": "đơn vị", "TT_XepLoaiCapUy": "cấp ủy",
          "TT_XepLoaiNguoiDungDau": "người đứng đầu"}


def _direct_org_rows(ctx) -> tuple[str, ...]:
    """Biểu 2 rows of the organisations directly subordinate to the unit (R-XS-KYLUAT): the
    organisation rows of R-PREREQ in `spec.hierarchy` (for a province from 2025 its TCCSD_TT,
    the TCCSĐ it rates itself, not the whole TCCSD row)."""
    groups, _ = _members_or_orgs(ctx)
    return tuple(g for g in groups if g != "DV" and f"XL_{g}_KYLUAT" in ctx.form.cells)


def _row_label(ctx, group) -> str:
    c = ctx.form.cells.get(f"XL_{group}_TONG")
    return c.row_label.replace("Trong đó: ", "") if c else group


def _col_no(ctx, name) -> str:
    """A column as the printed form numbers it: «cột (13)»."""
    return f"cột ({ctx.cell(name).col})"


def _band(pack, score) -> str:
    for level, low in pack.score_bands:
        if score >= low:
            return level
    return "KHT"


def check_diem(ctx):
    """R-DIEM (QĐ 366 Điều 11): a score for each rating given, and the rating not above the
    score's band (a lower rating is allowed: the quota may push it down)."""
    if ctx.form.id != "bao_cao_nam" or not ctx.pack.enabled("R-DIEM"):
        return
    for level_name, score_name in _SCORE_OF.items():
        if score_name not in ctx.form.cells:
            continue
        level, score = ctx.val.get(level_name), ctx.val.get(score_name)
        bad_typing = any(f.name == score_name for f in ctx.findings)
        if level and score is None and not bad_typing:
            ctx.add("R-DIEM", score_name,
                    f"Đã xếp loại {_WHOSE[level_name]} «{LEVEL_LABEL[level]}» nhưng chưa ghi điểm "
                    "đánh giá (thang 100 điểm).",
                    "Ghi tổng điểm đánh giá theo khung tiêu chí của Quy định 366 (0–100).")
        elif level and isinstance(score, (int, float)):
            band = _band(ctx.pack, score)
            if RANK[level] < RANK[band]:
                low = dict(ctx.pack.score_bands).get(level)
                ctx.add("R-DIEM", level_name,
                        f"{_WHOSE[level_name].capitalize()} xếp loại «{LEVEL_LABEL[level]}» "
                        f"nhưng điểm chỉ {P_fmt(score)}, dưới mức {low} điểm của mức này "
                        f"(điểm {P_fmt(score)} ứng với «{LEVEL_LABEL[band]}»).",
                        "Mức xếp loại không được cao hơn khung điểm (xuất sắc từ 90, tốt từ 70, "
                        "hoàn thành từ 50 điểm): sửa mức xếp loại hoặc kiểm tra lại điểm.")


def P_fmt(x) -> str:
    from .parse import fmt_score
    return fmt_score(x)


def _nv_allows(pack, giao, xong, vuot, cham) -> tuple[str, str]:
    """The best level the task counts allow (QĐ 366 Điều 11), and why not better."""
    g = fmt_int(giao)
    if xong < giao:
        return "KHT", f"mới hoàn thành {fmt_int(xong)}/{g} nhiệm vụ (chưa đạt 100 %)"
    late_pct = percent(cham, giao) or 0
    if late_pct > pack.nv_ht_late_percent:
        return "KHT", (f"{fmt_int(cham)}/{g} nhiệm vụ chậm tiến độ ({fmt_pct(late_pct)}, quá "
                       f"{pack.nv_ht_late_percent} %)")
    if cham:
        return "HT", f"còn {fmt_int(cham)}/{g} nhiệm vụ chậm tiến độ"
    above = percent(vuot, giao) or 0
    if above < pack.nv_xs_above_percent:
        return "TOT", (f"chỉ {fmt_int(vuot)}/{g} nhiệm vụ hoàn thành vượt yêu cầu "
                       f"({fmt_pct(above)}, cần từ {pack.nv_xs_above_percent} %)")
    return "XS", ""


def check_nhiemvu(ctx):
    """R-NHIEMVU (QĐ 366 Điều 11): the tasks of the year are given when the unit proposes a
    level, they add up, and the proposal is not above what they allow."""
    if "TT_NV_Giao" not in ctx.form.cells or not ctx.pack.enabled("R-NHIEMVU"):
        return
    names = ("TT_NV_Giao", "TT_NV_HoanThanh", "TT_NV_VuotMuc", "TT_NV_ChamTienDo")
    giao, xong, vuot, cham = (ctx.val.get(n) for n in names)
    level = ctx.val.get("TT_XepLoai")
    if any(f.name in names for f in ctx.findings):
        return
    if level and (giao is None or xong is None):
        missing = [ctx.cell(n).row_label for n in names[:2] if ctx.val.get(n) is None]
        ctx.add("R-NHIEMVU", names[0] if giao is None else names[1],
                f"Đơn vị tự xếp loại «{LEVEL_LABEL[level]}» nhưng chưa ghi: "
                + "; ".join(f"«{m}»" for m in missing) + ".",
                "Ghi số nhiệm vụ được giao và đã hoàn thành trong năm (ghi 0 nếu không có số "
                "vượt yêu cầu, chậm tiến độ).")
        return
    if giao is None or xong is None:
        return
    vuot, cham = vuot or 0, cham or 0
    bad = False
    for n, v, cap, cap_name in ((names[1], xong, giao, "được giao"),
                                (names[2], vuot, xong, "đã hoàn thành"),
                                (names[3], cham, giao, "được giao")):
        if v > cap:
            bad = True
            ctx.add("R-NHIEMVU", n,
                    f"{ctx.cell(n).row_label} là {fmt_int(v)}, nhiều hơn số nhiệm vụ {cap_name} "
                    f"({fmt_int(cap)}).", "Sửa lại các số nhiệm vụ cho cân đối.")
    if bad or not level or not giao:
        return
    allows, why = _nv_allows(ctx.pack, giao, xong, vuot, cham)
    if RANK[level] < RANK[allows]:
        ctx.add("R-NHIEMVU", "TT_XepLoai",
                f"Đơn vị tự xếp loại «{LEVEL_LABEL[level]}» nhưng {why}; kết quả thực hiện "
                f"nhiệm vụ chỉ cho phép «{LEVEL_LABEL[allows]}».",
                "Xem lại mức tự xếp loại hoặc số nhiệm vụ được giao, hoàn thành, vượt yêu cầu, "
                "chậm tiến độ.")


def check_xs_kp(ctx):
    """R-XS-KP (QĐ 366): a collective proposing XS has remedied every shortcoming pointed out
    in earlier years (Biểu 4)."""
    if ctx.val.get("TT_XepLoai") != "XS" or not ctx.pack.enabled("R-XS-KP"):
        return
    from ..spec.bao_cao_nam import KP_ROWS
    year = ctx.val.get("TT_Nam")
    open_rows = []
    for i in range(1, KP_ROWS + 1):
        if ctx.blank(f"KP_NoiDung_{i}"):
            continue
        seen = ctx.val.get(f"KP_NamChiRa_{i}")
        if isinstance(year, int) and isinstance(seen, int) and seen >= year:
            continue  # pointed out this year: remedied next year
        if ctx.val.get(f"KP_KetQua_{i}") != "DA":
            open_rows.append(i)
    if open_rows:
        first = f"KP_KetQua_{open_rows[0]}"
        rows = ", ".join(str(i) for i in open_rows)
        ctx.add("R-XS-KP", "TT_XepLoai",
                f"Đơn vị tự xếp loại «Hoàn thành xuất sắc nhiệm vụ» nhưng {len(open_rows)} hạn "
                f"chế, khuyết điểm các năm trước chưa «Đã khắc phục» (Biểu 4, dòng {rows}; ô "
                f"{ctx.cell(first).ref}).",
                "Tập thể xếp loại xuất sắc phải khắc phục 100 % hạn chế, khuyết điểm đã được chỉ "
                "ra: cập nhật kết quả khắc phục hoặc chọn mức thấp hơn.")


def check_ngoaile25(ctx):
    """R-NGOAILE25: the 25 % exception is granted by the competent level's decision, never by
    the unit itself: «Có» needs the decision's number, date and issuing body."""
    if ctx.val.get("TT_NgoaiLe25") != "CO" or not ctx.pack.enabled("R-NGOAILE25"):
        return
    so, ngay, co_quan = (ctx.val.get(n) for n in ("TT_QD25_So", "TT_QD25_Ngay",
                                                  "TT_QD25_CoQuan"))
    missing = [ctx.cell(n).row_label for n, v in (("TT_QD25_So", so), ("TT_QD25_Ngay", ngay),
                                                  ("TT_QD25_CoQuan", co_quan)) if v is None
               and not any(f.name == n for f in ctx.findings)]
    if missing:
        first = next(n for n in ("TT_QD25_So", "TT_QD25_Ngay", "TT_QD25_CoQuan")
                     if ctx.cell(n).row_label == missing[0])
        ctx.add("R-NGOAILE25", first,
                "Đơn vị chọn «Có» áp dụng tỷ lệ xuất sắc 25 % nhưng chưa ghi: "
                + "; ".join(f"«{m}»" for m in missing) + ".",
                "Tỷ lệ 25 % chỉ áp dụng khi có quyết định của cấp có thẩm quyền: ghi số, ngày và "
                "cơ quan ban hành quyết định, hoặc chọn «Không».")
    if so:
        for t in [t for t in re.split(r"[;,\s]+", str(so).strip()) if t]:
            p = docno_problem(t)
            if p:
                ctx.add("R-DOCNO", "TT_QD25_So", f"Số quyết định cho áp dụng tỷ lệ 25 %: {p}.",
                        "Ghi theo mẫu <số>-<LOẠI>/<CƠ QUAN>, ví dụ 125-QĐ/TU.")
    if isinstance(ngay, dt.date):
        year, lap = ctx.val.get("TT_Nam"), ctx.val.get("TT_NgayLap")
        if isinstance(lap, dt.date) and ngay > lap:
            ctx.add("R-NGOAILE25", "TT_QD25_Ngay",
                    f"Quyết định cho áp dụng tỷ lệ 25 % đề ngày {ngay:%d/%m/%Y}, sau ngày lập "
                    f"biểu {lap:%d/%m/%Y}.",
                    "Chỉ áp dụng tỷ lệ 25 % theo quyết định đã ban hành trước khi lập biểu; "
                    "kiểm tra lại ngày quyết định hoặc ngày lập biểu.")
        elif isinstance(year, int) and ngay.year < year:
            ctx.add("R-NGOAILE25", "TT_QD25_Ngay",
                    f"Quyết định cho áp dụng tỷ lệ 25 % đề ngày {ngay:%d/%m/%Y}, trước năm đánh "
                    f"giá {year}.",
                    "Quyết định cho áp dụng tỷ lệ 25 % phải là quyết định của năm đánh giá; "
                    "kiểm tra lại ngày.")


def check_not_rated_reasons(ctx):
    """R-LYDO: a not-rated reason the year's regulation does not know (HD 16, rating year 2018:
    members suspended from party activities are rated, not set aside)."""
    known = ctx.pack.not_rated_reasons
    if "DINHCHI" in known:
        return
    for name in ("XL_DV_DINHCHI", "KD_DINHCHI_DV"):
        if name in ctx.form.cells and _n(ctx, name):
            c = ctx.cell(name)
            ctx.add("R-LYDO", name,
                    f"{_label(c)}: {fmt_int(_n(ctx, name))} đảng viên được ghi là không đánh giá "
                    f"vì đình chỉ sinh hoạt đảng, nhưng năm {ctx.val.get('TT_Nam')} "
                    "(Hướng dẫn 16-HD/BTCTW) đình chỉ sinh hoạt không phải lý do không xếp loại.",
                    "Đảng viên bị đình chỉ sinh hoạt vẫn được đánh giá, xếp loại: chuyển họ vào "
                    "các cột xếp loại.")


BAO_CAO_NAM_CHECKS = (check_formulas, check_required_rows, check_relations, check_quota,
                      check_prereq, check_head, check_kyluat, check_kd_xl, check_kp,
                      check_diem, check_nhiemvu, check_xs_kp, check_ngoaile25,
                      check_not_rated_reasons,
                      check_register)
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


SO_KET_CHECKS = (check_formulas, check_period, check_relations, check_quota, check_docs,
                 check_xmarks)


def checks_for(form) -> Iterable:
    return BAO_CAO_NAM_CHECKS if form.id == "bao_cao_nam" else SO_KET_CHECKS


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
    v = report.values
    if (report.template != "bao_cao_nam" or v.get("TT_NgoaiLe25") != "CO"
            or not pack.enabled("R-NGOAILE25")):
        return []
    cell = get_form_set(report.template).cells["TT_NgoaiLe25"]
    so = v.get("TT_QD25_So")
    by = f" theo quyết định số {so}" if so else ""
    return [Finding(
        "R-NGOAILE25", pack.severity("R-NGOAILE25"), cell.sheet, cell.a1, cell.name,
        f"Biểu ghi «Có» áp dụng tỷ lệ xuất sắc 25 %{by} ({cell.ref}), nhưng đợt nhận báo cáo năm "
        f"{round_year} của {round_name} được mở không có ngoại lệ 25 % (tỷ lệ "
        f"{pack.quota_share} %).",
        "Nếu cấp có thẩm quyền đã quyết định cho áp dụng 25 %, đề nghị văn phòng cấp trên ghi "
        "ngoại lệ cho đợt nhận báo cáo rồi gửi lại; nếu không, chọn «Không» và giữ số xuất sắc "
        f"trong tỷ lệ {pack.quota_share} %.",
        pack.regulation("R-NGOAILE25"), cell.row_label, cell.col_label)]
