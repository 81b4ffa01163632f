"""The merge's data: what a child contributes, the parent, the result, and the rules of SPEC §5
as data (all from `spec.hierarchy`). Every other part of the merge depends on this module; it
depends on none of them."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from ..findings import Finding
from ..read import Filled, read_workbook
from ..spec import FormSet
from ..spec import hierarchy as H
from ..spec.domain import (
    LEVEL_CODES,
    LEVEL_LABEL,
    NOT_RATED_DECISIONS,
    SECTOR_CODES,
    SECTOR_LABEL,
    UNIT_TYPES,
    YES_NO,
)
from ..validate import Report, validate

# --- the rules of SPEC §5 as data, all from `spec.hierarchy` -------------------------------------

#: Rows the parent's decisions on its children make up (their own and their committees' ratings).
DECIDED_ROWS = H.DECIDED_BY_PARENT
#: Rows of the parent's own level: its own tập thể lãnh đạo, quản lý and its own cán bộ. They are
#: not summed from children; the parent fills them in the summary.
OWN_ROWS = {t: k.own_rows for t, k in H.KINDS.items()}
#: Decisions may also say a child is not rated: founded < 6 months (MOI) or another reason (KHAC).
NOT_RATED = {c.code: c.label for c in NOT_RATED_DECISIONS}
#: Thông tin fields the parent fills itself (its own rating, its committee, its head).
OWN_INFO = ("TT_XepLoai", "TT_XepLoaiCapUy", "TT_XepLoaiNguoiDungDau", "TT_NgoaiLe25",
            "TT_NguoiLap", "TT_DienThoai", "TT_CapTren",
            # QĐ 366: its decision on the 25 % exception, its scores and its tasks
            "TT_QD25_So", "TT_QD25_Ngay", "TT_QD25_CoQuan", "TT_Diem", "TT_DiemCapUy",
            "TT_DiemNguoiDungDau", "TT_NV_Giao", "TT_NV_HoanThanh", "TT_NV_VuotMuc",
            "TT_NV_ChamTienDo")
#: Which unit types may report to which, in any structure (the structure of the year being
#: merged is `spec.hierarchy.child_types(type, year)`). A child outside it is still merged, and
#: the summary says so: a chi bộ trực thuộc merged straight into a province is usually a mistake.
CHILD_TYPES = {t: k.child_types() for t, k in H.KINDS.items()}

YES_LABEL = YES_NO[0].label        # "Có", as the drop-down writes it
UNDECIDED = "chưa quyết định"
SHEET_DETAIL = "Chi tiết đơn vị"
SHEET_STATUS = "Tình hình nộp"
SHEET_OPINIONS = "Tổng hợp ý kiến"
SHEET_KP = "Tổng hợp khắc phục"
SHEET_GT = "Tổng hợp giải trình"
SHEET_DOCS = "Tổng hợp văn bản"
SHEET_QUOTA = "Hạn mức xuất sắc"

_TYPE_CODES = {c.code for c in UNIT_TYPES}


def level_code(v) -> str | None:
    """A level as typed in a decisions file: code or label, any case; MOI/KHAC for not rated."""
    if v is None:
        return None
    s = str(v).strip().casefold()
    if not s:
        return None
    for code in LEVEL_CODES:
        if s in (code.casefold(), LEVEL_LABEL[code].casefold()):
            return code
    for code, label in NOT_RATED.items():
        if s in (code.casefold(), label.casefold()):
            return code
    aliases = {"xuất sắc": "XS", "tốt": "TOT", "hoàn thành": "HT", "không hoàn thành": "KHT",
               "mới thành lập": "MOI", "mới thành lập chưa đủ 6 tháng": "MOI",
               "không xếp loại (mới thành lập)": "MOI", "lý do khác": "KHAC"}
    return aliases.get(s)


def sector_code(v) -> str | None:
    """A sector as typed (TT_LinhVuc, a units file): code or label, any case."""
    if v is None:
        return None
    s = str(v).strip().casefold()
    for code in SECTOR_CODES:
        if s and s in (code.casefold(), SECTOR_LABEL[code].casefold()):
            return code
    return None


def unit_type_code(v) -> str | None:
    if v is None:
        return None
    s = str(v).strip().casefold()
    for c in UNIT_TYPES:
        if s in (c.code.casefold(), c.label.casefold()):
            return c.code
    return None



def _int(v) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def _time_key(c: Child):
    t = c.received_at
    if t is None:
        return (0, "")
    return (1, t.isoformat() if not isinstance(t, str) else t)


def _when(c: Child) -> str:
    parts = []
    if c.version:
        parts.append(f"lần nộp {c.version}")
    if c.received_at:
        parts.append(f"nhận lúc {c.received_at:%H:%M:%S %d/%m/%Y}")
    return f" ({', '.join(parts)})" if parts else ""


def _most_common(items):
    items = [i for i in items if i is not None and i != (None, None)]
    if not items:
        return None
    counts = Counter(items)
    best = max(counts.values())
    return sorted((i for i in counts if counts[i] == best), key=repr)[0]


def _period_txt(p) -> str:
    return f"{p[0] or '?'}–{p[1] or '?'}"


@dataclass(repr=False)
class Child:
    """One child unit's workbook as read and validated, with what the server knows about it."""

    filled: Filled
    report: Report
    source: str
    received_at: dt.datetime | None = None
    version: int | None = None
    decision: str | None = None          # the level the parent decided for this child
    decision_cap_uy: str | None = None   # the level decided for its party committee
    unit_code: str | None = None         # the server's code for the unit, if it knows better
    sector: str | None = None            # the sector the units register holds (SPEC §7.1)
    #: the collecting office sent this file back («Trả lại»): why, in Vietnamese. The file is
    #: listed with this reason and never merged, even with include_invalid — the unit sends a
    #: new version, which is then merged as any other
    returned: str | None = None

    def __repr__(self):
        return f"Child({self.code!r}, {self.source!r}, valid={self.report.valid})"

    @property
    def values(self) -> dict:
        return self.report.values

    @property
    def code(self) -> str:
        if self.unit_code:
            return str(self.unit_code).strip()
        v = self.values.get("TT_MaDonVi")
        return str(v).strip() if v not in (None, "") else f"({self.source})"

    @property
    def name(self) -> str:
        v = self.values.get("TT_DonVi")
        return str(v).strip() if v not in (None, "") else self.source

    @property
    def unit_type(self) -> str | None:
        return self.report.unit_type or unit_type_code(self.values.get("TT_LoaiDonVi"))

    @property
    def linh_vuc(self) -> str | None:
        """The child's sector: the register's, else the workbook's TT_LinhVuc (a TCCSĐ only)."""
        return sector_code(self.sector) or sector_code(self.values.get("TT_LinhVuc"))

    @property
    def year(self) -> int | None:
        """TT_Nam: the rating year (bao_cao_nam) or the year of the review report (so_ket)."""
        y = self.values.get("TT_Nam")
        return y if isinstance(y, int) else None

    @property
    def period(self):
        """(first, last) year of the period a review reports on — siblings' must agree; None
        for a form of one year (`FormSet.period_names`)."""
        names = self.filled.form.period_names
        return tuple(self.values.get(n) for n in names) if names else None

    def rating(self) -> tuple[str | None, bool]:
        """(level used, decided?) — the superior's decision, else the unit's own proposal."""
        d = level_code(self.decision)
        if d:
            return d, True
        return self.values.get("TT_XepLoai"), False

    def rating_cap_uy(self) -> tuple[str | None, bool]:
        d = level_code(self.decision_cap_uy)
        if d:
            return d, True
        return self.values.get("TT_XepLoaiCapUy"), False


@dataclass
class Parent:
    name: str
    code: str
    type: str
    cap_tren: str = ""
    year: int | None = None
    nguoi_lap: str = ""        # optional: who prepares the summary (a required Thông tin field)
    dien_thoai: str = ""
    dia_danh: str = ""
    ngay_lap: dt.date | None = None
    #: QD366's 25 % exception approved for this parent: its summary says TT_NgoaiLe25 = Có and
    #: the XS allowance for its children uses the pack's exception share. False: the parent
    #: fills TT_NgoaiLe25 itself and the allowance uses the normal share.
    ngoai_le_25: bool = False
    #: the parent's own sector when it is a TCCSĐ (SPEC §7.1; a code or label): its summary, sent
    #: one level up as its own report, says TT_LinhVuc so the level above counts it there
    linh_vuc: str = ""


@dataclass
class MergeResult:
    form: FormSet
    values: dict
    included: list
    skipped: list                     # [(Child, reason_vi)]
    missing: list                     # [expected dict]
    parent: Parent | None = None
    expected: list | None = None
    own_rows: tuple = ()              # row keys the parent must fill (Biểu 2/3)
    parent_fill: frozenset = frozenset()  # defined names the parent must still fill
    undecided: list = field(default_factory=list)   # children counted by their own proposal
    superseded: list = field(default_factory=list)  # (older Child, newer Child)
    lists: dict = field(default_factory=dict)       # extra-sheet rows
    opinions: list = field(default_factory=list)    # so_ket: per checklist row
    quota: list = field(default_factory=list)       # remaining XS allowance per child type
    base: str = "tot"
    unreadable: list = field(default_factory=list)  # [(file name, message_vi)] set by callers
    notes: list = field(default_factory=list)       # Vietnamese remarks for the office

    def validate(self, **kw) -> Report:
        """Validate the summary as `kiemdiem validate` would validate the written file."""
        return validate(read_workbook(self.to_xlsx()), base=kw.pop("base", self.base), **kw)

    def is_parent_fill(self, finding: Finding) -> bool:
        """A finding on a cell the parent must still fill (its own rows, ticks, rating, name)."""
        return finding.name in self.parent_fill

    #: The summary writer, `merge.xlsx.write_summary`, set by that module when it loads (the
    #: package imports it): the writer depends on this model, so the model may not import it.
    writer: ClassVar[Callable[[MergeResult], bytes] | None] = None

    def to_xlsx(self) -> bytes:
        return type(self).writer(self)
