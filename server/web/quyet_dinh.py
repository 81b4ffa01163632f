"""Decisions: the collecting office sets each child's rating (default: the child's proposal),
watching live how many XS the quota still allows per group; decisions are kept with who and
when (`server.models.Decision`) and the summary uses them (`server.summary.build`)."""
from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workbook_templates.quota import CUCS_TYPES, allowances
from workbook_templates.rules.packs import pack_for_year
from workbook_templates.spec.domain import DECISION_CODES, LEVEL_CODES

from .. import db
from ..models import Decision, Submission, Unit, utcnow
from ..summary import latest_by_unit
from . import bp
from .access import collecting, login_required, overseeing
from .cells import raw_cells
from .dot import round_view
from .filters import level as level_label
from .filters import vn_time

CHOICES = DECISION_CODES      # the four levels and «không xếp loại» (spec.domain.DECISIONS)


def _rows(rnd, full: bool = True):
    """The round's units with their decisions and committees; `full`: also the 25 % exception
    decisions the children name (the page shows them; the live quota does not need them)."""
    latest = latest_by_unit(rnd)        # once: the status and the committees both need it
    st = round_view(rnd, latest)
    decided = {d.unit_id: d for d in db.session().scalars(
        select(Decision).where(Decision.round_id == rnd.id))}
    units = {u.code: u for u in rnd.unit.children}
    for u in st["units"]:
        d = decided.get(units[u["code"]].id)
        u["decision"] = d
        u["decidable"] = u["valid_version"] is not None
        u["has_cap_uy"] = u["decidable"] and u["type"] in CUCS_TYPES
    valid = {uid: v for uid, (_, v) in latest.items() if v is not None}
    _committees(valid, units, [u for u in st["units"] if u["has_cap_uy"]])
    if full:
        _exception_decisions(units, [u for u in st["units"] if u["decidable"]], valid)
    return st


def _exception_decisions(units, rows, valid):
    """QĐ 366: a child applying the 25 % XS share names the decision that granted it
    (TT_QD25_So/Ngay/CoQuan, R-NGOAILE25); the collecting office sees it beside the child's
    proposal, so it can check the decision before it rates. Read in bulk from the kept readings
    (`cells.raw_cells`)."""
    subs = {u["code"]: valid.get(units[u["code"]].id) for u in rows}
    names = ("TT_NgoaiLe25", "TT_QD25_So", "TT_QD25_Ngay", "TT_QD25_CoQuan")
    got = raw_cells({k: v for k, v in subs.items() if v is not None}, names, "values")
    for u in rows:
        u["ngoai_le_25"] = None
        vals = got.get(u["code"])
        if vals is None or vals.get("TT_NgoaiLe25") != "CO":
            continue
        day = vals.get("TT_QD25_Ngay")
        day = day.strftime("%d/%m/%Y") if hasattr(day, "strftime") else (day or "")
        u["ngoai_le_25"] = {"so": vals.get("TT_QD25_So") or "(chưa ghi số)", "ngay": day,
                            "co_quan": vals.get("TT_QD25_CoQuan") or ""}


def _committees(valid, units, rows):
    """The committee's proposed rating (TT_XepLoaiCapUy of the latest valid workbook, from the
    reading the server kept) and the one that counts, for each TCCSĐ child."""
    subs = {u["code"]: valid.get(units[u["code"]].id) for u in rows}
    got = raw_cells({k: v for k, v in subs.items() if v is not None}, ("TT_XepLoaiCapUy",),
                    "values")
    for u in rows:
        proposed = (got.get(u["code"]) or {}).get("TT_XepLoaiCapUy")
        d = u["decision"]
        u["cap_uy_proposed"] = proposed if proposed in LEVEL_CODES else None
        u["cap_uy_decided"] = d.xep_loai_cap_uy if d is not None else None
        u["cap_uy_rating"] = u["cap_uy_decided"] or u["cap_uy_proposed"]


def _quota(rnd, units, wanted=None, wanted_cap_uy=None):
    """The XS allowance per group (core `workbook_templates.quota`, as the summary shows it) for
    the children with a valid workbook, and for their committees (row CUCS); `wanted`,
    `wanted_cap_uy`: ratings the office is choosing, by unit code. The share is the rule pack's,
    or its QD366 exception share when the round says the exception was approved
    (`create-round --ngoai-le-25`)."""
    wanted, wanted_cap_uy = wanted or {}, wanted_cap_uy or {}
    rows, committees = [], []
    for u in units:
        if u["decidable"]:
            lv = wanted.get(u["code"], u["rating"])
            rows.append((u["type"], lv if lv in CHOICES else u["rating"],
                         u["code"] in wanted or bool(u["decision"])))
        if u.get("has_cap_uy"):
            lv = wanted_cap_uy.get(u["code"], u["cap_uy_rating"])
            committees.append((lv if lv in LEVEL_CODES else u["cap_uy_rating"],
                               u["code"] in wanted_cap_uy or u["cap_uy_decided"] is not None))
    return allowances(rows, pack_for_year(rnd.year).share(rnd.ngoai_le_25),
                      current_app.config["QUOTA_BASE"], committees)


@bp.get("/dot/<int:round_id>/quyet-dinh")
@login_required
def decisions(round_id: int):
    """The collecting office decides here; a level above reads the same page, read-only."""
    p, rnd, may_decide = overseeing(round_id)
    st = _rows(rnd)
    rows = _quota(rnd, st["units"])
    pack = pack_for_year(rnd.year)
    share = pack.share(rnd.ngoai_le_25)
    return render_template("web/decisions.html", rnd=rnd, st=st, quota=rows, choices=CHOICES,
                           share=share, exception=share != pack.share(False), stamp=stamp,
                           levels=LEVEL_CODES, may_decide=may_decide)


def not_yours(p, rnd):
    """A level above tries to save: decisions stay with the collecting unit (HD 43: each level
    rates the organisations directly under it)."""
    who = p.unit.name if p.unit is not None else "Tài khoản này"
    return render_template(
        "web/error.html", title="Không có quyền quyết định",
        message=f"Xếp loại các đơn vị trong đợt này do {rnd.unit.name} quyết định; {who} chỉ "
                "xem tình hình nộp và kết quả, không ghi quyết định thay."), 403


#: The live quota's memory, per app (one database): round id -> (what it was read from, the
#: units as `_quota` reads them). The page asks for the quota on every change of a rating;
#: rebuilding the round's status from 1,000 units and their versions as ORM objects was nearly
#: all of each answer (README «Hiệu năng»). An upload, a return, a decision or a change of the
#: round's units gives another key; saving decisions always counts afresh.
_LIVE = "kiemdiem.live_quota"

#: what `_quota` reads of each unit
_QUOTA_KEYS = ("code", "type", "decidable", "rating", "has_cap_uy", "cap_uy_rating",
               "cap_uy_decided")


def _live_key(rnd) -> tuple:
    """Changes whenever anything the quota counts changes: the round's versions (a new upload,
    a return), its decisions (made, changed, removed), its units and their types, the share."""
    s = db.session()
    subs = s.execute(select(func.count(Submission.id), func.max(Submission.id),
                            func.count(Submission.returned_at), func.max(Submission.returned_at))
                     .where(Submission.round_id == rnd.id)).one()
    decs = s.execute(select(func.count(Decision.id), func.max(Decision.id),
                            func.max(Decision.decided_at))
                     .where(Decision.round_id == rnd.id)).one()
    units = s.execute(select(Unit.id, Unit.type).where(Unit.parent_id == rnd.unit_id)
                      .order_by(Unit.id)).all()
    return (tuple(subs), tuple(decs), tuple(map(tuple, units)), rnd.year, rnd.ngoai_le_25)


def _live_units(rnd) -> list[dict]:
    memory = current_app.extensions.setdefault(_LIVE, {})
    key = _live_key(rnd)
    kept = memory.get(rnd.id)
    if kept is not None and kept[0] == key:
        return kept[1]
    units = [{k: u.get(k) for k in _QUOTA_KEYS} | {"decision": u["decision"] is not None}
             for u in _rows(rnd, full=False)["units"]]     # plain data, no ORM object kept
    memory[rnd.id] = (key, units)
    return units


@bp.post("/dot/<int:round_id>/han-muc")
@login_required
def quota_live(round_id: int):
    """The quota for ratings the office is choosing, before it saves (the page's script)."""
    p, rnd = collecting(round_id)
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    wanted, wanted_cap_uy = (b if isinstance(b, dict) else {}
                             for b in (body.get("ratings"), body.get("cap_uy")))
    return jsonify([r.to_dict() for r in _quota(rnd, _live_units(rnd), wanted, wanted_cap_uy)])


def stamp(d: Decision | None) -> str:
    """What the page showed for a child's decision; a save compares it with what is stored now,
    so one office worker's save never silently overwrites another's made meanwhile."""
    return "" if d is None else f"{d.id}.{d.decided_at:%Y%m%d%H%M%S%f}"


def _conflict_txt(u, d: Decision | None) -> str:
    if d is None:
        return f"{u['name']}: đã được trả về mức đơn vị tự đề xuất"
    level = level_label(d.xep_loai)
    who = d.decided_by.split(":", 1)[-1]
    return f"{u['name']}: {who} đã ghi «{level}» lúc {vn_time(d.decided_at)}"


@bp.post("/dot/<int:round_id>/quyet-dinh")
@login_required
def save_decisions(round_id: int):
    p, rnd, may_decide = overseeing(round_id)
    if not may_decide:
        return not_yours(p, rnd)
    st = _rows(rnd)
    s = db.session()
    units = {u.code: u for u in rnd.unit.children}
    changed = removed = 0
    conflicts = []
    for u in st["units"]:
        if not u["decidable"]:
            continue
        unit: Unit = units[u["code"]]
        d: Decision | None = u["decision"]
        code = u["code"]
        ticked = bool(request.form.get(f"chot_{code}"))
        lv = request.form.get(f"xl_{code}", "")
        note = request.form.get(f"gc_{code}", "").strip()[:500]
        cu = request.form.get(f"cu_{code}") if u["has_cap_uy"] else None
        cu = cu if cu in LEVEL_CODES else None      # the committee counts by its proposal
        if d is not None and d.xep_loai_cap_uy is None and cu == u.get("cap_uy_proposed"):
            cu = None       # a decision made without one (API, before 0003): left as it was
        if ticked and lv not in CHOICES:
            continue
        same = (d is not None and (d.xep_loai, d.note, d.xep_loai_cap_uy) == (lv, note, cu)) \
            if ticked else (d is None or not request.form.get(f"hang_{code}"))
        if same:
            continue
        shown = request.form.get(f"moc_{code}")
        if shown is not None and shown != stamp(d):
            conflicts.append(_conflict_txt(u, d))    # changed by someone else since shown
            continue
        if ticked:
            if d is None:
                d = Decision(round_id=rnd.id, unit_id=unit.id)
                s.add(d)
            d.xep_loai, d.note, d.xep_loai_cap_uy = lv, note, cu
            d.decided_by, d.decided_at = p.label, utcnow()
            changed += 1
        else:
            # unticked on the page: back to the unit's own proposal. Only rows the page showed
            # (hang_*) are touched, so a form sent with some rows never clears the others.
            s.delete(d)
            removed += 1
    try:
        s.commit()
    except IntegrityError:      # another save created the same decision at the same moment
        s.rollback()
        flash("Không lưu được: một người khác vừa lưu quyết định cho cùng đơn vị. Trang đã tải "
              "lại với quyết định mới nhất; xem lại rồi lưu lại.", "warn")
        return redirect(url_for("web.decisions", round_id=rnd.id))
    if conflicts:
        flash(f"Không ghi {len(conflicts)} đơn vị vì quyết định đã được sửa trong lúc bạn đang "
              "chọn — " + "; ".join(conflicts) + ". Trang đã tải lại với quyết định mới nhất; "
              "xem lại rồi lưu nếu vẫn muốn đổi.", "warn")
    parts = []
    if changed:
        parts.append(f"đã ghi {changed} quyết định")
    if removed:
        parts.append(f"bỏ {removed} quyết định (trở về đề xuất của đơn vị)")
    flash(("Đã lưu: " + ", ".join(parts) + ".") if parts else "Không có thay đổi nào.", "ok")
    st = _rows(rnd)
    over = [row.label for row in _quota(rnd, st["units"]) if row.over]
    if over:
        flash("Lưu ý: xếp loại hiện tại vượt hạn mức «Hoàn thành xuất sắc» ở: "
              + "; ".join(over) + ". Biểu tổng hợp sẽ báo lỗi vượt hạn mức cho đến khi sửa.",
              "warn")
    return redirect(url_for("web.decisions", round_id=rnd.id))
