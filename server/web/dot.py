"""The collecting office's round dashboard: every expected unit and where it stands, the
completeness and timeliness figures, the rating distribution, filters, the summary download.

A level above reads the same page, read-only (`access.overseeing`): the province opens a
commune's round from its overview or from the commune's row in its own round. The collecting
unit's own account also finds here its report upward (`server.send_up`)."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from flask import render_template, request

from workbook_templates.spec import get_form_set
from workbook_templates.spec.domain import LEVEL_CODES, UNIT_TYPE_LABEL

from .. import audit, db
from ..intake import VN
from ..models import Round
from ..rounds import parent_round, sent_up
from ..status import status as api_status
from ..textnorm import fold
from . import bp
from .access import login_required, overseeing

STATES = {"chua_nop": "Chưa nộp", "tra_lai": "Trả lại", "co_loi": "Có lỗi", "hop_le": "Hợp lệ",
          "da_quyet_dinh": "Đã quyết định"}


def state_of(u: dict) -> str:
    if not u["submitted"]:
        return "chua_nop"
    if u.get("returned"):
        return "tra_lai"
    if u["decided"]:
        return "da_quyet_dinh"
    return "hop_le" if u["valid"] else "co_loi"


def round_view(rnd, latest: dict | None = None) -> dict:
    """The API's status of the round (one source), with what the page adds: a state per unit,
    the rating that counts (decision, else proposal) and the totals the figures show."""
    st = api_status(rnd, latest)
    today = dt.datetime.now(VN).date()
    special = set(rnd.dac_thu or ())
    for u in st["units"]:
        u["special"] = u["code"] in special
        u["state"] = state_of(u)
        u["type_label"] = UNIT_TYPE_LABEL.get(u["type"], u["type"])
        # as the summary counts it: nothing for a unit with no version to merge (none valid,
        # or the latest returned), whatever was decided before
        u["rating"] = (u["decided"] or u["proposed"]) if u["valid_version"] else None
    n = st["expected"]
    st["on_time"] = sum(1 for u in st["units"] if u["submitted"] and not u["late"])
    st["missing"] = n - st["submitted"]
    st["decided"] = sum(1 for u in st["units"] if u["decided"])
    st["with_errors"] = sum(1 for u in st["units"] if u["state"] == "co_loi")
    st["deadline_passed"] = today > rnd.deadline
    return st


def distribution(units: list[dict]) -> list[dict]:
    """Children's ratings per group (unit type) and level, for the bar chart."""
    out = []
    for t in sorted({u["type"] for u in units}):
        n = Counter(u["rating"] for u in units if u["type"] == t and u["rating"])
        pending = sum(1 for u in units if u["type"] == t and not u["rating"])
        out.append({"type": t, "label": UNIT_TYPE_LABEL.get(t, t),
                    "counts": [(lv, n.get(lv, 0)) for lv in LEVEL_CODES],
                    "pending": pending, "total": sum(n.values()) + pending})
    return out


#: rows of the dashboard's table per page
PAGE = 200

#: more units than this: the per-unit chart would be a wall of bars; the summary has the totals
BARS_MAX = 60


def member_bars(rnd, units: list[dict]) -> list[dict]:
    """Per unit: its members by level (Biểu 3, row Đảng viên) from its latest valid version,
    read from the kept readings in bulk (a round of thousands stays fast)."""
    if not get_form_set(rnd.form).rates_units:
        return []
    shown = [u for u in units if u["valid_version"]]
    if not shown or len(shown) > BARS_MAX:
        return []
    from ..summary import latest_by_unit
    from .cells import raw_cells
    ids = {u.code: u.id for u in rnd.unit.children}
    valid = {uid: v for uid, (_, v) in latest_by_unit(rnd).items() if v is not None}
    subs = {u["code"]: valid[ids[u["code"]]] for u in shown if ids.get(u["code"]) in valid}
    names = tuple(f"XL_DV_{lv}" for lv in LEVEL_CODES)
    cells = raw_cells(subs, names)
    out = []
    for u in shown:
        if u["code"] not in cells:
            continue
        counts = [(lv, _int(cells[u["code"]].get(f"XL_DV_{lv}"))) for lv in LEVEL_CODES]
        out.append({"code": u["code"], "label": u["name"], "counts": counts, "pending": 0,
                    "total": sum(c for _, c in counts)})
    return out


def _int(v) -> int:
    try:
        return max(0, int(v))
    except (TypeError, ValueError):
        return 0


@bp.get("/dot/<int:round_id>")
@login_required
def dashboard(round_id: int):
    from ..summary import latest_by_unit
    from .lien_he import with_contacts
    p, rnd, may_decide = overseeing(round_id)
    latest = latest_by_unit(rnd)
    st = with_contacts(rnd, round_view(rnd, latest), latest)
    f_state = request.args.get("trang_thai", "")
    f_type = request.args.get("loai", "")
    f_late = request.args.get("tre", "") == "1"
    f_q = fold(request.args.get("q", ""))     # accents, «đ», case and NFD input ignored
    shown = [u for u in st["units"]
             if (not f_state or u["state"] == f_state) and (not f_type or u["type"] == f_type)
             and (not f_late or u["late"] or u["overdue"])
             and (not f_q or f_q in fold(u["name"]) or f_q in fold(u["code"])
                  or f_q in fold(u["contact"]) or f_q in u["phone"])]
    types = sorted({u["type"] for u in st["units"]})
    # a round of thousands: the table in pages of PAGE rows (the figures, the charts, the
    # export and the reminder list cover every unit)
    pages = max(1, -(-len(shown) // PAGE))
    try:
        page = min(max(1, int(request.args.get("trang", "1"))), pages)
    except ValueError:
        page = 1
    n_shown = len(shown)
    shown = shown[(page - 1) * PAGE:page * PAGE]
    return render_template(
        "web/dashboard.html", rnd=rnd, st=st, units=shown, states=STATES, types=types,
        page=page, pages=pages, n_shown=n_shown, page_size=PAGE,
        form_title=get_form_set(rnd.form).title, dist=distribution(st["units"]),
        unit_bars=member_bars(rnd, st["units"]), levels=LEVEL_CODES,
        filters={"trang_thai": f_state, "loai": f_type, "tre": f_late, "q": request.args.get(
            "q", "")},
        state_counts=Counter(u["state"] for u in st["units"]), may_decide=may_decide,
        below=rounds_of_children(rnd), own=p.unit is not None and p.unit.id == rnd.unit_id,
        audit_lines=audit.for_round(rnd, limit=20), who=audit.who_label, bars_max=BARS_MAX,
        above=parent_round(rnd), up=sent_up(rnd))


def rounds_of_children(rnd) -> dict[str, dict]:
    """unit code -> completeness of the round that child collects itself (same form and year):
    the drill-down from a province's round to each commune's."""
    from ..rounds import completeness
    ids = {u.id: u.code for u in rnd.unit.children}
    if not ids:
        return {}
    rounds = db.session().query(Round).filter(Round.unit_id.in_(ids), Round.form == rnd.form,
                                              Round.year == rnd.year)
    return {ids[r.unit_id]: completeness(r) for r in rounds}
