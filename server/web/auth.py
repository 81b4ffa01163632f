"""Log in, log out, and the home page that sends each account where its work is."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import flash, redirect, render_template, request, url_for

from ..auth import TooManyAttempts, authenticate, end_session, start_session
from . import bp
from .access import collected_rounds, current_user, login_required, overseen_rounds, principal


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    error, status = None, 200
    if request.method == "POST":
        try:
            user = authenticate(request.form.get("username", "").strip(),
                                request.form.get("password", ""))
        except TooManyAttempts as e:
            return render_template("web/login.html", error=e.description), 429, {
                "Retry-After": str(e.retry_after)}
        if user is None:
            error, status = ("Sai tên đăng nhập hoặc mật khẩu. Kiểm tra bộ gõ tiếng Việt và phím "
                             "Caps Lock; nếu quên mật khẩu, hãy nhờ quản trị đặt lại."), 401
        else:
            start_session(user)         # a fresh session, recorded on the server
            return redirect(safe_next(request.args.get("next", "")) or url_for("web.home"))
    return render_template("web/login.html", error=error), status


def safe_next(target: str) -> str | None:
    """`target` when it is a path on this site, else None.

    A browser drops tabs and newlines from a URL and reads a backslash as a slash, so "/<tab>/evil",
    "/<backslash>evil" and "//evil" all lead to evil; "https:evil" is a full address.
    Only a plain path starting with one "/" is kept — checked as sent and once decoded."""
    for t in (target, unquote(target)):
        if not t.startswith("/") or t[1:2] in ("/", "\\"):
            return None
        if any(ord(ch) < 0x21 or ch in "\\\x7f" for ch in t):
            return None
        parts = urlsplit(t)
        if parts.scheme or parts.netloc:
            return None
    return target


@bp.post("/dang-xuat")
def logout():
    end_session()
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
    from workbook_templates.spec import form_sets

    from ..demo import rating_year
    from ..rounds import completeness
    own = [completeness(r) for r in rounds]
    below = [completeness(r) for r in overseen_rounds(p)]
    may_open = p.unit is not None and bool(p.unit.children)
    return render_template("web/home.html", rounds=own, user=user, top_units=units,
                           below=below, may_open=may_open, year=rating_year(),
                           forms=sorted(form_sets().items()))
