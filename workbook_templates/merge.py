"""Children's workbooks -> the parent unit's summary workbook (SPEC §5).

The summary is the same form set as its children, written into the real template, so it validates
with the same rules and can itself be merged one level up (chi bộ → đảng bộ cơ sở → collecting
level → tỉnh). Only input cells are written; derived cells keep their template formulas and the
validator recomputes them, so no percentage is ever averaged or computed twice.

What a child contributes (bao_cao_nam):
- every count it reports (Biểu 1, Biểu 2, Biểu 3) is added to the same cell of the parent,
  except on the rows of the parent's own level (`OWN_ROWS`), which the parent fills itself, and
  on the rows the child itself is counted in and its rows about its own direct children
  (`spec.hierarchy.not_summed_rows`);
- its own rating (the superior's decision, else its proposal — "chưa quyết định") adds 1 to the
  parent's rows for its type, its sector and TCCSD_TT (`spec.hierarchy.counted_rows`) in TONG
  and in the level's column;
- the rating of its party committee counts in `CUCS` and `CUCS_TT` (TCCSĐ children only);
- its Biểu 4 and Giải trình rows go to extra sheets, each row led by the unit's name.
so_ket_quy_dinh: Biểu 5 is summed, Biểu số 1 documents are listed on "Tổng hợp văn bản" and the
checklists (Biểu số 2–4) are counted per row on "Tổng hợp ý kiến"; the parent's own ticks stay
empty.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Finding
from .quota import Allowance, allowances
from .read import Filled
from .rules.packs import pack_for_year
from .spec import FormSet, get_form_set
from .spec import hierarchy as H
from .spec.domain import (
    LEVEL_CODES,
    LEVEL_LABEL,
    NOT_RATED_DECISIONS,
    SECTOR_CODES,
    SECTOR_LABEL,
    UNIT_TYPE_LABEL,
    UNIT_TYPES,
    YES_NO,
)
from .spec.model import COUNT
from .validate import Report

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


# --- the API -------------------------------------------------------------------------------------

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
        """so_ket_quy_dinh: the reviewed years must agree between siblings."""
        return (self.values.get("TT_TuNam"), self.values.get("TT_DenNam"))

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
        from .read import read_workbook
        from .validate import validate
        return validate(read_workbook(self.to_xlsx()), base=kw.pop("base", self.base), **kw)

    def is_parent_fill(self, finding: Finding) -> bool:
        """A finding on a cell the parent must still fill (its own rows, ticks, rating, name)."""
        return finding.name in self.parent_fill

    def to_xlsx(self) -> bytes:
        from .merge_xlsx import write_summary
        return write_summary(self)


def merge(children: list[Child], parent: Parent, *, expected: list[dict] | None = None,
          include_invalid: bool = False, base: str = "tot") -> MergeResult:
    """The parent's summary of its children (SPEC §5). Order of `children` does not matter."""
    if parent.type not in _TYPE_CODES:
        raise ValueError(f"unknown parent type {parent.type!r}")
    # a fixed order first, so every later choice is deterministic
    children = sorted(children, key=lambda c: (c.code, _time_key(c), c.version or 0, c.source))
    skipped: list = []
    form = _choose_form(children)
    pool = []
    for ch in children:
        if ch.filled.form.id != form.id:
            skipped.append((ch, f"Tệp dùng mẫu «{ch.filled.form.title}», khác mẫu đang tổng hợp "
                                f"«{form.title}»."))
        else:
            pool.append(ch)
    year = parent.year if parent.year is not None else _most_common([c.year for c in pool])
    period = _most_common([c.period for c in pool]) if form.id == "so_ket_quy_dinh" else None
    kept = []
    for ch in pool:
        if year is not None and ch.year != year:
            what = "năm đánh giá" if form.id == "bao_cao_nam" else "năm lập báo cáo"
            skipped.append((ch, f"Tệp có {what} {ch.year if ch.year else '(trống)'}, khác năm "
                                f"tổng hợp {year}."))
        elif period is not None and ch.period != period:
            skipped.append((ch, f"Tệp sơ kết giai đoạn {_period_txt(ch.period)}, khác giai đoạn "
                                f"tổng hợp {_period_txt(period)}."))
        else:
            kept.append(ch)
    # two files of the same unit: the newer one is used
    superseded, by_code = [], {}
    for ch in kept:
        by_code.setdefault(ch.code, []).append(ch)
    latest = []
    for code in sorted(by_code):
        group = sorted(by_code[code], key=lambda c: (_time_key(c), c.version or 0, c.source))
        newest = group[-1]
        for old in group[:-1]:
            superseded.append((old, newest))
            skipped.append((old, f"Đơn vị {newest.name} ({code}) nộp nhiều tệp; dùng tệp mới "
                                 f"hơn {newest.source}{_when(newest)}, bỏ tệp {old.source}"
                                 f"{_when(old)}."))
        latest.append(newest)
    included = []
    for ch in latest:
        if ch.report.valid:
            included.append(ch)
        elif include_invalid:
            included.append(ch)
        else:
            skipped.append((ch, _errors_txt(ch.report)))
    exp = _expected_for(expected, parent)
    # the units list is the register: its sector is the one counted (SPEC §7.1)
    listed = {e["code"]: e["sector"] for e in exp or () if e.get("sector")}
    for ch in included:
        if ch.code in listed:
            ch.sector = listed[ch.code]
    submitted = {c.code for c in children}
    missing = [e for e in exp if str(e.get("code") or "").strip() not in submitted] if exp else []

    result = MergeResult(form=form, values={}, included=included, skipped=skipped,
                         missing=missing, parent=parent, expected=exp, superseded=superseded,
                         base=base)
    y = year if isinstance(year, int) else None
    for c in included:
        if c.unit_type and not H.may_have_child(parent.type, c.unit_type, y):
            result.notes.append(
                f"{c.name} ({c.code}): {H.bad_parent_message(c.unit_type, parent.type, y)}. "
                "Đơn vị vẫn được tổng hợp — kiểm tra lại loại đơn vị hoặc cấp tổng hợp.")
    if form.id == "bao_cao_nam":
        _merge_bao_cao_nam(result, year)
    else:
        _merge_so_ket(result, year, period)
    return result


# --- helpers -------------------------------------------------------------------------------------

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


def _choose_form(children) -> FormSet:
    if not children:
        return get_form_set("bao_cao_nam")
    ids = _most_common([c.filled.form.id for c in children])
    return get_form_set(ids)


def _errors_txt(report: Report) -> str:
    errs = report.errors
    head = "; ".join(f"{f.ref}: {f.message.rstrip('.')}" for f in errs[:3])
    more = f"; và {len(errs) - 3} lỗi khác" if len(errs) > 3 else ""
    return (f"Tệp có {len(errs)} lỗi nên không được tổng hợp ({head}{more}). Đơn vị sửa rồi nộp "
            "lại, hoặc người tổng hợp chọn tổng hợp cả tệp còn lỗi.")


def _expected_for(expected, parent: Parent):
    """Units expected to report to this parent: entries whose parent code is this parent's code
    (or blank). A units list may describe a whole tree."""
    if not expected:
        return expected
    out = []
    for e in expected:
        pc = str(e.get("parent_code") or "").strip()
        if not pc or pc == parent.code:
            out.append({"code": str(e.get("code") or "").strip(),
                        "name": str(e.get("name") or "").strip(),
                        "type": unit_type_code(e.get("type")) or (e.get("type") or ""),
                        "parent_code": pc, "sector": sector_code(e.get("sector"))})
    return sorted(out, key=lambda e: e["code"])


def _int(v) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def _info_values(result: MergeResult, year) -> dict:
    p = result.parent
    v = {"TT_DonVi": p.name, "TT_MaDonVi": p.code, "TT_LoaiDonVi": UNIT_TYPE_LABEL[p.type],
         "TT_NgayLap": dt.datetime.combine(p.ngay_lap or dt.date.today(), dt.time())}
    if p.cap_tren:
        v["TT_CapTren"] = p.cap_tren
    if p.nguoi_lap:
        v["TT_NguoiLap"] = p.nguoi_lap
    if p.dien_thoai:
        v["TT_DienThoai"] = p.dien_thoai
    if p.dia_danh:
        v["TT_DiaDanh"] = p.dia_danh
    if p.ngoai_le_25:
        v["TT_NgoaiLe25"] = YES_LABEL
    sector = sector_code(p.linh_vuc)
    if sector and p.type in H.CUCS_TYPES:
        v["TT_LinhVuc"] = SECTOR_LABEL[sector]
    if year is not None:
        v["TT_Nam"] = year
    return {k: val for k, val in v.items() if k in result.form.cells}


def _parent_fill_info(result: MergeResult) -> set:
    form = result.form
    own = OWN_INFO + (("TT_LinhVuc",) if result.parent.type in H.CUCS_TYPES else ())
    return {n for n in own if n in form.cells and n not in result.values}


# --- bao_cao_nam 

def _merge_bao_cao_nam(result: MergeResult, year):
    form, parent = result.form, result.parent
    own = OWN_ROWS.get(parent.type, ())
    result.own_rows = own
    counts = [c for c in form.inputs() if c.kind == COUNT and c.sheet in
              ("Biểu 1", "Biểu 2", "Biểu 3")]
    sums = {c.name: 0 for c in counts}
    touched: set[str] = set()   # rows some child reported (row keys per sheet)
    for ch in result.included:
        vals = ch.values
        skip = H.not_summed_rows(parent.type, ch.unit_type)
        for c in counts:
            if c.sheet != "Biểu 1" and c.row_key in skip:
                continue
            v = vals.get(c.name)
            if isinstance(v, int) and not isinstance(v, bool):
                sums[c.name] += v
                touched.add((c.sheet, c.row_key))
    # each child's own rating in the parent's rows for its type (and sector, and TCCSD_TT: every
    # child merged is a direct child); its committee's in CUCS and CUCS_TT
    for ch in result.included:
        t = ch.unit_type
        lv, decided = ch.rating()
        rows = H.counted_rows(t, ch.linh_vuc)
        if rows:
            col = _count_col(lv)
            for row in rows:
                sums[f"XL_{row}_TONG"] += 1
                sums[f"XL_{row}_{col}"] += 1
                touched.add(("Biểu 2", row))
            if not decided:
                result.undecided.append(ch)
        cu, _ = ch.rating_cap_uy()
        if cu:
            for row in H.committee_rows(t):
                sums[f"XL_{row}_TONG"] += 1
                sums[f"XL_{row}_{_count_col(cu)}"] += 1
                touched.add(("Biểu 2", row))
    _check_sectors(result, sums, touched)
    # rows required for the parent's type are written even when 0 (a blank required row is R-REQ)
    required = set()
    for sh in form.sheets:
        for b in sh.blocks:
            if b.kind == "grid":
                for r in b.rows:
                    if parent.type in r.required_for and r.key not in own:
                        required.add((sh.name, r.key))
    values = _info_values(result, year)
    if result.included:
        for c in counts:
            if (c.sheet, c.row_key) in touched or (c.sheet, c.row_key) in required:
                if not (c.row_key in own and c.sheet != "Biểu 1"):
                    values[c.name] = sums[c.name]
    result.values = values
    fill = _parent_fill_info(result)
    for c in form.inputs():
        if c.sheet in ("Biểu 2", "Biểu 3") and c.row_key in own:
            fill.add(c.name)
    # the rows counted from children's own ratings are the parent's decision while undecided
    if result.undecided:
        for c in form.cells.values():
            if c.sheet == "Biểu 2" and c.row_key in DECIDED_ROWS:
                fill.add(c.name)
    result.parent_fill = frozenset(fill)
    result.lists = _lists_bao_cao_nam(result)
    result.quota = quota_allowance(result, year)


def _count_col(level) -> str:
    """The Biểu 2 column a rating adds 1 to: its level, else a not-rated column."""
    return level if level in LEVEL_CODES else ("MOI" if level == "MOI" else "KHAC")


def _check_sectors(result: MergeResult, sums: dict, touched: set):
    """The sector rows (§7.1) must add up to TCCSD: when some TCCSĐ are not placed in a sector
    (a unit without TT_LinhVuc, a đảng bộ below that left its sector rows blank), the summary
    leaves every sector row blank — the office then sees no wrong breakdown — and says who."""
    cols = ("TONG", "MOI", "KHAC") + LEVEL_CODES
    if all(sum(sums[f"XL_{r}_{k}"] for r in H.SECTOR_ROWS) == sums[f"XL_TCCSD_{k}"]
           for k in cols):
        return
    known = any(("Biểu 2", r) in touched for r in H.SECTOR_ROWS)
    for r in H.SECTOR_ROWS:
        touched.discard(("Biểu 2", r))
        for k in cols:
            sums[f"XL_{r}_{k}"] = 0
    missing = []
    for ch in result.included:
        if ch.unit_type in H.CUCS_TYPES:     # a TCCSĐ: counted by its own sector
            if not ch.linh_vuc:
                missing.append(ch)
        elif _int(ch.values.get("XL_TCCSD_TONG")) != sum(
                _int(ch.values.get(f"XL_{r}_TONG")) for r in H.SECTOR_ROWS):
            missing.append(ch)
    if known and missing:
        names = "; ".join(f"{c.name} ({c.code})" for c in missing[:12])
        more = f"; và {len(missing) - 12} đơn vị khác" if len(missing) > 12 else ""
        result.notes.append(
            f"Chưa chia được tổ chức cơ sở đảng theo lĩnh vực (Biểu 2, các dòng «Theo lĩnh "
            f"vực» để trống): {len(missing)} đơn vị chưa ghi lĩnh vực — {names}{more}. "
            "Ghi lĩnh vực ở "
            "sheet «Thông tin» của đơn vị (hoặc trong danh sách đơn vị) rồi tổng hợp lại.")


def _lists_bao_cao_nam(result: MergeResult) -> dict:
    from .spec.bao_cao_nam import GT_COLS, GT_ROWS, KP_COLS, KP_ROWS
    kp, gt = [], []
    kp_rows = [[f"KP_{col.key}_{i}" for col in KP_COLS] for i in range(1, KP_ROWS + 1)]
    gt_rows = [[f"GT_{col.key}_{i}" for col in GT_COLS] for i in range(1, GT_ROWS + 1)]
    kp_all = [n for row in kp_rows for n in row]
    gt_all = [n for row in gt_rows for n in row]
    for ch in sorted(result.included, key=lambda c: (c.name, c.code)):
        raw = ch.filled.raw
        for names, flat, out in ((kp_rows, kp_all, kp), (gt_rows, gt_all, gt)):
            vals = list(map(raw.get, flat))
            if vals.count(None) == len(vals):    # most units list nothing here
                continue
            for row_names in names:
                row = [raw.get(n) for n in row_names]
                if any(v is not None and v != "" for v in row):
                    out.append([ch.name, ch.code] + row)
    return {SHEET_KP: (["Đơn vị", "Mã đơn vị"] + [c.label for c in KP_COLS], kp),
            SHEET_GT: (["Đơn vị", "Mã đơn vị"] + [c.label for c in GT_COLS], gt)}


def quota_allowance(result: MergeResult, year) -> list[Allowance]:
    """The XS allowance per group of children (see `quota`): ratings as decided, proposals where
    not yet decided."""
    share = pack_for_year(year).share(bool(result.parent and result.parent.ngoai_le_25))
    return allowances(((c.unit_type, *c.rating()) for c in result.included), share, result.base,
                      (c.rating_cap_uy() for c in result.included
                       if H.committee_rows(c.unit_type)))


# --- so_ket_quy_dinh 

def _merge_so_ket(result: MergeResult, year, period):
    form = result.form
    values = _info_values(result, year)
    if period and period != (None, None):
        values["TT_TuNam"], values["TT_DenNam"] = period
    qd = _most_common([c.values.get("TT_QuyDinh") for c in result.included])
    if qd:
        values["TT_QuyDinh"] = qd
    from .spec.so_ket_quy_dinh import RESULTS_SHEET
    counts = [c for c in form.inputs() if c.kind == COUNT and c.sheet == RESULTS_SHEET]
    if result.included:
        for c in counts:
            vs = [ch.values.get(c.name) for ch in result.included]
            if any(isinstance(v, int) for v in vs):
                values[c.name] = sum(_int(v) for v in vs)
    result.values = values
    fill = _parent_fill_info(result)
    checklist_sheets = ("Biểu số 2", "Biểu số 3", "Biểu số 4")
    opinions = []
    for sh in form.sheets:
        if sh.name not in checklist_sheets:
            continue
        groups = _section_paths(sh)
        for c in sh.cells:
            fill.add(c.name)
            if c.col_key != "PH":
                continue
            base = c.name[:-3]
            ph = sorted(ch.name for ch in result.included if ch.values.get(c.name))
            cph = sorted(ch.name for ch in result.included if ch.values.get(base + "_CPH"))
            props = sorted((ch.name, str(ch.values.get(base + "_DN")).strip())
                           for ch in result.included if ch.values.get(base + "_DN"))
            opinions.append({"sheet": sh.name, "name": base, "label": c.row_label,
                             "group": groups.get(c.row_key, ""),
                             "row": c.row, "PH": len(ph), "CPH": len(cph),
                             "CPH_units": cph, "proposals": props})
    for c in form.cells.values():
        if c.sheet == "Biểu số 1":
            fill.add(c.name)
    result.parent_fill = frozenset(fill)
    result.opinions = opinions
    docs = []
    from .spec.so_ket_quy_dinh import DOC_ROWS, N_YEARS
    for ch in sorted(result.included, key=lambda c: (c.name, c.code)):
        start = ch.values.get("TT_TuNam")
        for key, label in DOC_ROWS:
            for k in range(1, N_YEARS + 1):
                so = ch.filled.raw.get(f"SK1_{key}_SO_Y{k}")
                ngay = ch.filled.raw.get(f"SK1_{key}_NGAY_Y{k}")
                if so in (None, "") and ngay in (None, ""):
                    continue
                yr = start + k - 1 if isinstance(start, int) else f"Năm thứ {k}"
                docs.append([ch.name, ch.code, label, yr, so, ngay])
    result.lists = {SHEET_DOCS: (["Đơn vị", "Mã đơn vị", "Loại văn bản", "Năm",
                                  "Số, ký hiệu", "Ngày ban hành"], docs)}
    result.quota = []


def _section_paths(sheet) -> dict[str, str]:
    """Row key -> the headings above it ("Về kiểm điểm … › Tập thể lãnh đạo, quản lý"): a
    section's key is a prefix of its rows' keys in the checklist forms."""
    sections = [r for b in sheet.blocks for r in b.rows if r.section]
    out = {}
    for b in sheet.blocks:
        for r in b.rows:
            if not r.section:
                out[r.key] = " › ".join(s.label for s in sections
                                        if r.key.startswith(s.key + "_"))
    return out


# --- reading children and the side files ---------------------------------------------------------

def read_child(path: str | Path, *, base: str = "tot", decision: str | None = None) -> Child:
    """Read and validate one child's file with the core reader and validator; the file's
    modification time stands for when it was received."""
    from .read import read_workbook
    from .validate import validate
    p = Path(path)
    filled = read_workbook(p)
    report = validate(filled, base=base)
    report.source = str(p)
    return Child(filled, report, source=p.name,
                 received_at=dt.datetime.fromtimestamp(p.stat().st_mtime), decision=decision)


def _table_rows(path: str | Path, wanted: dict[str, tuple[str, ...]]) -> list[dict]:
    """Rows of the first sheet of an .xlsx whose header row holds the wanted column titles
    (any case, surrounding spaces ignored). wanted: key -> accepted titles."""
    from python_calamine import CalamineWorkbook

    from .read import ReadError
    p = Path(path)
    try:
        wb = CalamineWorkbook.from_path(str(p))
        grid = wb.get_sheet_by_index(0).to_python()
    except Exception as e:
        raise ReadError(f"Không đọc được tệp {p.name} ({type(e).__name__}). Hãy lưu lại dạng "
                        ".xlsx rồi thử lại.", "unreadable") from e
    norm = {k: {t.casefold() for t in titles} for k, titles in wanted.items()}
    for i, row in enumerate(grid):
        heads = [str(v).strip().casefold() if v is not None else "" for v in row]
        pos = {}
        for k, titles in norm.items():
            for j, h in enumerate(heads):
                if h in titles:
                    pos[k] = j
                    break
        if "code" in pos and len(pos) >= 2:
            out = []
            for r in grid[i + 1:]:
                rec = {k: (r[j] if j < len(r) else None) for k, j in pos.items()}
                if isinstance(rec.get("code"), float) and rec["code"].is_integer():
                    rec["code"] = int(rec["code"])
                if rec.get("code") not in (None, ""):
                    rec["code"] = str(rec["code"]).strip()
                    out.append(rec)
            return out
    first = ", ".join(t[0] for t in wanted.values())
    raise ReadError(f"Tệp {p.name}: không tìm thấy dòng tiêu đề có các cột {first} ở sheet "
                    "đầu tiên.", "bad_table")


def read_expected(path) -> list[dict]:
    """Units list: Mã đơn vị, Tên đơn vị, Loại, Mã đơn vị cấp trên and optionally Lĩnh vực
    (the format of the server's export-units)."""
    return _table_rows(path, {"code": ("Mã đơn vị", "Ma don vi", "code"),
                              "name": ("Tên đơn vị", "Ten don vi", "name"),
                              "type": ("Loại", "Loại đơn vị", "Loai", "type"),
                              "parent_code": ("Mã đơn vị cấp trên", "Ma don vi cap tren",
                                              "parent_code"),
                              "sector": ("Lĩnh vực", "Linh vuc", "sector")})


def read_decisions(path) -> dict[str, tuple[str | None, str | None]]:
    """Decisions: Mã đơn vị, Xếp loại (label or code) and optionally Xếp loại cấp ủy.
    Returns code -> (level, committee level). Raises ReadError on a level it cannot read."""
    from .read import ReadError
    rows = _table_rows(path, {"code": ("Mã đơn vị", "Ma don vi", "code"),
                              "level": ("Xếp loại", "Xep loai", "level"),
                              "cap_uy": ("Xếp loại cấp ủy", "Xep loai cap uy")})
    out, bad = {}, []
    for _i, r in enumerate(rows, start=2):
        lv, cu = r.get("level"), r.get("cap_uy")
        lvc, cuc = level_code(lv), level_code(cu)
        if lv not in (None, "") and lvc is None:
            bad.append(f"{r['code']}: «{lv}»")
        if cu not in (None, "") and cuc is None:
            bad.append(f"{r['code']} (cấp ủy): «{cu}»")
        out[r["code"]] = (lvc, cuc)
    if bad:
        raise ReadError(f"Tệp quyết định xếp loại {Path(path).name} có mức xếp loại không đọc "
                        f"được: {'; '.join(bad)}. Ghi một trong bốn mức (XS, TOT, HT, KHT hoặc "
                        "tên đầy đủ).", "bad_table")
    return out
