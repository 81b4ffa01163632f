"""Reporting rounds: opening one (the CLI's `create-round` and the web page call the same
function), the deadlines of Hướng dẫn 43, and what a level above sees of the rounds below it.

Two levels run on one server: a province collects from its communes in its round while each
commune (đảng ủy xã, phường, đặc khu) collects from its chi bộ in a round of its own, for the
same form and year. The commune's round is the commune's: it decides its chi bộ's ratings. The
province sees it read-only: completeness and timeliness, and the pages below.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from workbook_templates.findings import fmt_int
from workbook_templates.spec import form_sets, get_form_set

from . import db
from .models import Round, Submission, Unit


class RoundError(ValueError):
    """A round that cannot be opened as asked; the message is for the user (Vietnamese)."""


def default_deadline(year: int) -> dt.date:
    """HD 43: the review of rating year `year` is finished by 31/12 of that year."""
    return dt.date(year, 12, 31)


def default_special_deadline(year: int) -> dt.date:
    """HD 43: units the collecting level names as special finish by 15/01 of the next year."""
    return dt.date(year + 1, 1, 15)


def create_round(unit: Unit, form: str, year: int, deadline: dt.date | None = None,
                 ngoai_le_25: bool | None = None, dac_thu: list[str] | None = None,
                 han_dac_thu: dt.date | None = None) -> Round:
    """Open (or reopen) `unit`'s round of `form` for `year`; its direct children must report.

    A new round without a deadline gets HD 43's (31/12 of the year); the children named in
    `dac_thu` (codes) get `han_dac_thu`, by default 15/01 of the next year. Reopening keeps what
    is not given again (None): deadline, exception, special units."""
    if form not in form_sets():
        raise RoundError(f"Không có mẫu biểu «{form}».")
    if not 2000 <= year <= 2100:
        raise RoundError(f"Năm đánh giá {year} không hợp lệ: ghi năm có 4 chữ số, ví dụ 2026.")
    if not unit.children:
        raise RoundError(f"{unit.name} chưa có đơn vị trực thuộc nào nên không có ai phải nộp "
                         "biểu. Hãy nhập danh sách đơn vị (cột «Mã đơn vị cấp trên») trước.")
    if dac_thu is not None:
        dac_thu = sorted({str(c).strip() for c in dac_thu if str(c).strip()})
        mine = {u.code for u in unit.children}
        wrong = [c for c in dac_thu if c not in mine]
        if wrong:
            raise RoundError(f"Đơn vị đặc thù phải là đơn vị trực thuộc {unit.name}; không phải: "
                             + ", ".join(wrong) + ".")
    s = db.session()
    rnd = s.scalar(select(Round).where(Round.unit_id == unit.id, Round.form == form,
                                       Round.year == year))
    if rnd is None:
        rnd = Round(unit_id=unit.id, form=form, year=year,
                    deadline=deadline or default_deadline(year), is_open=True,
                    ngoai_le_25=bool(ngoai_le_25), dac_thu=dac_thu or [])
        s.add(rnd)
    else:
        rnd.is_open = True
        if deadline is not None:
            rnd.deadline = deadline
        if ngoai_le_25 is not None:
            rnd.ngoai_le_25 = ngoai_le_25
        if dac_thu is not None:
            rnd.dac_thu = dac_thu
    if han_dac_thu is not None:
        rnd.han_dac_thu = han_dac_thu
    elif rnd.dac_thu and rnd.han_dac_thu is None:
        rnd.han_dac_thu = default_special_deadline(year)
    s.commit()
    return rnd


def describe(rnd: Round) -> str:
    """One Vietnamese line saying what was opened, for the CLI and the page's message."""
    from workbook_templates.rules.packs import pack_for_year
    share = pack_for_year(rnd.year).share(rnd.ngoai_le_25)
    text = (f"Đợt {rnd.id}: {rnd.unit.name} nhận «{get_form_set(rnd.form).title}» năm "
            f"{rnd.year}, hạn {rnd.deadline:%d/%m/%Y}, {fmt_int(len(rnd.unit.children))} "
            "đơn vị phải nộp")
    if rnd.dac_thu and rnd.han_dac_thu:
        text += (f" ({fmt_int(len(rnd.dac_thu))} đơn vị đặc thù hạn {rnd.han_dac_thu:%d/%m/%Y}: "
                 + ", ".join(rnd.dac_thu) + ")")
    return text + f"; hạn mức xuất sắc {share} %" + (" (ngoại lệ đã chấp thuận)."
                                                     if rnd.ngoai_le_25 else ".")


def may_read(p, rnd: Round) -> bool:
    """Who reads a round (status, summary, its pages), read-only: the collecting unit, any level
    above it (a province reads its communes' rounds), an administrator. Deciding and sending
    stay with `Principal.may_collect`. The API and the pages ask this one question."""
    return p.may_collect(rnd) or p.may_see_unit(rnd.unit)


def descendant_ids(unit: Unit) -> set[int]:
    """Ids of every unit below `unit`, at any depth (one query for the whole tree)."""
    kids: dict[int, list[int]] = {}
    for uid, parent in db.session().execute(select(Unit.id, Unit.parent_id)):
        kids.setdefault(parent, []).append(uid)
    out, todo = set(), list(kids.get(unit.id, ()))
    while todo:
        uid = todo.pop()
        if uid not in out:
            out.add(uid)
            todo.extend(kids.get(uid, ()))
    return out


def rounds_below(unit: Unit) -> list[Round]:
    """Rounds collected by units below `unit`: what its office oversees, read-only."""
    ids = descendant_ids(unit)
    if not ids:
        return []
    return list(db.session().scalars(select(Round).where(Round.unit_id.in_(ids))
                                     .order_by(Round.year.desc(), Round.id)))


def parent_round(rnd: Round) -> Round | None:
    """The open round of the level above the collecting unit for the same form and year: where
    the collecting unit sends its own report (a commune's round -> the province's)."""
    unit = rnd.unit
    if unit.parent_id is None:
        return None
    return db.session().scalar(select(Round).where(
        Round.unit_id == unit.parent_id, Round.form == rnd.form, Round.year == rnd.year,
        Round.is_open.is_(True)))


def sent_up(rnd: Round) -> Submission | None:
    """The collecting unit's own latest submission in the round above, if it has reported."""
    above = db.session().scalar(select(Round).where(
        Round.unit_id == rnd.unit.parent_id, Round.form == rnd.form, Round.year == rnd.year)) \
        if rnd.unit.parent_id else None
    if above is None:
        return None
    return db.session().scalar(select(Submission).where(
        Submission.round_id == above.id, Submission.unit_id == rnd.unit_id)
        .order_by(Submission.version.desc()).limit(1))


def completeness(rnd: Round) -> dict:
    """What a level above reads of a round: expected, submitted, valid, late, overdue (the API's
    status, one source) and whether the collecting unit has reported upward itself."""
    from .status import status
    st = status(rnd)
    up = sent_up(rnd)
    return {"round": rnd, "expected": st["expected"], "submitted": st["submitted"],
            "valid": st["valid"], "late": st["late"], "overdue": st["overdue"],
            "sent_up": up}
