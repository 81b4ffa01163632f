"""The party hierarchy as data (SPEC §1, §5, §7, §7.1): the one place that says, for each unit
type, which types it may have as children, which rows of Biểu 2/3 it fills itself, sums from its
children or decides, and where its own rating and its committee's rating count at its parent.

The builder (`RowDef.required_for`), the validator (R-QUOTA, R-PREREQ, R-REQ), the merge, the XS
allowance (`quota`) and the server (the units register, the decisions page) all read this module;
`tests/test_hierarchy.py` proves each of them agrees with it.

Two structures (SPEC §7). Before rating year 2025: tỉnh → đảng bộ cấp trên cơ sở (huyện, quận,
thị xã, đảng ủy khối…) → TCCSĐ → đảng bộ bộ phận / chi bộ trực thuộc. From rating year 2025 (the
district level ended on 01/7/2025, QĐ 366 applies from the 2025 rating): the province also has
đảng ủy xã, phường, đặc khu and other TCCSĐ as direct children and rates them itself. Only the
allowed child types depend on the year; the rows are the same in both structures, because a row
such as `TCCSD_TT` ("TCCSĐ trực thuộc trực tiếp") means the same thing in both — before 2025 a
district's `TCCSD_TT` simply equals its `TCCSD` and a province's is 0. Every TCCSĐ of a
DB_CTCS is its direct child, in both structures, so a DB_CTCS decides its full `TCCSD`/`CUCS`
rows too and need not repeat them in `TCCSD_TT`/`CUCS_TT` (not required; the merge fills them).
`child_types(t, None)` (no year: the units register, which holds units of past and present
rounds) allows both.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .domain import SECTOR_CODES, TCCSD_TYPES, UNIT_TYPE_LABEL, UNIT_TYPES

#: The first rating year in the 2025 structure (no district level).
STRUCTURE_2025 = 2025

#: Rows about a unit's *direct* children (§7.1): made from the ratings it decides itself, never
#: summed upward (a đảng bộ trực thuộc tỉnh's own TCCSĐ are not the province's direct children).
DIRECT_ROWS = ("TCCSD_TT", "CUCS_TT")
#: The full row each direct-children row is part of (R-PART: direct ≤ full).
FULL_ROW = {"TCCSD_TT": "TCCSD", "CUCS_TT": "CUCS"}
#: Biểu 2 rows breaking TCCSD down by sector (§7.1), in the order of `domain.SECTORS`.
SECTOR_ROWS = tuple(f"TCCSD_{code}" for code in SECTOR_CODES)


def sector_row(sector: str | None) -> str | None:
    """The Biểu 2 row a TCCSĐ of this sector counts in (None: sector unknown)."""
    return f"TCCSD_{sector}" if sector in SECTOR_CODES else None


@dataclass(frozen=True)
class UnitKind:
    """What one unit type is in the hierarchy."""

    code: str
    #: child types allowed in every structure
    children: frozenset = frozenset()
    #: child types allowed only from rating year 2025 (the province rates communes directly)
    children_from_2025: frozenset = frozenset()
    #: rows of the unit's own level (its own leadership collective, its own cán bộ): it fills
    #: them itself; they are never summed from its children
    own_rows: tuple = ()
    #: rows of the parent's Biểu 2 the unit's own rating adds 1 to (besides its sector row)
    counted_in: tuple = ()
    #: rows of the parent's Biểu 2 the rating of the unit's party committee adds 1 to
    committee_in: tuple = ()
    #: rows the unit decides itself: R-QUOTA is an error there, a warning elsewhere
    decides: frozenset = frozenset()
    #: Biểu 2 rows the unit must report (R-REQ when the whole row is blank)
    required: frozenset = frozenset()
    #: rows whose ratings qualify the unit itself for XS (R-PREREQ) and what they count
    prereq: tuple = ()
    prereq_who: str = ""

    @property
    def label(self) -> str:
        return UNIT_TYPE_LABEL[self.code]

    @property
    def is_tccsd(self) -> bool:
        """A tổ chức cơ sở đảng: has a sector, its committee is a cấp ủy cơ sở."""
        return self.code in TCCSD_TYPES

    def child_types(self, year: int | None = None) -> frozenset:
        """Types this type may have as children in the structure of `year` (None: any)."""
        if year is None or year >= STRUCTURE_2025:
            return self.children | self.children_from_2025
        return self.children


_TCCSD = frozenset({"DB_CS", "CB_CS"})
_TCCSD_REQUIRED = frozenset({"TCCSD", "DBCS", "CBCS", "CUCS"})

KINDS: dict[str, UnitKind] = {k.code: k for k in (
    UnitKind("DB_TINH", children=frozenset({"DB_CTCS"}), children_from_2025=_TCCSD,
             own_rows=("CBLD_TINH",),
             decides=frozenset({"DBCT", "TCCSD_TT", "CUCS_TT"}),
             required=frozenset({"DBCT"}) | _TCCSD_REQUIRED,
             prereq=("DBCT", "TCCSD_TT"), prereq_who="tổ chức đảng trực thuộc"),
    UnitKind("DB_CTCS", children=_TCCSD, own_rows=("TTLD_TREN", "CBLD_CTCS"),
             counted_in=("DBCT",),
             decides=frozenset({"TCCSD", "CUCS"}) | frozenset(DIRECT_ROWS),
             required=_TCCSD_REQUIRED,
             prereq=("TCCSD",), prereq_who="tổ chức cơ sở đảng"),
    UnitKind("DB_CS", children=frozenset({"DB_BP", "CB_TT"}), own_rows=("TTLD_CS", "CBLD_CS"),
             counted_in=("TCCSD", "DBCS", "TCCSD_TT"), committee_in=("CUCS", "CUCS_TT"),
             decides=frozenset({"DV", "CBTT", "DBBP"}), required=frozenset({"CBTT"}),
             prereq=("CBTT", "DBBP"), prereq_who="tổ chức đảng trực thuộc"),
    UnitKind("CB_CS", own_rows=("TTLD_CS", "CBLD_CS"),
             counted_in=("TCCSD", "CBCS", "TCCSD_TT"), committee_in=("CUCS", "CUCS_TT"),
             decides=frozenset({"DV"}),
             prereq=("DV",), prereq_who="đảng viên"),
    UnitKind("DB_BP", children=frozenset({"CB_TT"}), counted_in=("DBBP",),
             prereq=("CBTT",), prereq_who="chi bộ trực thuộc"),
    UnitKind("CB_TT", counted_in=("CBTT",), prereq=("DV",), prereq_who="đảng viên"),
)}
#: QĐ 366: the unit's own committee members (Biểu 3 CUV) are every unit's own row, never the sum
#: of its children's.
KINDS = {t: replace(k, own_rows=k.own_rows + ("CUV",)) for t, k in KINDS.items()}
assert set(KINDS) == {c.code for c in UNIT_TYPES}

#: Every unit type, e.g. for rows every unit reports (Biểu 1, members).
ALL_TYPES = frozenset(KINDS)
#: Types whose party committee is a cấp ủy cơ sở (its TT_XepLoaiCapUy counts in CUCS). SPEC §5
#: says "its TT_XepLoaiCapUy counts in CUCS"; the committee of a đảng bộ bộ phận or of a district
#: is not a cấp ủy cơ sở, so only TCCSĐ count there.
CUCS_TYPES = frozenset(t for t, k in KINDS.items() if k.committee_in)
#: Types whose own rating is decided by the unit above them.
RATED_TYPES = frozenset(t for t, k in KINDS.items() if k.counted_in)


def kind(unit_type: str) -> UnitKind:
    return KINDS[unit_type]


def child_types(parent_type: str, year: int | None = None) -> frozenset:
    k = KINDS.get(parent_type)
    return k.child_types(year) if k else frozenset()


def may_have_child(parent_type: str, child_type: str, year: int | None = None) -> bool:
    return child_type in child_types(parent_type, year)


def decided_rows(unit_type: str | None) -> frozenset:
    """Rows where the unit decides the ratings itself (R-QUOTA error)."""
    k = KINDS.get(unit_type or "")
    return k.decides if k else frozenset()


def own_rows(unit_type: str | None) -> tuple:
    k = KINDS.get(unit_type or "")
    return k.own_rows if k else ()


def required_for(row: str) -> frozenset:
    """The unit types that must report Biểu 2 row `row` (`RowDef.required_for`)."""
    return frozenset(t for t, k in KINDS.items() if row in k.required)


def counted_rows(unit_type: str | None, sector: str | None = None) -> tuple:
    """Rows of the parent's Biểu 2 a child of this type (and sector) adds 1 to for its own
    rating: its type rows, `TCCSD_TT` when a TCCSĐ, and its sector row when known."""
    k = KINDS.get(unit_type or "")
    if k is None:
        return ()
    row = sector_row(sector) if k.is_tccsd else None
    return k.counted_in + ((row,) if row else ())


def committee_rows(unit_type: str | None) -> tuple:
    k = KINDS.get(unit_type or "")
    return k.committee_in if k else ()


def self_rows(unit_type: str | None) -> frozenset:
    """Rows a child is counted in by its own rating and its committee's (and every sector row
    for a TCCSĐ): the same rows of its workbook would describe units below it that cannot
    exist (a đảng bộ cơ sở has no TCCSĐ under it), so the merge does not sum them — otherwise a
    unit that reported itself there would be counted twice."""
    k = KINDS.get(unit_type or "")
    if k is None:
        return frozenset()
    rows = set(k.counted_in) | set(k.committee_in)
    if k.is_tccsd:
        rows |= set(SECTOR_ROWS)
    return frozenset(rows)


def not_summed_rows(parent_type: str | None, child_type: str | None) -> frozenset:
    """Rows of a child's workbook the parent does not add to its own: the parent's own rows,
    the rows the child itself is counted in, and the child's rows about its direct children."""
    return frozenset(own_rows(parent_type)) | self_rows(child_type) | frozenset(DIRECT_ROWS)


def prereq_rows(unit_type: str | None) -> tuple[tuple, str]:
    """R-PREREQ: (rows, what they count) whose ratings qualify the unit itself for XS."""
    k = KINDS.get(unit_type or "")
    return (k.prereq, k.prereq_who) if k else ((), "")


#: Biểu 2 rows a parent's decisions on its children make up (the merge marks them for the parent
#: while some are still undecided).
DECIDED_BY_PARENT = frozenset(r for k in KINDS.values() for r in k.counted_in + k.committee_in)


def quota_groups(row_order) -> tuple:
    """(row, child types) of the XS allowance a parent sees (SPEC §5 "the quota is shown where
    the parent decides"), in Biểu 2 order: one group per row a child's own rating counts in,
    the direct-children rows left out (for the children being merged they equal TCCSD)."""
    out = []
    for row in row_order:
        if row in DIRECT_ROWS:
            continue
        types = frozenset(t for t, k in KINDS.items() if row in k.counted_in)
        if types:
            out.append((row, types))
    return tuple(out)


def bad_parent_message(child_type: str, parent_type: str, year: int | None = None) -> str:
    """Vietnamese: why `child_type` cannot sit under `parent_type` (in the structure of `year`),
    and what may."""
    allowed = child_types(parent_type, year)
    if allowed:
        may = ", ".join(f"«{UNIT_TYPE_LABEL[t]}»" for t in sorted(allowed, key=_order))
        tail = f"; dưới «{UNIT_TYPE_LABEL[parent_type]}» chỉ có {may}"
    else:
        tail = f"; «{UNIT_TYPE_LABEL[parent_type]}» không có đơn vị trực thuộc"
    when = (f" trong cơ cấu năm {year}" if year is not None and
            child_type in child_types(parent_type) else "")
    return (f"«{UNIT_TYPE_LABEL[child_type]}» không thể trực thuộc "
            f"«{UNIT_TYPE_LABEL[parent_type]}»{when}{tail}")


def _order(t: str) -> int:
    return [c.code for c in UNIT_TYPES].index(t)
