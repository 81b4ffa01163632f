"""QĐ 366 rules (SPEC §7.2) fail and pass on purpose-made .xlsx files: a 2026 đảng ủy xã that
proposes itself XS with everything in order, then one thing wrong at a time."""
from __future__ import annotations

import datetime as dt

import pytest

from workbook_templates.read import read_workbook
from workbook_templates.sample import fill_template, unit_info
from workbook_templates.spec import get_form_set
from workbook_templates.validate import validate

BCN = get_form_set("bao_cao_nam")
TODAY = dt.date(2026, 12, 20)
XS, TOT, HT, KHT = ("Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ",
                    "Hoàn thành nhiệm vụ", "Không hoàn thành nhiệm vụ")


def dang_uy_xa(year=2026, **changes) -> dict:
    """Đảng ủy xã Lộc Bảo, rating year 2026, proposing XS: two ordinary members reprimanded
    (rated KHT), no chi bộ and no committee member disciplined, scores and tasks in order."""
    v = unit_info("Đảng ủy xã Lộc Bảo", "LB", "Tỉnh ủy Lâm Đồng", "DB_CS", year,
                  TT_XepLoai=XS, TT_XepLoaiCapUy=XS, TT_XepLoaiNguoiDungDau=XS,
                  TT_NgoaiLe25="Không", TT_Diem=93, TT_DiemCapUy=92, TT_DiemNguoiDungDau=91,
                  TT_NV_Giao=20, TT_NV_HoanThanh=20, TT_NV_VuotMuc=7, TT_NV_ChamTienDo=0)
    v.update({
        "KD_PHAI_TT": 13, "KD_DA_TT": 13, "KD_GOIY_TT": 1,
        "KD_PHAI_DV": 120, "KD_DA_DV": 112, "KD_MOIKN_DV": 3, "KD_MIEN_DV": 5, "KD_GOIY_DV": 0,
        "XL_CBTT_TONG": 12, "XL_CBTT_XS": 1, "XL_CBTT_TOT": 10, "XL_CBTT_HT": 1,
        "XL_CBTT_KHT": 0, "XL_CBTT_KYLUAT": 0,
        "XL_DV_TONG": 120, "XL_DV_MOI": 3, "XL_DV_MIEN": 5, "XL_DV_XS": 15, "XL_DV_TOT": 80,
        "XL_DV_HT": 15, "XL_DV_KHT": 2, "XL_DV_KYLUAT": 2,
        # QĐ 366 categories: 20 + 70 + 30 = 120, column by column
        "XL_DV_LD_TONG": 20, "XL_DV_LD_XS": 3, "XL_DV_LD_TOT": 15, "XL_DV_LD_HT": 2,
        "XL_DV_LD_KHT": 0,
        "XL_DV_KLD_TONG": 70, "XL_DV_KLD_MOI": 3, "XL_DV_KLD_MIEN": 5, "XL_DV_KLD_XS": 8,
        "XL_DV_KLD_TOT": 45, "XL_DV_KLD_HT": 8, "XL_DV_KLD_KHT": 1,
        "XL_DV_NGOAI_TONG": 30, "XL_DV_NGOAI_XS": 4, "XL_DV_NGOAI_TOT": 20,
        "XL_DV_NGOAI_HT": 5, "XL_DV_NGOAI_KHT": 1,
        "XL_CUV_TONG": 9, "XL_CUV_XS": 1, "XL_CUV_TOT": 8, "XL_CUV_HT": 0, "XL_CUV_KHT": 0,
        "XL_CUV_KYLUAT": 0,
        "KP_NoiDung_1": "Sinh hoạt chi bộ có nơi còn hình thức", "KP_NamChiRa_1": year - 1,
        "KP_NguyenNhan_1": "Cấp ủy chưa sâu sát", "KP_GiaiPhap_1": "Đổi mới nội dung sinh hoạt",
        "KP_ThoiHan_1": dt.datetime(year, 6, 30), "KP_TrachNhiem_1": "Ban Thường vụ Đảng ủy",
        "KP_KetQua_1": "Đã khắc phục",
    })
    v.update(changes)
    return v


def check(values, **kw):
    return validate(read_workbook(fill_template(values)), today=TODAY, **kw)


def at(report, rule):
    return [f for f in report.findings if f.rule == rule]


def test_xa_proposing_xs_with_two_ordinary_members_reprimanded_validates():
    r = check(dang_uy_xa())
    assert r.rule_pack == "QD366"
    assert r.findings == [], [f.text() for f in r.findings]


CUV_DISCIPLINED = {"XL_CUV_KYLUAT": 1, "XL_CUV_KHT": 1, "XL_CUV_TOT": 7}
NGOAI_LE = {"TT_NgoaiLe25": "Có", "TT_QD25_So": "125-QĐ/TU",
            "TT_QD25_Ngay": dt.datetime(2026, 12, 1),
            "TT_QD25_CoQuan": "Ban Thường vụ Tỉnh ủy Lâm Đồng"}

CASES = [
    # (rule, changes, cell name of the finding, severity, words the message must contain)
    ("R-XS-KYLUAT", CUV_DISCIPLINED, "TT_XepLoai", "error",
     ["1 thành viên cấp ủy", f"Biểu 3, cột ({BCN.cells['XL_CUV_KYLUAT'].col})"]),
    ("R-XS-KYLUAT", {"XL_CBTT_KYLUAT": 1, "XL_CBTT_KHT": 1, "XL_CBTT_HT": 0}, "TT_XepLoai",
     "error", ["1 chi bộ trực thuộc bị kỷ luật", "Biểu 2"]),
    ("R-CUV-KYLUAT", dict(CUV_DISCIPLINED, TT_XepLoai=TOT, TT_XepLoaiCapUy=TOT,
                          TT_XepLoaiNguoiDungDau=TOT), "TT_XepLoaiCapUy", "warning",
     ["1 thành viên bị kỷ luật", "Hoàn thành tốt nhiệm vụ"]),
    ("R-NGOAILE25", {"TT_NgoaiLe25": "Có"}, "TT_QD25_So", "error",
     ["Số quyết định", "Ngày của quyết định", "Cơ quan ban hành"]),
    ("R-NGOAILE25", dict(NGOAI_LE, TT_QD25_Ngay=dt.datetime(2026, 12, 18)), "TT_QD25_Ngay",
     "error", ["18/12/2026", "sau ngày lập biểu 15/12/2026"]),
    ("R-NGOAILE25", dict(NGOAI_LE, TT_QD25_Ngay=dt.datetime(2025, 3, 1)), "TT_QD25_Ngay",
     "error", ["01/03/2025", "trước năm đánh giá 2026"]),
    ("R-DOCNO", dict(NGOAI_LE, TT_QD25_So="12QĐ/TU"), "TT_QD25_So", "error", ["12QĐ/TU"]),
    ("R-DIEM", {"TT_Diem": 85}, "TT_XepLoai", "error", ["85", "dưới mức 90"]),
    ("R-DIEM", {"TT_Diem": 105}, "TT_Diem", "error", ["105", "tối đa 100"]),
    ("R-DIEM", {"TT_Diem": -3}, "TT_Diem", "error", ["-3", "có lẽ là 3"]),
    ("R-DIEM", {"TT_Diem": "chín mươi"}, "TT_Diem", "error", ["chín mươi", "có lẽ là 90"]),
    ("R-DIEM", {"TT_Diem": "89,5"}, "TT_Diem", "error", ["89,5", "có lẽ là 89,5"]),
    ("R-DIEM", {"TT_Diem": "89,5"}, "TT_XepLoai", "error", ["89,5", "dưới mức 90"]),
    ("R-DIEM", {"TT_Diem": None}, "TT_Diem", "error", ["chưa ghi điểm"]),
    ("R-DIEM", {"TT_DiemNguoiDungDau": 75}, "TT_XepLoaiNguoiDungDau", "error",
     ["Người đứng đầu", "75", "Hoàn thành tốt nhiệm vụ"]),
    ("R-DIEM", {"TT_XepLoaiCapUy": TOT, "TT_DiemCapUy": 65}, "TT_XepLoaiCapUy", "error",
     ["Cấp ủy", "65", "dưới mức 70"]),
    ("R-NHIEMVU", {"TT_NV_HoanThanh": 19, "TT_NV_VuotMuc": 6}, "TT_XepLoai", "error",
     ["19/20", "Không hoàn thành nhiệm vụ"]),
    ("R-NHIEMVU", {"TT_NV_VuotMuc": 5}, "TT_XepLoai", "error", ["5/20", "25,00 %", "30 %"]),
    ("R-NHIEMVU", {"TT_NV_ChamTienDo": 1}, "TT_XepLoai", "error",
     ["1/20", "chậm tiến độ", "«Hoàn thành nhiệm vụ»"]),
    ("R-NHIEMVU", {"TT_NV_HoanThanh": 21}, "TT_NV_HoanThanh", "error", ["21", "20"]),
    ("R-NHIEMVU", {"TT_NV_Giao": None}, "TT_NV_Giao", "error", ["Số nhiệm vụ được giao"]),
    ("R-XS-KP", {"KP_KetQua_1": "Đang khắc phục"}, "TT_XepLoai", "error",
     ["1 hạn chế", "dòng 1"]),
    ("R-HEAD", {"TT_XepLoaiCapUy": TOT, "TT_DiemCapUy": 80}, "TT_XepLoaiNguoiDungDau",
     "warning", ["cao hơn mức của cấp ủy"]),
    ("R-KD-XL", {"KD_MIEN_DV": 4, "KD_KHAC_DV": 1}, "KD_MIEN_DV", "error", ["4", "5"]),
    ("R-PART", {"XL_DV_KLD_TOT": 44, "XL_DV_KLD_HT": 9}, "XL_DV_TOT", "error",
     ["80", "không giữ chức vụ lãnh đạo, quản lý 44", "= 79"]),
    ("R-PART", {"XL_CUV_TONG": 130, "XL_CUV_TOT": 129}, "XL_DV_TONG", "error", ["130", "120"]),
    ("R-QUOTA", {"XL_DV_LD_XS": 5, "XL_DV_LD_TOT": 13, "XL_DV_KLD_XS": 6, "XL_DV_KLD_TOT": 47},
     "XL_DV_LD_XS", "warning", ["tối đa 2", "nhóm"]),
]


@pytest.mark.parametrize("rule,changes,name,severity,words", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_qd366_rule_fires_on_the_right_cell(rule, changes, name, severity, words):
    r = check(dang_uy_xa(**changes))
    hits = [f for f in at(r, rule) if f.name == name]
    assert hits, f"{rule} not reported on {name}: {[f.text() for f in r.findings]}"
    f = hits[0]
    assert f.severity == severity and f.ref == BCN.cells[name].ref
    text = f.message + " " + f.hint
    for w in words:
        assert w in text, (w, text)
    assert f.hint and f.regulation and "SPEC" not in f.regulation
    if rule not in ("R-PART", "R-DOCNO"):
        assert "366-QĐ/TW" in f.regulation or "43-HD/BTCTW" in f.regulation, f.regulation
    assert "R-" not in f.message + f.hint      # no internal code in what the user reads


def test_a_decided_exception_passes_and_allows_25_percent():
    over = dict(XL_DV_XS=19, XL_DV_TOT=76,                                   # 19/76 = 25 %
                XL_DV_LD_XS=4, XL_DV_LD_TOT=16, XL_DV_LD_HT=0,
                XL_DV_KLD_XS=10, XL_DV_KLD_TOT=40, XL_DV_KLD_HT=11,
                XL_DV_NGOAI_XS=5, XL_DV_NGOAI_TOT=20, XL_DV_NGOAI_HT=4)
    assert at(check(dang_uy_xa(**over)), "R-QUOTA")
    r = check(dang_uy_xa(**over, **NGOAI_LE))
    assert r.findings == [], [f.text() for f in r.findings]


def test_lower_rating_than_the_score_band_is_allowed():
    r = check(dang_uy_xa(TT_XepLoai=TOT, TT_Diem=95, TT_NV_VuotMuc=0))
    assert not at(r, "R-DIEM") and not at(r, "R-NHIEMVU")


def test_a_shortcoming_of_this_year_does_not_block_xs():
    r = check(dang_uy_xa(KP_NamChiRa_1=2026, KP_KetQua_1="Đang khắc phục",
                         KP_ThoiHan_1=dt.datetime(2027, 6, 30)))
    assert not at(r, "R-XS-KP"), [f.text() for f in r.findings]


def test_qd366_rules_do_not_apply_to_earlier_years():
    v = dang_uy_xa(2021, **CUV_DISCIPLINED, TT_Diem=50, TT_NV_HoanThanh=10,
                   TT_NgoaiLe25="Có", KP_KetQua_1="Đang khắc phục")
    r = check(v)
    assert r.rule_pack == "HD21"
    assert not {f.rule for f in r.findings} & {"R-XS-KYLUAT", "R-DIEM", "R-NHIEMVU", "R-XS-KP",
                                                "R-NGOAILE25", "R-CUV-KYLUAT"}
    assert check(v, rules="QD124").rule_pack == "QD124"
    # the head against the committee is QĐ 366's
    head = dang_uy_xa(2021, TT_XepLoaiCapUy=TOT, TT_XepLoai=XS)
    assert not at(check(head), "R-HEAD") and at(check(dict(head, TT_Nam=2026)), "R-HEAD")
    assert not at(check(v, rules="QD124"), "R-XS-KYLUAT")


def test_2018_follows_hd16_where_suspension_is_not_a_reason_not_to_rate():
    from tests.test_rules import dang_bo_co_so
    changes = dict(XL_DV_MIEN=3, XL_DV_DINHCHI=2, KD_MIEN_DV=3, KD_DINHCHI_DV=2,
                   KP_ThoiHan_1=dt.datetime(2018, 6, 30))
    r = check(dang_bo_co_so(2018, **changes))
    assert r.rule_pack == "HD16" and "Hướng dẫn 16-HD/BTCTW" in r.findings[0].regulation
    f = [f for f in at(r, "R-LYDO") if f.name == "XL_DV_DINHCHI"]
    assert f and f[0].severity == "error" and "đình chỉ" in f[0].message
    r19 = check(dang_bo_co_so(2019, **dict(changes, KP_ThoiHan_1=dt.datetime(2019, 6, 30))))
    assert r19.rule_pack == "HD21" and not at(r19, "R-LYDO"), [f.text() for f in r19.findings]


def test_template_highlights_qd366_rules_live():
    """The built template turns the cell red while the user types (conditional formatting on
    the defined names), the same relations the validator checks."""
    import io

    from openpyxl import load_workbook

    from workbook_templates.build import build_bytes
    wb = load_workbook(io.BytesIO(build_bytes(BCN)))
    def formulas(sheet, a1):
        return [r.formula[0] for cf in wb[sheet].conditional_formatting
                for r in cf.rules if a1 in str(cf.sqref)]
    info = BCN.cells["TT_XepLoai"]
    assert any("TT_Diem<90" in f for f in formulas(info.sheet, info.a1))
    assert any("XL_CBTT_KYLUAT" in f and "Đảng bộ cơ sở" in f
               for f in formulas(info.sheet, info.a1))
    assert any("XL_CUV_KYLUAT" in f for f in formulas("Thông tin", BCN.cells["TT_XepLoai"].a1))
    dv = BCN.cells["XL_DV_TOT"]
    assert any("XL_DV_LD_TOT" in f and f.startswith("AND(COUNT(XL_DV_LD_TOT")
               for f in formulas(dv.sheet, dv.a1))
    nv = BCN.cells["TT_NV_HoanThanh"]
    assert any("TT_NV_HoanThanh>TT_NV_Giao" in f for f in formulas(nv.sheet, nv.a1))


def test_live_highlights_compute_like_the_validator_in_libreoffice(tmp_path, libreoffice):
    """Each QĐ 366 highlight condition, written into a spare cell of a filled workbook and
    recalculated by LibreOffice, is TRUE exactly where the validator reports the rule."""
    import io

    from openpyxl import load_workbook

    from workbook_templates.rules.checks import live_formulas
    cases = {
        "ok": dang_uy_xa(),
        "bad": dang_uy_xa(TT_Diem=85, XL_CBTT_KYLUAT=1, XL_CBTT_KHT=1, XL_CBTT_HT=0,
                          KP_KetQua_1="Đang khắc phục", TT_NV_HoanThanh=21,
                          TT_XepLoaiCapUy=TOT, TT_DiemCapUy=80, XL_CUV_KYLUAT=1,
                          XL_CUV_KHT=1, XL_CUV_TOT=7),
    }
    conds = live_formulas(BCN)
    srcs = []
    for name, values in cases.items():
        wb = load_workbook(io.BytesIO(fill_template(values)))
        ws = wb.create_sheet("_kiemtra")
        for i, (_rule, _cell, cond) in enumerate(conds, start=1):
            ws.cell(i, 1, "=" + cond)
        srcs.append(tmp_path / f"{name}.xlsx")
        wb.save(srcs[-1])
    outs = libreoffice.convert_many(srcs, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    for (name, values), out in zip(cases.items(), outs, strict=True):
        got = [c.value for c in load_workbook(out, data_only=True)["_kiemtra"]["A"]]
        report = check(values)
        assert any(got) is (name == "bad")
        for (rule, cell, _), v in zip(conds, got, strict=True):
            expected = any(f.rule == rule and f.name == cell for f in report.findings)
            assert v is expected, (name, rule, cell, v, [f.text() for f in report.findings])


def test_directly_subordinate_organisations_per_unit_type():
    """R-XS-KYLUAT looks at the Biểu 2 rows of the organisations directly under the unit: a chi
    bộ has none (only its chi ủy counts), a province looks at the TCCSĐ it rates itself."""
    from types import SimpleNamespace

    from workbook_templates.rules.checks import _direct_org_rows

    def rows(t):
        return set(_direct_org_rows(SimpleNamespace(unit_type=t, form=BCN)))
    assert rows("DB_CS") == {"CBTT", "DBBP"} and rows("DB_BP") == {"CBTT"}
    assert rows("DB_CTCS") == {"TCCSD"} and rows("CB_CS") == set() == rows("CB_TT")
    tinh = rows("DB_TINH")
    assert "DBCT" in tinh
    if "XL_TCCSD_TT_KYLUAT" in BCN.cells:      # the province's own xã rows (SPEC §7.1)
        assert "TCCSD_TT" in tinh and "TCCSD" not in tinh
