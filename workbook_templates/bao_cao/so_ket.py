"""The multi-year review report (`so_ket_quy_dinh`), laid out as seed 004 is.

I. documents issued each year (Biểu số 1) and the yearly results (Biểu 5, one table per group as
the seed prints them, with the shares the seed got wrong recomputed); IV. the opinions on the
regulation summarised from the checklists (Biểu số 2–4): how many items were found suitable, which
were not ticked, and every proposal with the item it is about. Rows and tables come from the form
set's blocks.
"""
from __future__ import annotations

import datetime as dt

from ..rules.packs import pack_for_year
from ..spec.domain import LEVEL_CODES, LEVEL_LABEL
from ..spec.model import xs_ceiling
from ..spec.so_ket_quy_dinh import RESULTS_SHEET
from . import hd36
from .figures import n, share
from .nam import LEVEL_LOWER

DOC_KIND = {"QD": "văn bản cụ thể hóa Quy định", "HD": "văn bản cụ thể hóa Hướng dẫn",
            "CD": "văn bản lãnh đạo, chỉ đạo"}
CHECK_WHAT = {"Biểu số 2": ("Khung tiêu chí đánh giá", "tiêu chí"),
              "Biểu số 3": ("Khung tiêu chuẩn các mức chất lượng", "tiêu chuẩn"),
              "Biểu số 4": ("Các nội dung về kiểm điểm, đánh giá, xếp loại", "nội dung")}
TABLE_WORD = {"TCCSD": "tổ chức cơ sở đảng", "CUCS": "cấp ủy cơ sở",
              "TTLD": "tập thể", "CANHAN": "cá nhân"}


def _date(v) -> str:
    if isinstance(v, (dt.date, dt.datetime)):
        return f"{v.day:02d}/{v.month:02d}/{v.year}"
    return str(v or "").strip()


class Review:
    def __init__(self, ctx):
        self.ctx = ctx
        self.form = ctx.form
        self.v = ctx.values
        first = self.v.get("TT_TuNam")
        last = self.v.get("TT_DenNam")
        self.first = first if isinstance(first, int) else None
        self.last = last if isinstance(last, int) else None

    def g(self, name) -> int:
        x = self.v.get(name)
        return x if isinstance(x, int) and not isinstance(x, bool) else 0

    def years(self, n_cols: int) -> list[tuple[int, str]]:
        """(column index k ≥ 1, how the year is named) for the years of the review."""
        if self.first is None:
            return [(k, f"năm thứ {k}") for k in range(1, n_cols + 1)]
        span = (self.last - self.first + 1) if self.last and self.last >= self.first else n_cols
        return [(k, str(self.first + k - 1)) for k in range(1, min(span, n_cols) + 1)]

    def write(self, doc):
        reg = self.v.get("TT_QuyDinh") or "quy định, hướng dẫn về kiểm điểm, đánh giá, xếp loại"
        period = (f"giai đoạn {self.first}–{self.last}" if self.first and self.last
                  else "trong giai đoạn")
        hd36.para(doc, f"Thực hiện yêu cầu sơ kết, tổng kết việc thực hiện {reg}, "
                       f"{self.ctx.unit_name} báo cáo kết quả thực hiện {period} như sau:")
        hd36.heading(doc, "I. TÌNH HÌNH, KẾT QUẢ THỰC HIỆN")
        hd36.heading(doc, "1. Công tác lãnh đạo, chỉ đạo", 2)
        hd36.placeholder(doc, "Việc triển khai, quán triệt Quy định, Hướng dẫn", "đối tượng, "
                         "hình thức, kết quả")
        self.documents(doc)
        hd36.heading(doc, "2. Kết quả thực hiện công tác kiểm điểm, đánh giá, xếp loại chất "
                          "lượng tập thể, cá nhân hằng năm", 2)
        hd36.heading(doc, "2.1. Kết quả công tác kiểm điểm tự phê bình và phê bình hằng năm", 3)
        hd36.placeholder(doc, "Công tác chuẩn bị, tổ chức thực hiện, kết quả kiểm điểm",
                         "số tập thể, cá nhân kiểm điểm và được gợi ý kiểm điểm từng năm")
        hd36.heading(doc, "2.2. Kết quả công tác đánh giá, xếp loại chất lượng hằng năm", 3)
        self.results(doc)
        hd36.heading(doc, "II. TỔ CHỨC THỰC HIỆN CÔNG TÁC KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI CHẤT "
                          "LƯỢNG HẰNG NĂM")
        for i, what in enumerate((
                "Thời điểm kiểm điểm, đánh giá, xếp loại chất lượng hằng năm",
                "Thông báo và sử dụng kết quả",
                "Việc bảo lưu ý kiến và khiếu nại kết quả đánh giá, xếp loại chất lượng",
                "Việc quản lý hồ sơ sau kiểm điểm, đánh giá",
                "Kiểm tra, giám sát việc thực hiện kiểm điểm, đánh giá, xếp loại chất lượng",
                "Khen thưởng tổ chức đảng và đảng viên"), start=1):
            hd36.heading(doc, f"{i}. {what}", 2)
            hd36.placeholder(doc, what)
        hd36.heading(doc, "III. ĐÁNH GIÁ CHUNG")
        for i, (what, ex) in enumerate((
                ("Ưu điểm", "do cấp ủy nhận định"),
                ("Hạn chế, khuyết điểm và nguyên nhân", "nêu cụ thể, gắn với số liệu ở trên"),
                ("Những khó khăn, vướng mắc", ""),
                ("Bài học kinh nghiệm", "")), start=1):
            hd36.heading(doc, f"{i}. {what}", 2)
            hd36.placeholder(doc, what, ex)
        hd36.heading(doc, "IV. ĐỀ XUẤT, KIẾN NGHỊ")
        self.opinions(doc)
        hd36.placeholder(doc, "Đề xuất, kiến nghị khác", "ghi «Không» nếu không có")

    # Biểu số 1 ---------------------------------------------------------------------------------
    def documents(self, doc):
        try:
            sh = self.form.sheet("Biểu số 1")
        except KeyError:
            return
        b = sh.blocks[0]
        years = self.years(len(b.cols))
        for row in b.rows:
            if not row.key.endswith("_SO"):
                continue
            key = row.key[:-3]
            parts, missing = [], []
            for k, yname in years:
                so = self.v.get(f"SK1_{key}_SO_Y{k}")
                ngay = self.v.get(f"SK1_{key}_NGAY_Y{k}")
                if so:
                    nums = [s.strip() for s in str(so).split(";") if s.strip()]
                    dates = [s.strip() for s in _date(ngay).split(";")] if ngay else []
                    docs = [f"số {x}" + (f" ngày {dates[i]}" if i < len(dates) and dates[i]
                                         else "") for i, x in enumerate(nums)]
                    parts.append(f"năm {yname}: " + ", ".join(docs))
                else:
                    missing.append(yname)
            label = row.label
            if parts:
                s = f"- {label}: " + "; ".join(parts)
                if missing:
                    s += f"; các năm {', '.join(missing)} không ghi văn bản" if len(missing) > 1 \
                        else f"; năm {missing[0]} không ghi văn bản"
            else:
                s = f"- {label}: không ghi văn bản nào"
            hd36.para(doc, s + ".")

    # Biểu 5 ------------------------------------------------------------------------------------
    def _tables(self):
        try:
            sh = self.form.sheet(RESULTS_SHEET)
        except KeyError:
            return []
        out = []
        for b in sh.blocks:
            cell = self.form.by_pos.get((sh.name, b.first_data_row, b.first_col))
            if cell is None:
                continue
            tail = f"_{cell.row_key}_{cell.col_key}"
            tkey = cell.name[len("SK5_"):-len(tail)]
            out.append((tkey, b))
        return out

    def results(self, doc):
        groups = self._tables()
        for i, (tkey, b) in enumerate(groups):
            if tkey == "CANHAN":
                hd36.heading(doc, "b) Đối với cá nhân (đảng viên, cán bộ lãnh đạo, quản lý các "
                                  "cấp)", 3)
            elif i == 0:
                hd36.heading(doc, "a) Đối với tập thể (tổ chức đảng, tập thể lãnh đạo, quản lý)",
                             3)
            self.result_table(doc, tkey, b)

    def result_table(self, doc, tkey, b):
        years = self.years(len(b.cols))
        word = TABLE_WORD.get(tkey, "")
        hd36.para(doc, f"+ {b.caption}:", bold=False, italic=True, keep_next=True)
        name = lambda rk, k: f"SK5_{tkey}_{rk}_Y{k}"  # noqa: E731
        rated = {k: sum(self.g(name(lv, k)) for lv in LEVEL_CODES) for k, _ in years}
        has_data = {k for k, _ in years if rated[k] or self.g(name("TONG", k))}
        if not has_data:
            hd36.para(doc, "Không có số liệu.")
            return
        body = []
        for i, lv in enumerate(LEVEL_CODES, start=1):
            body.append([str(i), LEVEL_LABEL[lv]] + [n(self.g(name(lv, k))) if k in has_data
                                                     else "" for k, _ in years])
        body.append(["", "Tổng số"] + [n(self.g(name("TONG", k))) if k in has_data else ""
                                       for k, _ in years])
        ny = len(years)
        w_year = min(22.0, (165 - 10 - 60) / max(ny, 1))
        headers = [["STT", "Tiêu chí", "Năm đánh giá"] + [None] * (ny - 1),
                   ["", ""] + [y for _, y in years]]
        t = hd36.table(doc, [], body, [10, 165 - 10 - w_year * ny] + [w_year] * ny,
                       bold_rows=(len(body) - 1,), header_rows=headers)
        if ny > 1:
            hd36.merge_header(t, 0, 2, 1 + ny)
        hd36.merge_vertical(t, 0, 0, 1)
        hd36.merge_vertical(t, 1, 0, 1)
        # the words: the last year in full, the quota in every year, totals that do not add up
        k_last = max(has_data)
        y_last = dict(years)[k_last]
        base = rated[k_last]
        s = f"Năm {y_last}, trong {n(base)} {word} được xếp loại: " + "; ".join(
            f"{LEVEL_LOWER[lv]} {share(self.g(name(lv, k_last)), base)}" for lv in LEVEL_CODES)
        k_first = min(has_data)
        if k_first != k_last and rated[k_first]:
            xs0, xs1 = self.g(name("XS", k_first)), self.g(name("XS", k_last))
            s += (f". Tỷ lệ hoàn thành xuất sắc nhiệm vụ năm {dict(years)[k_first]} là "
                  f"{share(xs0, rated[k_first])}, năm {y_last} là {share(xs1, base)}")
        hd36.para(doc, s + ".")
        over = []
        for k, yname in years:
            if k not in has_data:
                continue
            xs, tot = self.g(name("XS", k)), self.g(name("TOT", k))
            year = int(yname) if yname.isdigit() else None
            pack = pack_for_year(year)
            ceiling = xs_ceiling(xs, tot, pack.quota_share, self.ctx.base)
            if xs > ceiling:
                over.append(f"năm {yname}: {share(xs, tot)}, tối đa {n(ceiling)}")
        if over:
            hd36.para(doc, "Số hoàn thành xuất sắc nhiệm vụ so với số hoàn thành tốt nhiệm vụ "
                           f"vượt tỷ lệ cho phép {pack_for_year(None).quota_share}\u00a0%: "
                      + "; ".join(over) + ".")
        wrong = []
        for k, yname in years:
            stated = self.g(name("TONG", k))
            if k in has_data and stated != rated[k]:
                wrong.append(f"năm {yname} ghi {n(stated)}, cộng các mức được {n(rated[k])}")
        if wrong:
            hd36.para(doc, "Lưu ý: dòng Tổng số không bằng tổng các mức xếp loại — "
                      + "; ".join(wrong) + ". Các tỷ lệ trên tính theo tổng các mức.",
                      italic=True)

    # Biểu số 2–4 -------------------------------------------------------------------------------
    def opinions(self, doc):
        if self.ctx.opinions:
            return self.children_opinions(doc)
        first = True
        for sheet, (what, noun) in CHECK_WHAT.items():
            try:
                sh = self.form.sheet(sheet)
            except KeyError:
                continue
            if first:
                hd36.para(doc, "Ý kiến về Quy định, Hướng dẫn (tổng hợp từ Biểu số 2, 3 và 4):",
                          keep_next=True)
                first = False
            prefix = sh.cells[0].name.split("_")[0] if sh.cells else ""
            b = sh.blocks[0]
            top, group = "", ""
            items, ok, not_ok, blank, proposals = 0, 0, [], [], []
            for row in b.rows:
                if row.section:
                    if row.stt and not row.stt.isdigit():
                        top, group = row.stt, ""
                    else:
                        group = f"{top + '.' if top else ''}{row.stt} {row.label}".strip()
                    continue
                items += 1
                where = f"{group} — {row.label}" if group else row.label
                ph = self.v.get(f"{prefix}_{row.key}_PH")
                cph = self.v.get(f"{prefix}_{row.key}_CPH")
                dn = self.v.get(f"{prefix}_{row.key}_DN")
                if ph and not cph:
                    ok += 1
                elif cph:
                    not_ok.append(where)
                else:
                    blank.append(where)
                if dn:
                    proposals.append(f"{where}: «{str(dn).strip()}»")
            s = f"- {what} ({sheet}): {share(ok, items)} {noun} được đánh giá phù hợp"
            if not_ok:
                s += f"; chưa phù hợp {n(len(not_ok))}: " + ", ".join(not_ok)
            if blank:
                s += f"; chưa đánh dấu {n(len(blank))}: " + ", ".join(blank)
            hd36.para(doc, s + ".")
            if proposals:
                hd36.para(doc, "Đề nghị sửa đổi, bổ sung: " + "; ".join(proposals) + ".")


    def children_opinions(self, doc):
        """A summary: the units' ticks and proposals as the merge counted them, per biểu."""
        rows = self.ctx.opinions
        units = max((r["PH"] + r["CPH"] + r["blank"] for r in rows), default=0)
        hd36.para(doc, f"Ý kiến của {n(units)} đơn vị trực thuộc về Quy định, Hướng dẫn (tổng hợp "
                       "từ Biểu số 2, 3 và 4 của các đơn vị):", keep_next=True)
        for sheet, (what, noun) in CHECK_WHAT.items():
            mine = [r for r in rows if r["sheet"] == sheet]
            if not mine:
                continue
            all_ok = sum(1 for r in mine if r["PH"] == units)
            s = (f"- {what} ({sheet}): {share(all_ok, len(mine))} {noun} được tất cả các đơn vị "
                 "đánh giá phù hợp")
            not_ok = [r for r in mine if r["CPH"]]
            if not_ok:
                s += "; " + "; ".join(
                    f"{r['group']} — {r['label']}: {share(r['CPH'], units)} đơn vị đánh giá chưa "
                    f"phù hợp" + (f" ({r['CPH_units']})" if r["CPH_units"] else "")
                    for r in not_ok)
            blank = sum(r["blank"] for r in mine)
            if blank:
                s += f"; {n(blank)} lượt chưa đánh dấu"
            hd36.para(doc, s + ".")
            props = [f"{r['group']} — {r['label']}: " + "; ".join(f"«{x.strip()}»"
                                                                    for x in r["proposals"])
                     for r in mine if r["proposals"]]
            if props:
                hd36.para(doc, "Đề nghị sửa đổi, bổ sung: " + " ".join(
                    p + "." for p in props), indent=True)
