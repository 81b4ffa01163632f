"""Words of the domain shared by every form set: quality levels, unit types, yes/no, results."""
from .model import Choice

# SPEC §1: four levels, the same for organisations and individuals. Order is rank, best first.
LEVELS = (
    Choice("XS", "Hoàn thành xuất sắc nhiệm vụ"),
    Choice("TOT", "Hoàn thành tốt nhiệm vụ"),
    Choice("HT", "Hoàn thành nhiệm vụ"),
    Choice("KHT", "Không hoàn thành nhiệm vụ"),
)
LEVEL_CODES = tuple(c.code for c in LEVELS)
LEVEL_LABEL = {c.code: c.label for c in LEVELS}
RANK = {code: i for i, code in enumerate(LEVEL_CODES)}  # 0 is best

# What a collecting unit may decide for a child: one of the four levels, or "not rated" — founded
# less than 6 months ago (MOI) or another reason (KHAC). One label per code, for every page,
# sheet and API that shows a decision.
NOT_RATED_DECISIONS = (
    Choice("MOI", "Không xếp loại (mới thành lập chưa đủ 6 tháng)"),
    Choice("KHAC", "Không xếp loại (lý do khác)"),
)
DECISIONS = LEVELS + NOT_RATED_DECISIONS
DECISION_CODES = tuple(c.code for c in DECISIONS)
DECISION_LABEL = {c.code: c.label for c in DECISIONS}

UNIT_TYPES = (
    Choice("DB_TINH", "Đảng bộ tỉnh, thành phố (và tương đương)"),
    Choice("DB_CTCS", "Đảng bộ cấp trên trực tiếp của cơ sở"),
    Choice("DB_CS", "Đảng bộ cơ sở"),
    Choice("CB_CS", "Chi bộ cơ sở"),
    Choice("DB_BP", "Đảng bộ bộ phận"),
    Choice("CB_TT", "Chi bộ trực thuộc"),
)
UNIT_TYPE_LABEL = {c.code: c.label for c in UNIT_TYPES}
#: SPEC §1: the unit types that are a tổ chức cơ sở đảng (the rest of the hierarchy in
#: `spec.hierarchy`).
TCCSD_TYPES = frozenset({"DB_CS", "CB_CS"})

# SPEC §7.1: the sector of a TCCSĐ (TT_LinhVuc, the units register); the merge counts a child in
# Biểu 2 row TCCSD_<code>.
SECTORS = (
    Choice("XA", "Xã, phường, đặc khu"),
    Choice("CQ", "Cơ quan"),
    Choice("SN", "Đơn vị sự nghiệp"),
    Choice("DN", "Doanh nghiệp"),
    Choice("LLVT", "Quân đội, công an"),
    Choice("KHAC", "Khác"),
)
SECTOR_CODES = tuple(c.code for c in SECTORS)
SECTOR_LABEL = {c.code: c.label for c in SECTORS}

YES_NO = (Choice("CO", "Có"), Choice("KHONG", "Không"))

KP_RESULTS = (
    Choice("DA", "Đã khắc phục"),
    Choice("DANG", "Đang khắc phục"),
    Choice("CHUA", "Chưa khắc phục"),
)
