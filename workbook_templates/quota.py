"""How many more children a parent may rate «Hoàn thành xuất sắc» (the quota of SPEC §2), per
group of comparable children.

One computation for every place that shows it: the merge's sheet «Hạn mức xuất sắc» and its
command-line summary, and the server's decisions page (live, while the office chooses). The
ceiling itself is `spec.model.xs_ceiling`, the share the rule pack's; this module groups the
children and says what the figures mean.

The groups are the parent's Biểu 2 rows a child's own rating counts in (SPEC §5), so the table
below is also the merge's: TCCSĐ as a whole, then each type on its own row, and `CUCS` for the
party committees of TCCSĐ children.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from .spec.domain import UNIT_TYPE_LABEL
from .spec.hierarchy import CUCS_TYPES, quota_groups
from .spec.model import xs_ceiling, xs_headroom

_ROW_LABEL = {"TCCSD": "Tổ chức cơ sở đảng (đảng bộ cơ sở + chi bộ cơ sở)",
              "CUCS": "Cấp ủy cơ sở"}
#: The order of the quota table: TCCSĐ as a whole first, then each type on its own row.
_ORDER = ("TCCSD", "DBCS", "CBCS", "DBBP", "CBTT", "DBCT")
#: (row of the parent's Biểu 2, label, child types counted there); the rows and types come from
#: `spec.hierarchy`.
GROUPS = tuple((row, _ROW_LABEL.get(row) or UNIT_TYPE_LABEL[min(types)], types)
               for row, types in quota_groups(_ORDER))
#: A child's own rating counts in these rows of the parent's Biểu 2 (the quota's groups).
TYPE_ROWS = {t: tuple(row for row, _, types in GROUPS if t in types)
             for t in sorted({t for _, _, types in GROUPS for t in types})}
__all__ = ["CUCS_TYPES", "GROUPS", "TYPE_ROWS", "Allowance", "allowance", "allowances"]

BASE_LABEL = {"tot": "đơn vị Hoàn thành tốt",
              "tot_tro_len": "đơn vị từ Hoàn thành tốt trở lên"}


@dataclass(frozen=True)
class Allowance:
    """The XS quota of one group as the ratings stand."""

    key: str            # the parent's Biểu 2 row (TCCSD, DBCS, …, CUCS)
    label: str
    units: int          # children in the group (rated or not)
    xs: int
    tot: int
    ht: int
    kht: int
    undecided: int      # ratings still the child's own proposal
    share: int          # percent
    base: str           # "tot" or "tot_tro_len"
    ceiling: int        # most XS the group may have now
    more: int           # further children that could move from TOT to XS (0 when over)
    over: int           # XS above the ceiling (0 when within)
    move: int           # XS to move down to TOT to be within (each also raises a TOT ceiling)

    @property
    def basis(self) -> str:
        n = self.tot + self.xs if self.base == "tot_tro_len" else self.tot
        return f"{self.share} % × {n} {BASE_LABEL.get(self.base, self.base)}"

    @property
    def message(self) -> str:
        if self.over:
            return (f"Vượt hạn mức: {self.xs} đơn vị Hoàn thành xuất sắc, tối đa {self.ceiling} "
                    f"({self.basis}). Hãy chuyển ít nhất {self.move} đơn vị xuống Hoàn thành tốt.")
        if self.more:
            return (f"Còn được xếp thêm {self.more} đơn vị Hoàn thành xuất sắc (đang có "
                    f"{self.xs}, tối đa {self.ceiling} = {self.basis}).")
        return (f"Không còn được xếp thêm đơn vị Hoàn thành xuất sắc (đang có {self.xs}, tối "
                f"đa {self.ceiling} = {self.basis}).")

    def to_dict(self) -> dict:
        return {**asdict(self), "message": self.message}


def allowance(key: str, label: str, ratings: Iterable[tuple[str | None, bool]], share: int,
              base: str) -> Allowance:
    """ratings: (level, decided) of each child in the group; level None when not rated."""
    ratings = list(ratings)
    n = Counter(lv for lv, _ in ratings)
    xs, tot = n.get("XS", 0), n.get("TOT", 0)
    ceiling = xs_ceiling(xs, tot, share, base)
    over = max(0, xs - ceiling)
    move = 0
    while xs - move > xs_ceiling(xs - move, tot + move, share, base):
        move += 1
    return Allowance(key, label, len(ratings), xs, tot, n.get("HT", 0), n.get("KHT", 0),
                     sum(1 for _, d in ratings if not d), share, base, ceiling,
                     0 if over else xs_headroom(xs, tot, share, base), over, move)


def allowances(children: Iterable[tuple[str | None, str | None, bool]], share: int, base: str,
               committees: Iterable[tuple[str | None, bool]] = ()) -> list[Allowance]:
    """One `Allowance` per group that has children, in Biểu 2 order.

    children: (unit type, level, decided) of each child counted; committees: (level, decided) of
    the party committees of TCCSĐ children (row CUCS), unrated ones left out."""
    children = list(children)
    out = []
    for key, label, types in GROUPS:
        mine = [(lv, d) for t, lv, d in children if t in types]
        if mine:
            out.append(allowance(key, label, mine, share, base))
    committees = [(lv, d) for lv, d in committees if lv]
    if committees:
        out.append(allowance("CUCS", _ROW_LABEL["CUCS"], committees, share, base))
    return out
