#!/usr/bin/env bash
# Sets everything up and runs the whole test suite (SQLite and PostgreSQL, LibreOffice, Chromium)
# with the project's virtualenv (.venv/). Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
. scripts/venv.sh

# PostgreSQL at 127.0.0.1:5432 (trust auth, database "test"): start it when it is down.
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for v in /etc/postgresql/*; do
      pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main start || true
    done
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
fi

# The suite starts about 170 Python processes (servers, commands); with PYTHONDONTWRITEBYTECODE
# set (some machines set it for every shell) each of them compiles the project's modules again
# (0.3 s each). Here the compiled files are written (into __pycache__/, ignored by git).
unset PYTHONDONTWRITEBYTECODE

# CI lints first (rules in pyproject.toml): a lint finding fails the run before the long tests.
if [ -n "${CI:-}" ]; then
  echo "== ruff check ."
  "$VPY" -m ruff check .
fi

# The slowest tests and the suite's wall time are printed, so a slower suite is seen in CI's log.
# pytest exits 5 when it collected no test: that is a failure here too (its code is passed on).
# The tests run in one process per core (pytest-xdist); a test file stays on one worker, so its
# module fixtures (a server, a LibreOffice print run) are made once, and so do tests/web and
# tests/server, whose files share servers (tests/conftest.py groups them, and hands out those two
# folders first, then the files with a slow test; --no-loadscope-reorder keeps that order).
# `-n 0` runs them in one process, `-n 3` in three.
# The machine's speed is printed beside it (bench/bench_machine.py: machines of this kind differ
# by up to 70 %), so a slower machine can be told from a slower suite.
speed_before=$("$VPY" bench/bench_machine.py)
start=$(date +%s)
rc=0
"$VPY" -m pytest -q --durations=15 -n auto --dist loadfile --no-loadscope-reorder "$@" || rc=$?
echo "== test suite: $(( $(date +%s) - start )) s wall time (exit code $rc)"
echo "== machine speed (bench/bench_machine.py, lower is faster): $speed_before s before," \
     "$("$VPY" bench/bench_machine.py) s after the suite"
exit "$rc"
