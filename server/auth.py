"""Who is calling: a unit's API token (`Authorization: Bearer …`) or an account
(`Authorization: Basic …`, or the browser session). Tokens and passwords are stored hashed.

A `Principal` says which unit the caller speaks for and whether it is an administrator; every
endpoint asks it one question (`may_collect`, `may_see_unit`, `may_see_submission`) instead
of inspecting roles; the web pages ask the same questions.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import g, request, session as web_session
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from . import db
from .models import ApiToken, Round, Submission, Unit, User, utcnow

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


def set_password(user: User, password: str) -> None:
    user.password_hash = generate_password_hash(password)


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
    user = db.session().scalar(select(User).where(User.username == username))
    if user is None or not check_password_hash(user.password_hash, password):
        return None
    return Principal(f"user:{user.username}", user.unit, user.is_admin)


def authenticate(username: str, password: str) -> User | None:
    user = db.session().scalar(select(User).where(User.username == username))
    if user is None or not check_password_hash(user.password_hash, password):
        return None
    return user


def revoke_tokens(unit: Unit) -> int:
    n = 0
    for tok in db.session().scalars(select(ApiToken).where(ApiToken.unit_id == unit.id,
                                                           ApiToken.revoked_at.is_(None))):
        tok.revoked_at = utcnow()
        n += 1
    return n
