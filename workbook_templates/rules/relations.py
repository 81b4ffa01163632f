"""The total/part relations of each form set (a total equals, or is at least, the sum of its
parts), computed once per form set; the builder highlights them live and `rows.check_relations`
checks them."""
from __future__ import annotations

from dataclasses import dataclass

from ..spec.hierarchy import SECTOR_ROWS
from ..spec.so_ket_quy_dinh import RESULTS_SHEET

LEVELS = ("XS", "TOT", "HT", "KHT")
# not-rated columns per sheet: TONG = DG + these (R-TONG)
NOT_RATED = {"Biểu 2": ("MOI", "KHAC"), "Biểu 3": ("MOI", "MIEN", "DINHCHI", "KHAC")}
NOT_RATED_LABEL = {"MOI": "mới", "MIEN": "miễn", "DINHCHI": "đình chỉ", "KHAC": "lý do khác"}


@dataclass(frozen=True)
class Relation:
    """An equality or ceiling between named cells, shown live in the template and checked here.

    kind "eq": target = sum(parts); "le": target <= sum(parts)."""

    rule: str
    target: str
    parts: tuple[str, ...]
    kind: str = "eq"
    # checked by a check of its own with a fuller message; the relation only feeds the
    # template's live highlight
    live_only: bool = False


_RELATIONS: dict = {}


def relations(form) -> list[Relation]:
    """Every total/part relation of a form set (bao_cao_nam Biểu 1–3, so_ket Biểu 5); computed
    once per form."""
    key = (form.id, form.version)
    if key not in _RELATIONS:
        _RELATIONS[key] = [r for make in RELATIONS_OF[form.id] for r in make(form)]
    return _RELATIONS[key]


def _bao_cao_nam_relations(form) -> list[Relation]:
    """bao_cao_nam: Biểu 1–3 totals, kiểm điểm, the hierarchy rows and the sectors."""
    out, cells = [], form.cells
    for sheet, extra in NOT_RATED.items():
        for c in cells.values():
            if c.sheet == sheet and c.col_key == "TONG":
                g = c.row_key
                out.append(Relation("R-TONG", c.name, (f"XL_{g}_DG",) +
                                    tuple(f"XL_{g}_{k}" for k in extra)))
    for col in ("TT", "DV"):
        out.append(Relation("R-KD", f"KD_PHAI_{col}", (f"KD_DA_{col}", f"KD_CHUA_{col}")))
    out.append(Relation("R-KD", "KD_GOIY_TT", ("KD_DA_TT",), "le"))
    out.append(Relation("R-KD", "KD_GOIY_DV", ("KD_DA_DV",), "le"))
    for k in ("TONG", "MOI", "KHAC") + LEVELS:
        out.append(Relation("R-PART", f"XL_TCCSD_{k}", (f"XL_DBCS_{k}", f"XL_CBCS_{k}")))
        # SPEC §7.1: the sector rows add up to TCCSD (when any is filled); the rows of the
        # direct children are part of the full rows
        out.append(Relation("R-PART", f"XL_TCCSD_{k}",
                            tuple(f"XL_{r}_{k}" for r in SECTOR_ROWS)))
        out.append(Relation("R-PART", f"XL_TCCSD_{k}", (f"XL_TCCSD_TT_{k}",), "ge"))
        out.append(Relation("R-PART", f"XL_CUCS_{k}", (f"XL_CUCS_TT_{k}",), "ge"))
    for k in ("TONG", "MOI", "MIEN", "DINHCHI", "KHAC") + LEVELS + ("KYLUAT",):
        out.append(Relation("R-PART", f"XL_DV_{k}",
                            tuple(f"XL_CBLD_{s}_{k}" for s in ("TINH", "CTCS", "CS")),
                            "ge"))
    return out


def _so_ket_relations(form) -> list[Relation]:
    """so_ket_quy_dinh: each year's total of Biểu 5 is the sum of its levels."""
    out, cells = [], form.cells
    for c in cells.values():
        if c.sheet == RESULTS_SHEET and c.row_key == "TONG":
            t, y = c.name.split("_")[1], c.col_key
            out.append(Relation("R-TONG", c.name,
                                tuple(f"SK5_{t}_{lv}_{y}" for lv in LEVELS)))
    return out


_QUOTA_ROWS: dict = {}


def quota_rows(form):
    """Every XS-ceiling cell (its expression names the XS and TOT cells it limits)."""
    from ..spec.model import Ceiling
    key = (form.id, form.version)
    if key not in _QUOTA_ROWS:
        _QUOTA_ROWS[key] = tuple(c for c in form.cells.values() if isinstance(c.expr, Ceiling))
    return _QUOTA_ROWS[key]


# --- QĐ 366 (SPEC §7.2) -------------------------------------------------------------------------

def _qd366_relations(form) -> list[Relation]:
    """bao_cao_nam: relations added with QĐ 366's rows and fields, kept apart from
    `_bao_cao_nam_relations` so the hierarchy rows (TCCSD_TT, sectors) and these do not touch the
    same code."""
    out, cells = [], form.cells
    person_cols = sorted({c.col_key for c in cells.values()
                          if c.sheet == "Biểu 3" and c.row_key == "DV" and c.is_input})
    for k in person_cols:
        cats = tuple(f"XL_{g}_{k}" for g in ("DV_LD", "DV_KLD", "DV_NGOAI"))
        if all(n in cells for n in cats):
            out.append(Relation("R-PART", f"XL_DV_{k}", cats))
        if f"XL_CUV_{k}" in cells:
            out.append(Relation("R-PART", f"XL_DV_{k}", (f"XL_CUV_{k}",), "ge"))
    if all(f"XL_{g}_KYLUAT" in cells for g in ("TCCSD", "DBCS", "CBCS")):
        out.append(Relation("R-PART", "XL_TCCSD_KYLUAT", ("XL_DBCS_KYLUAT", "XL_CBCS_KYLUAT")))
    if "TT_NV_Giao" in cells:
        out += [Relation("R-NHIEMVU", "TT_NV_HoanThanh", ("TT_NV_Giao",), "le", live_only=True),
                Relation("R-NHIEMVU", "TT_NV_VuotMuc", ("TT_NV_HoanThanh",), "le",
                         live_only=True),
                Relation("R-NHIEMVU", "TT_NV_ChamTienDo", ("TT_NV_Giao",), "le",
                         live_only=True)]
    return out


#: The relations registered on each form set, by its id (its checks: `checks.CHECKS`).
RELATIONS_OF = {
    "bao_cao_nam": (_bao_cao_nam_relations, _qd366_relations),
    "so_ket_quy_dinh": (_so_ket_relations,),
}
