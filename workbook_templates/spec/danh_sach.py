"""The member register, sheet "Danh sách đảng viên" of `bao_cao_nam` (SPEC §8).

One row per member, thousands of rows. Naming every cell would give 50,000 defined names (a slow
file, a slow reader), so the register is a block: one defined name per column (`DSDV_<COL>`, as
`KP_<COL>` on Biểu 4), read in one call as rows of values. The builder, the reader, the member
rules, the import and the next year's template all take its shape from `REGISTER` here.
"""
from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from .domain import LEVELS
from .model import CHOICE, DATE, TEXT, XMARK, Choice, SheetSpec

SHEET = "Danh sách đảng viên"
PREFIX = "DSDV"
SCORE = "score"      # 0–100, QĐ 366 Điều 11 (a column kind of the register only)

NHOM = (
    Choice("LD", "Lãnh đạo, quản lý"),
    Choice("KLD", "Không giữ chức vụ"),
    Choice("NGOAI", "Ngoài hệ thống chính trị"),
)
TINH_TRANG = (
    Choice("BT", "Bình thường"),
    Choice("MIEN", "Miễn công tác và sinh hoạt đảng"),
    Choice("DINHCHI", "Đình chỉ sinh hoạt đảng"),
    Choice("TAM", "Sinh hoạt tạm thời nơi khác"),
)
KY_LUAT = (
    Choice("KHONG", "Không"),
    Choice("KT", "Khiển trách"),
    Choice("CC", "Cảnh cáo"),
    Choice("CCH", "Cách chức"),
    Choice("KTR", "Khai trừ"),
)


@dataclass(frozen=True)
class RegCol:
    key: str
    label: str
    kind: str
    width: float
    choices: tuple[Choice, ...] = ()
    list_name: str = ""       # the drop-down's source on _meta (DS_*)

    @property
    def name(self) -> str:
        return f"{PREFIX}_{self.key}"


COLUMNS = (
    RegCol("HoTen", "Họ và tên", TEXT, 20),
    RegCol("NgayVaoDang", "Ngày vào Đảng", DATE, 10.5),
    RegCol("NgayChinhThuc", "Ngày chính thức", DATE, 10.5),
    RegCol("Nhom", "Nhóm (QĐ 366)", CHOICE, 11, NHOM, "DS_Nhom"),
    RegCol("CapUy", "Cấp ủy viên (x)", XMARK, 5.5),
    RegCol("ChiBo", "Chi bộ trực thuộc", TEXT, 11),
    RegCol("TinhTrang", "Tình trạng", CHOICE, 11, TINH_TRANG, "DS_TinhTrang"),
    RegCol("KyLuat", "Kỷ luật trong năm", CHOICE, 9, KY_LUAT, "DS_KyLuat"),
    RegCol("Diem", "Điểm", SCORE, 5.5),
    RegCol("TuXepLoai", "Tự xếp loại", CHOICE, 11, LEVELS, "DS_XepLoai"),
    RegCol("XepLoai", "Xếp loại (chi bộ, cấp ủy quyết định)", CHOICE, 11, LEVELS, "DS_XepLoai"),
    RegCol("GhiChu", "Ghi chú (lý do không xếp loại…)", TEXT, 12),
)
COL = {c.key: i for i, c in enumerate(COLUMNS)}

# Cleared when last year's register is carried into a new year's template (SPEC §8, issue 18).
YEARLY = ("KyLuat", "Diem", "TuXepLoai", "XepLoai", "GhiChu")


@dataclass(frozen=True)
class RegisterSpec:
    """Where the register sits: header row, first member row, how many rows the form holds."""

    sheet: str = SHEET
    header_row: int = 8
    first_row: int = 9
    n_rows: int = 4000          # SPEC §8: at least 3,000 (Bảo Lâm 2022 had 3,254 members)
    stt_col: int = 1            # A: STT
    first_col: int = 2          # B: the first DSDV column
    columns: tuple[RegCol, ...] = COLUMNS

    @property
    def last_row(self) -> int:
        return self.first_row + self.n_rows - 1

    @property
    def last_col(self) -> int:
        return self.first_col + len(self.columns) - 1

    def col_of(self, key: str) -> int:
        """1-based sheet column of a register column."""
        return self.first_col + COL[key]

    def a1(self, key: str, row: int) -> str:
        return f"{get_column_letter(self.col_of(key))}{row}"

    def ranges(self) -> dict[str, str]:
        out = {}
        for i, c in enumerate(self.columns):
            L = get_column_letter(self.first_col + i)
            out[c.name] = f"${L}${self.first_row}:${L}${self.last_row}"
        return out


REGISTER = RegisterSpec()
INSTRUCTION = ("Mỗi dòng một đảng viên; dán từ danh sách sẵn có hoặc chọn trong danh sách thả "
               "xuống; ngày ghi ngày/tháng/năm. Khi có danh sách, số liệu ở Biểu 1 và Biểu 3 "
               "phải khớp với danh sách.")


@dataclass(frozen=True)
class Member:
    """One register row as typed: the Excel row, the STT shown and the raw values by key."""

    row: int
    stt: int
    values: dict

    def get(self, key):
        return self.values.get(key)


def register_sheet() -> SheetSpec:
    sh = SheetSpec(SHEET, "DANH SÁCH ĐẢNG VIÊN", subtitle=INSTRUCTION, blocks=[], cells=[],
                   label_width=REGISTER.columns[0].width, ranges=REGISTER.ranges())
    sh.register = REGISTER
    return sh


def rows_from_grid(grid, reg: RegisterSpec = REGISTER) -> list[Member]:
    """The members in a sheet grid from A1 (python-calamine's or xlwings' values): every row
    from the first member row on that has anything typed in a register column, blank rows
    skipped. Rows past the form's last row are kept too (a rule reports them)."""
    out = []
    c0, n = reg.first_col - 1, len(reg.columns)
    keys = [c.key for c in reg.columns]
    pad = [None] * n
    for i in range(reg.first_row - 1, len(grid or ())):
        row = grid[i] or ()
        vals = row[c0:c0 + n]
        if len(vals) < n:
            vals = list(vals) + pad[len(vals):]
        if not any(vals) and all(v is None or v == "" for v in vals):
            continue                                   # the common empty row, decided in C
        values = dict(zip(keys, vals, strict=True))
        filled = False
        for k, v in values.items():
            if v is None:
                continue
            if v == "":
                values[k] = None
            elif not isinstance(v, str) or v.strip():
                filled = True
        if not filled:
            continue
        stt = row[reg.stt_col - 1] if len(row) >= reg.stt_col else None
        if isinstance(stt, float) and stt.is_integer():
            stt = int(stt)
        if not (isinstance(stt, int) and not isinstance(stt, bool) and stt > 0):
            stt = i + 2 - reg.first_row        # the position in the list
        out.append(Member(i + 1, stt, values))
    return out


# --- words people type instead of the drop-down labels --------------------------------------------

def fold(text) -> str:
    """Lower case, no Vietnamese accents, single spaces, no punctuation: how headers and free
    text are compared ("Ngày vào Đảng" = "ngay vao dang" = "NGÀY VÀO ĐẢNG")."""
    import re
    import unicodedata
    s = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn").casefold()
    s = re.sub(r"[^0-9a-z]+", " ", s)
    return " ".join(s.split())


# per column: folded free text -> code (the labels and codes themselves are added below)
SYNONYMS = {
    "XepLoai": {"xuat sac": "XS", "hoan thanh xuat sac": "XS", "htxsnv": "XS", "htxs": "XS",
                "tot": "TOT", "hoan thanh tot": "TOT", "httnv": "TOT", "htt": "TOT",
                "hoan thanh": "HT", "htnv": "HT",
                "khong hoan thanh": "KHT", "khtnv": "KHT"},
    "TinhTrang": {"binh thuong": "BT", "dang sinh hoat": "BT", "mien": "MIEN",
                  "mien sinh hoat": "MIEN", "mien cong tac": "MIEN",
                  "mien cong tac sinh hoat dang": "MIEN", "dinh chi": "DINHCHI",
                  "dinh chi sinh hoat": "DINHCHI", "tam thoi": "TAM",
                  "sinh hoat tam thoi": "TAM"},
    "KyLuat": {"khong": "KHONG", "0": "KHONG", "khong co": "KHONG", "khien trach": "KT",
               "canh cao": "CC", "cach chuc": "CCH", "khai tru": "KTR"},
    "Nhom": {"lanh dao": "LD", "lanh dao quan ly": "LD", "ldql": "LD", "giu chuc vu": "LD",
             "khong giu chuc vu": "KLD", "khong chuc vu": "KLD",
             "ngoai he thong": "NGOAI", "ngoai he thong chinh tri": "NGOAI",
             "khong lam viec trong he thong chinh tri": "NGOAI"},
}
SYNONYMS["TuXepLoai"] = SYNONYMS["XepLoai"]


def guess_choice(key: str, text) -> str | None:
    """The code a free-text entry of a choice column most likely means, or None."""
    col = COLUMNS[COL[key]]
    f = fold(text)
    if not f:
        return None
    table = dict(SYNONYMS.get(key, {}))
    for ch in col.choices:
        table[fold(ch.label)] = ch.code
        table[fold(ch.code)] = ch.code
    if f in table:
        return table[f]
    f2 = f.replace(" nhiem vu", "").replace("nhiem vu", "").strip()
    return table.get(f2)


def label_of(key: str, code: str | None) -> str | None:
    for ch in COLUMNS[COL[key]].choices:
        if ch.code == code:
            return ch.label
    return None


def carry_over(members: list[Member]) -> list[dict]:
    """Last year's register as the start of this year's (issue 18): who the members are (names,
    dates, nhóm, cấp ủy, chi bộ, tình trạng) stays; the year's ratings, scores, discipline and
    notes are cleared. A member expelled last year (khai trừ) is left out; the others stay, and
    the unit removes who has moved away."""
    out = []
    for m in members:
        if m.values.get("KyLuat") is not None and guess_choice("KyLuat",
                                                               m.values["KyLuat"]) == "KTR":
            continue
        d = {k: v for k, v in m.values.items() if k not in YEARLY and v is not None}
        if d:
            out.append(d)
    return out
