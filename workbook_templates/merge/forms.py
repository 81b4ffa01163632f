"""The per-form merge: what each form set's children add to the parent's summary (SPEC §5).
`merge` chooses the files (`select`) then sums them by the form set's own merge function."""
from __future__ import annotations

import datetime as dt

from ..quota import Allowance, allowances
from ..rules.packs import pack_for_year
from ..spec import hierarchy as H
from ..spec.bao_cao_nam import GT_COLS, GT_ROWS, KP_COLS, KP_ROWS
from ..spec.domain import LEVEL_CODES, SECTOR_LABEL, UNIT_TYPE_LABEL
from ..spec.model import COUNT
from ..spec.so_ket_quy_dinh import DOC_ROWS, N_YEARS, RESULTS_SHEET
from .model import (
    DECIDED_ROWS,
    OWN_INFO,
    OWN_ROWS,
    SHEET_DOCS,
    SHEET_GT,
    SHEET_KP,
    YES_LABEL,
    Child,
    MergeResult,
    Parent,
    _int,
    _most_common,
    sector_code,
)
from .select import select


def merge(children: list[Child], parent: Parent, *, expected: list[dict] | None = None,
          include_invalid: bool = False, base: str = "tot") -> MergeResult:
    """The parent's summary of its children (SPEC §5). Order of `children` does not matter."""
    result, year, period = select(children, parent, expected=expected,
                                  include_invalid=include_invalid, base=base)
    MERGERS[result.form.id](result, year, period)
    return result


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


# --- bao_cao_nam ----------------------------------------------------------------------------------

def _merge_bao_cao_nam(result: MergeResult, year):
    form, parent = result.form, result.parent
    own = OWN_ROWS.get(parent.type, ())
    result.own_rows = own
    counts = [c for c in form.inputs() if c.kind == COUNT and c.sheet in
              ("Biểu 1", "Biểu 2", "Biểu 3")]
    sums = {c.name: 0 for c in counts}
    touched: set[str] = set()   # rows some child reported (row keys per sheet)
    plans: dict = {}    # child type -> [(name, (sheet, row))] it adds to: worked out once per type
    for ch in result.included:
        plan = plans.get(ch.unit_type)
        if plan is None:
            skip = H.not_summed_rows(parent.type, ch.unit_type)
            plan = plans[ch.unit_type] = [(c.name, (c.sheet, c.row_key)) for c in counts
                                          if c.sheet == "Biểu 1" or c.row_key not in skip]
        get = ch.values.get
        for name, row in plan:
            v = get(name)
            if type(v) is int:          # a count (not None, not a bool, not text)
                sums[name] += v
                touched.add(row)
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


# --- so_ket_quy_dinh ------------------------------------------------------------------------------

def _merge_so_ket(result: MergeResult, year, period):
    form = result.form
    values = _info_values(result, year)
    if period and period != (None, None):
        values["TT_TuNam"], values["TT_DenNam"] = period
    qd = _most_common([c.values.get("TT_QuyDinh") for c in result.included])
    if qd:
        values["TT_QuyDinh"] = qd
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


#: Each form set's merge, by its id: the one place a form set's summing is chosen.
MERGERS = {
    "bao_cao_nam": lambda result, year, period: _merge_bao_cao_nam(result, year),
    "so_ket_quy_dinh": _merge_so_ket,
}
