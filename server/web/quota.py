"""How many more children the collecting office may rate XS (SPEC §2), per group of comparable
subjects, for the ratings as they stand or as the office is about to set them.

The ceiling itself is the core's (`xs_ceiling`) and the share the rule pack's
(`pack_for_year(year).share`); this module only groups the children the way the parent's summary
counts them (`TCCSD` = đảng bộ cơ sở + chi bộ cơ sở, then each type on its own row).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

from workbook_templates.rules.packs import pack_for_year
from workbook_templates.spec.domain import TCCSD_TYPES, UNIT_TYPE_LABEL
from workbook_templates.spec.model import xs_ceiling, xs_headroom

BASE_LABEL = {"tot": "đơn vị Hoàn thành tốt",
              "tot_tro_len": "đơn vị từ Hoàn thành tốt trở lên"}


@dataclass
class QuotaRow:
    key: str
    label: str
    units: int
    xs: int
    tot: int
    share: int
    ceiling: int
    more: int           # further children that could move from TOT to XS
    over: int           # XS above the ceiling (0 when within)
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


def groups(types: set[str]) -> list[tuple[str, str, frozenset]]:
    out = []
    tccsd = TCCSD_TYPES & types
    if tccsd:
        out.append(("TCCSD", "Tổ chức cơ sở đảng (đảng bộ cơ sở + chi bộ cơ sở)", TCCSD_TYPES))
    for t in sorted(types):
        if t in TCCSD_TYPES and len(tccsd) == 1:
            continue        # the TCCSĐ row already is this type
        out.append((t, UNIT_TYPE_LABEL.get(t, t), frozenset({t})))
    return out


def quota(ratings: list[tuple[str, str | None]], year: int | None, base: str) -> list[QuotaRow]:
    """`ratings`: (unit type, level) of each child counted in the summary."""
    share = pack_for_year(year).share(False)
    rows = []
    for key, label, types in groups({t for t, _ in ratings}):
        n = Counter(lv for t, lv in ratings if t in types)
        units = sum(n.values())
        xs, tot = n.get("XS", 0), n.get("TOT", 0)
        ceiling = xs_ceiling(xs, tot, share, base)
        more = xs_headroom(xs, tot, share, base)
        over = max(0, xs - ceiling)
        move = 0            # XS to move down to TOT (each also raises a TOT-based ceiling)
        while xs - move > xs_ceiling(xs - move, tot + move, share, base):
            move += 1
        basis = f"{share} % × {tot + xs if base == 'tot_tro_len' else tot} " \
                f"{BASE_LABEL.get(base, base)}"
        if over:
            msg = (f"Vượt hạn mức: {xs} đơn vị Hoàn thành xuất sắc, tối đa {ceiling} "
                   f"({basis}). Hãy chuyển ít nhất {move} đơn vị xuống Hoàn thành tốt.")
        elif more:
            msg = (f"Còn được xếp thêm {more} đơn vị Hoàn thành xuất sắc "
                   f"(đang có {xs}, tối đa {ceiling} = {basis}).")
        else:
            msg = (f"Đã hết hạn mức Hoàn thành xuất sắc (đang có {xs}, tối đa {ceiling} = "
                   f"{basis}).")
        rows.append(QuotaRow(key, label, units, xs, tot, share, ceiling,
                             more if not over else 0, over, msg))
    return rows
