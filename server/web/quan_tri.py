"""Administration in the browser: the round's settings (open or close, deadline, the 25 %
exception with its decision, the children's upload tokens), accounts and the units file, and
«Trả lại» of a unit's report. Every act goes through `server.admin` — the same checks as the
command line — and leaves an audit line shown on the round's pages."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from workbook_templates.findings import fmt_int

from .. import admin, audit, db
from ..models import Submission, Unit, User
from ..rounds import descendant_ids
from ..units_io import UnitsFileError
from . import bp
from .access import collecting, login_required, principal
from .mo_dot import _date


def _managed_units(p) -> list[Unit]:
    """Units whose accounts and tokens this account manages, top-down."""
    s = db.session()
    if p.is_admin:
        return list(s.scalars(select(Unit).order_by(Unit.code)))
    if p.unit is None:
        return []
    ids = descendant_ids(p.unit) | {p.unit.id}
    return list(s.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.code)))


def may_administer(p) -> bool:
    return p.is_admin or (p.unit is not None and bool(p.unit.children))


def administering():
    """The signed-in principal, who must be allowed to administer (403 otherwise): the account
    and units-import pages ask it first."""
    p = principal()
    if not may_administer(p):
        abort(403)
    return p


@bp.get("/dot/<int:round_id>/quan-tri")
@login_required
def round_admin(round_id: int):
    p, rnd = collecting(round_id)
    return render_template("web/round_admin.html", rnd=rnd, lines=audit.for_round(rnd),
                           who=audit.who_label, token=None)


@bp.post("/dot/<int:round_id>/quan-tri")
@login_required
def round_admin_post(round_id: int):
    p, rnd = collecting(round_id)
    f, what, token = request.form, request.form.get("viec", ""), None
    try:
        if what == "dong":
            flash(admin.set_open(p, rnd, False), "ok")
        elif what == "mo":
            flash(admin.set_open(p, rnd, True), "ok")
        elif what == "han":
            d = _date(f.get("han"))
            if d is None:
                raise admin.AdminError("Chọn ngày hạn nộp mới.")
            flash(admin.set_deadline(p, rnd, d), "ok")
        elif what == "ngoai_le":
            flash(admin.set_exception(p, rnd, f.get("ngoai_le_25") == "1",
                                      f.get("quyet_dinh", "")), "ok")
        elif what in ("cap_ma", "thu_hoi"):
            unit = db.session().scalar(select(Unit).where(Unit.code == f.get("don_vi", "")))
            if unit is None or unit.parent_id != rnd.unit_id:
                raise admin.AdminError("Chọn một đơn vị trực thuộc của đợt này.")
            if what == "cap_ma":
                token = (unit, admin.new_token(p, unit, revoke_old=True, rnd=rnd))
            else:
                n = admin.revoke(p, unit, rnd)
                flash(f"Đã thu hồi {n} mã tải lên của {unit.name}.", "ok")
        else:
            abort(400)
    except (admin.AdminError, ValueError) as e:
        flash(f"Chưa thực hiện: {e}", "warn")
    if token is not None:   # shown once, never stored in plain: no redirect
        return render_template("web/round_admin.html", rnd=rnd, lines=audit.for_round(rnd),
                               who=audit.who_label, token=token)
    return redirect(url_for("web.round_admin", round_id=rnd.id))


@bp.get("/quan-tri")
@login_required
def admin_page():
    p = administering()
    units = _managed_units(p)
    users = list(db.session().scalars(select(User).order_by(User.username)))
    if not p.is_admin:
        ids = {u.id for u in units}
        users = [u for u in users if u.unit_id in ids]
    lines = audit.recent() if p.is_admin else []
    return render_template("web/admin.html", units=units, users=users, lines=lines,
                           who=audit.who_label, is_admin=p.is_admin)


@bp.post("/quan-tri/tai-khoan")
@login_required
def save_account():
    p = administering()
    f = request.form
    unit = db.session().scalar(select(Unit).where(Unit.code == f.get("don_vi", "")))
    try:
        user, created = admin.save_user(p, f.get("ten", ""), f.get("mat_khau", ""), unit,
                                        admin=f.get("quan_tri") == "1" and unit is None,
                                        full_name=f.get("ho_ten", ""))
        flash((f"Đã tạo tài khoản «{user.username}»." if created else
               f"Đã đặt lại mật khẩu tài khoản «{user.username}».")
              + " Hãy báo mật khẩu cho người dùng qua kênh riêng.", "ok")
    except admin.AdminError as e:
        flash(f"Chưa lưu tài khoản: {e}", "warn")
    return redirect(url_for("web.admin_page"))


@bp.post("/quan-tri/don-vi")
@login_required
def import_units_page():
    p = administering()
    file = request.files.get("file")
    if file is None or not file.filename:
        flash("Chọn tệp Excel danh sách đơn vị (.xlsx) trước khi bấm «Nhập».", "warn")
        return redirect(url_for("web.admin_page"))
    try:
        created, updated = admin.import_units_for(p, file.read())
        flash(f"Đã nhập danh sách đơn vị: {fmt_int(created)} đơn vị mới, "
              f"{fmt_int(updated)} đơn vị cập nhật.", "ok")
    except (admin.AdminError, UnitsFileError) as e:
        flash(f"Chưa nhập: {e}", "warn")
    return redirect(url_for("web.admin_page"))


@bp.post("/nop/<int:sub_id>/tra-lai")
@login_required
def return_report(sub_id: int):
    p = principal()
    sub = db.get_or_404(Submission, sub_id)
    if not p.may_collect(sub.round):
        abort(403)
    try:
        flash(admin.return_submission(p, sub, request.form.get("ly_do", "")), "ok")
    except admin.AdminError as e:
        flash(f"Chưa trả lại: {e}", "warn")
    return redirect(url_for("web.unit_page", code=sub.unit.code, _anchor=f"v{sub.id}"))
