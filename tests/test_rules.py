"""Each rule of SPEC §4 fails and passes on purpose-made workbooks (real .xlsx files)."""
from __future__ import annotations

import datetime as dt

import pytest

from workbook_templates.read import read_workbook
from workbook_templates.sample import fill_template, unit_info
from workbook_templates.spec import get_form_set
from workbook_templates.validate import validate

BCN = get_form_set("bao_cao_nam")
SK = get_form_set("so_ket_quy_dinh")
TODAY = dt.date(2026, 11, 22)


def dang_bo_co_so(year=2024, **changes) -> dict:
    """A consistent Đảng bộ cơ sở workbook: no finding at all."""
    v = unit_info(year=year, TT_XepLoai="Hoàn thành tốt nhiệm vụ",
                  TT_XepLoaiCapUy="Hoàn thành tốt nhiệm vụ",
                  TT_XepLoaiNguoiDungDau="Hoàn thành tốt nhiệm vụ", TT_NgoaiLe25="Không")
    v.update({
        "KD_PHAI_TT": 13, "KD_DA_TT": 13, "KD_GOIY_TT": 1,
        "KD_PHAI_DV": 120, "KD_DA_DV": 112, "KD_MOIKN_DV": 3, "KD_MIEN_DV": 5, "KD_GOIY_DV": 0,
        "XL_CBTT_TONG": 12, "XL_CBTT_XS": 1, "XL_CBTT_TOT": 10, "XL_CBTT_HT": 1,
        "XL_CBTT_KHT": 0,
        "XL_DV_TONG": 120, "XL_DV_MOI": 3, "XL_DV_MIEN": 5, "XL_DV_XS": 15, "XL_DV_TOT": 80,
        "XL_DV_HT": 15, "XL_DV_KHT": 2, "XL_DV_KYLUAT": 1,
        "KP_NoiDung_1": "Sinh hoạt chi bộ có nơi còn hình thức", "KP_NamChiRa_1": year - 1,
        "KP_NguyenNhan_1": "Cấp ủy chưa sâu sát", "KP_GiaiPhap_1": "Đổi mới nội dung sinh hoạt",
        "KP_ThoiHan_1": dt.datetime(year, 6, 30), "KP_TrachNhiem_1": "Ban Thường vụ Đảng ủy",
        "KP_KetQua_1": "Đã khắc phục",
    })
    v.update(changes)
    return v


def check(values, form="bao_cao_nam", **kw):
    return validate(read_workbook(fill_template(values, form=form)), today=TODAY, **kw)


def at(report, rule):
    return [f for f in report.findings if f.rule == rule]


def test_consistent_workbook_has_no_finding():
    r = check(dang_bo_co_so())
    assert r.findings == [] and r.valid and r.rule_pack == "QD124"


CASES = [
    # (rule, changes, cell name of the finding, severity, words the message must contain)
    ("R-NUM", {"XL_DV_HT": "15 đv"}, "XL_DV_HT", "error", ["15 đv", "có lẽ là 15"]),
    ("R-NUM", {"XL_DV_TOT": "80.000", "XL_DV_TONG": 80040}, "XL_DV_TOT", "error",
     ["có lẽ là 80.000"]),
    ("R-NUM", {"XL_DV_XS": -1}, "XL_DV_XS", "error", ["âm"]),
    ("R-NUM", {"XL_CBTT_HT": 1.5}, "XL_CBTT_HT", "error", ["số lẻ"]),
    ("R-REQ", {"TT_DonVi": None}, "TT_DonVi", "error", ["Tên đơn vị"]),
    ("R-REQ", {"TT_Nam": 2099}, "TT_Nam", "error", ["2099", "tương lai"]),
    ("R-REQ", {"TT_NgayLap": "31/02/2024"}, "TT_NgayLap", "error", ["31/02/2024"]),
    ("R-REQ", {"TT_LoaiDonVi": "Huyện ủy"}, "TT_LoaiDonVi", "error", ["Huyện ủy"]),
    ("R-REQ", {k: None for k in ("XL_CBTT_TONG", "XL_CBTT_XS", "XL_CBTT_TOT", "XL_CBTT_HT",
                                 "XL_CBTT_KHT")}, "XL_CBTT_TONG", "error", ["Chi bộ trực thuộc"]),
    ("R-PHONE", {"TT_DienThoai": "12345"}, "TT_DienThoai", "warning", ["12345"]),
    ("R-FORMULA", {"XL_DV_DG": 999}, "XL_DV_DG", "error", ["999", "112"]),
    ("R-DG", {"XL_DV_DG": 999}, "XL_DV_DG", "error", ["999", "112"]),
    ("R-TONG", {"XL_DV_TONG": 121}, "XL_DV_TONG", "error", ["121", "120", "chênh +1"]),
    ("R-PART", {"XL_CBLD_CS_TONG": 130}, "XL_DV_TONG", "error", ["130", "120"]),
    ("R-PART", {"XL_TCCSD_TONG": 5, "XL_DBCS_TONG": 2, "XL_CBCS_TONG": 2}, "XL_TCCSD_TONG",
     "error", ["5", "= 4"]),
    ("R-KD", {"KD_PHAI_DV": 121}, "KD_PHAI_DV", "error", ["121", "120"]),
    ("R-KD", {"KD_GOIY_TT": 20}, "KD_GOIY_TT", "error", ["20", "13"]),
    ("R-KD-XL", {"KD_MIEN_DV": 4, "KD_KHAC_DV": 1}, "KD_MIEN_DV", "warning", ["4", "5"]),
    ("R-QUOTA", {"XL_DV_XS": 17, "XL_DV_HT": 13}, "XL_DV_XS", "error",
     ["17", "tối đa 16", "21,25 %"]),
    ("R-QUOTA", {"XL_TTLD_CS_TONG": 6, "XL_TTLD_CS_XS": 2, "XL_TTLD_CS_TOT": 4},
     "XL_TTLD_CS_XS", "warning", ["tối đa 0"]),
    ("R-HEAD", {"TT_XepLoaiNguoiDungDau": "XS"}, "TT_XepLoaiNguoiDungDau", "warning",
     ["cao hơn"]),
    ("R-KYLUAT", {"XL_DV_KYLUAT": 3}, "XL_DV_KYLUAT", "warning", ["3", "2"]),
    ("R-KP", {"KP_GiaiPhap_1": None}, "KP_GiaiPhap_1", "error", ["giải pháp"]),
    ("R-KP", {"KP_KetQua_1": "Đang khắc phục"}, "KP_KetQua_1", "warning",
     ["30/06/2024", "Đang khắc phục"]),
]


@pytest.mark.parametrize("rule,changes,name,severity,words", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fires_on_the_right_cell(rule, changes, name, severity, words):
    r = check(dang_bo_co_so(**changes))
    hits = [f for f in at(r, rule) if f.name == name]
    assert hits, f"{rule} not reported on {name}: {[f.text() for f in r.findings]}"
    f = hits[0]
    assert f.severity == severity
    assert f.ref == BCN.cells[name].ref
    for w in words:
        assert w in f.message, (w, f.message)
    assert f.hint and f.regulation
    assert r.valid == (not any(x.severity == "error" for x in r.findings))


def test_r_num_reports_the_probable_number_and_does_not_cascade():
    r = check(dang_bo_co_so(XL_DV_HT=" 15 "))
    assert [f.rule for f in r.findings] == ["R-NUM"]
    assert r.values["XL_DV_DG"] == 112


def test_typed_formula_text_is_text_not_a_formula():
    r = check(dang_bo_co_so(KP_GhiChu_1="=HYPERLINK(\"http://x\")"))
    assert r.valid


def test_quota_depends_on_pack_exception_and_base():
    over = dict(XL_DV_XS=20, XL_DV_HT=10)  # 20 XS for 80 TOT: 25 %
    assert at(check(dang_bo_co_so(2025, **over)), "R-QUOTA")[0].severity == "error"
    allowed = check(dang_bo_co_so(2025, TT_NgoaiLe25="Có", **over))
    assert not at(allowed, "R-QUOTA") and allowed.rule_pack == "QD366"
    # the 25 % exception does not exist before QD366
    assert at(check(dang_bo_co_so(2024, TT_NgoaiLe25="Có", **over)), "R-QUOTA")
    # XS 17 / TOT 80: over 20 % of TOT (16) but within 20 % of XS+TOT (19)
    mid = dang_bo_co_so(XL_DV_XS=17, XL_DV_HT=13)
    assert at(check(mid), "R-QUOTA")
    assert not at(check(mid, base="tot_tro_len"), "R-QUOTA")


def test_ceiling_is_a_count_floor():
    r = check(dang_bo_co_so(XL_CBTT_TONG=14, XL_CBTT_XS=2, XL_CBTT_TOT=12, XL_CBTT_HT=0))
    assert r.values["XL_CBTT_TRAN"] == 2 and not at(r, "R-QUOTA")   # 12 TOT allow 2 XS
    r = check(dang_bo_co_so(XL_CBTT_TONG=13, XL_CBTT_XS=2, XL_CBTT_TOT=11, XL_CBTT_HT=0))
    assert r.values["XL_CBTT_TRAN"] == 2 and not at(r, "R-QUOTA")
    r = check(dang_bo_co_so(XL_CBTT_TONG=11, XL_CBTT_XS=2, XL_CBTT_TOT=9, XL_CBTT_HT=0))
    assert r.values["XL_CBTT_TRAN"] == 1 and at(r, "R-QUOTA")


def test_prereq_only_under_hd21():
    v = dang_bo_co_so(2020, TT_XepLoai="XS", TT_XepLoaiNguoiDungDau="XS",
                      XL_CBTT_KHT=1, XL_CBTT_HT=0)
    r = check(v)
    f = at(r, "R-PREREQ")
    assert r.rule_pack == "HD21" and f and f.pop().severity == "error"
    v.update(TT_Nam=2024, TT_NgayLap=dt.datetime(2024, 12, 15))
    assert not at(check(v), "R-PREREQ")


def test_head_and_kyluat_severity_by_pack():
    v = dang_bo_co_so(2020, TT_XepLoaiNguoiDungDau="XS", XL_DV_KYLUAT=3,
                      KP_ThoiHan_1=dt.datetime(2020, 6, 30))
    r = check(v)
    assert at(r, "R-HEAD")[0].severity == "error" and at(r, "R-KYLUAT")[0].severity == "error"
    r = check(v, rules="QD366")
    assert at(r, "R-HEAD")[0].severity == "warning"


def test_xs_kyluat_under_qd366_is_not_about_ordinary_members():
    """QĐ 366 Điều 11 blocks XS for a disciplined subordinate organisation or committee member,
    not for an ordinary member (tests/test_rules_qd366.py has the cases that fire)."""
    v = dang_bo_co_so(2025, TT_XepLoai="XS", TT_XepLoaiNguoiDungDau="XS",
                      KP_ThoiHan_1=dt.datetime(2025, 6, 30))
    assert not at(check(v), "R-XS-KYLUAT")
    f = at(check(dict(v, XL_CBTT_KYLUAT=1, XL_CBTT_KHT=1, XL_CBTT_HT=0)), "R-XS-KYLUAT")
    assert f and f[0].name == "TT_XepLoai" and "1 chi bộ trực thuộc bị kỷ luật" in f[0].message


def test_explained_warning():
    v = dang_bo_co_so(KD_MIEN_DV=4, KD_KHAC_DV=1)
    ref = BCN.cells["KD_MIEN_DV"].ref
    why = "Một đồng chí được miễn sau kỳ kiểm điểm"
    r = check(dict(v, GT_Bieu_1=ref, GT_NoiDung_1=why))        # a cell address still works
    f = at(r, "R-KD-XL")[0]
    assert f.explained and f.severity == "warning" and not at(r, "R-GT")
    assert f.printed_ref == "Biểu 1, dòng 3.3, cột (4)"
    assert not at(check(v), "R-KD-XL")[0].explained
    # as the paper numbers it: biểu, STT of the row, column number
    r = check(dict(v, GT_Bieu_1="Biểu 1", GT_Dong_1="3.3", GT_Cot_1="(4)", GT_NoiDung_1=why))
    assert at(r, "R-KD-XL")[0].explained and not at(r, "R-GT")
    # an explanation of a cell with no warning, or of no cell at all, is itself reported
    r = check(dict(v, GT_Bieu_1="Biểu 3", GT_Dong_1="1", GT_Cot_1="(3)", GT_NoiDung_1=why))
    g = at(r, "R-GT")
    assert g and "Biểu 3, dòng 1, cột (3)" in g[0].message and not at(r, "R-KD-XL")[0].explained
    r = check(dict(v, GT_Bieu_1="Biểu 9", GT_Dong_1="1", GT_NoiDung_1=why))
    assert "«Biểu 9, 1»" in at(r, "R-GT")[0].message


# --- so_ket_quy_dinh ----------------------------------------------------------------------------

def so_ket(**changes) -> dict:
    from workbook_templates.spec.so_ket_quy_dinh import CONTENTS, CRITERIA, STANDARDS
    v = {"TT_DonVi": "Đảng ủy xã Lộc Bảo", "TT_MaDonVi": "LB", "TT_CapTren": "Huyện ủy Bảo Lâm",
         "TT_LoaiDonVi": "Đảng bộ cơ sở", "TT_TuNam": 2018, "TT_DenNam": 2022, "TT_Nam": 2023,
         "TT_NgayLap": dt.datetime(2023, 2, 1), "TT_NguoiLap": "Lê Thị Bình",
         "TT_DienThoai": "0987.654.321",
         "SK1_QD_SO_Y1": "12-KH/ĐU", "SK1_QD_NGAY_Y1": "20/11/2018",
         "SK1_CD_SO_Y5": "40-CV/ĐU; 41-CV/ĐU", "SK1_CD_NGAY_Y5": "01/11/2022; 15/11/2022",
         "SK5_CANHAN_XS_Y1": 10, "SK5_CANHAN_TOT_Y1": 60, "SK5_CANHAN_HT_Y1": 5,
         "SK5_CANHAN_KHT_Y1": 0, "SK5_CANHAN_TONG_Y1": 75}
    for prefix, rows in (("SK2", CRITERIA), ("SK3", STANDARDS), ("SK4", CONTENTS)):
        for row in rows:
            if not row.section:
                v[f"{prefix}_{row.key}_PH"] = "x"
    v.update(changes)
    return v


def test_consistent_so_ket_has_no_finding():
    r = check(so_ket(), form="so_ket_quy_dinh")
    assert r.findings == [] and r.rule_pack == "HD21"


SK_CASES = [
    ("R-DOCNO", {"SK1_QD_SO_Y1": "12-KHĐU"}, "SK1_QD_SO_Y1", ["12-KHĐU", "dấu «/»"]),
    ("R-DOCNO", {"SK1_QD_SO_Y1": "KH/ĐU"}, "SK1_QD_SO_Y1", ["thiếu số"]),
    ("R-DOCNO", {"SK1_QD_NGAY_Y1": "20/11/2019"}, "SK1_QD_NGAY_Y1", ["2018"]),
    ("R-DOCNO", {"SK1_QD_NGAY_Y1": "31/11/2018"}, "SK1_QD_NGAY_Y1", ["31/11/2018"]),
    ("R-DOCNO", {"SK1_CD_NGAY_Y5": "01/11/2022"}, "SK1_CD_NGAY_Y5", ["2 số văn bản", "1 ngày"]),
    ("R-XMARK", {"SK2_TCD_A_PH": None}, "SK2_TCD_A_PH", ["chưa đánh dấu"]),
    ("R-XMARK", {"SK2_TCD_A_CPH": "x"}, "SK2_TCD_A_PH", ["cả hai"]),
    ("R-XMARK", {"SK3_DV_XS_PH": None, "SK3_DV_XS_CPH": "X"}, "SK3_DV_XS_DN", ["đề nghị"]),
    ("R-XMARK", {"SK4_KD_DV_NOIDUNG_PH": "v"}, "SK4_KD_DV_NOIDUNG_PH", ["«v»"]),
    ("R-TONG", {"SK5_CANHAN_TONG_Y1": 76}, "SK5_CANHAN_TONG_Y1", ["2018", "76", "75"]),
    ("R-REQ", {"TT_TuNam": 2012}, "TT_DenNam", ["2012–2022", "11 năm", "10 cột năm"]),
    ("R-REQ", {"TT_Nam": 2021}, "TT_Nam", ["2021", "2022"]),
]


@pytest.mark.parametrize("rule,changes,name,words", SK_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(SK_CASES)])
def test_so_ket_rule(rule, changes, name, words):
    r = check(so_ket(**changes), form="so_ket_quy_dinh")
    hits = [f for f in at(r, rule) if f.name == name]
    assert hits, [f.text() for f in r.findings]
    assert hits[0].ref == SK.cells[name].ref and hits[0].severity == "error"
    for w in words:
        assert w in hits[0].message, (w, hits[0].message)


def test_year_over_year_changes():
    from workbook_templates.rules.checks import year_over_year
    before = check(dang_bo_co_so(2023, KP_ThoiHan_1=dt.datetime(2023, 6, 30)))
    now = check(dang_bo_co_so(XL_DV_TONG=150, XL_DV_TOT=110, XL_TTLD_CS_TONG=3,
                              XL_TTLD_CS_TOT=3))
    found = {f.name: f for f in year_over_year(now, before)}
    assert set(found) == {"XL_DV_TONG", "XL_TTLD_CS_TONG"}
    assert "25,00 %" in found["XL_DV_TONG"].message and "120 → 150" in found["XL_DV_TONG"].message
    assert "xuất hiện" in found["XL_TTLD_CS_TONG"].message
    assert all(f.severity == "warning" for f in found.values())
    assert year_over_year(before, before) == []


def test_xs_headroom_counts_moves_from_tot():
    from workbook_templates.spec.model import xs_headroom
    assert xs_headroom(0, 12, 20, "tot") == 2        # 2 XS / 10 TOT is the last that fits
    assert xs_headroom(2, 10, 20, "tot") == 0
    assert xs_headroom(5, 10, 20, "tot") == 0        # already over
    assert xs_headroom(0, 12, 25, "tot") == 2        # 25 %: 3 XS / 9 TOT would need 2.25
    assert xs_headroom(0, 12, 20, "tot_tro_len") == 2


def test_bieu4_counts_per_result_as_excel_counts_them():
    """KP_SoDa/KP_SoDang/KP_SoChua count the list's results (a drop-down cell is read as its code,
    the template's COUNTIF sees the label: both must give the same figure)."""
    r = check(dang_bo_co_so(
        KP_NoiDung_2="Chậm nộp đảng phí", KP_NamChiRa_2=2023, KP_GiaiPhap_2="Nhắc hằng tháng",
        KP_ThoiHan_2=dt.datetime(2024, 12, 31), KP_KetQua_2="Đang khắc phục",
        KP_NoiDung_3="Hồ sơ chưa đủ", KP_NamChiRa_3=2023, KP_GiaiPhap_3="Bổ sung",
        KP_ThoiHan_3=dt.datetime(2024, 12, 31), KP_KetQua_3="DA"))
    assert (r.values["KP_Tong"], r.values["KP_SoDa"], r.values["KP_SoDang"],
            r.values["KP_SoChua"]) == (3, 2, 1, 0)
