"""CSRF protection for the pages' forms: a random token kept in the (signed) session, echoed in
every form (`csrf_token()` in templates) or in the `X-CSRF-Token` header for the few requests
sent by script. Any state-changing request to the pages without the right token is refused.

Small enough not to need Flask-WTF; the API is not covered (it authenticates each request with a
token header, which a foreign site cannot send).
"""
from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session

from . import bp

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def token() -> str:
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


@bp.app_context_processor
def _inject():
    return {"csrf_token": token}


@bp.before_request
def _check():
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    sent = request.form.get(FIELD) or request.headers.get(HEADER) or ""
    expected = session.get(FIELD, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ "
                               "(thiếu mã chống giả mạo). Hãy tải lại trang rồi thử lại.")
    return None
