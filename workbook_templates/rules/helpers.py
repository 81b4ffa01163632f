"""Helpers the checks share: how a cell, a row and a column are named for the user, and which
rows of Biểu 2 hold a unit's directly subordinate organisations."""
from __future__ import annotations

from ..spec.hierarchy import prereq_rows

# --- helpers ------------------------------------------------------------------------------------

def _label(cell) -> str:
    return f"{cell.row_label} — {cell.col_label}" if cell.col_label else cell.row_label


def _where(ctx, cell) -> str:
    """A row as the user reads it; per-year tables (Biểu 5) name the table and the year."""
    if cell.year_index is not None and ": " in cell.row_label:
        return f"{cell.row_label.split(': ')[0]} năm {ctx.year_of(cell)}"
    return cell.row_label


def _part_label(target, part) -> str:
    """A part named as the user sees it: its column on the same row, else its row."""
    lab = part.col_label if part.row_key == target.row_key else part.row_label
    lab = lab.replace("Trong đó: ", "").split(": ")[-1]
    return lab[:1].lower() + lab[1:]


def _n(ctx, name) -> int:
    v = ctx.val.get(name)
    return v if isinstance(v, int) else 0


def _filled(ctx, names) -> bool:
    return any(not ctx.blank(n) for n in names)


def _members_or_orgs(ctx):
    """R-PREREQ: the rows whose ratings qualify the unit itself for XS (`spec.hierarchy`)."""
    return prereq_rows(ctx.unit_type)


_CATEGORY_ROWS = frozenset({"DV_LD", "DV_KLD", "DV_NGOAI", "CUV"})


def _direct_org_rows(ctx) -> tuple[str, ...]:
    """Biểu 2 rows of the organisations directly subordinate to the unit (R-XS-KYLUAT): the
    organisation rows of R-PREREQ in `spec.hierarchy` (for a province from 2025 its TCCSD_TT,
    the TCCSĐ it rates itself, not the whole TCCSD row)."""
    groups, _ = _members_or_orgs(ctx)
    return tuple(g for g in groups if g != "DV" and f"XL_{g}_KYLUAT" in ctx.form.cells)


def _row_label(ctx, group) -> str:
    c = ctx.form.cells.get(f"XL_{group}_TONG")
    return c.row_label.replace("Trong đó: ", "") if c else group


def _col_no(ctx, name) -> str:
    """A column as the printed form numbers it: «cột (13)»."""
    return f"cột ({ctx.cell(name).col})"
