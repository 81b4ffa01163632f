"""The checks of SPEC §4, each a small function over named values that yields findings.

A check reads `ctx.val` (parsed inputs and recomputed derived values), never the cached value of
a formula. Relations that the template also shows live (conditional formatting) are declared once
in `relations()`, which both the checks and the builder use.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable

from ..findings import fmt_int, fmt_pct
from ..spec.domain import LEVEL_LABEL, RANK, TCCSD_TYPES
from ..spec.model import percent, xs_ceiling
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


_RELATIONS: dict = {}


def relations(form) -> list[Relation]:
    """Every total/part relation of a form set (bao_cao_nam Biểu 1–3, so_ket Biểu 5); computed
    once per form."""
    key = (form.id, form.version)
    if key not in _RELATIONS:
        _RELATIONS[key] = _relations(form)
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
        for k in ("TONG", "MOI", "MIEN", "DINHCHI", "KHAC") + LEVELS + ("KYLUAT",):
            out.append(Relation("R-PART", f"XL_DV_{k}",
                                tuple(f"XL_CBLD_{s}_{k}" for s in ("TINH", "CTCS", "CS")),
                                "ge"))
    else:
        for c in cells.values():
            if c.sheet == "Biểu số 5" and c.row_key == "TONG":
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
    if unit_type in TCCSD_TYPES:
        return group in ("DV", "CBTT", "DBBP")
    if unit_type == "DB_CTCS":
        return group in ("TCCSD", "CUCS")
    if unit_type == "DB_TINH":
        return group == "DBCT"
    return False


def check_quota(ctx):
    for c in quota_rows(ctx.form):
        xs, tot = _n(ctx, c.expr.xs), _n(ctx, c.expr.tot)
        ceiling = ctx.val.get(c.name)
        if xs == 0 or ceiling is None or xs <= ceiling:
            continue
        group = c.row_key
        decided = ctx.form.id == "bao_cao_nam" and _quota_is_decided(ctx.unit_type, group)
        sev = ctx.pack.severity("R-QUOTA" if decided else "R-QUOTA-SUMMED")
        base_txt = "số hoàn thành tốt" if ctx.base == "tot" else "số hoàn thành tốt trở lên"
        where = _where(ctx, c)
        msg = (f"{where}: {fmt_int(xs)} xếp loại «Hoàn thành xuất sắc nhiệm vụ» vượt mức tối đa "
               f"{fmt_int(ceiling)} ({ctx.share} % {base_txt}; XS/Tốt = "
               f"{fmt_pct(percent(xs, tot))}, XS/(XS+Tốt) = {fmt_pct(percent(xs, xs + tot))}).")
        hint = ("Giảm số xuất sắc xuống tối đa " + fmt_int(ceiling) + " hoặc kiểm tra lại số "
                "hoàn thành tốt." if decided else
                "Số này cộng từ cấp dưới nên chỉ để tham khảo; đề nghị giải trình ở sheet "
                "«Giải trình».")
        ctx.add("R-QUOTA", c.expr.xs, msg, hint, severity=sev)


def _members_or_orgs(ctx):
    """R-PREREQ: the rows whose ratings qualify the unit itself for XS."""
    t = ctx.unit_type
    if t in ("CB_CS", "CB_TT"):
        return ("DV",), "đảng viên"
    if t == "DB_CS":
        return ("CBTT", "DBBP"), "tổ chức đảng trực thuộc"
    if t == "DB_BP":
        return ("CBTT",), "chi bộ trực thuộc"
    if t == "DB_CTCS":
        return ("TCCSD",), "tổ chức cơ sở đảng"
    if t == "DB_TINH":
        return ("DBCT",), "đảng bộ trực thuộc"
    return (), ""


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
    unit, head = ctx.val.get("TT_XepLoai"), ctx.val.get("TT_XepLoaiNguoiDungDau")
    if unit and head and RANK[head] < RANK[unit]:
        ctx.add("R-HEAD", "TT_XepLoaiNguoiDungDau",
                f"Người đứng đầu xếp loại «{LEVEL_LABEL[head]}», cao hơn mức của đơn vị "
                f"«{LEVEL_LABEL[unit]}».",
                "Mức xếp loại người đứng đầu không được cao hơn mức của tập thể do mình lãnh đạo.")


def check_kyluat(ctx):
    for c in ctx.form.cells.values():
        if c.col_key != "KYLUAT":
            continue
        g = c.row_key
        k, kht = _n(ctx, c.name), _n(ctx, f"XL_{g}_KHT")
        if k > kht:
            ctx.add("R-KYLUAT", c.name,
                    f"{c.row_label}: {fmt_int(k)} người bị kỷ luật trong năm nhưng chỉ "
                    f"{fmt_int(kht)} người xếp loại «Không hoàn thành nhiệm vụ».",
                    "Người bị thi hành kỷ luật trong năm xếp loại «Không hoàn thành nhiệm vụ»; "
                    "sửa số hoặc giải trình.")
    if ctx.pack.enabled("R-XS-KYLUAT") and ctx.val.get("TT_XepLoai") == "XS":
        k = _n(ctx, "XL_DV_KYLUAT")
        if k:
            ctx.add("R-XS-KYLUAT", "TT_XepLoai",
                    f"Đơn vị tự xếp loại «Hoàn thành xuất sắc nhiệm vụ» nhưng có {fmt_int(k)} "
                    "đảng viên bị kỷ luật trong năm (Biểu 3).",
                    "Tập thể có đảng viên bị kỷ luật trong năm không được xếp loại xuất sắc.")


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
            ctx.add("R-KP", names["KetQua"],
                    f"Dòng {i} của Biểu 4: thời hạn {shown} đã qua (ngày lập biểu "
                    f"{ref_day:%d/%m/%Y}) nhưng kết quả là «{ctx.choice_label(names['KetQua'])}».",
                    "Ghi rõ lý do chậm khắc phục ở cột Ghi chú hoặc sheet «Giải trình».",
                    severity=ctx.pack.severity("R-KP-HAN"))


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


BAO_CAO_NAM_CHECKS = (check_formulas, check_required_rows, check_relations, check_quota,
                      check_prereq, check_head, check_kyluat, check_kd_xl, check_kp)
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
