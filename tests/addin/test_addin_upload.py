"""Sending a checked workbook: over real HTTP, to a small standard-library server that answers as
the collecting server documents (201 / 4xx JSON / a crash), to a closed port, and to the real
kiemdiem server started as a process. Every outcome is a Vietnamese sentence; the file is never
lost (the add-in saved it before sending).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from email.parser import BytesParser
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from addin import config as C
from addin.upload import API_PATH, send
from workbook_templates.sample import bao_lam_2019, fill_template

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tok-LB-0123456789"


class Recorder(BaseHTTPRequestHandler):
    """Answers like the collecting server; records what it received."""

    answer = (201, {})
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        msg = BytesParser(policy=default).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body)
        parts = {p.get_param("name", header="content-disposition"): p
                 for p in msg.iter_parts()}
        self.received.append({"path": self.path, "auth": self.headers["Authorization"],
                              "file": parts["file"].get_content(),
                              "filename": parts["file"].get_filename()})
        status, payload = self.answer
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if not isinstance(payload, bytes)
                         else "text/html")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@pytest.fixture
def http():
    Recorder.received = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv, f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def cfg(url, token=TOKEN):
    return {C.SERVER: url, C.TOKEN: token}


@pytest.fixture(scope="module")
def workbook() -> bytes:
    return fill_template(bao_lam_2019(corrected=True))


def test_accepted_upload_shows_the_version_and_sends_the_bytes(http, workbook):
    srv, url = http
    Recorder.answer = (201, {"id": 7, "unit": "LB", "unit_name": "Đảng bộ xã Lộc Bảo",
                             "round": 2, "version": 3, "valid": True, "findings": []})
    sent = send(workbook, "Lộc Bảo 2024.xlsx", cfg(url + "/"), saved_at=r"C:\bieu\lb.xlsx")
    assert sent.ok
    assert sent.message == "Máy chủ đã nhận biểu của «Đảng bộ xã Lộc Bảo»: phiên bản số 3."
    [got] = Recorder.received
    assert got["path"] == API_PATH
    assert got["auth"] == f"Bearer {TOKEN}"
    assert got["file"] == workbook                         # byte for byte
    assert got["filename"] == "Lộc Bảo 2024.xlsx"


def test_the_servers_own_findings_are_shown(http, workbook):
    srv, url = http
    finding = {"rule": "R-YOY", "severity": "warning", "sheet": "Biểu 3", "cell": "C11",
               "name": "XL_DV_TONG", "message": "Tổng số đảng viên tăng 35 % so với năm trước.",
               "hint": "Kiểm tra lại hoặc giải trình.", "regulation": "", "ref": "Biểu 3!C11",
               "printed_ref": "Biểu 3, dòng 1, cột (3)"}
    Recorder.answer = (201, {"version": 1, "valid": True, "findings": [finding]})
    sent = send(workbook, "lb.xlsx", cfg(url))
    assert sent.ok and "phiên bản số 1" in sent.message
    # where as the printed form numbers it, never the rule's id
    assert "[Cảnh báo] Biểu 3, dòng 1, cột (3): Tổng số đảng viên tăng 35 %" in sent.message
    assert "R-YOY" not in sent.message

    Recorder.answer = (201, {"version": 2, "valid": False,
                             "findings": [dict(finding, rule="R-FORMULA", severity="error",
                                               message="Ô công thức bị ghi đè bằng số 12.")]})
    sent = send(workbook, "lb.xlsx", cfg(url))
    assert not sent.ok
    assert "chưa hợp lệ" in sent.message and "[Lỗi] Biểu 3, dòng 1, cột (3): Ô công thức" in \
        sent.message


def test_wrong_token_says_so_and_where_to_fix_it(http, workbook):
    srv, url = http
    Recorder.answer = (401, {"error": "bad_token", "message": "Mã tải lên không hợp lệ."})
    sent = send(workbook, "lb.xlsx", cfg(url, "sai"), saved_at=r"C:\bieu\lb.xlsx")
    assert not sent.ok and sent.status == 401
    assert "không nhận mã truy cập (KIEMDIEM_TOKEN)" in sent.message
    assert "Mã tải lên không hợp lệ." in sent.message
    assert str(C.config_path()) in sent.message
    assert r"Biểu đã được lưu tại C:\bieu\lb.xlsx, chưa gửi." in sent.message


def test_a_refusal_carries_the_servers_message(http, workbook):
    srv, url = http
    Recorder.answer = (409, {"error": "round_closed",
                             "message": "Kỳ báo cáo năm 2024 đã khóa ngày 15/01/2025."})
    sent = send(workbook, "lb.xlsx", cfg(url))
    assert not sent.ok
    assert sent.message.startswith("Máy chủ từ chối biểu (HTTP 409): Kỳ báo cáo năm 2024 đã khóa")


def test_a_crashing_server_is_reported_plainly(http, workbook):
    srv, url = http
    Recorder.answer = (502, b"<html>Bad Gateway</html>")
    sent = send(workbook, "lb.xlsx", cfg(url))
    assert not sent.ok
    assert "đang gặp sự cố (HTTP 502)" in sent.message and "chưa gửi" in sent.message


def test_server_down_is_a_clear_message():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]          # closed again when the block ends: nobody listens
    sent = send(b"PK...", "lb.xlsx", cfg(f"http://127.0.0.1:{port}"), saved_at="D:/lb.xlsx")
    assert not sent.ok and sent.status is None
    assert sent.message.startswith(f"Không gửi được biểu đến http://127.0.0.1:{port}: máy chủ "
                                   "từ chối kết nối")
    assert "Biểu đã được lưu tại D:/lb.xlsx, chưa gửi." in sent.message


def test_unknown_host_and_bad_address():
    sent = send(b"PK", "lb.xlsx", cfg("http://may-chu-khong-co.invalid"))
    assert not sent.ok and "không tìm thấy máy chủ «may-chu-khong-co.invalid»" in sent.message
    sent = send(b"PK", "lb.xlsx", cfg("kiemdiem.tinhuy.vn"))
    assert not sent.ok and "phải bắt đầu bằng http:// hoặc https://" in sent.message


def test_missing_settings_name_the_keys_and_the_file():
    sent = send(b"PK", "lb.xlsx", {C.SERVER: "http://x"})
    assert not sent.ok
    assert "Chưa cài đặt KIEMDIEM_TOKEN" in sent.message
    assert str(C.config_path()) in sent.message


# --- the settings file --------------------------------------------------------------------------

def test_settings_live_beside_the_add_ins_own_and_keep_them(tmp_path, monkeypatch):
    path = tmp_path / "myaddin.conf"
    path.write_text('"INTERPRETER_WIN","C:\\Python311\\python.exe"\n'
                    '"KIEMDIEM_SERVER","http://cu"\n', encoding="utf-8")
    C.save_config({C.SERVER: "https://kiemdiem.tinhuy.vn", C.TOKEN: TOKEN}, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == ['"INTERPRETER_WIN","C:\\Python311\\python.exe"',
                     '"KIEMDIEM_SERVER","https://kiemdiem.tinhuy.vn"',
                     f'"KIEMDIEM_TOKEN","{TOKEN}"']
    assert C.load_config(path) == {C.SERVER: "https://kiemdiem.tinhuy.vn", C.TOKEN: TOKEN}
    monkeypatch.setenv("KIEMDIEM_TOKEN", "tu-bien-moi-truong")
    assert C.load_config(path)[C.TOKEN] == "tu-bien-moi-truong"


def test_default_settings_file_is_the_one_the_add_ins_vba_reads(monkeypatch):
    monkeypatch.delenv("KIEMDIEM_CONFIG")
    assert C.config_path() == Path.home() / ".myaddin" / "myaddin.conf"


# --- the real collecting server -----------------------------------------------------------------

@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    """`flask --app server run` on SQLite, with one district, one commune, an open round."""
    import datetime as dt
    pytest.importorskip("server")
    data_dir = tmp_path_factory.mktemp("kiemdiem-addin-server")
    db_url = f"sqlite:///{data_dir / 'kiemdiem.sqlite3'}"
    env = dict(os.environ, KIEMDIEM_DATABASE_URL=db_url, KIEMDIEM_DATA_DIR=str(data_dir),
               PYTHONPATH=str(ROOT), FLASK_DEBUG="0")
    env.pop("FLASK_APP", None)
    init = subprocess.run([sys.executable, "-m", "flask", "--app", "server", "init-db"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    from server import create_app, db
    from server.auth import issue_token
    from server.cli import create_round
    from server.models import Unit
    app = create_app({"DATABASE_URL": db_url, "DATA_DIR": str(data_dir)})
    with app.app_context():
        s = db.session()
        top = Unit(code="BAOLAM", name="Huyện ủy Bảo Lâm", type="DB_CTCS")
        s.add(top)
        s.flush()
        kid = Unit(code="LB", name="Đảng bộ xã Lộc Bảo", type="DB_CS", parent_id=top.id)
        s.add(kid)
        s.flush()
        create_round(top, "bao_cao_nam", 2024, dt.date.today() + dt.timedelta(days=30))
        token = issue_token(kid)
        s.commit()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(data_dir / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "server", "run",
                             "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(url + "/api/v1/openapi.json", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError((data_dir / "server.log").read_text()) from None
            time.sleep(0.1)
    try:
        yield url, token
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
        app.extensions["kiemdiem.engine"].dispose()


def test_the_real_server_accepts_what_the_add_in_sends(real_server):
    from addin_books import clean_unit
    url, token = real_server
    data = fill_template(clean_unit())
    first = send(data, "loc_bao_2024.xlsx", cfg(url, token))
    assert first.ok, first.message
    assert first.message.startswith("Máy chủ đã nhận biểu của «Đảng bộ xã Lộc Bảo»: "
                                    "phiên bản số 1.")
    again = send(data, "loc_bao_2024.xlsx", cfg(url, token))    # the same file: no new version
    assert again.ok and "giống hệt phiên bản 1" in again.message, again.message
    changed = send(fill_template(dict(clean_unit(), TT_DienThoai="0912345679")),
                   "loc_bao_2024.xlsx", cfg(url, token))
    assert changed.ok and "phiên bản số 2" in changed.message, changed.message

    wrong = send(data, "loc_bao_2024.xlsx", cfg(url, "khong-dung"))
    assert not wrong.ok and wrong.status == 401
    assert "không nhận mã truy cập (KIEMDIEM_TOKEN)" in wrong.message


def test_one_command_sets_up_the_pc(tmp_path):
    """`python -m addin cai-dat` as the README has it (on Linux there is no Excel to install
    into; the settings are the part that can be checked here)."""
    conf = tmp_path / "myaddin.conf"
    env = dict(os.environ, KIEMDIEM_CONFIG=str(conf), PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-m", "addin", "cai-dat", "--may-chu",
                          "https://kiemdiem.tinhuy.vn/", "--ma", TOKEN],
                         env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert f"Đã ghi cấu hình vào {conf}" in run.stdout
    assert C.load_config(conf) == {C.SERVER: "https://kiemdiem.tinhuy.vn", C.TOKEN: TOKEN}
    assert f'"INTERPRETER_WIN","{sys.executable}"' in conf.read_text(encoding="utf-8")
    tep = subprocess.run([sys.executable, "-m", "addin", "tep"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert Path(tep.stdout.strip()) == ROOT / "addin" / "kiemdiem.xlam"
