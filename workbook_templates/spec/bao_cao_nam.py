"""Form set `bao_cao_nam`: the annual rating report (SPEC §3.1).

Defined names: TT_* (Thông tin), KD_<ROW>_<COL> (Biểu 1), XL_<GROUP>_<COL> (Biểu 2 and 3),
KP_<COL>_<n> (Biểu 4, row n; KP_<COL> is the whole column), GT_<COL>_<n> (Giải trình).
"""
from __future__ import annotations

from . import danh_sach, layout
from .domain import KP_RESULTS, LEVELS, SECTORS, UNIT_TYPES, YES_NO
from .hierarchy import ALL_TYPES
from .hierarchy import required_for as _req
from .model import (
    CHOICE,
    COUNT,
    DATE,
    PHONE,
    SCORE,
    TEXT,
    YEAR,
    Ceiling,
    ColDef,
    FormSet,
    Percent,
    RowDef,
    Sum,
)

ID = "bao_cao_nam"
VERSION = "1.1"

ALL = ALL_TYPES

INFO_FIELDS = [
    # name, label, kind, choices, required, hint
    ("TT_DonVi", "Tên đơn vị (tổ chức đảng)", TEXT, None, True, "Ví dụ: Đảng bộ xã Lộc Bảo"),
    ("TT_MaDonVi", "Mã đơn vị", TEXT, None, True, "Mã do cấp trên cấp, ví dụ: BL-LOCBAO"),
    ("TT_CapTren", "Đơn vị cấp trên", TEXT, None, True, "Ví dụ: Đảng bộ tỉnh Lâm Đồng"),
    ("TT_LoaiDonVi", "Loại đơn vị", CHOICE, UNIT_TYPES, True, "Chọn trong danh sách"),
    ("TT_LinhVuc", "Lĩnh vực (tổ chức cơ sở đảng)", CHOICE, SECTORS, False,
     "Chỉ tổ chức cơ sở đảng ghi; cấp trên cơ sở bỏ trống"),
    ("TT_Nam", "Năm đánh giá", YEAR, None, True, "Năm có 4 chữ số, ví dụ: 2025"),
    ("TT_NgayLap", "Ngày lập biểu", DATE, None, True, "Ngày/tháng/năm, ví dụ: 15/12/2025"),
    ("TT_DiaDanh", "Địa danh (ghi ở dòng ngày tháng)", TEXT, None, False, "Ví dụ: Bảo Lâm"),
    ("TT_NguoiLap", "Người lập biểu", TEXT, None, True, "Họ và tên"),
    ("TT_DienThoai", "Số điện thoại người lập biểu", PHONE, None, False,
     "10 chữ số, bắt đầu bằng 0"),
    ("TT_XepLoai", "Đơn vị tự xếp loại (đề nghị cấp trên quyết định)", CHOICE, LEVELS, False,
     "Chọn một trong bốn mức"),
    ("TT_XepLoaiCapUy", "Xếp loại cấp ủy của đơn vị (nếu có)", CHOICE, LEVELS, False,
     "Bỏ trống nếu đơn vị không có cấp ủy"),
    ("TT_XepLoaiNguoiDungDau", "Xếp loại người đứng đầu (bí thư)", CHOICE, LEVELS, False,
     "Không được cao hơn mức xếp loại của đơn vị"),
    ("TT_NgoaiLe25", "Được cấp có thẩm quyền cho áp dụng tỷ lệ xuất sắc 25 % (từ năm 2025)",
     CHOICE, YES_NO, False, "Có/Không; bỏ trống là Không"),
    # QĐ 366 (from 2025): the decision granting the 25 % exception (R-NGOAILE25)
    ("TT_QD25_So", "Số quyết định cho áp dụng tỷ lệ 25 %", TEXT, None, False,
     "Chỉ ghi khi chọn Có; ví dụ: 125-QĐ/TU"),
    ("TT_QD25_Ngay", "Ngày của quyết định cho áp dụng tỷ lệ 25 %", DATE, None, False,
     "Ngày/tháng/năm, trong năm đánh giá"),
    ("TT_QD25_CoQuan", "Cơ quan ban hành quyết định cho áp dụng tỷ lệ 25 %", TEXT, None, False,
     "Ví dụ: Ban Thường vụ Tỉnh ủy Lâm Đồng"),
    # QĐ 366 Điều 11: scores on the 100-point scale (R-DIEM) and the tasks of the year (R-NHIEMVU)
    ("TT_Diem", "Điểm tự đánh giá của đơn vị (thang 100 điểm, từ năm 2025)", SCORE, None, False,
     "Từ 0 đến 100, ví dụ 92 hoặc 89,5; xuất sắc từ 90, tốt từ 70, hoàn thành từ 50"),
    ("TT_DiemCapUy", "Điểm đánh giá cấp ủy của đơn vị (thang 100 điểm)", SCORE, None, False,
     "Ghi khi có xếp loại cấp ủy"),
    ("TT_DiemNguoiDungDau", "Điểm đánh giá người đứng đầu (thang 100 điểm)", SCORE, None, False,
     "Ghi khi có xếp loại người đứng đầu"),
    ("TT_NV_Giao", "Số nhiệm vụ được giao trong năm (từ năm 2025)", COUNT, None, False,
     "Số nguyên; theo chương trình công tác năm"),
    ("TT_NV_HoanThanh", "Số nhiệm vụ đã hoàn thành", COUNT, None, False,
     "Không quá số được giao"),
    ("TT_NV_VuotMuc", "Trong đó: số nhiệm vụ hoàn thành vượt yêu cầu", COUNT, None, False,
     "Không quá số đã hoàn thành"),
    ("TT_NV_ChamTienDo", "Số nhiệm vụ chậm tiến độ", COUNT, None, False,
     "Không quá số được giao"),
]

LEVEL_COLS = (
    ColDef("XS", "Hoàn thành xuất sắc nhiệm vụ", group="Kết quả xếp loại"),
    ColDef("TOT", "Hoàn thành tốt nhiệm vụ", group="Kết quả xếp loại"),
    ColDef("HT", "Hoàn thành nhiệm vụ", group="Kết quả xếp loại"),
    ColDef("KHT", "Không hoàn thành nhiệm vụ", group="Kết quả xếp loại"),
)
PCT = "0.00"
RATIO_COLS = (
    ColDef("PXS", "XS", group="Tỷ lệ so với số được đánh giá (%)", width=7.5, number_format=PCT),
    ColDef("PTOT", "Tốt", group="Tỷ lệ so với số được đánh giá (%)", width=7.5,
           number_format=PCT),
    ColDef("PHT", "HT", group="Tỷ lệ so với số được đánh giá (%)", width=7.5, number_format=PCT),
    ColDef("PKHT", "KHT", group="Tỷ lệ so với số được đánh giá (%)", width=7.5,
           number_format=PCT),
    ColDef("RXS_TOT", "XS/Tốt", group="Tỷ lệ xuất sắc (%)", width=8, number_format=PCT),
    ColDef("RXS_TTL", "XS/(XS+Tốt)", group="Tỷ lệ xuất sắc (%)", width=8, number_format=PCT),
    ColDef("TRAN", "Số XS tối đa", group="Tỷ lệ xuất sắc (%)", width=8),
)


def _derived(prefix):
    def n(rk, ck):
        return f"{prefix}_{rk}_{ck}"
    levels = ("XS", "TOT", "HT", "KHT")
    d = {"DG": lambda rk: Sum(tuple(n(rk, c) for c in levels))}
    for code in levels:
        d["P" + code] = (lambda rk, c=code: Percent((n(rk, c),), (n(rk, "DG"),)))
    d["RXS_TOT"] = lambda rk: Percent((n(rk, "XS"),), (n(rk, "TOT"),))
    d["RXS_TTL"] = lambda rk: Percent((n(rk, "XS"),), (n(rk, "XS"), n(rk, "TOT")))
    d["TRAN"] = lambda rk: Ceiling(n(rk, "XS"), n(rk, "TOT"))
    return d


# --- Biểu 1 -------------------------------------------------------------------------------------
KD_ROWS = (
    RowDef("PHAI", "Tổng số thuộc đối tượng kiểm điểm (kể cả số chưa kiểm điểm ở dòng 3: mới "
           "thành lập, mới kết nạp, miễn, đình chỉ sinh hoạt…)", stt="1", required_for=ALL),
    RowDef("DA", "Số đã kiểm điểm", stt="2", required_for=ALL),
    RowDef("CHUA", "Số chưa kiểm điểm (= tổng các lý do dưới đây)", stt="3"),
    RowDef("MOITL", "Trong đó: tập thể mới thành lập chưa đủ 6 tháng", stt="3.1", indent=1,
           na=frozenset({"DV"})),
    RowDef("MOIKN", "Trong đó: đảng viên mới kết nạp chưa đủ 6 tháng", stt="3.2", indent=1,
           na=frozenset({"TT"})),
    RowDef("MIEN", "Trong đó: miễn công tác và sinh hoạt đảng", stt="3.3", indent=1,
           na=frozenset({"TT"})),
    RowDef("DINHCHI", "Trong đó: đình chỉ sinh hoạt đảng", stt="3.4", indent=1,
           na=frozenset({"TT"})),
    RowDef("KHAC", "Trong đó: lý do khác", stt="3.5", indent=1),
    RowDef("GOIY", "Số được gợi ý kiểm điểm", stt="4"),
)
KD_COLS = (ColDef("TT", "Tập thể", width=16), ColDef("DV", "Đảng viên", width=16))
KD_REASONS = {"TT": ("MOITL", "KHAC"), "DV": ("MOIKN", "MIEN", "DINHCHI", "KHAC")}


def _kd_sheet():
    sh = layout.grid_sheet(
        "Biểu 1", "KẾT QUẢ KIỂM ĐIỂM TỰ PHÊ BÌNH VÀ PHÊ BÌNH", "KD", KD_ROWS, KD_COLS, {},
        subtitle="(Tập thể và đảng viên thuộc đối tượng kiểm điểm của đơn vị)", form_no="Biểu 1",
        notes=("Dòng 1 ghi tất cả tập thể, đảng viên thuộc đối tượng kiểm điểm, kể cả đảng viên "
               "được miễn công tác và sinh hoạt đảng (ghi thêm ở dòng 3.3); dòng 1 = dòng 2 + "
               "dòng 3.",
               "Dòng 3 tự tính bằng tổng các lý do 3.1–3.5. Cột (4) dòng 1 bằng Tổng số đảng viên "
               "ở Biểu 3; dòng 3.2–3.5 bằng các cột «Không đánh giá, xếp loại» của Biểu 3."))
    # CHUA is derived: the sum of its reasons, per column
    from .model import DERIVED, Cell
    cells = []
    for c in sh.cells:
        if c.row_key == "CHUA":
            c = Cell(c.name, c.sheet, c.row, c.col, DERIVED, c.row_label, c.col_label, c.row_key,
                     c.col_key, expr=Sum(tuple(f"KD_{r}_{c.col_key}"
                                              for r in KD_REASONS[c.col_key])))
        cells.append(c)
    sh.cells = cells
    return sh


# --- Biểu 2 -------------------------------------------------------------------------------------
ORG_ROWS = (
    RowDef("DBCT", "Đảng bộ cấp trên trực tiếp của cơ sở", stt="1", required_for=_req("DBCT")),
    RowDef("TCCSD", "Tổ chức cơ sở đảng", stt="2", required_for=_req("TCCSD")),
    RowDef("DBCS", "Trong đó: đảng bộ cơ sở", stt="2.1", indent=1, required_for=_req("DBCS")),
    RowDef("CBCS", "Trong đó: chi bộ cơ sở", stt="2.2", indent=1, required_for=_req("CBCS")),
    RowDef("TCCSD_TT", "Trong đó: tổ chức cơ sở đảng trực thuộc trực tiếp", stt="2.3", indent=1,
           required_for=_req("TCCSD_TT")),
) + tuple(
    RowDef(f"TCCSD_{s.code}", f"Theo lĩnh vực: {s.label[:1].lower() + s.label[1:]}",
           stt=f"2.{4 + i}", indent=1, required_for=_req(f"TCCSD_{s.code}"))
    for i, s in enumerate(SECTORS)
) + (
    RowDef("DBBP", "Đảng bộ bộ phận", stt="3", required_for=_req("DBBP")),
    RowDef("CBTT", "Chi bộ trực thuộc", stt="4", required_for=_req("CBTT")),
    RowDef("CUCS", "Cấp ủy cơ sở", stt="5", required_for=_req("CUCS")),
    RowDef("CUCS_TT", "Trong đó: cấp ủy của tổ chức cơ sở đảng trực thuộc trực tiếp", stt="5.1",
           indent=1, required_for=_req("CUCS_TT")),
    RowDef("TTLD_TREN", "Tập thể lãnh đạo, quản lý cấp trên cơ sở", stt="6"),
    RowDef("TTLD_CS", "Tập thể lãnh đạo, quản lý cấp cơ sở", stt="7"),
)
ORG_COLS = (
    ColDef("TONG", "Tổng số"),
    ColDef("MOI", "Mới thành lập chưa đủ 6 tháng", group="Không đánh giá, xếp loại"),
    ColDef("KHAC", "Lý do khác", group="Không đánh giá, xếp loại"),
    ColDef("DG", "Số được đánh giá, xếp loại"),
) + LEVEL_COLS + (ColDef("KYLUAT", "Bị thi hành kỷ luật trong năm"),) + RATIO_COLS

# --- Biểu 3 -------------------------------------------------------------------------------------
PERSON_ROWS = (
    RowDef("DV", "Đảng viên", stt="1", required_for=ALL),
    RowDef("CBLD_TINH", "Trong đó: cán bộ lãnh đạo, quản lý cấp tỉnh", stt="1.1", indent=1),
    RowDef("CBLD_CTCS", "Trong đó: cán bộ lãnh đạo, quản lý cấp trên cơ sở", stt="1.2", indent=1),
    RowDef("CBLD_CS", "Trong đó: cán bộ lãnh đạo, quản lý cấp cơ sở", stt="1.3", indent=1),
    # QĐ 366 categories ("đối tượng tương đồng" of the quota): together they make DV when filled
    RowDef("DV_LD", "Chia theo đối tượng: giữ chức vụ lãnh đạo, quản lý", stt="1.4", indent=1),
    RowDef("DV_KLD", "Chia theo đối tượng: không giữ chức vụ lãnh đạo, quản lý", stt="1.5",
           indent=1),
    RowDef("DV_NGOAI", "Chia theo đối tượng: không làm việc trong hệ thống chính trị", stt="1.6",
           indent=1),
    # the unit's own leadership collective (R-XS-KYLUAT: none of them disciplined for XS)
    RowDef("CUV", "Thành viên cấp ủy (tập thể lãnh đạo, quản lý) của đơn vị", stt="2"),
)
NR = "Không đánh giá, xếp loại"
PERSON_COLS = (
    ColDef("TONG", "Tổng số đảng viên"),
    ColDef("MOI", "Mới kết nạp chưa đủ 6 tháng", group=NR),
    ColDef("MIEN", "Miễn công tác và sinh hoạt đảng", group=NR),
    ColDef("DINHCHI", "Đình chỉ sinh hoạt đảng", group=NR),
    ColDef("KHAC", "Lý do khác", group=NR),
    ColDef("DG", "Số được đánh giá, xếp loại"),
) + LEVEL_COLS + (ColDef("KYLUAT", "Bị thi hành kỷ luật trong năm"),) + RATIO_COLS

# --- Biểu 4 and Giải trình ----------------------------------------------------------------------
KP_COLS = (
    ColDef("NoiDung", "Hạn chế, khuyết điểm", kind=TEXT, width=34),
    ColDef("NamChiRa", "Năm chỉ ra", kind=YEAR, width=7),
    ColDef("NguyenNhan", "Nguyên nhân", kind=TEXT, width=24),
    ColDef("GiaiPhap", "Giải pháp khắc phục", kind=TEXT, width=28),
    # a date (30/6/2026) or a period as resolutions write it: "thường xuyên", "quý II/2026",
    # "tháng 6/2026", "năm 2026"
    ColDef("ThoiHan", "Thời hạn (ngày, tháng, quý, năm hoặc thường xuyên)", kind=TEXT, width=13),
    ColDef("TrachNhiem", "Người, bộ phận chịu trách nhiệm", kind=TEXT, width=18),
    ColDef("KetQua", "Kết quả", kind=CHOICE, width=13),
    ColDef("GhiChu", "Ghi chú", kind=TEXT, width=14),
)
KP_ROWS = 60
KP_NOTES = (
    "Mỗi dòng một hạn chế, khuyết điểm; ghi đủ nội dung, giải pháp, thời hạn và kết quả.",
    "Thời hạn ghi ngày (30/6/2026) hoặc thời gian như trong nghị quyết, kế hoạch: "
    "thường xuyên; quý II/2026; tháng 6/2026; năm 2026.",
    "Kết quả chọn một trong: Đã khắc phục; Đang khắc phục; Chưa khắc phục. Quá thời hạn mà "
    "chưa khắc phục xong thì ghi lý do ở cột Ghi chú.",
)

# "Hướng dẫn ghi biểu" under Biểu 2 and Biểu 3 (printed)
_XS_NOTE = "Số XS tối đa = phần nguyên của (tỷ lệ cho phép × số hoàn thành tốt nhiệm vụ)."
B2_NOTES = (
    "Ghi số tổ chức đảng, tập thể thuộc phạm vi đơn vị. Tổng số = số được đánh giá, xếp loại + "
    "số không đánh giá, xếp loại; số được đánh giá, xếp loại và các tỷ lệ tự tính.",
    _XS_NOTE)
B3_NOTES = (
    "Ghi số người; mỗi đảng viên tính một lần ở dòng 1, các dòng «Trong đó» là một phần của dòng "
    "1. Số mới kết nạp, miễn, đình chỉ, lý do khác bằng dòng 3.2–3.5 của Biểu 1.",
    _XS_NOTE)

# A row of "Giải trình" points at a cell as the printed form numbers it: the biểu, the STT of
# the row and the column number "(7)"; a cell address (Biểu 3!G11) is accepted too.
GT_COLS = (
    ColDef("Bieu", "Biểu", kind=TEXT, width=12),
    ColDef("Dong", "Dòng (STT)", kind=TEXT, width=9),
    ColDef("Cot", "Cột số", kind=TEXT, width=8),
    ColDef("NoiDung", "Nội dung giải trình", kind=TEXT, width=80),
)
GT_ROWS = 60

# The unit counted, printed under a column's header (messages keep the plain label).
HEADER_UNITS = {("Biểu 1", "TT"): "(tập thể)", ("Biểu 1", "DV"): "(người)",
                ("Biểu 2", "TONG"): "(tổ chức, tập thể)", ("Biểu 3", "TONG"): "(người)"}

# Input messages Excel shows when a cell of a list column is selected (range name -> text).
PROMPTS = {
    "KP_ThoiHan": "Ghi ngày (30/6/2026) hoặc: thường xuyên; quý II/2026; tháng 6/2026; năm 2026.",
    "KP_NamChiRa": "Năm hạn chế, khuyết điểm được chỉ ra, ví dụ 2024.",
    "GT_Bieu": "Tên biểu có số liệu cần giải trình, ví dụ: Biểu 3.",
    "GT_Dong": "Số thứ tự (STT) của dòng như in trên biểu, ví dụ: 1.1.",
    "GT_Cot": "Số cột in dưới tiêu đề cột, ví dụ: (7). Bỏ trống nếu giải trình cả dòng.",
}


def giai_trinh_sheet():
    sh = layout.list_sheet(
        "Giải trình", "GIẢI TRÌNH SỐ LIỆU", "GT", GT_COLS, GT_ROWS,
        subtitle="(Giải trình những số liệu khác thường hoặc chưa khớp giữa các biểu)",
        notes=("Mỗi dòng giải trình một ô của biểu: ghi tên biểu (Biểu 3), số thứ tự của dòng "
               "(1.1) và số cột như in dưới tiêu đề cột (7); bỏ trống cột số để giải trình cả "
               "dòng.",))
    sh.landscape = False      # a list of text reads like a letter: portrait
    return sh


def build_spec() -> FormSet:
    info = layout.info_sheet("Thông tin", "THÔNG TIN ĐƠN VỊ BÁO CÁO", INFO_FIELDS,
                             subtitle="(Báo cáo kiểm điểm, đánh giá, xếp loại chất lượng hằng năm)")
    b2 = layout.grid_sheet(
        "Biểu 2", "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG TỔ CHỨC ĐẢNG VÀ TẬP THỂ", "XL",
        ORG_ROWS, ORG_COLS, _derived("XL"), form_no="Biểu 2",
        subtitle="(Số được đánh giá = XS + Tốt + HT + KHT; Tổng số = số được đánh giá + số "
                 "không đánh giá)",
        notes=B2_NOTES)
    b3 = layout.grid_sheet(
        "Biểu 3", "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN VÀ CÁN BỘ", "XL",
        PERSON_ROWS, PERSON_COLS, _derived("XL"), form_no="Biểu 3",
        subtitle="(Tổng số = số được đánh giá + mới kết nạp + miễn + đình chỉ + lý do khác)",
        notes=B3_NOTES)
    kp_cols = tuple(c if c.key != "KetQua" else c for c in KP_COLS)
    b4 = layout.list_sheet(
        "Biểu 4", "KẾT QUẢ KHẮC PHỤC HẠN CHẾ, KHUYẾT ĐIỂM ĐÃ ĐƯỢC CHỈ RA", "KP", kp_cols,
        KP_ROWS, form_no="Biểu 4", notes=KP_NOTES,
        subtitle="(Những hạn chế, khuyết điểm được chỉ ra qua kiểm điểm các năm trước)",
        counts=[("KP_Tong", "Tổng số hạn chế, khuyết điểm", "NoiDung", None)] + [
            (f"KP_So{ch.code.capitalize()}", ch.label, "KetQua", ch)
            for ch in KP_RESULTS])
    # the result column is a drop-down of KP_RESULTS
    from .model import Cell
    b4.cells = [Cell(c.name, c.sheet, c.row, c.col, c.kind, c.row_label, c.col_label, c.row_key,
                     c.col_key, choices=KP_RESULTS if c.col_key == "KetQua" else (),
                     expr=c.expr, number_format=c.number_format) for c in b4.cells]
    return FormSet(ID, "Báo cáo kiểm điểm, đánh giá, xếp loại chất lượng hằng năm", VERSION,
                   [info, _kd_sheet(), b2, b3, b4, giai_trinh_sheet(),
                    danh_sach.register_sheet()],
                   rates_units=True, has_opinions=False, period_names=None)
