"""Opening a round from the pages: the collecting office (a province, or a commune for its chi bộ)
opens its own round with the same service as `flask --app server create-round`
(`server.rounds.create_round`): no deadline typed means HD 43's."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from sqlalchemy import select

from .. import audit, db
from ..models import Unit
from ..rounds import RoundError, create_round, describe
from . import bp
from .access import login_required, principal


@bp.post("/dot/mo")
@login_required
def open_round():
    p = principal()
    f = request.form
    unit = p.unit
    if p.is_admin and f.get("don_vi"):       # an administrator opens a round for any unit
        unit = db.session().scalar(select(Unit).where(Unit.code == f.get("don_vi")))
    if unit is None or not unit.children:
        abort(403)
    try:
        year = int(f.get("nam", ""))
    except ValueError:
        flash("Năm đánh giá phải là năm có 4 chữ số, ví dụ 2026.", "warn")
        return redirect(url_for("web.home"))
    try:
        rnd = create_round(unit, f.get("bieu", "bao_cao_nam"), year, _date(f.get("han")),
                           dac_thu=f.getlist("dac_thu") if unit is p.unit else None,
                           han_dac_thu=_date(f.get("han_dac_thu")))
    except (RoundError, ValueError) as e:
        flash(f"Chưa mở được đợt: {e}", "warn")
        return redirect(url_for("web.home"))
    audit.record(p.label, "open_round", describe(rnd), rnd)
    db.session().commit()
    flash(describe(rnd), "ok")
    return redirect(url_for("web.dashboard", round_id=rnd.id))


def _date(v: str | None) -> dt.date | None:
    """The date input's yyyy-mm-dd; blank: None (HD 43's default)."""
    v = (v or "").strip()
    if not v:
        return None
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        raise ValueError(f"«{v}» không phải ngày (ghi ngày/tháng/năm).") from None
