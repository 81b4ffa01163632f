"""The collection server: the collecting level's one place where its units' workbooks arrive,
are checked with the same rules as the add-in, are kept byte for byte, and are merged.

`create_app()` is the application factory (`flask --app server ...`). Configuration comes from
the instance folder (`config.py`) and from environment variables prefixed `KIEMDIEM_`
(`KIEMDIEM_DATABASE_URL`, `KIEMDIEM_DATA_DIR`, `KIEMDIEM_SECRET_KEY`, `KIEMDIEM_QUOTA_BASE` …).

Security settings (docs/security.md): `KIEMDIEM_HTTPS=true` when users reach the server over
HTTPS (Secure cookie, HSTS); `KIEMDIEM_PROXY_COUNT=1` behind one reverse proxy (nginx), so the
client's address and scheme come from its X-Forwarded-* headers — without it every login would
count against the proxy's address; `KIEMDIEM_IDLE_MINUTES` (60), `KIEMDIEM_LOGIN_WINDOW_MINUTES`
(15), `KIEMDIEM_LOGIN_MAX_FAILURES_ACCOUNT` (5), `KIEMDIEM_LOGIN_MAX_FAILURES_ADDRESS` (20).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        DATABASE_URL=None,        # default: SQLite file in DATA_DIR
        DATA_DIR=None,            # default: the instance folder
        SECRET_KEY=None,          # default: a random key kept in DATA_DIR/secret_key
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,  # an upload; real workbooks are ~30 KB
        QUOTA_BASE="tot",         # base of the 20 % XS ceiling: "tot" or "tot_tro_len" (SPEC §2)
        RULES=None,               # force a rule pack (HD21/QD124/QD366); None = by rating year
        JSON_SORT_KEYS=False,
        HTTPS=False,              # served over HTTPS: Secure session cookie, HSTS
        PROXY_COUNT=0,            # reverse proxies in front whose X-Forwarded-* are trusted
        IDLE_MINUTES=60,          # a browser session unused this long ends (on the server)
        LOGIN_WINDOW_MINUTES=15,  # failed logins counted over this window …
        LOGIN_MAX_FAILURES_ACCOUNT=5,    # … per account
        LOGIN_MAX_FAILURES_ADDRESS=20,   # … per client address
        PASSWORD_HASH="scrypt",   # werkzeug's method for stored passwords; leave it (tests only)
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("KIEMDIEM")
    if test_config:
        app.config.update(test_config)

    data_dir = Path(app.config["DATA_DIR"] or app.instance_path)
    data_dir.mkdir(parents=True, exist_ok=True)
    app.config["DATA_DIR"] = str(data_dir)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{data_dir / 'kiemdiem.sqlite3'}"
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(data_dir)

    app.json.ensure_ascii = False   # Vietnamese stays readable in curl
    _security(app)
    # every <int:…> in an address is a database id: one beyond 64 bits matches no route (404)
    # instead of overflowing the database driver (500)
    app.url_map.converters["int"] = IdConverter
    from . import db
    db.init_app(app)

    from .api import bp as api_bp
    app.register_blueprint(api_bp)
    from .web import bp as web_bp  # the pages (issue 6)
    app.register_blueprint(web_bp)
    from .bao_cao import bp as bao_cao_bp  # the written report .docx (issue 19)
    app.register_blueprint(bao_cao_bp)
    from .xlwings_remote import bp as xlwings_bp  # the add-in without Python (issue 20)
    app.register_blueprint(xlwings_bp)

    @app.errorhandler(HTTPException)
    def _api_http_error(e):
        """Unknown /api/ addresses answer in JSON too (routing fails before any blueprint)."""
        from flask import request
        if request.path.startswith("/api/"):
            from .api import _http_error
            return _http_error(e)
        return e

    from .cli import register
    register(app)
    from . import backup  # backup/restore/verify; a damaged stored file is reported, not served
    backup.init_app(app)
    return app


def _security(app: Flask) -> None:
    """Settings and headers every answer carries (issue 14)."""
    cfg = app.config
    if _true(cfg["HTTPS"]):
        cfg["SESSION_COOKIE_SECURE"] = True
        cfg["PREFERRED_URL_SCHEME"] = "https"
    n = int(cfg["PROXY_COUNT"] or 0)
    if n > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)

    from markupsafe import Markup

    from workbook_templates.xlsx_text import visible

    def _finalize(value):
        """Every value a page prints: a unit's control characters shown as «�»."""
        if isinstance(value, Markup):
            return Markup(visible(str(value)))
        return visible(value) if isinstance(value, str) else value
    app.jinja_env.finalize = _finalize

    @app.before_request
    def _session_alive():
        from .auth import check_session
        check_session()

    @app.after_request
    def _headers(resp):
        h = resp.headers
        h.setdefault("X-Frame-Options", "DENY")            # no page inside another site's frame
        csp = h.get("Content-Security-Policy")
        if not csp:
            h["Content-Security-Policy"] = "frame-ancestors 'none'"
        elif "frame-ancestors" not in csp:
            h["Content-Security-Policy"] = csp.rstrip("; ") + "; frame-ancestors 'none'"
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        if _true(cfg["HTTPS"]):
            h.setdefault("Strict-Transport-Security", "max-age=31536000")
        return resp


def _true(v) -> bool:
    return v is True or str(v).strip().lower() in ("1", "true", "yes", "on")


class IdConverter(IntegerConverter):
    """<int:…> limited to what a BIGINT / SQLite INTEGER holds."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def _secret_key(data_dir: Path) -> str:
    """One random key per installation, kept beside the data so sessions survive restarts."""
    path = data_dir / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()
