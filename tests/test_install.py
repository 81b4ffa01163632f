"""The README's first command on a machine as a new user has it: a clean clone, only the system
Python on PATH (Debian 12's is "externally managed": pip refuses to install into it), no
virtualenv prepared. `bash scripts/start.sh` must make its own venv and end with a server that
answers. Slow (it installs the server's packages into a new venv) but run in CI."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clean_env(**extra) -> dict:
    """What `env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=…` leaves: no pyenv, no venv, no
    PYTHONPATH. HOME stays the user's so pip finds its download cache, as on a real machine."""
    return {"PATH": SYSTEM_PATH, "HOME": os.environ.get("HOME", "/root"), **extra}


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    dest = tmp_path_factory.mktemp("clone") / "kiemdiem"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(dest)], check=True, timeout=120)
    return dest


@pytest.mark.slow
def test_start_sh_from_a_clean_clone_serves_the_login_page(clone):
    port = _free_port()
    log = open(clone.parent / "start.log", "w")
    proc = subprocess.Popen(["bash", "scripts/start.sh"], cwd=clone,
                            env=_clean_env(PORT=str(port)), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        answer = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/dang-nhap", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        out = (clone.parent / "start.log").read_text()
        assert answer is not None, f"no server (exit {proc.poll()}):\n{out[-3000:]}"
        assert answer.status_code == 200 and "Đăng nhập" in answer.text
        # the tools came from the project's venv, made from the system Python
        venv_python = clone / ".venv" / "bin" / "python"
        assert venv_python.exists()
        base = subprocess.run([str(venv_python), "-c", "import sys; print(sys.base_prefix)"],
                              capture_output=True, text=True, env=_clean_env()).stdout.strip()
        assert base == "/usr"
        assert "mã thoát 1" in out                 # Bảo Lâm as published fails validation
        assert "tài khoản" in out.lower()                      # the demo printed its accounts
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.mark.slow
def test_test_sh_fails_when_pytest_collects_nothing(clone):
    """CI must not pass on an empty run: pytest's exit 5 ("no tests collected") comes through.
    The test extras are installed into the new venv and one module is collected there, by one
    process (`-n 0`): CI itself runs the whole suite from a clean clone through this script, so
    every module importing in a new venv is proved there."""
    r = subprocess.run(["bash", "scripts/test.sh", "-n", "0", "tests/test_forms.py",
                        "-k", "no_test_named_like_this_zq"],
                       cwd=clone, env=_clean_env(), capture_output=True, text=True, timeout=900)
    assert r.returncode == 5, r.stdout[-2000:] + r.stderr[-2000:]
    assert (clone / ".venv" / "lib").exists()
    # CI's log says how long the suite took and how fast the machine was (a number of seconds)
    assert re.search(r"== test suite: \d+ s wall time \(exit code 5\)", r.stdout), r.stdout[-800:]
    assert re.search(r"== machine speed .*: \d+\.\d\d s before, \d+\.\d\d s after", r.stdout), \
        r.stdout[-800:]


def test_font_check_is_not_fooled_by_sigpipe(tmp_path):
    """setup.sh's font check, run as the script runs it (bash -euo pipefail) against an fc-list
    that names Liberation Serif first and then keeps writing: `fc-list | grep -q` saw fc-list die
    of SIGPIPE and reported the fonts missing (then ran apt, fatal without root)."""
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    lines = [line for line in setup.splitlines()
             if line.startswith("fonts=") or "fonts-liberation" in line and "missing+=" in line]
    assert len(lines) == 2, lines
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "fc-list").write_text("#!/bin/sh\necho '/usr/share/fonts/x.ttf: Liberation Serif'\n"
                                  "yes '/usr/share/fonts/y.ttf: DejaVu Sans' | head -n 200000\n")
    (fake / "fc-list").chmod(0o755)
    script = "set -euo pipefail\nmissing=()\n" + "\n".join(lines) + \
        '\necho "missing=${#missing[@]}"\n'
    for _ in range(5):
        r = subprocess.run(["bash", "-c", script], env={"PATH": f"{fake}:{SYSTEM_PATH}"},
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and r.stdout.strip() == "missing=0", r.stdout + r.stderr
