"""Slow clients (issue 14): sixteen connections that send a request one byte every two seconds
must not stop a normal request from being answered within 2 s, with the documented Windows
setup — waitress, whose event loop buffers each request whole before a worker thread sees it,
and whose channel_timeout drops a connection that stops sending (docs/security.md).

Everything is bounded: 16 clients, at most 8 bytes each, at most 15 s; only 127.0.0.1.
On Linux the documented setup is gunicorn behind a reverse proxy that buffers requests (nginx's
default), which keeps slow clients away from gunicorn's threads in the same way."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from harness import Live, free_port, prepare

ROOT = Path(__file__).resolve().parents[2]
SLOW_CLIENTS = 16
BYTE_EVERY = 2.0         # seconds
MAX_BYTES = 8
TIME_LIMIT = 15.0
WINDOW = BYTE_EVERY * 3  # seconds of normal requests (≥ 5, each answered within 2 s)


def waitress(fresh_database):
    url, data_dir = fresh_database
    env = dict(os.environ, KIEMDIEM_DATABASE_URL=url, KIEMDIEM_DATA_DIR=str(data_dir),
               KIEMDIEM_SECRET_KEY="test", PYTHONPATH=str(ROOT))
    live = Live("", url, data_dir, env)
    prepare(live, 1)
    port = free_port()
    # the settings docs/security.md gives for Windows
    live.proc = subprocess.Popen(
        [sys.executable, "-m", "waitress", "--host=127.0.0.1", f"--port={port}", "--threads=4",
         "--channel-timeout=30", "--connection-limit=200", "--call", "server:create_app"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    live.url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(live.url + "/dang-nhap", timeout=2)
            return live
        except requests.RequestException:
            time.sleep(0.2)
    live.kill()
    raise RuntimeError("waitress did not start within 30 s")


def slow_client(port: int, stop: threading.Event, sent: list):
    """Opens a request and sends it one byte every BYTE_EVERY seconds, never finishing it."""
    request = b"POST /dang-nhap HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            for i in range(MAX_BYTES):
                if stop.wait(0 if i == 0 else BYTE_EVERY):
                    return
                s.sendall(request[i:i + 1])
                sent.append(1)
    except OSError:
        pass                 # the server may drop us: that is allowed


def test_sixteen_slow_clients_do_not_stop_a_normal_request(fresh_database):
    live = waitress(fresh_database)
    stop, sent = threading.Event(), []
    port = int(live.url.rsplit(":", 1)[1])
    clients = [threading.Thread(target=slow_client, args=(port, stop, sent), daemon=True)
               for _ in range(SLOW_CLIENTS)]
    try:
        for t in clients:
            t.start()
        # every slow client holds a connection (its first byte sent) before the normal requests
        deadline = time.monotonic() + 2 * BYTE_EVERY
        while len(sent) < SLOW_CLIENTS and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(sent) >= SLOW_CLIENTS
        started = time.monotonic()
        times = []
        # normal requests for WINDOW seconds, while each slow client sends three bytes more
        while time.monotonic() - started < WINDOW:
            t0 = time.monotonic()
            r = requests.get(live.url + "/dang-nhap", timeout=5)
            times.append(time.monotonic() - t0)
            assert r.status_code == 200
            time.sleep(0.5)
        assert len(times) >= 5
        assert max(times) < 2.0, times
        assert any(t.is_alive() for t in clients)       # they were still at it meanwhile
    finally:
        stop.set()
        for t in clients:
            t.join(BYTE_EVERY + 6)
        live.kill()
