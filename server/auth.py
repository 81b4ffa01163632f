"""Who is calling: a unit's API token (`Authorization: Bearer …`) or an account
(`Authorization: Basic …`, or the browser session). Tokens and passwords are stored hashed.

A `Principal` says which unit the caller speaks for and whether it is an administrator; every
endpoint asks it one question (`may_collect`, `may_see_unit`, `may_see_submission`) instead
of inspecting roles; the web pages ask the same questions.

Logins (issue 14). Failed attempts are kept in the database (`LoginFailure`), not in memory:
gunicorn runs several worker processes and a per-process counter would multiply the allowance by
their number and forget it at every restart; one small indexed table is shared by all of them,
on SQLite as on PostgreSQL. Too many failures for one account (default 5 in 15 minutes) or from
one address (default 20) refuse further attempts, right or wrong, until the window passes (429
with the minutes to wait). An unknown account costs the same password hash as a known one. Each
browser session has a record on the server (`WebLogin`): logging out deletes it, so the cookie
is dead even if copied; a session idle longer than KIEMDIEM_IDLE_MINUTES (default 60) ends.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, g, request
from flask import session as web_session
from sqlalchemy import delete, func, select, update
from werkzeug.exceptions import TooManyRequests
from werkzeug.security import check_password_hash, generate_password_hash

from . import db
from .models import ApiToken, LoginFailure, Round, Submission, Unit, User, WebLogin, utcnow
from .textnorm import nfc

TOKEN_PREFIX = "kd_"


def hash_token(token: str) -> str:
    # Tokens are 256-bit random strings: a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(unit: Unit) -> str:
    """Create a token for `unit`; the plain token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session().add(ApiToken(unit_id=unit.id, token_hash=hash_token(token),
                              prefix=token[:10]))
    return token


def hash_password(password: str) -> str:
    """The stored form of a password, by the app's PASSWORD_HASH method (werkzeug's scrypt
    unless set). The test suite sets a cheap method for its hundreds of throwaway accounts, as
    Django's documentation advises for tests; the login tests keep scrypt."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH"])


def set_password(user: User, password: str) -> None:
    """A new password ends every browser session of the account: whoever knew the old one (the
    reason it is reset) is logged out too."""
    user.password_hash = hash_password(password)
    if user.id is not None:
        db.session().execute(delete(WebLogin).where(WebLogin.user_id == user.id))


@dataclass
class Principal:
    label: str              # for the record: "token:kd_AbC…" or "user:name"
    unit: Unit | None
    is_admin: bool = False

    def may_collect(self, rnd: Round) -> bool:
        """The round's collecting unit or an admin: status, summary, decisions."""
        return self.is_admin or (self.unit is not None and self.unit.id == rnd.unit_id)

    def may_see_unit(self, unit: Unit) -> bool:
        """A unit's files and pages: the unit itself, any level above it, an administrator.
        The same rule for the API and the web pages."""
        if self.is_admin:
            return True
        if self.unit is None:
            return False
        while unit is not None:
            if unit.id == self.unit.id:
                return True
            unit = unit.parent
        return False

    def may_see_submission(self, sub: Submission) -> bool:
        return self.may_collect(sub.round) or self.may_see_unit(sub.unit)


def current_principal() -> Principal | None:
    if "principal" in g:
        return g.principal
    g.principal = _from_request()
    return g.principal


def _from_request() -> Principal | None:
    s = db.session()
    header = request.headers.get("Authorization", "")
    scheme, _, cred = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer" and cred.strip():
        tok = s.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(cred.strip()),
                                              ApiToken.revoked_at.is_(None)))
        if tok is None:
            return None
        return Principal(f"token:{tok.prefix}", tok.unit)
    if scheme == "basic" and request.authorization:
        return _user_principal(request.authorization.username or "",
                               request.authorization.password or "")
    uid = web_session.get("user_id")
    if uid is not None:
        if request.method not in SAFE_METHODS and not _csrf_ok():
            return None          # a cookie alone never authorizes a change through the API
        user = s.get(User, uid)
        if user is not None:
            return Principal(f"user:{user.username}", user.unit, user.is_admin)
    return None


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_SESSION_KEY = "csrf_token"     # the pages' token (server/web/csrf.py keeps it there)


def _csrf_ok() -> bool:
    sent = request.headers.get("X-CSRF-Token") or request.form.get(CSRF_SESSION_KEY) or ""
    expected = web_session.get(CSRF_SESSION_KEY, "")
    return bool(sent and expected) and hmac.compare_digest(sent.encode(), expected.encode())


def _user_principal(username: str, password: str) -> Principal | None:
    user = authenticate(username, password)     # raises TooManyAttempts (429) when limited
    if user is None:
        return None
    return Principal(f"user:{user.username}", user.unit, user.is_admin)


# --- logins: rate limit, uniform timing ----------------------------------------------------------

class TooManyAttempts(TooManyRequests):
    """429 with the wait in minutes, in Vietnamese (the API and the login page show it)."""

    def __init__(self, seconds: int):
        minutes = max(1, -(-seconds // 60))
        super().__init__(description=(
            f"Đăng nhập sai quá nhiều lần; hãy thử lại sau {minutes} phút. Nếu quên mật khẩu, "
            "hãy nhờ quản trị đặt lại."))
        self.retry_after = seconds
        self.minutes = minutes

    def get_headers(self, environ=None, scope=None):
        return super().get_headers(environ, scope) + [("Retry-After", str(self.retry_after))]


def _dummy_hash() -> str:
    """A hash made like a real one, checked when the account does not exist, so that an unknown
    name takes as long to refuse as a wrong password."""
    return _dummy_hash_by(current_app.config["PASSWORD_HASH"])


@lru_cache(maxsize=4)
def _dummy_hash_by(method: str) -> str:
    return generate_password_hash("kiemdiem-no-such-account", method=method)


def _keys(username: str) -> tuple[str, str]:
    return (f"u:{nfc(username).strip().casefold()}"[:200],
            f"a:{request.remote_addr or '?'}"[:200])


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=float(current_app.config["LOGIN_WINDOW_MINUTES"]))


def _wait(username: str) -> int:
    """Seconds before this account may try again from this address (0: now)."""
    s = db.session()
    since = utcnow() - _window()
    wait = 0
    limits = (current_app.config["LOGIN_MAX_FAILURES_ACCOUNT"],
              current_app.config["LOGIN_MAX_FAILURES_ADDRESS"])
    for key, limit in zip(_keys(username), limits, strict=True):
        n, oldest = s.execute(select(func.count(), func.min(LoginFailure.at)).where(
            LoginFailure.key == key, LoginFailure.at > since)).one()
        if n >= int(limit):
            wait = max(wait, int((oldest + _window() - utcnow()).total_seconds()) + 1)
    return wait


def _failed(username: str) -> None:
    s = db.session()
    keys = _keys(username)
    s.execute(delete(LoginFailure).where(LoginFailure.at <= utcnow() - _window()))  # indexed
    s.add_all([LoginFailure(key=k, at=utcnow()) for k in keys])
    s.commit()


def authenticate(username: str, password: str) -> User | None:
    """The account, or None for a wrong name or password; raises TooManyAttempts while the
    account or the address is limited (the password is then not even checked)."""
    wait = _wait(username)
    if wait > 0:
        raise TooManyAttempts(wait)
    user = db.session().scalar(select(User).where(User.username.in_({username,
                                                                     nfc(username)})))
    ok = check_password_hash(user.password_hash if user is not None else _dummy_hash(),
                             password)
    if user is None or not ok:
        _failed(username)
        return None
    db.session().execute(delete(LoginFailure).where(LoginFailure.key == _keys(username)[0]))
    db.session().commit()
    return user


# --- browser sessions kept on the server ---------------------------------------------------------

def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def start_session(user: User) -> None:
    """A fresh session (no fixation across the login) with its record on the server."""
    web_session.clear()
    sid = secrets.token_urlsafe(32)
    idle = dt.timedelta(minutes=float(current_app.config["IDLE_MINUTES"]))
    db.session().execute(delete(WebLogin).where(WebLogin.last_seen < utcnow() - idle))
    db.session().add(WebLogin(sid_hash=_sid_hash(sid), user_id=user.id))
    db.session().commit()
    web_session["user_id"] = user.id
    web_session["sid"] = sid
    web_session.permanent = False


def end_session() -> None:
    """Logout: the record goes, so this cookie (and any copy of it) is no longer a login."""
    sid = web_session.get("sid")
    if sid:
        db.session().execute(delete(WebLogin).where(WebLogin.sid_hash == _sid_hash(sid)))
        db.session().commit()
    web_session.clear()


def check_session() -> None:
    """Before every request: a cookie whose record is gone (logged out, idle too long, another
    server's) is a cookie of nobody. `last_seen` is written at most once a minute."""
    if "user_id" not in web_session:
        return
    sid, uid = web_session.get("sid"), web_session.get("user_id")
    s = db.session()
    rec = s.get(WebLogin, _sid_hash(sid)) if isinstance(sid, str) else None
    now = utcnow()
    idle = dt.timedelta(minutes=float(current_app.config["IDLE_MINUTES"]))
    if rec is None or rec.user_id != uid or now - rec.last_seen > idle:
        if rec is not None:
            s.delete(rec)
            s.commit()
        web_session.clear()
        g.session_ended = True
        if not request.path.startswith("/api/"):
            from flask import flash
            flash("Phiên đăng nhập đã hết hạn (lâu không thao tác) hoặc đã đăng xuất; hãy đăng "
                  "nhập lại.", "info")
        return
    if now - rec.last_seen > dt.timedelta(minutes=1):
        s.execute(update(WebLogin).where(WebLogin.sid_hash == rec.sid_hash)
                  .values(last_seen=now))
        s.commit()


def revoke_tokens(unit: Unit) -> int:
    n = 0
    for tok in db.session().scalars(select(ApiToken).where(ApiToken.unit_id == unit.id,
                                                           ApiToken.revoked_at.is_(None))):
        tok.revoked_at = utcnow()
        n += 1
    return n
