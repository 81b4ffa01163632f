"""Filled workbooks for tests, demos and benchmarks: the real template with values written by name.

Written with openpyxl, so formula cells carry no cached value — exactly what a reader must cope
with. `bao_lam_2019()` is seed 004's 2019 individuals as a district would type them.
"""
from __future__ import annotations

import datetime as dt
import io
import json
from functools import lru_cache
from pathlib import Path

from openpyxl import load_workbook

from .spec import get_form_set

HERE = Path(__file__).parent


@lru_cache(maxsize=None)
def _template_bytes(form: str) -> bytes:
    path = HERE / f"{form}.xlsx"
    if not path.exists():
        from .build import build_bytes
        return build_bytes(get_form_set(form))
    return path.read_bytes()


def fill_template(values: dict, form: str = "bao_cao_nam") -> bytes:
    """The template of `form` with each defined name in `values` set; returns .xlsx bytes.

    A value of the form ("=formula",) in a 1-tuple is written as a formula; any other string is
    written as text, even one starting with "=" (a user's text is never turned into a formula).
    """
    spec = get_form_set(form)
    wb = load_workbook(io.BytesIO(_template_bytes(form)))
    for name, value in values.items():
        cell = spec.cells[name]
        target = wb[cell.sheet].cell(cell.row, cell.col)
        if isinstance(value, tuple):
            target.value = value[0]
        else:
            target.value = value
            if isinstance(value, str) and value.startswith("="):
                target.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


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
    for g, lv in zip(("DBCS", "CBCS"), split):
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
