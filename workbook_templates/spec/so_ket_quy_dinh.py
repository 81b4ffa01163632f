"""Form set `so_ket_quy_dinh`: multi-year review of a regulation, as in seed 004 (SPEC §3.2).

Defined-name scheme (SK_ in SPEC): one prefix per form, SK<n>_, then the row key, then the column.
- Biểu số 1 (văn bản): SK1_<QD|HD|CD>_<SO|NGAY>_Y<k>, k = 1 for the first year of the review.
- Biểu số 2 (tiêu chí): SK2_<TCD|TTLD|DV>_<A|B|C|D|DD>_<PH|CPH|DN>.
- Biểu số 3 (tiêu chuẩn): SK3_<TCD|TTLD|DV>_<XS|TOT|HT|KHT>_<PH|CPH|DN>.
- Biểu số 4 (nội dung): SK4_<KD|DG>_<group>_<item>_<PH|CPH|DN>.
- Biểu số 5 (kết quả): SK5_<TCCSD|CUCS|TTLD|CANHAN>_<XS|TOT|HT|KHT|TONG>_Y<k>, and the yearly
  review counts SK5_KD_<TT|CN|GOIY_TT|GOIY_CN>_Y<k> (seed 004 §2.1).
PH = Phù hợp, CPH = Chưa phù hợp, DN = Đề nghị sửa đổi, bổ sung.
"""
from __future__ import annotations

from . import layout
from .bao_cao_nam import INFO_FIELDS as INFO_BAO_CAO_NAM
from .bao_cao_nam import giai_trinh_sheet
from .domain import LEVELS
from .model import TEXT, YEAR, Ceiling, FormSet, Percent, RowDef

ID = "so_ket_quy_dinh"
VERSION = "1.1"     # 1.1: ten year columns, "Biểu số 5", the yearly review counts
N_YEARS = 10
RESULTS_SHEET = "Biểu số 5"

_SHARED = {f[0]: f for f in INFO_BAO_CAO_NAM}
INFO_FIELDS = [_SHARED[n] for n in ("TT_DonVi", "TT_MaDonVi", "TT_CapTren", "TT_LoaiDonVi")] + [
    ("TT_QuyDinh", "Quy định được sơ kết, tổng kết", TEXT, None, False,
     "Ví dụ: Quy định 132-QĐ/TW và Hướng dẫn 21-HD/BTCTW"),
    ("TT_TuNam", "Từ năm", YEAR, None, True, "Năm đầu của giai đoạn, ví dụ: 2018"),
    ("TT_DenNam", "Đến năm", YEAR, None, True, "Năm cuối của giai đoạn (tối đa 10 năm)"),
    ("TT_Nam", "Năm lập báo cáo", YEAR, None, True, "Ví dụ: 2023"),
] + [_SHARED[n] for n in ("TT_NgayLap", "TT_DiaDanh", "TT_NguoiLap", "TT_DienThoai")]

DOC_ROWS = (
    ("QD", "Văn bản cụ thể hóa Quy định; các Quy định của cấp ủy cấp trên"),
    ("HD", "Văn bản cụ thể hóa Hướng dẫn và các Hướng dẫn của ban tổ chức cấp trên"),
    ("CD", "Văn bản lãnh đạo, chỉ đạo công tác kiểm điểm, đánh giá, xếp loại hằng năm (*)"),
)


def _items(group_key, stt, label, items, italic=False):
    rows = [RowDef(group_key, label, stt=stt, section=True)]
    rows += [RowDef(f"{group_key}_{k}", lab, indent=1, italic=italic) for k, lab in items]
    return rows


CRITERIA = (
    _items("TCD", "1", "Tổ chức đảng",
           [("A", "Tiêu chí (a)"), ("B", "Tiêu chí (b)"), ("C", "Tiêu chí (c)")])
    + _items("TTLD", "2", "Tập thể lãnh đạo, quản lý",
             [("A", "Tiêu chí (a)"), ("B", "Tiêu chí (b)"), ("C", "Tiêu chí (c)")])
    + _items("DV", "3", "Đảng viên",
             [("A", "Tiêu chí (a)"), ("B", "Tiêu chí (b)"), ("C", "Tiêu chí (c)"),
              ("D", "Tiêu chí (d)"), ("DD", "Tiêu chí (đ)")]))

_LEVEL_ITEMS = [(c.code, c.label) for c in LEVELS]
STANDARDS = (_items("TCD", "1", "Tổ chức đảng", _LEVEL_ITEMS, italic=True)
             + _items("TTLD", "2", "Tập thể lãnh đạo, quản lý", _LEVEL_ITEMS, italic=True)
             + _items("DV", "3", "Đảng viên", _LEVEL_ITEMS, italic=True))

_KD_ITEMS = [("DOITUONG", "Đối tượng kiểm điểm"), ("NOIDUNG", "Nội dung kiểm điểm"),
             ("CACHTHUC", "Cách thức kiểm điểm (Chuẩn bị kiểm điểm, nơi kiểm điểm và tổ chức "
                          "kiểm điểm)"),
             ("TRACHNHIEM", "Trách nhiệm, thẩm quyền")]
# Seed 004 lists "Trách nhiệm, thẩm quyền" twice in section II; kept as published.
_DG_ITEMS = [("CHUTHE", "Chủ thể tham gia đánh giá, xếp loại chất lượng"),
             ("DOITUONG", "Đối tượng"), ("TRACHNHIEM", "Trách nhiệm, thẩm quyền"),
             ("CACHTHUC", "Cách thức thực hiện"), ("TRACHNHIEM2", "Trách nhiệm, thẩm quyền")]
CONTENTS = (
    [RowDef("KD", "Về kiểm điểm tự phê bình và phê bình", stt="I", section=True)]
    + _items("KD_TTLD", "1", "Tập thể lãnh đạo, quản lý", _KD_ITEMS)
    + _items("KD_DV", "2", "Đảng viên", _KD_ITEMS)
    + _items("KD_CBLD", "3", "Cán bộ lãnh đạo, quản lý", _KD_ITEMS)
    + [RowDef("DG", "Về đánh giá, xếp loại chất lượng tập thể, cá nhân", stt="II", section=True)]
    + _items("DG_TCD", "1", "Tổ chức đảng", _DG_ITEMS)
    + _items("DG_DV", "2", "Đảng viên", _DG_ITEMS)
    + _items("DG_TTLD", "3", "Tập thể lãnh đạo, quản lý", _DG_ITEMS))

RESULT_TABLES = (
    ("TCCSD", "Kết quả xếp loại tổ chức cơ sở đảng"),
    ("CUCS", "Kết quả xếp loại cấp ủy cơ sở"),
    ("TTLD", "Kết quả xếp loại tập thể lãnh đạo, quản lý cấp trên cơ sở"),
    ("CANHAN", "Kết quả xếp loại cá nhân (đảng viên, cán bộ lãnh đạo, quản lý)"),
)
RESULT_ROWS = tuple(RowDef(c.code, c.label, stt=str(i + 1)) for i, c in enumerate(LEVELS)) + (
    RowDef("TONG", "Tổng số"),
    RowDef("RXS_TOT", "Tỷ lệ XS/Tốt (%)"),
    RowDef("TRAN", "Số XS tối đa theo tỷ lệ"),
)
# Seed 004 §2.1 reports, each year, how many collectives and members held their review and how
# many of them the superior "gợi ý kiểm điểm" (asked to review particular issues).
REVIEW_TABLE = ("KD", "Kết quả kiểm điểm hằng năm (số tập thể, cá nhân)")
REVIEW_ROWS = (
    RowDef("TT", "Tập thể đã kiểm điểm", stt="1"),
    RowDef("CN", "Cá nhân (đảng viên) đã kiểm điểm", stt="2"),
    RowDef("GOIY_TT", "Trong đó: tập thể được gợi ý kiểm điểm", stt="3", indent=1),
    RowDef("GOIY_CN", "Trong đó: cá nhân được gợi ý kiểm điểm", stt="4", indent=1),
)


def _result_derived():
    return {
        "RXS_TOT": lambda t, y: Percent((f"SK5_{t}_XS_{y}",), (f"SK5_{t}_TOT_{y}",)),
        "TRAN": lambda t, y: Ceiling(f"SK5_{t}_XS_{y}", f"SK5_{t}_TOT_{y}"),
    }


def build_spec() -> FormSet:
    info = layout.info_sheet("Thông tin", "THÔNG TIN ĐƠN VỊ BÁO CÁO", INFO_FIELDS,
                             subtitle="(Sơ kết, tổng kết thực hiện quy định về kiểm điểm, "
                                      "đánh giá, xếp loại chất lượng)")
    b1 = layout.years_sheet(
        "Biểu số 1", "THỐNG KÊ VĂN BẢN THỰC HIỆN QUY ĐỊNH, HƯỚNG DẪN VỀ KIỂM ĐIỂM, ĐÁNH GIÁ, "
        "XẾP LOẠI CHẤT LƯỢNG HẰNG NĂM", "SK1", DOC_ROWS, N_YEARS, form_no="Biểu số 1",
        notes=("Số, ký hiệu ghi theo mẫu 70-KH/HU; nhiều văn bản trong một ô thì cách nhau bằng "
               "dấu chấm phẩy, ngày ban hành ghi theo cùng thứ tự (10/11/2022; 29/11/2022).",
               "(*) Công văn, thông báo, kế hoạch lãnh đạo, chỉ đạo trong năm."))
    b2 = layout.checklist_sheet("Biểu số 2", "BIỂU VỀ KHUNG TIÊU CHÍ ĐÁNH GIÁ ĐỐI VỚI TẬP THỂ, "
                                "CÁ NHÂN", "SK2", CRITERIA, form_no="Biểu số 2")
    b3 = layout.checklist_sheet("Biểu số 3", "BIỂU VỀ KHUNG TIÊU CHUẨN CÁC MỨC CHẤT LƯỢNG ĐỐI "
                                "VỚI TẬP THỂ, CÁ NHÂN", "SK3", STANDARDS, form_no="Biểu số 3")
    b4 = layout.checklist_sheet("Biểu số 4", "BIỂU CÁC NỘI DUNG VỀ KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI "
                                "CHẤT LƯỢNG TẬP THỂ, CÁ NHÂN", "SK4", CONTENTS,
                                form_no="Biểu số 4")
    b5 = layout.stacked_year_grids(
        RESULTS_SHEET, "KẾT QUẢ KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG QUA CÁC NĂM", "SK5",
        RESULT_TABLES, RESULT_ROWS, N_YEARS, _result_derived(), form_no="Biểu số 5",
        extra_tables=((REVIEW_TABLE[0], REVIEW_TABLE[1], REVIEW_ROWS),),
        subtitle="(Tổng số ghi theo số liệu đã báo cáo hằng năm; phải bằng tổng các mức xếp "
                 "loại)")
    return FormSet(ID, "Sơ kết, tổng kết thực hiện quy định về kiểm điểm, đánh giá, xếp loại",
                   VERSION, [info, b1, b2, b3, b4, b5, giai_trinh_sheet()],
                   rating_year_name="TT_DenNam", rates_units=False, has_opinions=True,
                   period_names=("TT_TuNam", "TT_DenNam"))
