"""Filled workbooks for the server tests, made from the real template (core `fill_template`)."""
from __future__ import annotations

from workbook_templates.sample import fill_template, qd366_fields, unit_info


def values(code: str, name: str, year: int = 2024, type_: str = "DB_CS", *, members: int = 100,
           xs: int = 12, tot: int = 70, ht: int = 16, kht: int = 2, xep_loai: str = "TOT",
           **extra) -> dict:
    """A valid annual report: `members` đảng viên, of whom xs + tot + ht + kht are rated."""
    other = members - (xs + tot + ht + kht)
    v = unit_info(name, code, "Huyện ủy thử", type_, year)
    v.update({"KD_PHAI_DV": members,
              "KD_DA_DV": members - other, "KD_MIEN_DV": other,
              "XL_DV_TONG": members, "XL_DV_MIEN": other, "XL_DV_XS": xs, "XL_DV_TOT": tot,
              "XL_DV_HT": ht, "XL_DV_KHT": kht, "XL_DV_KYLUAT": 0,
              "XL_CBTT_TONG": 6, "XL_CBTT_XS": 1, "XL_CBTT_TOT": 5, "XL_CBTT_HT": 0,
              "XL_CBTT_KHT": 0, "KD_PHAI_TT": 7, "KD_DA_TT": 7,
              "TT_XepLoai": xep_loai, "TT_XepLoaiCapUy": "TOT", "TT_XepLoaiNguoiDungDau": "TOT"})
    v.update(extra)
    v.update(qd366_fields(v))
    return v


def workbook(code: str, name: str, year: int = 2024, **kw) -> bytes:
    return fill_template(values(code, name, year, **kw))


def broken(code: str, name: str, year: int = 2024) -> bytes:
    """The Bảo Lâm 2019 defect: a total that is 20 more than the levels add up to."""
    v = values(code, name, year)
    v["XL_DV_TONG"] += 20
    return fill_template(v)
