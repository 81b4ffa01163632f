"""Decisions: the collecting office sets each child's rating (default: the child's proposal),
watching live how many XS the quota still allows per group; decisions are kept with who and
when (`server.models.Decision`) and the summary uses them (`server.summary.build`)."""
from __future__ import annotations

from flask import (current_app, flash, jsonify, redirect, render_template, request,
                   url_for)
from sqlalchemy import select

from workbook_templates.quota import allowances
from workbook_templates.rules.packs import pack_for_year

from .. import db
from ..models import Decision, Unit, utcnow
from . import bp
from .access import collecting, login_required
from .dot import round_view

CHOICES = ("XS", "TOT", "HT", "KHT", "MOI", "KHAC")


def _rows(rnd):
    st = round_view(rnd)
    decided = {d.unit_id: d for d in db.session().scalars(
        select(Decision).where(Decision.round_id == rnd.id))}
    units = {u.code: u for u in rnd.unit.children}
    for u in st["units"]:
        d = decided.get(units[u["code"]].id)
        u["decision"] = d
        u["decidable"] = u["valid_version"] is not None
    return st


def _quota(rnd, units, wanted=None):
    """The XS allowance per group (core `workbook_templates.quota`, as the summary shows it) for
    the children with a valid workbook; `wanted`: ratings the office is choosing, by unit code.
    The share is the rule pack's, or its QD366 exception share when the round says the exception
    was approved (`create-round --ngoai-le-25`)."""
    wanted = wanted or {}
    rows = []
    for u in units:
        if u["decidable"]:
            lv = wanted.get(u["code"], u["rating"])
            rows.append((u["type"], lv if lv in CHOICES else u["rating"],
                         u["code"] in wanted or u["decision"] is not None))
    return allowances(rows, pack_for_year(rnd.year).share(rnd.ngoai_le_25),
                      current_app.config["QUOTA_BASE"])


@bp.get("/dot/<int:round_id>/quyet-dinh")
@login_required
def decisions(round_id: int):
    p, rnd = collecting(round_id)
    st = _rows(rnd)
    rows = _quota(rnd, st["units"])
    pack = pack_for_year(rnd.year)
    share = pack.share(rnd.ngoai_le_25)
    return render_template("web/decisions.html", rnd=rnd, st=st, quota=rows, choices=CHOICES,
                           share=share, exception=share != pack.share(False))


@bp.post("/dot/<int:round_id>/han-muc")
@login_required
def quota_live(round_id: int):
    """The quota for ratings the office is choosing, before it saves (the page's script)."""
    p, rnd = collecting(round_id)
    wanted = (request.get_json(silent=True) or {}).get("ratings") or {}
    if not isinstance(wanted, dict):
        wanted = {}
    st = _rows(rnd)
    return jsonify([r.to_dict() for r in _quota(rnd, st["units"], wanted)])


@bp.post("/dot/<int:round_id>/quyet-dinh")
@login_required
def save_decisions(round_id: int):
    p, rnd = collecting(round_id)
    st = _rows(rnd)
    s = db.session()
    units = {u.code: u for u in rnd.unit.children}
    changed = removed = 0
    for u in st["units"]:
        if not u["decidable"]:
            continue
        unit: Unit = units[u["code"]]
        d: Decision | None = u["decision"]
        if request.form.get(f"chot_{u['code']}"):
            lv = request.form.get(f"xl_{u['code']}", "")
            if lv not in CHOICES:
                continue
            note = request.form.get(f"gc_{u['code']}", "").strip()[:500]
            if d is None:
                d = Decision(round_id=rnd.id, unit_id=unit.id)
                s.add(d)
            elif d.xep_loai == lv and d.note == note:
                continue
            d.xep_loai, d.note = lv, note
            d.decided_by, d.decided_at = p.label, utcnow()
            changed += 1
        elif d is not None and request.form.get(f"hang_{u['code']}"):
            # unticked on the page: back to the unit's own proposal. Only rows the page showed
            # (hang_*) are touched, so a form sent with some rows never clears the others.
            s.delete(d)
            removed += 1
    s.commit()
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
              + "; ".join(over) + ". Biểu tổng hợp sẽ báo lỗi R-QUOTA cho đến khi sửa.", "warn")
    return redirect(url_for("web.decisions", round_id=rnd.id))
