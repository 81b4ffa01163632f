"""Log in, log out, and the home page that sends each account where its work is."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for

from ..auth import authenticate
from . import bp
from .access import collected_rounds, current_user, login_required, overseen_rounds, principal


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        user = authenticate(request.form.get("username", "").strip(),
                            request.form.get("password", ""))
        if user is None:
            error = ("Sai tên đăng nhập hoặc mật khẩu. Kiểm tra bộ gõ tiếng Việt và phím Caps "
                     "Lock; nếu quên mật khẩu, hãy nhờ quản trị đặt lại.")
        else:
            session.clear()             # a fresh session: no fixation across the login
            session["user_id"] = user.id
            session.permanent = False
            nxt = request.args.get("next", "")
            if not nxt.startswith("/") or nxt.startswith("//"):
                nxt = url_for("web.home")
            return redirect(nxt)
    return render_template("web/login.html", error=error), (401 if error else 200)


@bp.post("/dang-xuat")
def logout():
    session.clear()
    flash("Đã đăng xuất.", "info")
    return redirect(url_for("web.login"))


@bp.get("/")
@login_required
def home():
    """A unit account without children goes straight to its page; the others see their rounds,
    and, read-only, the completeness of every round collected below them."""
    p = principal()
    rounds = collected_rounds(p)
    user = current_user()
    if not rounds and not p.is_admin and p.unit is not None and not p.unit.children:
        return redirect(url_for("web.unit_page", code=p.unit.code))
    units = []
    if p.is_admin:
        from sqlalchemy import select
        from .. import db
        from ..models import Unit
        units = list(db.session().scalars(select(Unit).where(Unit.parent_id.is_(None))
                                          .order_by(Unit.code)))
    from ..demo import rating_year
    from ..rounds import completeness
    from workbook_templates.spec import form_sets
    own = [completeness(r) for r in rounds]
    below = [completeness(r) for r in overseen_rounds(p)]
    may_open = p.unit is not None and bool(p.unit.children)
    return render_template("web/home.html", rounds=own, user=user, top_units=units,
                           below=below, may_open=may_open, year=rating_year(),
                           forms=sorted(form_sets().items()))
