"""The annual report (`bao_cao_nam`): the words around the numbers of Biểu 1–4.

The rows come from the form set itself (each block's RowDef), so a row added to a biểu appears in
its table and its paragraph without a change here. Every share is written «A/B (P %)» (see
`figures`); the count words (tổ chức, tập thể, đồng chí) come from the biểu the row is on.
"""
from __future__ import annotations

from ..spec.domain import KP_RESULTS, LEVEL_CODES, LEVEL_LABEL
from . import hd36
from .figures import NBSP, change, fmt_pct, n, share, two

LEVEL_SHORT = {"XS": "HTXSNV", "TOT": "HTTNV", "HT": "HTNV", "KHT": "KHTNV"}
LEVEL_LOWER = {k: v[0].lower() + v[1:] for k, v in LEVEL_LABEL.items()}
NOT_RATED = {"MOI": None, "MIEN": None, "DINHCHI": None, "KHAC": None}  # labels from the spec


def _sub(label: str) -> str:
    """«Trong đó: chi bộ cơ sở» -> «chi bộ cơ sở» (a sub-row named inside its parent's sentence)."""
    for p in ("Trong đó: ", "trong đó: "):
        if label.startswith(p):
            return label[len(p):]
    return label


def _upper_first(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s else s


class Annual:
    """One report: the workbook's values, last year's (optional) and the pack's quota share."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.form = ctx.form
        self.v = ctx.values
        self.p = ctx.prev_values
        self.year = ctx.year
        self.prev_year = ctx.prev_year

    # values ------------------------------------------------------------------------------------
    def g(self, name) -> int:
        x = self.v.get(name)
        return x if isinstance(x, int) and not isinstance(x, bool) else 0

    def gp(self, name) -> int | None:
        if self.p is None or name not in self.form.cells:
            return None
        x = self.p.get(name)
        return x if isinstance(x, int) and not isinstance(x, bool) else 0

    def has(self, name) -> bool:
        return name in self.form.cells

    def _block(self, sheet):
        try:
            return self.form.sheet(sheet).blocks[0]
        except (KeyError, IndexError):
            return None

    def _cols(self, sheet) -> list[str]:
        b = self._block(sheet)
        return [c.key for c in b.cols] if b else []

    def _rows_with_data(self, sheet, prefix="XL"):
        b = self._block(sheet)
        out = []
        for row in (b.rows if b else ()):
            if row.section:
                continue
            if self.g(f"{prefix}_{row.key}_TONG") or self.g(f"{prefix}_{row.key}_DG"):
                out.append(row)
        return out

    # sections ----------------------------------------------------------------------------------
    def write(self, doc):
        self.intro(doc)
        hd36.heading(doc, "I. TÌNH HÌNH CHUNG")
        self.overview(doc)
        hd36.placeholder(doc, "Đặc điểm, tình hình của đơn vị trong năm", "những thuận lợi, khó "
                         "khăn ảnh hưởng đến việc kiểm điểm, đánh giá, xếp loại")
        hd36.heading(doc, "II. KẾT QUẢ KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG")
        hd36.heading(doc, "1. Công tác lãnh đạo, chỉ đạo", 2)
        hd36.placeholder(doc, "Việc quán triệt, ban hành kế hoạch, hướng dẫn; thành lập tổ công "
                         "tác; thời gian tổ chức kiểm điểm", "ghi số, ngày của văn bản")
        hd36.heading(doc, "2. Kết quả kiểm điểm tự phê bình và phê bình (Biểu\u00a01)", 2)
        self.kiem_diem(doc)
        hd36.heading(doc, "3. Kết quả đánh giá, xếp loại chất lượng tổ chức đảng và tập thể "
                          "(Biểu\u00a02)", 2)
        self.levels_section(doc, "Biểu 2", "tổ chức")
        hd36.heading(doc, "4. Kết quả đánh giá, xếp loại chất lượng đảng viên và cán bộ "
                          "(Biểu\u00a03)", 2)
        self.levels_section(doc, "Biểu 3", "đồng chí")
        self.own_rating(doc)
        hd36.heading(doc, "5. Kết quả khắc phục hạn chế, khuyết điểm đã được chỉ ra "
                          "(Biểu\u00a04)", 2)
        self.khac_phuc(doc)
        hd36.heading(doc, "III. ĐÁNH GIÁ CHUNG")
        hd36.heading(doc, "1. Ưu điểm", 2)
        hd36.placeholder(doc, "Đánh giá chung về ưu điểm", "do cấp ủy nhận định")
        hd36.heading(doc, "2. Hạn chế, khuyết điểm và nguyên nhân", 2)
        hd36.placeholder(doc, "Hạn chế, khuyết điểm", "nêu cụ thể, gắn với số liệu ở trên")
        hd36.placeholder(doc, "Nguyên nhân", "nguyên nhân khách quan, chủ quan")
        hd36.heading(doc, "3. Bài học kinh nghiệm", 2)
        hd36.placeholder(doc, "Bài học kinh nghiệm", "nếu có")
        hd36.heading(doc, "IV. ĐỀ XUẤT, KIẾN NGHỊ")
        hd36.placeholder(doc, "Đề xuất, kiến nghị với cấp trên", "ghi «Không» nếu không có")

    def intro(self, doc):
        hd36.para(doc, f"Thực hiện {self.ctx.regulation_text}; {self.ctx.unit_name} báo cáo kết "
                       f"quả kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên năm "
                       f"{self.year or '…'} như sau:")

    def overview(self, doc):
        """What the unit is made of, from the Tổng số column of Biểu 2 and Biểu 3."""
        parts = []
        b2 = self._block("Biểu 2")
        for row in (b2.rows if b2 else ()):
            if row.section or row.indent:
                continue
            total = self.g(f"XL_{row.key}_TONG")
            if not total or row.key.startswith("TTLD"):
                continue
            subs = [r for r in b2.rows if r.indent and self._parent_of(b2, r) is row]
            inner = [f"{two(self.g(f'XL_{s.key}_TONG'))} {_lower_first(_sub(s.label))}"
                     for s in subs if self.g(f"XL_{s.key}_TONG")]
            text = f"{two(total)} {_lower_first(row.label)}"
            if inner:
                text += " (" + "; ".join(inner) + ")"
            parts.append(text)
        members = self.g("XL_DV_TONG")
        sentence = f"Đến thời điểm đánh giá, {self.ctx.unit_name} có "
        if parts:
            sentence += "; ".join(parts) + f"; tổng số {n(members)} đảng viên."
        else:
            sentence += f"{n(members)} đảng viên."
        hd36.para(doc, sentence)

    @staticmethod
    def _parent_of(block, row):
        parent = None
        for r in block.rows:
            if r is row:
                return parent
            if not r.indent:
                parent = r
        return None

    # Biểu 1 ------------------------------------------------------------------------------------
    def kiem_diem(self, doc):
        b = self._block("Biểu 1")
        if b is None:
            return
        reasons = [r for r in b.rows if r.indent]
        for col, noun, who in (("TT", "tập thể", "Đối với tập thể"),
                               ("DV", "đảng viên", "Đối với đảng viên")):
            phai, da = self.g(f"KD_PHAI_{col}"), self.g(f"KD_DA_{col}")
            chua, goiy = self.g(f"KD_CHUA_{col}"), self.g(f"KD_GOIY_{col}")
            if not (phai or da):
                continue
            s = (f"- {who}: có {n(phai)} {noun} thuộc đối tượng phải kiểm điểm; đã kiểm điểm "
                 f"{share(da, phai)}")
            if chua:
                why = [f"{n(self.g(f'KD_{r.key}_{col}'))} {_lower_first(_sub(r.label))}"
                       for r in reasons if self.has(f"KD_{r.key}_{col}")
                       and self.g(f"KD_{r.key}_{col}")]
                s += f"; chưa kiểm điểm {n(chua)}" + (f" ({', '.join(why)})" if why else "")
            if goiy:
                s += f"; được gợi ý kiểm điểm {n(goiy)} {noun}"
            prev = self.gp(f"KD_DA_{col}")
            if prev is not None:
                s += f"; so với năm {self.prev_year}, số đã kiểm điểm {change(da, prev)}"
            hd36.para(doc, s + ".")
        rows = []
        for r in b.rows:
            if r.section:
                continue
            rows.append([r.stt, r.label] + [
                n(self.g(f"KD_{r.key}_{c}")) if self.has(f"KD_{r.key}_{c}") else "–"
                for c in ("TT", "DV")])
        hd36.table(doc, ["STT", "Nội dung", "Tập thể", "Đảng viên"], rows, [12, 105, 24, 24])

    # Biểu 2 and Biểu 3 -------------------------------------------------------------------------
    def levels_section(self, doc, sheet, unit_word):
        rows = self._rows_with_data(sheet)
        if not rows:
            hd36.para(doc, f"Không có số liệu ở {sheet}.")
            return
        b = self._block(sheet)
        cols = set(self._cols(sheet))
        for row in rows:
            hd36.para(doc, self.row_sentence(row, cols, unit_word, b))
        self.levels_table(doc, sheet, rows, cols)

    def _not_rated_cols(self, cols):
        b3 = self._block("Biểu 3")
        labels = {c.key: c.label for b in (self._block("Biểu 2"), b3) if b for c in b.cols}
        order = [k for k in ("MOI", "MIEN", "DINHCHI", "KHAC") if k in cols]
        return [(k, labels[k]) for k in order]

    def row_sentence(self, row, cols, unit_word, block) -> str:
        k = row.key
        g = self.g
        tong, dg = g(f"XL_{k}_TONG"), g(f"XL_{k}_DG")
        lead = f"- {row.label}" if not row.indent else f"+ {_upper_first(_sub(row.label))}"
        s = f"{lead}: tổng số {n(tong)}"
        nr = [(lab, g(f"XL_{k}_{c}")) for c, lab in self._not_rated_cols(cols)
              if self.has(f"XL_{k}_{c}")]
        nr_total = sum(x for _, x in nr)
        if nr_total:
            s += (f"; không đánh giá, xếp loại {n(nr_total)} ("
                  + ", ".join(f"{n(x)} {_lower_first(lab)}" for lab, x in nr if x) + ")")
        s += f"; được đánh giá, xếp loại {n(dg)} {unit_word}"
        if dg:
            for lv in LEVEL_CODES:
                s += f"; {LEVEL_LOWER[lv]}: {share(g(f'XL_{k}_{lv}'), dg)}"
            xs, tot = g(f"XL_{k}_XS"), g(f"XL_{k}_TOT")
            s += f"; hoàn thành tốt nhiệm vụ trở lên: {share(xs + tot, dg)}"
            s += ". " + self.quota_sentence(k, xs, tot)
        else:
            s += "."
        if "KYLUAT" in cols and self.has(f"XL_{k}_KYLUAT") and g(f"XL_{k}_KYLUAT"):
            s += f" Bị thi hành kỷ luật trong năm: {n(g(f'XL_{k}_KYLUAT'))}."
        s += self.prev_sentence(k)
        return s

    def quota_sentence(self, k, xs, tot) -> str:
        share_pct = self.ctx.share
        if self.ctx.base == "tot_tro_len":
            base, base_word = xs + tot, "số hoàn thành tốt nhiệm vụ trở lên"
        else:
            base, base_word = tot, "số hoàn thành tốt nhiệm vụ"
        ceiling = (base * share_pct) // 100
        s = (f"Số hoàn thành xuất sắc nhiệm vụ so với {base_word}: {share(xs, base)}; "
             f"theo tỷ lệ cho phép {share_pct}{NBSP}% thì tối đa {n(ceiling)}")
        if xs > ceiling:
            s += f", vượt {n(xs - ceiling)}"
            summed = any(f.rule == "R-QUOTA" and f.name == f"XL_{k}_XS" and not f.is_error
                         for f in self.ctx.report.findings)
            if summed:  # the validator's own judgement: a row summed from below is indicative
                s += " (số cộng từ các đơn vị trực thuộc, để tham khảo)"
        return s + "."

    def prev_sentence(self, k) -> str:
        if self.p is None:
            return ""
        dg_p = self.gp(f"XL_{k}_DG") or 0
        if not dg_p and not self.gp(f"XL_{k}_TONG"):
            return f" Năm {self.prev_year} không có số liệu ở dòng này."
        xs_p, tot_p = self.gp(f"XL_{k}_XS") or 0, self.gp(f"XL_{k}_TOT") or 0
        dg = self.g(f"XL_{k}_DG")
        s = (f" So với năm {self.prev_year}: số được đánh giá {change(dg, dg_p)} "
             f"(năm {self.prev_year}: {n(dg_p)})")
        if dg_p:
            s += (f"; năm {self.prev_year} hoàn thành xuất sắc nhiệm vụ {share(xs_p, dg_p)}, "
                  f"hoàn thành tốt nhiệm vụ trở lên {share(xs_p + tot_p, dg_p)}")
        return s + "."

    def levels_table(self, doc, sheet, rows, cols):
        nr_keys = [c for c, _ in self._not_rated_cols(cols)]
        headers = ["STT", "Nội dung", "Tổng số", "Không đánh giá", "Được đánh giá"]
        headers += [f"{LEVEL_SHORT[lv]} (tỷ lệ %)" for lv in LEVEL_CODES]
        body = []
        for row in rows:
            k = row.key
            dg = self.g(f"XL_{k}_DG")
            nr = sum(self.g(f"XL_{k}_{c}") for c in nr_keys if self.has(f"XL_{k}_{c}"))
            line = [row.stt, row.label, n(self.g(f"XL_{k}_TONG")), n(nr), n(dg)]
            for lv in LEVEL_CODES:
                x = self.g(f"XL_{k}_{lv}")
                line.append((n(x), fmt_pct(x, dg)[:-2] if dg else "–"))
            body.append(line)
        hd36.table(doc, headers, body, [9, 30, 16, 14, 16] + [19.5] * 4, size=10)
        hd36.para(doc, "Ghi chú: HTXSNV — hoàn thành xuất sắc nhiệm vụ; HTTNV — hoàn thành tốt "
                       "nhiệm vụ; HTNV — hoàn thành nhiệm vụ; KHTNV — không hoàn thành nhiệm vụ; "
                       "tỷ lệ (%) tính trên số được đánh giá, xếp loại.", italic=True, size=11,
                  indent=False)

    def own_rating(self, doc):
        """The unit's own proposal (Thông tin): the superior decides; the report only states it."""
        parts = []
        for name, what in (("TT_XepLoai", "đơn vị"), ("TT_XepLoaiCapUy", "cấp ủy"),
                           ("TT_XepLoaiNguoiDungDau", "người đứng đầu")):
            code = self.v.get(name)
            if code in LEVEL_LABEL:
                parts.append(f"{what}: «{LEVEL_LABEL[code]}»")
        if parts:
            hd36.para(doc, "Tự đánh giá, đề nghị cấp trên xếp loại chất lượng — "
                      + "; ".join(parts) + ".")

    # Biểu 4 ------------------------------------------------------------------------------------
    def khac_phuc(self, doc):
        """Counted from the list itself: the validator's KP_So* cells compare the result's label
        with the parsed code and come out 0 (noted in the report of issue 19)."""
        items, i = [], 1
        while self.has(f"KP_NoiDung_{i}"):
            if self.v.get(f"KP_NoiDung_{i}"):
                items.append(i)
            i += 1
        total = len(items)
        if not total:
            hd36.para(doc, "Biểu 4 không ghi hạn chế, khuyết điểm nào được chỉ ra từ các năm "
                           "trước.")
            hd36.placeholder(doc, "Kết quả khắc phục của các đơn vị trực thuộc (nếu có)")
            return
        label_of = {c.code: c.label for c in KP_RESULTS}
        code_of = {c.label.casefold(): c.code for c in KP_RESULTS}

        def result(i):
            r = self.v.get(f"KP_KetQua_{i}")
            return r if r in label_of else code_of.get(str(r or "").strip().casefold())

        parts = [f"{_lower_first(ch.label)} "
                 f"{share(sum(result(i) == ch.code for i in items), total)}" for ch in KP_RESULTS]
        none = sum(result(i) is None for i in items)
        s = (f"Tổng số {n(total)} hạn chế, khuyết điểm được chỉ ra; trong đó " + "; ".join(parts))
        if none:
            s += f"; chưa ghi kết quả {n(none)}"
        hd36.para(doc, s + ".")
        rows = []
        for i in items:
            han = self.v.get(f"KP_ThoiHan_{i}")
            han = han.strftime("%d/%m/%Y") if hasattr(han, "strftime") else (han or "")
            kq = label_of.get(result(i), "")
            rows.append([str(len(rows) + 1), str(self.v.get(f"KP_NoiDung_{i}")),
                         str(self.v.get(f"KP_NamChiRa_{i}") or ""),
                         str(self.v.get(f"KP_GiaiPhap_{i}") or ""), han, kq])
        hd36.table(doc, ["STT", "Hạn chế, khuyết điểm", "Năm chỉ ra", "Giải pháp khắc phục",
                         "Thời hạn", "Kết quả"], rows, [10, 52, 15, 45, 20, 23],
                   left_cols=(1, 3))
        hd36.placeholder(doc, "Nhận xét về kết quả khắc phục", "những hạn chế chưa khắc phục "
                         "được, lý do, hướng xử lý")
