"""Filled workbooks for tests, demos and benchmarks: the real template with values written by name.

Written with openpyxl, so formula cells carry no cached value — exactly what a reader must cope
with. `bao_lam_2019()` is seed 004's 2019 individuals as a district would type them.
"""
from __future__ import annotations

import datetime as dt
import io
import json
from functools import cache
from pathlib import Path

from openpyxl import load_workbook

from .spec import get_form_set

HERE = Path(__file__).parent


@cache
def _template_bytes(form: str) -> bytes:
    path = HERE / f"{form}.xlsx"
    if not path.exists():
        from .build import build_bytes
        return build_bytes(get_form_set(form))
    return path.read_bytes()


def fill_template(values: dict, form: str = "bao_cao_nam", members: list | None = None) -> bytes:
    """The template of `form` with each defined name in `values` set; returns .xlsx bytes.

    A value of the form ("=formula",) in a 1-tuple is written as a formula; any other string is
    written as text, even one starting with "=" (a user's text is never turned into a formula).
    members: rows of the member register (dicts by column key, see `register_members`).

    Without members, the template loaded once per process is filled again (`_Reused`): loading
    is two thirds of the time, and the test suite, the demo and the benchmarks fill hundreds.
    """
    if not members:
        return _reused(form, _reused(form).restyled(values)).fill(values)
    return fill_fresh(values, form, members)


def fill_fresh(values: dict, form: str = "bao_cao_nam", members: list | None = None) -> bytes:
    """`fill_template` on a template loaded for this workbook alone."""
    spec = get_form_set(form)
    wb = load_workbook(io.BytesIO(_template_bytes(form)))
    set_values(wb, spec, values)
    if members:
        from .register_xlsx import write_register
        write_register(wb, members)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


class _Reused:
    """One loaded template of a form, filled again and again: before each workbook the cells the
    previous one set are put back as the template had them. The same parts as `fill_fresh`
    writes, byte for byte but for the time of saving (tests/evidence/test_concurrency.py).

    A date put into a cell without a date format restyles the cell: openpyxl gives it a date
    format and adds that style to the workbook's tables, which cannot be taken back. So
    workbooks that restyle the same cells with the same kinds of value, in the same order
    (`restyled`), share a template of their own: the first restyles it as `fill_fresh` would,
    and the next find it so."""

    def __init__(self, form: str):
        import threading
        self.form, self.spec = form, get_form_set(form)
        self.wb = load_workbook(io.BytesIO(_template_bytes(form)))
        self.original: dict = {}        # cell -> (value, data_type) in the template
        self.lock = threading.Lock()

    def _cell(self, name: str):
        cell = self.spec.cells[name]
        return self.wb[cell.sheet].cell(cell.row, cell.col)

    def fill(self, values: dict) -> bytes:
        """`values` into the template; they restyle exactly the cells of `restyled` (the
        template `fill_template` chose for them)."""
        with self.lock:
            for cell, (value, data_type) in self.original.items():
                cell.value, cell.data_type = value, data_type
            set_values(self.wb, self.spec, values, self.original)
            for ws in self.wb.worksheets:   # a save leaves it set, and the next writes it out
                ws.column_dimensions.max_outline = None
            buf = io.BytesIO()
            self.wb.save(buf)
            return buf.getvalue()

    def restyled(self, values: dict) -> tuple:
        """(name, kind of value) of each value in `values`, in their order, that the plain
        template's cell would be restyled by: a date, time or duration where no date format is."""
        from openpyxl.styles.numbers import is_date_format
        plain = _reused(self.form)
        return tuple((name, type(value)) for name, value in values.items()
                     if isinstance(value, dt.date | dt.time | dt.timedelta)
                     and not is_date_format(plain._cell(name).number_format))


@cache
def _reused(form: str, restyled: tuple = ()) -> _Reused:
    """The loaded template of `form` for workbooks that restyle the cells of `restyled` (see
    `_Reused.restyled`); `()`: the plain template."""
    return _Reused(form)


def set_values(wb, spec, values: dict, before: dict | None = None) -> None:
    """Each defined name in `values` into its cell of the loaded template `wb`, as
    `fill_template` describes. before: cell -> (value, data_type) it held, noted the first time a
    cell is set, so that a caller reusing one loaded template can put it back."""
    for name, value in values.items():
        cell = spec.cells[name]
        target = wb[cell.sheet].cell(cell.row, cell.col)
        if before is not None:
            before.setdefault(target, (target.value, target.data_type))
        if isinstance(value, tuple):
            target.value = value[0]
        else:
            target.value = value
            if isinstance(value, str) and value.startswith("="):
                target.data_type = "s"


def unit_info(name="Đảng bộ xã Lộc Bảo", code="LB", parent="Huyện ủy Bảo Lâm", type_="DB_CS",
              year=2024, **extra) -> dict:
    """The Thông tin fields of a plausible unit."""
    from .spec.domain import UNIT_TYPE_LABEL
    d = {"TT_DonVi": name, "TT_MaDonVi": code, "TT_CapTren": parent,
         "TT_LoaiDonVi": UNIT_TYPE_LABEL[type_],
         "TT_Nam": year, "TT_NgayLap": dt.datetime(year, 12, 15), "TT_DiaDanh": "Bảo Lâm",
         "TT_NguoiLap": "Nguyễn Văn An", "TT_DienThoai": "0912 345 678"}
    d.update(extra)
    return d


# QĐ 366 (rating year 2025 on): a score and task counts that fit each level (R-DIEM, R-NHIEMVU)
_SCORE = {"XS": 93, "TOT": 82, "HT": 62, "KHT": 40}
_TASKS = {"XS": (20, 20, 7, 0), "TOT": (20, 20, 2, 0), "HT": (20, 20, 0, 2), "KHT": (20, 17, 0, 5)}


QD366_FIELDS = ("TT_Diem", "TT_DiemCapUy", "TT_DiemNguoiDungDau", "TT_NV_Giao", "TT_NV_HoanThanh",
                "TT_NV_VuotMuc", "TT_NV_ChamTienDo")


def qd366_fields(values: dict) -> dict:
    """The QĐ 366 fields a plausible unit of rating year 2025 on adds to its ratings: a score for
    each rating given and the year's task counts, consistent with its proposal. Fields already
    in `values` are kept; before 2025 nothing is added."""
    from .spec.domain import LEVELS
    from .spec.model import choice_lookup
    year = values.get("TT_Nam")
    if not isinstance(year, int) or year < 2025:
        return {}
    codes = choice_lookup(LEVELS)

    def code(name):
        v = values.get(name)
        return codes.get(str(v).strip().casefold()) if v else None

    out = {}
    for level_name, score_name in (("TT_XepLoai", "TT_Diem"), ("TT_XepLoaiCapUy", "TT_DiemCapUy"),
                                   ("TT_XepLoaiNguoiDungDau", "TT_DiemNguoiDungDau")):
        c = code(level_name)
        if c and score_name not in values:
            out[score_name] = _SCORE[c]
    c = code("TT_XepLoai")
    if c and "TT_NV_Giao" not in values:
        out.update(zip(("TT_NV_Giao", "TT_NV_HoanThanh", "TT_NV_VuotMuc", "TT_NV_ChamTienDo"),
                       _TASKS[c], strict=True))
    return out


FIXTURE = HERE / "data" / "bao_lam_2018_2022.json"


def bao_lam_fixture() -> dict:
    """The Bảo Lâm figures of seed 004: a copy of shared/fixtures/bao_lam_2018_2022.json shipped
    with the package, so samples work from a plain clone (a test keeps the copy in step)."""
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def bao_lam_2019(corrected: bool = False) -> dict:
    """Bảo Lâm district, rating year 2019, as its office would type it (seed 004, fixture).

    Published figures: individuals 450 / 2.258 / 143 / 15 with the total typed as 2.886 (the
    levels add up to 2.866); TCCSĐ 12 / 45 / 4 / 0 and cấp ủy cơ sở 8 / 23 / 4 / 0, both above
    the 20 % ceiling (9 and 4), which the report itself admits. The seed gives no split of the
    TCCSĐ ratings between đảng bộ cơ sở and chi bộ cơ sở; the split here is illustrative.
    `corrected=True` fixes the total and brings XS down to the ceiling (the excess moved to TOT).
    """
    fx = bao_lam_fixture()
    t, kd, i = fx["tables"], fx["kiem_diem"], 1  # index 1 = 2019
    v = unit_info("Huyện ủy Bảo Lâm", "BAOLAM", "Đảng bộ tỉnh Lâm Đồng", "DB_CTCS", 2019,
                  TT_NgayLap=dt.datetime(2019, 12, 20), TT_NguoiLap="Nguyễn Quang Huân")
    rated = sum(t["ca_nhan"][k][i] for k in ("XS", "TOT", "HT", "KHT"))
    v.update({"KD_PHAI_TT": kd["tap_the"][i], "KD_DA_TT": kd["tap_the"][i],
              "KD_GOIY_TT": kd["goi_y_tap_the"][i], "KD_PHAI_DV": kd["ca_nhan"][i],
              "KD_DA_DV": kd["ca_nhan"][i], "KD_GOIY_DV": kd["goi_y_ca_nhan"][i]})
    v.update({"XL_DV_TONG": rated if corrected else t["ca_nhan"]["stated_total"][i],
              "XL_DV_XS": t["ca_nhan"]["XS"][i], "XL_DV_TOT": t["ca_nhan"]["TOT"][i],
              "XL_DV_HT": t["ca_nhan"]["HT"][i], "XL_DV_KHT": t["ca_nhan"]["KHT"][i],
              "XL_DV_KYLUAT": 0})
    rows = {"TCCSD": t["tccsd"], "CUCS": t["cap_uy_co_so"], "TTLD_TREN": t["ttld_cap_huyen"]}
    for g, tab in rows.items():
        lv = {k: tab[k][i] for k in ("XS", "TOT", "HT", "KHT")}
        if corrected and g in ("TCCSD", "CUCS"):
            while lv["XS"] > (lv["TOT"] * 20) // 100:
                lv["XS"] -= 1
                lv["TOT"] += 1
        v.update({f"XL_{g}_TONG": sum(lv.values())} | {f"XL_{g}_{k}": n for k, n in lv.items()})
    split = ({"XS": 3, "TOT": 12, "HT": 1, "KHT": 0}, {"XS": 6, "TOT": 36, "HT": 3, "KHT": 0}) \
        if corrected else ({"XS": 4, "TOT": 11, "HT": 1, "KHT": 0},
                           {"XS": 8, "TOT": 34, "HT": 3, "KHT": 0})
    for g, lv in zip(("DBCS", "CBCS"), split, strict=True):
        v.update({f"XL_{g}_TONG": sum(lv.values())} | {f"XL_{g}_{k}": n for k, n in lv.items()})
    return v


def bao_lam_so_ket() -> dict:
    """Seed 004 as a `so_ket_quy_dinh` workbook: documents (Biểu số 1), checklists (Biểu số 2–4,
    with the seed's own gaps) and five years of results (Biểu 5), figures as published."""
    from .spec.domain import UNIT_TYPE_LABEL
    from .spec.so_ket_quy_dinh import CONTENTS, CRITERIA, STANDARDS
    fx = bao_lam_fixture()
    v = {"TT_DonVi": "Huyện ủy Bảo Lâm", "TT_MaDonVi": "BAOLAM",
         "TT_CapTren": "Đảng bộ tỉnh Lâm Đồng", "TT_LoaiDonVi": UNIT_TYPE_LABEL["DB_CTCS"],
         "TT_QuyDinh": "Quy định 132-QĐ/TW và Hướng dẫn 21-HD/BTCTW", "TT_TuNam": 2018,
         "TT_DenNam": 2022, "TT_Nam": 2023, "TT_NgayLap": dt.datetime(2023, 2, 2),
         "TT_DiaDanh": "Bảo Lâm", "TT_NguoiLap": "Nguyễn Quang Huân",
         "TT_DienThoai": "0263 3877 123"}
    docs = fx["documents"]
    for key, rows in (("QD", docs["cu_the_hoa_quy_dinh"]), ("HD", docs["cu_the_hoa_huong_dan"]),
                      ("CD", docs["lanh_dao_chi_dao"])):
        for k, (so, ngay) in enumerate(rows, start=1):
            if so:
                v[f"SK1_{key}_SO_Y{k}"] = so
                v[f"SK1_{key}_NGAY_Y{k}"] = ngay
    for prefix, rows in (("SK2", CRITERIA), ("SK3", STANDARDS), ("SK4", CONTENTS)):
        for row in rows:
            if not row.section:
                v[f"{prefix}_{row.key}_PH"] = "x"
    # seed 004, Biểu số 4: no tick on I.3 "Trách nhiệm, thẩm quyền"; "Chủ thể tham gia đánh giá"
    # of II.1 and II.3 carries a proposal but no tick
    del v["SK4_KD_CBLD_TRACHNHIEM_PH"]
    for g in ("DG_TCD", "DG_TTLD"):
        del v[f"SK4_{g}_CHUTHE_PH"]
        v[f"SK4_{g}_CHUTHE_DN"] = "Không nên quy định"
    for tkey, fkey in (("TCCSD", "tccsd"), ("CUCS", "cap_uy_co_so"), ("TTLD", "ttld_cap_huyen"),
                       ("CANHAN", "ca_nhan")):
        tab = fx["tables"][fkey]
        for k in range(5):
            for lv in ("XS", "TOT", "HT", "KHT"):
                v[f"SK5_{tkey}_{lv}_Y{k + 1}"] = tab[lv][k]
            v[f"SK5_{tkey}_TONG_Y{k + 1}"] = tab["stated_total"][k]
    kd = fx["kiem_diem"]            # seed 004 §2.1: who held the review, who was "gợi ý"
    for k in range(5):
        for row, key in (("TT", "tap_the"), ("CN", "ca_nhan"), ("GOIY_TT", "goi_y_tap_the"),
                         ("GOIY_CN", "goi_y_ca_nhan")):
            v[f"SK5_KD_{row}_Y{k + 1}"] = kd[key][k]
    return v


# --- member registers (SPEC §8) -------------------------------------------------------------------

_HO = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
       "Hồ", "Ngô", "Dương", "Lý", "K'", "Ka", "Ma", "Hà")
_DEM = ("Văn", "Thị", "Hữu", "Đức", "Thanh", "Minh", "Ngọc", "Quang", "Xuân", "Thu", "Kim",
        "Công", "Hồng", "Bảo", "Gia")
_TEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng",
        "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Phương", "Quân",
        "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Trung", "Tuấn", "Vân", "Yến", "Sang", "Brê")


def member_name(i: int) -> str:
    """A made-up but plausible name, different for each i (tests scan summaries for them)."""
    h, d, t = i % len(_HO), (i // len(_HO)) % len(_DEM), (i // (len(_HO) * len(_DEM))) % len(_TEN)
    return f"{_HO[h]} {_DEM[d]} {_TEN[t]}" + (f" {i // 9900 + 1}" if i >= 9900 else "")


def register_members(plan: dict, year: int, rating_day: dt.date | None = None,
                     scores: bool = False, chi_bo: int = 0, start: int = 0) -> list[dict]:
    """A register whose counts are exactly `plan`: {"XS": n, "TOT": n, "HT": n, "KHT": n,
    "MIEN": n, "DINHCHI": n, "MOI": n, "KHAC": n, "TAM": n, "UNEXPLAINED": n, "KYLUAT": n (of
    the KHT)}. Rows as a clerk fills them: labels, dates; scores and QĐ 366 groups when
    `scores`. Deterministic."""
    from .spec.danh_sach import label_of
    from .spec.domain import LEVEL_LABEL
    rating_day = rating_day or dt.date(year, 12, 15)
    rows, i = [], start
    nhom = ("Không giữ chức vụ", "Lãnh đạo, quản lý", "Không giữ chức vụ",
            "Ngoài hệ thống chính trị")
    score = {"XS": 92, "TOT": 80, "HT": 60, "KHT": 40}

    def member(kind):
        nonlocal i
        i += 1
        vao = dt.date(year - 2 - i % 30, 1 + i % 12, 1 + i % 28)
        m = {"HoTen": member_name(i), "NgayVaoDang": vao,
             "NgayChinhThuc": dt.date(vao.year + 1, vao.month, vao.day),
             "TinhTrang": "Bình thường", "KyLuat": "Không"}
        if chi_bo:
            m["ChiBo"] = f"Chi bộ thôn {i % chi_bo + 1}"
        if scores:
            m["Nhom"] = nhom[i % len(nhom)]
            m["CapUy"] = "x" if i % 40 == 0 else None
        if kind in LEVEL_LABEL:
            m["XepLoai"] = m["TuXepLoai"] = LEVEL_LABEL[kind]
            if scores:
                m["Diem"] = score[kind]
        elif kind in ("MIEN", "DINHCHI", "TAM"):
            m["TinhTrang"] = label_of("TinhTrang", kind)
        elif kind == "MOI":
            vao = rating_day - dt.timedelta(days=40 + i % 90)
            m["NgayVaoDang"], m["NgayChinhThuc"] = vao, None
        elif kind == "KHAC":
            m["GhiChu"] = "Ốm dài ngày, không tham gia kiểm điểm"
        return m

    for kind in ("XS", "TOT", "HT", "KHT", "MIEN", "DINHCHI", "MOI", "KHAC", "TAM",
                 "UNEXPLAINED"):
        for k in range(plan.get(kind, 0)):
            m = member(kind)
            if kind == "KHT" and k < plan.get("KYLUAT", 0):
                m["KyLuat"] = "Khiển trách"
            rows.append(m)
    # interleave so that a chi bộ's members are not all rated alike
    return sorted(rows, key=lambda m: (hash_key(m["HoTen"])))


def hash_key(s: str) -> str:
    import hashlib
    return hashlib.sha256(s.encode()).hexdigest()


def counts_of(members: list[dict], rating_day: dt.date, today: dt.date | None = None) -> dict:
    """The Biểu 1 / Biểu 3 member counts these rows give (the rules' own count, by name)."""
    from .rules.members import register_values
    from .spec.danh_sach import REGISTER, Member
    rows = [Member(REGISTER.first_row + k, k + 1, dict(m)) for k, m in enumerate(members)]
    return register_values(rows, rating_day, today)


BAO_LAM_2022 = {"XS": 496, "TOT": 2411, "HT": 93, "KHT": 16, "MIEN": 189, "MOI": 38,
                "UNEXPLAINED": 11}


def bao_lam_2022_register() -> tuple[dict, list[dict]]:
    """Bảo Lâm's 2022 members (seed 004, fixture) as one register: 3.254 members, 189 miễn, 38
    mới kết nạp, 3.016 rated 496 / 2.411 / 93 / 16 — and the 11 the report never explains, as
    rows with neither a rating nor a reason. Values: Thông tin and the published counts typed in
    Biểu 1 and Biểu 3. (Bảo Lâm was a district; a register is kept at the TCCSĐ, so the unit is
    shown as one đảng bộ cơ sở holding all its members, to test the counts at that size.)"""
    fx = bao_lam_fixture()
    st, ca = fx["structure_12_2022"], fx["tables"]["ca_nhan"]
    plan = dict(BAO_LAM_2022)
    assert plan["MIEN"] == st["mien_sinh_hoat"] and plan["MOI"] == st["moi_ket_nap_duoi_6_thang"]
    assert all(plan[k] == ca[k][4] for k in ("XS", "TOT", "HT", "KHT"))
    day = dt.date(2022, 12, 15)
    members = register_members(plan, 2022, day, chi_bo=40)
    assert len(members) == st["dang_vien"]
    v = unit_info("Đảng bộ Bảo Lâm (danh sách 2022)", "BAOLAM22", "Đảng bộ tỉnh Lâm Đồng",
                  "DB_CS", 2022, TT_NgayLap=dt.datetime(2022, 12, 15))
    v.update({"XL_DV_TONG": st["dang_vien"], "XL_DV_MOI": st["moi_ket_nap_duoi_6_thang"],
              "XL_DV_MIEN": st["mien_sinh_hoat"], "XL_DV_DINHCHI": 0, "XL_DV_KHAC": 0,
              "XL_DV_KYLUAT": 0} | {f"XL_DV_{k}": ca[k][4] for k in ("XS", "TOT", "HT", "KHT")})
    v.update({"KD_PHAI_DV": st["dang_vien"], "KD_DA_DV": ca["stated_total"][4],
              "KD_MOIKN_DV": st["moi_ket_nap_duoi_6_thang"], "KD_MIEN_DV": st["mien_sinh_hoat"],
              "KD_DINHCHI_DV": 0, "KD_KHAC_DV": 0})
    return v, members


def commune_2026(n: int = 1500, year: int = 2026) -> tuple[dict, list[dict]]:
    """A đảng ủy xã of the live round (QĐ 366) with an n-member register, every count typed in
    Biểu 1 and Biểu 3 from it: a workbook that validates clean."""
    xs = n * 10 // 100     # within 20 % of TOT in each QĐ 366 group of members, too
    plan = {"XS": xs, "TOT": n * 62 // 100, "HT": n * 14 // 100, "KHT": n // 100 + 1,
            "MIEN": n * 6 // 100, "DINHCHI": 1, "MOI": n * 2 // 100, "KHAC": 2, "KYLUAT": 1}
    plan["TOT"] += n - sum(v for k, v in plan.items() if k != "KYLUAT")
    day = dt.date(year, 12, 10)
    members = register_members(plan, year, day, scores=True, chi_bo=25)
    v = unit_info("Đảng bộ xã Lộc Bảo", "LOCBAO", "Đảng bộ tỉnh Lâm Đồng", "DB_CS", year,
                  TT_NgayLap=dt.datetime(year, 12, 10), TT_XepLoai="Hoàn thành tốt nhiệm vụ")
    counts = counts_of(members, day, today=dt.date(year, 12, 31))
    v.update({k: n for k, n in counts.items() if k.startswith(("XL_DV_", "XL_CUV_", "KD_"))
              and k in get_form_set("bao_cao_nam").cells
              and get_form_set("bao_cao_nam").cells[k].is_input})
    v.update({"KD_PHAI_TT": 26, "KD_DA_TT": 26, "XL_CBTT_TONG": 25, "XL_CBTT_TOT": 20,
              "XL_CBTT_XS": 4, "XL_CBTT_HT": 1})
    v.update(qd366_fields(v))
    return v, members


# `kiemdiem sample NAME`: what each name writes and on which form. A name belongs to one form;
# asking for it on another is refused rather than silently writing something else.
SAMPLES = {
    "bao-lam-2019": ("bao_cao_nam", lambda: bao_lam_2019()),
    "bao-lam-2019-da-sua": ("bao_cao_nam", lambda: bao_lam_2019(corrected=True)),
    "bao-lam-so-ket": ("so_ket_quy_dinh", lambda: bao_lam_so_ket()),
    "mau-trong": (None, dict),      # the blank template of either form
}


def sample_bytes(name: str, form: str | None = None) -> bytes:
    """The .xlsx of sample `name`; ValueError (Vietnamese) when `form` is not the sample's."""
    own, values = SAMPLES[name]
    if own and form and form != own:
        title = get_form_set(own).title
        raise ValueError(f"Tệp mẫu «{name}» là biểu «{title}»; không thể ghi nó thành biểu "
                         f"«{get_form_set(form).title}». Bỏ chọn biểu, hoặc chọn mẫu khác.")
    return fill_template(values(), form=own or form or "bao_cao_nam")
