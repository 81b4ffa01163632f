"""The database: one SQLAlchemy engine per app, one session per request (closed at teardown).

Plain SQLAlchemy 2.0 rather than an extension: the CLI, the demo and the tests use the same
`session()` inside an app context. The schema is created and upgraded by Alembic
(`server/migrations`), never by `create_all`, so SQLite and PostgreSQL follow the same history.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    kw = {"future": True, "pool_pre_ping": True}
    if url.startswith("sqlite"):
        kw["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, **kw)
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()
    app.extensions["kiemdiem.engine"] = engine
    app.extensions["kiemdiem.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close)


def engine():
    return current_app.extensions["kiemdiem.engine"]


def session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["kiemdiem.sessionmaker"]()
    return g.db_session


def get_or_404(model, ident):
    """The row with this primary key, or a 404 answer: one lookup for the API and the pages."""
    from flask import abort
    row = session().get(model, ident)
    if row is None:
        abort(404)
    return row


def _close(_exc=None):
    s = g.pop("db_session", None)
    if s is not None:
        s.close()


def alembic_config(connection=None):
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", current_app.config["DATABASE_URL"].replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade() -> None:
    """Bring the schema to the latest migration (what `flask --app server init-db` does)."""
    from alembic import command
    with engine().begin() as conn:
        command.upgrade(alembic_config(conn), "head")
