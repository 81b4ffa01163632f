"""deploy/ as an IT officer would use it: the nginx site passes `nginx -t` and really fronts
gunicorn over HTTPS (redirect, login page, an oversized upload refused by nginx, a client that
stops sending its headers cut off); the systemd units pass `systemd-analyze verify`; the guide
is in Vietnamese and names every file it ships; Windows scripts have CRLF line ends.

Not testable here: the .bat files on a real Windows (Task Scheduler, netsh), Let's Encrypt, and
systemd actually running the units (no systemd in the test machine)."""
from __future__ import annotations

import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import urllib3

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent


def _need(tool: str) -> str:
    path = shutil.which(tool) or (f"/usr/sbin/{tool}" if Path(f"/usr/sbin/{tool}").exists()
                                  else None)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is required in CI (scripts/setup.sh installs it)")
        pytest.skip(f"{tool} is not installed (scripts/setup.sh installs it)")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, log: Path, **kw) -> None:
    for _ in range(200):
        try:
            requests.get(url, timeout=10, **kw)
            return
        except (requests.ConnectionError, requests.Timeout):
            if proc.poll() is not None:
                raise AssertionError(log.read_text()[-3000:]) from None
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


def _site(tmp: Path, http: int, https: int, app: int) -> Path:
    """deploy/linux/nginx-kiemdiem.conf as installed, with this machine's ports, a self-signed
    certificate and (only here) a 2-second header timeout so the test need not wait 15."""
    cert, key = tmp / "fullchain.pem", tmp / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    conf = (DEPLOY / "linux" / "nginx-kiemdiem.conf").read_text()
    for old, new in [("listen 80;", f"listen 127.0.0.1:{http};"),
                     ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
                     ("/etc/ssl/kiemdiem/fullchain.pem", str(cert)),
                     ("/etc/ssl/kiemdiem/privkey.pem", str(key)),
                     ("127.0.0.1:8000", f"127.0.0.1:{app}"),
                     ("client_header_timeout 15s;", "client_header_timeout 2s;")]:
        assert old in conf, old
        conf = conf.replace(old, new)
    assert conf.count("client_header_timeout 2s;") == 2     # both the HTTP and HTTPS servers
    conf = "\n".join(line for line in conf.splitlines() if "listen [::]" not in line)
    site = tmp / "site.conf"
    site.write_text(conf)
    temp = tmp / "nginx-temp"
    temp.mkdir()
    main = tmp / "nginx.conf"
    user = "user root root;\n" if os.geteuid() == 0 else ""
    main.write_text(f"""{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
""")
    return main


def test_nginx_site_fronts_gunicorn_over_https(tmp_path):
    nginx = _need("nginx")
    http, https, app = _free_port(), _free_port(), _free_port()
    main = _site(tmp_path, http, https, app)
    check = subprocess.run([nginx, "-t", "-c", str(main), "-p", str(tmp_path)],
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr
    assert "syntax is ok" in check.stderr

    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIEMDIEM_", "FLASK_"))}
    env.update(KIEMDIEM_DATA_DIR=str(data), PYTHONPATH=str(ROOT),
               KIEMDIEM_SESSION_COOKIE_SECURE="true")
    init = subprocess.run([sys.executable, "-m", "flask", "--app", "server", "init-db"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    # the ExecStart line of the systemd unit, with this machine's port
    unit = (DEPLOY / "linux" / "kiemdiem.service").read_text()
    exec_start = re.search(r"^ExecStart=(.*?)(?<!\\)$", unit, re.M | re.S).group(1)
    args = exec_start.replace("\\\n", " ").split()
    assert args[0] == "/opt/kiemdiem/venv/bin/gunicorn" and "--timeout" in args
    args = [sys.executable, "-m", "gunicorn"] + [a.replace("127.0.0.1:8000", f"127.0.0.1:{app}")
                                                 .strip('"') for a in args[1:]]
    glog, nlog = tmp_path / "gunicorn.log", tmp_path / "nginx.out"
    guni = subprocess.Popen(args, cwd=ROOT, env=env, stdout=open(glog, "w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    ngx = subprocess.Popen([nginx, "-c", str(main), "-p", str(tmp_path), "-g", "daemon off;"],
                           stdout=open(nlog, "w"), stderr=subprocess.STDOUT,
                           start_new_session=True)
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    try:
        _wait(f"http://127.0.0.1:{app}/dang-nhap", guni, glog)
        _wait(f"https://127.0.0.1:{https}/dang-nhap", ngx, nlog, verify=False)
        plain = requests.get(f"http://127.0.0.1:{http}/dang-nhap", allow_redirects=False,
                             timeout=10)
        assert plain.status_code == 301
        assert plain.headers["Location"].startswith("https://")
        page = requests.get(f"https://127.0.0.1:{https}/dang-nhap", verify=False, timeout=10)
        assert page.status_code == 200 and "Đăng nhập" in page.text
        assert "max-age" in page.headers["Strict-Transport-Security"]
        css = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.text).group(1)
        assert requests.get(f"https://127.0.0.1:{https}{css}", verify=False,
                            timeout=10).status_code == 200
        # a file over 10 MB is refused by nginx before gunicorn sees it
        big = requests.post(f"https://127.0.0.1:{https}/api/v1/submissions", verify=False,
                            files={"file": ("to.xlsx", b"0" * (11 * 1024 * 1024))}, timeout=60)
        assert big.status_code == 413 and "nginx" in big.text
        # a client that stops in the middle of its headers is cut off (here after 2 s), on
        # HTTPS as on plain HTTP (the two at once: each waits out nginx's timeout)
        tls = ssl.create_default_context()
        tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE

        def stalled(port, wrap):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                s = wrap.wrap_socket(raw) if wrap else raw
                s.sendall(b"GET /dang-nhap HTTP/1.1\r\nHost: x\r\n")
                t0 = time.monotonic()
                try:
                    rest = s.recv(4096)
                except (ssl.SSLError, ConnectionResetError):
                    rest = b""
                return time.monotonic() - t0, rest

        with ThreadPoolExecutor(2) as pool:
            cut = list(pool.map(stalled, (http, https), (None, tls)))
        for waited, rest in cut:
            assert waited < 8
            assert rest == b"" or b" 408 " in rest
    finally:
        for proc in (ngx, guni):
            os.killpg(proc.pid, 15)
            proc.wait(20)


def test_systemd_units_verify(tmp_path):
    analyze = _need("systemd-analyze")
    linux = DEPLOY / "linux"
    assert (BIN / "gunicorn").exists() or shutil.which("gunicorn")
    gunicorn_dir = (BIN if (BIN / "gunicorn").exists()
                    else Path(shutil.which("gunicorn")).parent)
    for name in ("kiemdiem.service", "kiemdiem-backup.service", "kiemdiem-backup.timer"):
        text = (linux / name).read_text()
        text = text.replace("/opt/kiemdiem/venv/bin", str(gunicorn_dir))
        text = text.replace("/opt/kiemdiem/kiemdiem-backup.sh", str(linux / "kiemdiem-backup.sh"))
        (tmp_path / name).write_text(text)
    r = subprocess.run([analyze, "verify", *(str(tmp_path / n) for n in
                                             ("kiemdiem.service", "kiemdiem-backup.service",
                                              "kiemdiem-backup.timer"))],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    # The timer's own OnCalendar, its next two runs: a backup at 12:30 and one at 23:30 every
    # day, whatever the time of day the test runs at.
    timer = (linux / "kiemdiem-backup.timer").read_text()
    when = re.search(r"^OnCalendar=(.+)$", timer, re.M).group(1).strip()
    cal = subprocess.run([analyze, "calendar", "--iterations=2", when], capture_output=True,
                         text=True, timeout=30)
    assert cal.returncode == 0, cal.stderr
    runs = re.findall(r"(?:Next elapse|Iter\. #2): \w+ (\S+ \S+)", cal.stdout)
    assert sorted(t.split()[1] for t in runs) == ["12:30:00", "23:30:00"], cal.stdout
    sh = subprocess.run(["bash", "-n", str(linux / "kiemdiem-backup.sh")], capture_output=True)
    assert sh.returncode == 0


def test_the_guide_covers_what_deploy_ships():
    guide = (DEPLOY / "HUONG_DAN.md").read_text()
    for path in sorted(p for p in DEPLOY.rglob("*") if p.is_file()):
        if path.name in ("HUONG_DAN.md", ".gitattributes"):
            continue
        assert path.name.split(".")[0] in guide, f"the guide never mentions {path.name}"
    # every KIEMDIEM_ variable the environment file sets is explained in the guide
    env = (DEPLOY / "linux" / "kiemdiem.env").read_text()
    for var in set(re.findall(r"^#?(KIEMDIEM_[A-Z_]+)=", env, re.M)):
        assert var in guide, var
    for words in ("Sao lưu", "khôi phục", "tường lửa", "HTTPS", "Task Scheduler", "cron"):
        assert words in guide
    for bat in (DEPLOY / "windows").glob("*.bat"):
        raw = bat.read_bytes()
        assert raw.count(b"\r\n") == raw.count(b"\n"), f"{bat.name} must have CRLF line ends"
        raw.decode("utf-8")


def test_windows_waitress_command_serves(tmp_path):
    """The waitress line of deploy/windows/chay-may-chu.bat, its options as written (a wrong
    option name would stop the service at every boot), run here with waitress's own launcher."""
    bat = (DEPLOY / "windows" / "chay-may-chu.bat").read_text().replace("^\n", " ")
    line = next(x for x in bat.splitlines() if "waitress-serve.exe" in x)
    args = line.split(">>")[0].split()[1:]
    assert "--channel-timeout=60" in args and "--call" in args
    port = _free_port()
    args = [a.replace("*:%CONG%", f"127.0.0.1:{port}") for a in args]
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIEMDIEM_", "FLASK_"))}
    env.update(KIEMDIEM_DATA_DIR=str(data), PYTHONPATH=str(ROOT))
    init = subprocess.run([sys.executable, "-m", "flask", "--app", "server", "init-db"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    log = tmp_path / "waitress.log"
    proc = subprocess.Popen([sys.executable, "-c", "from waitress.runner import run; run()",
                             *args], cwd=ROOT, env=env, stdout=open(log, "w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait(f"http://127.0.0.1:{port}/dang-nhap", proc, log)
        page = requests.get(f"http://127.0.0.1:{port}/dang-nhap", timeout=10)
        assert page.status_code == 200 and "Đăng nhập" in page.text
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(20)
