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

UNIT_TYPES = (
    Choice("DB_TINH", "Đảng bộ tỉnh, thành phố (và tương đương)"),
    Choice("DB_CTCS", "Đảng bộ cấp trên trực tiếp của cơ sở"),
    Choice("DB_CS", "Đảng bộ cơ sở"),
    Choice("CB_CS", "Chi bộ cơ sở"),
    Choice("DB_BP", "Đảng bộ bộ phận"),
    Choice("CB_TT", "Chi bộ trực thuộc"),
)
UNIT_TYPE_LABEL = {c.code: c.label for c in UNIT_TYPES}
TCCSD_TYPES = frozenset({"DB_CS", "CB_CS"})

YES_NO = (Choice("CO", "Có"), Choice("KHONG", "Không"))

KP_RESULTS = (
    Choice("DA", "Đã khắc phục"),
    Choice("DANG", "Đang khắc phục"),
    Choice("CHUA", "Chưa khắc phục"),
)
