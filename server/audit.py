"""The audit trail: one line per administrative act (a round opened, closed, its deadline moved,
the 25 % exception granted, a token issued, an account made, a report returned), so the office
can answer «who moved the deadline, and when?» from the round's page."""
from __future__ import annotations

from sqlalchemy import select

from . import db
from .models import Audit, Round, Unit


def record(who: str, action: str, detail: str, rnd: Round | None = None,
           unit: Unit | None = None) -> Audit:
    """Add the line to the session; the caller commits with the act itself (both or neither)."""
    a = Audit(who=who or "", action=action, detail=detail,
              round_id=rnd.id if rnd is not None else None,
              unit_id=unit.id if unit is not None else None)
    db.session().add(a)
    return a


def for_round(rnd: Round, limit: int = 200) -> list[Audit]:
    return list(db.session().scalars(select(Audit).where(Audit.round_id == rnd.id)
                                     .order_by(Audit.at.desc(), Audit.id.desc()).limit(limit)))


def recent(limit: int = 100) -> list[Audit]:
    return list(db.session().scalars(select(Audit).order_by(Audit.at.desc(), Audit.id.desc())
                                     .limit(limit)))


def who_label(who: str) -> str:
    """«user:vanphong» -> «vanphong»; the command line stays «dòng lệnh trên máy chủ»."""
    if who == "cli":
        return "quản trị (trên máy chủ)"
    return who.split(":", 1)[-1]
