"""Quy định 366 (SPEC §7.2): scores and their bands, tasks, the XS conditions (kỷ luật,
unremedied shortcomings), the 25 % exception and the reasons for not rating; and the live
highlights of these rules in the template."""
from __future__ import annotations

import datetime as dt
import re

from ..findings import fmt_int, fmt_pct
from ..spec.domain import LEVEL_LABEL, RANK
from ..spec.layout import printed_place
from ..spec.model import percent
from .documents import docno_problem
from .helpers import _direct_org_rows, _label, _n


def live_formulas(form) -> list[tuple[str, str, str]]:
    """(rule, cell name, Excel condition) highlights for QĐ 366 rules that are not sums: the
    builder turns each into conditional formatting, so the cell turns red while the user types.
    Only from rating year 2025 (the pack that has these rules)."""
    from ..spec.domain import LEVEL_LABEL as L
    from .packs import QD366
    cells = form.cells
    if not form.rates_units or "TT_Diem" not in cells:
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
_SCORE_OF = {"TT_XepLoai": "TT_Diem", "TT_XepLoaiCapUy": "TT_DiemCapUy",
             "TT_XepLoaiNguoiDungDau": "TT_DiemNguoiDungDau"}
_WHOSE = {"TT_XepLoai": "đơn vị", "TT_XepLoaiCapUy": "cấp ủy",
          "TT_XepLoaiNguoiDungDau": "người đứng đầu"}


def _band(pack, score) -> str:
    for level, low in pack.score_bands:
        if score >= low:
            return level
    return "KHT"


def check_diem(ctx):
    """R-DIEM (QĐ 366 Điều 11): a score for each rating given, and the rating not above the
    score's band (a lower rating is allowed: the quota may push it down)."""
    if not ctx.form.rates_units or not ctx.pack.enabled("R-DIEM"):
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
        sheet, _, col = printed_place(ctx.form, f"KP_KetQua_{open_rows[0]}")
        rows = ", ".join(str(i) for i in open_rows)
        ctx.add("R-XS-KP", "TT_XepLoai",
                f"Đơn vị tự xếp loại «Hoàn thành xuất sắc nhiệm vụ» nhưng {len(open_rows)} hạn "
                f"chế, khuyết điểm các năm trước chưa «Đã khắc phục» ({sheet}, dòng {rows}, "
                f"cột ({col})).",
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
