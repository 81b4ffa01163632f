"""Moved to tests/harness.py: test helpers do not ship in the server.

Kept only while tests/web still import `server.harness`; it works under pytest only (tests/ is on
the path there). Remove it once those imports read `harness`."""
from harness import *  # noqa: F403
