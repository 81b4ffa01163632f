"""The page scripts ask whether the session is still alive before they send work, so an expired
session costs a login, not the chosen file or the decisions typed on the page: `/phien` answers
whether the browser is logged in and the form token to send; after a login in another tab,
`/phien/xong` says so and closes itself."""
from __future__ import annotations

from flask import jsonify, render_template

from . import bp
from .access import current_user
from .csrf import token


@bp.get("/phien")
def session_state():
    user = current_user()
    resp = jsonify(logged_in=user is not None, user=user.username if user else None,
                   csrf=token() if user is not None else None)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/phien/xong")
def relogin_done():
    return render_template("web/relogin_done.html")
