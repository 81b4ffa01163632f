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

Its parts depend one way: `model` (the data and the rules as data) ← `select` (which files) ←
`forms` (what each form set's children add up to) ← `xlsx` (the summary workbook); `files` reads
the side files of a merge done from files. This package re-exports the public names.
"""
from __future__ import annotations

from . import xlsx  # noqa: F401  (sets MergeResult.writer: the writer depends on the model)
from .files import read_child, read_decisions, read_expected
from .forms import merge, quota_allowance
from .model import (
    CHILD_TYPES,
    DECIDED_ROWS,
    NOT_RATED,
    OWN_INFO,
    OWN_ROWS,
    SHEET_DETAIL,
    SHEET_DOCS,
    SHEET_GT,
    SHEET_KP,
    SHEET_OPINIONS,
    SHEET_QUOTA,
    SHEET_STATUS,
    UNDECIDED,
    YES_LABEL,
    Child,
    MergeResult,
    Parent,
    level_code,
    sector_code,
    unit_type_code,
)
from .select import select

__all__ = [
    "CHILD_TYPES", "DECIDED_ROWS", "NOT_RATED", "OWN_INFO", "OWN_ROWS", "SHEET_DETAIL",
    "SHEET_DOCS", "SHEET_GT", "SHEET_KP", "SHEET_OPINIONS", "SHEET_QUOTA", "SHEET_STATUS",
    "UNDECIDED", "YES_LABEL", "Child", "MergeResult", "Parent", "level_code", "merge",
    "quota_allowance", "read_child", "read_decisions", "read_expected", "sector_code", "select",
    "unit_type_code",
]
