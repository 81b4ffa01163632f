"""A real production server (gunicorn, 2 workers) on 127.0.0.1 with a collecting unit and 50
children, on SQLite or on PostgreSQL, for the concurrency and crash tests."""
from __future__ import annotations

import os

import pytest

from server.harness import (create_pg_database, drop_pg_database, make_live,  # noqa: F401
                            unit_workbook)


@pytest.fixture(params=["sqlite", "postgresql"])
def live_server(request, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    pg = None
    if request.param == "sqlite":
        db_url = f"sqlite:///{data_dir / 'kiemdiem.sqlite3'}"
    else:
        try:
            pg = create_pg_database()
        except Exception:
            if os.environ.get("CI"):
                raise
            pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
        db_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg[1]}"
    live = make_live(db_url, data_dir)
    yield live
    live.kill()
    if pg:
        drop_pg_database(*pg)
