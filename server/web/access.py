"""Who is looking at a page and what they may see.

Three kinds of account (`server.models.User`): a unit's account (its own page, its history), the
collecting office's account (a unit that has children: its rounds, its children's pages, and,
read-only, the rounds collected by units below it), and an administrator (everything). Every
view asks these functions; a page never lists what its reader
may not open.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, g, redirect, request, session, url_for
from sqlalchemy import select

from .. import db
from ..auth import Principal, current_principal
from ..models import Round, Unit, User
from ..textnorm import code_key, nfc


def current_user() -> User | None:
    if "web_user" not in g:
        uid = session.get("user_id")
        g.web_user = db.session().get(User, uid) if uid is not None else None
    return g.web_user


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped


def principal() -> Principal:
    p = current_principal()
    if p is None:       # login_required runs first; a stale session lands here
        abort(401)
    return p


def may_see_unit(p: Principal, unit: Unit) -> bool:
    """A unit's page: the unit itself, any level above it, an administrator (as in the API)."""
    return p.may_see_unit(unit)


def may_upload_for(p: Principal, unit: Unit) -> bool:
    """Only the unit's own account sends its workbook (as only its token does in the API)."""
    return p.unit is not None and p.unit.id == unit.id


def unit_or_404(code: str) -> Unit:
    unit = db.session().scalar(select(Unit).where(Unit.code.in_({nfc(code).strip(),
                                                                 code_key(code)})))
    if unit is None:
        abort(404)
    return unit


def round_or_404(round_id: int) -> Round:
    return db.get_or_404(Round, round_id)


def collecting(round_id: int):
    """(principal, round) for a page only the round's collecting office (or an admin) sees."""
    p, rnd = principal(), round_or_404(round_id)
    if not p.may_collect(rnd):
        abort(403)
    return p, rnd


def may_oversee(p: Principal, rnd: Round) -> bool:
    """A round's pages, read-only: its collecting unit, any level above that unit (a province
    sees its communes' rounds), an administrator. Deciding stays with `Principal.may_collect`."""
    from ..rounds import may_read
    return may_read(p, rnd)


def overseeing(round_id: int):
    """(principal, round, may decide) for a round page a level above may read."""
    p, rnd = principal(), round_or_404(round_id)
    if not may_oversee(p, rnd):
        abort(403)
    return p, rnd, p.may_collect(rnd)


def overseen_rounds(p: Principal) -> list[Round]:
    """Rounds collected below the account's unit (an admin sees them among all rounds)."""
    from ..rounds import rounds_below
    if p.is_admin or p.unit is None:
        return []
    return rounds_below(p.unit)


def collected_rounds(p: Principal) -> list[Round]:
    q = select(Round).order_by(Round.year.desc(), Round.id.desc())
    if not p.is_admin:
        if p.unit is None:
            return []
        q = q.where(Round.unit_id == p.unit.id)
    return list(db.session().scalars(q))
