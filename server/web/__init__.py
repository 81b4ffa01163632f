"""The browser side of the collection server: server-rendered Vietnamese pages for the units
(send a workbook, read what is wrong, history) and for the collecting office (who has reported,
decisions within the quota, the summary).

The pages sit on the same models, intake and summary as the API (`server.intake.receive`,
`server.summary.build`): there is one upload path and one validator. Downloads that already exist
in the API (annotated copy, summary workbook, the upload itself) are linked, not re-implemented:
the API accepts the browser session as well as tokens.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/web-static")


@bp.record_once
def _cookie_settings(state) -> None:
    """Session cookies: HttpOnly (Flask's default, kept explicit) and SameSite=Lax, so another
    site can neither read the cookie nor have the browser send it with a cross-site POST."""
    cfg = state.app.config
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    if not cfg.get("SESSION_COOKIE_SAMESITE"):
        cfg["SESSION_COOKIE_SAMESITE"] = "Lax"


from werkzeug.exceptions import HTTPException  # noqa: E402

from . import (  # noqa: E402,F401
    auth,
    csrf,
    don_vi,
    dot,
    filters,
    gui_len,
    mo_dot,
    nhac_nop,
    phien,  # (routes)
    quan_tri,
    quyet_dinh,
)

ERRORS = {
    400: ("Yêu cầu không hợp lệ", "Biểu mẫu gửi lên không hợp lệ. Hãy tải lại trang rồi thử lại."),
    401: ("Cần đăng nhập", "Hãy đăng nhập để xem trang này."),
    403: ("Không có quyền", "Tài khoản này không được xem trang này: mỗi đơn vị chỉ xem trang của "
                            "mình, văn phòng cấp trên xem các đơn vị trực thuộc."),
    404: ("Không tìm thấy", "Không có trang hoặc đơn vị này. Kiểm tra lại địa chỉ."),
    413: ("Tệp quá lớn", "Biểu mẫu thật chỉ vài chục KB; hãy xóa ảnh, sheet thừa rồi lưu lại."),
}


@bp.errorhandler(HTTPException)
def _page_error(e: HTTPException):
    """Refusals on the pages are pages too, in Vietnamese (the API answers JSON by itself)."""
    from flask import redirect, render_template, request, url_for
    if e.code == 401:
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    title, message = ERRORS.get(e.code, (e.name, e.description or ""))
    if e.code == 400 and e.description and "chống giả mạo" in e.description:
        message = e.description
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        from flask import jsonify
        return jsonify(ok=False, message=message), e.code
    return render_template("web/error.html", title=title, message=message), e.code


@bp.app_errorhandler(404)
def _not_found(e):
    """An address that matches no route: a Vietnamese page in the browser; under /api/ the API's
    JSON answer, exactly as before the pages existed."""
    from flask import render_template, request
    if request.path.startswith("/api/"):
        from ..api import _http_error
        return _http_error(e)
    title, message = ERRORS[404]
    return render_template("web/error.html", title=title, message=message), 404
