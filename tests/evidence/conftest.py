"""A real production server (gunicorn, 2 workers) on 127.0.0.1 with a collecting unit and 50
children, on a fresh SQLite or PostgreSQL database per test, for the concurrency and crash
tests."""
from __future__ import annotations

import pytest
from harness import make_live


@pytest.fixture
def live_server(fresh_database):
    url, data_dir = fresh_database
    live = make_live(url, data_dir)
    yield live
    live.kill()
