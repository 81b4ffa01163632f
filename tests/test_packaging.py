"""The wheel the IT person hands to office PCs (README: `pip wheel . --no-deps -w dist`) installs
the core, the command line and the add-in only; the server's stack comes with the `server` extra."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


#: a file of an earlier build (setuptools copies the packages into build/lib and never removes
#: what left the source): a renamed migration there would give alembic two heads
STALE = ROOT / "build" / "lib" / "server" / "migrations" / "versions" / "zz_gone_since.py"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel as the README builds it (`pip wheel . --no-deps`), in a checkout whose
    setuptools build folder still holds a migration an earlier build copied there and the
    source has since lost (see `test_the_wheel_holds_nothing_the_source_does_not`)."""
    out = tmp_path_factory.mktemp("wheel")
    STALE.parent.mkdir(parents=True, exist_ok=True)
    STALE.write_text('revision = "zz_gone"\ndown_revision = None\n')
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(out), str(ROOT)], check=True, timeout=300)
    return next(out.glob("kiemdiem-*.whl"))


def test_the_office_wheel_needs_no_server_packages(wheel):
    with zipfile.ZipFile(wheel) as zf:
        meta = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA")))
        names = set(zf.namelist())
    requires = [line.split(":", 1)[1].strip() for line in meta.decode().splitlines()
                if line.startswith("Requires-Dist:")]
    always = sorted(r.split(";")[0].strip() for r in requires if "extra ==" not in r)
    assert always == ["openpyxl==3.1.5", "python-calamine>=0.3", "python-docx>=1.1",
                      "xlwings==0.37.8"]
    server = [r for r in requires if 'extra == "server"' in r]
    assert any(r.startswith("flask") for r in server) and any(r.startswith("sqlalchemy")
                                                              for r in server)
    # what the add-in and the templates need travels inside the wheel
    assert {"addin/kiemdiem.xlam", "workbook_templates/bao_cao_nam.xlsx",
            "workbook_templates/so_ket_quy_dinh.xlsx", "kiemdiem.py"} <= names


def test_template_build_is_reproducible(tmp_path):
    """`kiemdiem template build` on an unchanged spec gives the same bytes (no timestamps), so a
    rebuild leaves the git tree clean; the committed templates are what the spec builds."""
    from workbook_templates.build import build_all
    first = {p.name: p.read_bytes() for p in build_all(tmp_path / "a")}
    time.sleep(1.1)     # zip entry times have a 2-second resolution; core.xml has seconds
    second = {p.name: p.read_bytes() for p in build_all(tmp_path / "b")}
    assert first.keys() == {"bao_cao_nam.xlsx", "so_ket_quy_dinh.xlsx"}
    assert first == second
    for name, data in first.items():
        assert (ROOT / "workbook_templates" / name).read_bytes() == data, \
            f"{name} is not what the spec builds: run `kiemdiem template build` and commit it"
        with zipfile.ZipFile(ROOT / "workbook_templates" / name) as zf:
            core = zf.read("docProps/core.xml").decode()
        assert "2025-07-01T00:00:00Z" in core


def test_the_wheel_holds_every_file_of_the_packages(wheel):
    """Every tracked file of the three packages (code, pages' templates and static files,
    migrations, templates, the .xlam) is in the wheel: a file left out shows up only on a
    server installed from it (500 TemplateNotFound on every page)."""
    tracked = subprocess.run(["git", "ls-files", "server", "workbook_templates", "addin"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert "server/web/templates/web/login.html" in tracked
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert [t for t in tracked if t not in names] == []


def test_the_wheel_holds_nothing_the_source_does_not(wheel):
    """A wheel rebuilt after a `git pull` carries only what the checkout holds now, not what an
    earlier build left in build/ (pyproject.toml's backend empties it: scripts/wheel_backend.py)."""
    tracked = set(subprocess.run(["git", "ls-files", "server", "workbook_templates", "addin",
                                  "kiemdiem.py"], cwd=ROOT, capture_output=True, text=True,
                                 check=True).stdout.split())
    with zipfile.ZipFile(wheel) as zf:
        names = {n for n in zf.namelist() if ".dist-info/" not in n}
    assert "server/migrations/versions/zz_gone_since.py" not in names
    assert sorted(names - tracked) == []
    assert not STALE.exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(cmd: list[str], env: dict, cwd: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    cmd = [c.replace("{port}", str(port)) for c in cmd]
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=open(log, "w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    return proc, f"http://127.0.0.1:{port}"


def _answering(proc: subprocess.Popen, base: str, cmd: list[str], log: Path) -> None:
    """Returns once the server started by `_start` answers its login page."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            requests.get(base + "/dang-nhap", timeout=10)
            return
        # a first page slower than the timeout on a busy machine is not an answer yet either
        except (requests.ConnectionError, requests.Timeout):
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"{cmd[0]} did not answer:\n{log.read_text()[-3000:]}")


@pytest.mark.slow
def test_a_server_installed_from_the_wheel_serves_its_pages(wheel, tmp_path):
    """Install the wheel with [server] into a fresh venv (no source tree anywhere near: the
    process runs in an empty folder, without PYTHONPATH), then run it under waitress and
    under gunicorn, as deploy/ does, and load the login page and its stylesheet."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    vbin = venv / "bin"
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    # no PYTHONPATH: a source tree on it would make pip think kiemdiem is already installed
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "KIEMDIEM_", "FLASK_", "VIRTUAL_ENV"))}
    env.update(PATH=f"{vbin}:/usr/bin:/bin", KIEMDIEM_DATA_DIR=str(tmp_path / "data"))
    # --no-compile: the servers below write the .pyc of what they import; compiling every
    # installed module first is seconds of CPU that nothing here looks at (issue 21)
    subprocess.run([str(vbin / "python"), "-m", "pip", "install", "-q", "--no-compile",
                    "--disable-pip-version-check", f"{wheel}[server]"],
                   cwd=run_dir, env=env, check=True, timeout=600)
    where = subprocess.run([str(vbin / "python"), "-c", "import server; print(server.__file__)"],
                           cwd=run_dir, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(venv)), where.stdout
    init = subprocess.run([str(vbin / "flask"), "--app", "server", "init-db"], cwd=run_dir,
                          env=env, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr

    servers = {
        "waitress": [str(vbin / "waitress-serve"), "--listen=127.0.0.1:{port}",
                     "--call", "server:create_app"],
        "gunicorn": [str(vbin / "gunicorn"), "-w", "2", "-b", "127.0.0.1:{port}",
                     "server:create_app()"],
    }
    # both start at once (each takes seconds to import the server), then each is checked
    started = {name: _start(cmd, env, run_dir, tmp_path / f"{name}.log")
               for name, cmd in servers.items()}
    try:
        for name, (proc, base) in started.items():
            _answering(proc, base, servers[name], tmp_path / f"{name}.log")
            page = requests.get(base + "/dang-nhap", timeout=10)
            assert page.status_code == 200, (name, page.status_code, page.text[:500])
            assert "Đăng nhập" in page.text
            css = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.text).group(1)
            sheet = requests.get(base + css, timeout=10)
            assert sheet.status_code == 200 and sheet.headers["Content-Type"].startswith("text/css")
            assert len(sheet.content) > 500
    finally:
        for proc, _ in started.values():
            if proc.poll() is None:
                os.killpg(proc.pid, 15)
            proc.wait(20)


@pytest.mark.slow
def test_offline_bundle_installs_on_windows_pythons(tmp_path):
    """scripts/offline_bundle.py: the zip an IT officer carries to office PCs without internet.
    Every wheel is for 64-bit Windows, and for each Python offices run (3.11-3.13) every
    requirement of kiemdiem — markers evaluated as on Windows, so pywin32 for xlwings — has a
    fitting wheel of a fitting version; pip itself resolves the install offline from it."""
    from packaging.utils import canonicalize_name, parse_wheel_filename
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import offline_bundle as ob
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    out = tmp_path / "kiemdiem-offline.zip"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "offline_bundle.py"), "-o",
                        str(out)], env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Đã tạo" in r.stdout
    unpacked = tmp_path / "goi-cai-dat"
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        zf.extractall(unpacked)
    assert {"cai-dat.bat", "cau-hinh.txt", "HUONG_DAN.txt", "kiemdiem.xlam"} <= names
    assert (unpacked / "kiemdiem.xlam").read_bytes() == \
        (ROOT / "addin" / "kiemdiem.xlam").read_bytes()
    bat = (unpacked / "cai-dat.bat").read_bytes()
    assert bat.count(b"\r\n") == bat.count(b"\n") and b"{" not in bat
    text = bat.decode("utf-8")
    assert "--no-index" in text and "-m addin cai-dat" in text and "3.13 3.12 3.11" in text
    conf = (unpacked / "cau-hinh.txt").read_text(encoding="utf-8")
    assert re.search(r"^MAY_CHU=", conf, re.M) and re.search(r"^MA=", conf, re.M)

    wheels = sorted((unpacked / "goi").glob("*.whl"))
    assert sorted(n for n in names if n.startswith("goi/")) == [f"goi/{w.name}" for w in wheels]
    for w in wheels:
        _, _, _, tags = parse_wheel_filename(w.name)
        assert {t.platform for t in tags} <= {"any", "win_amd64"}, w.name
        assert any(ob.fits(w, v) for v in ob.PYTHONS), w.name
    own = next(w for w in wheels if w.name.startswith("kiemdiem-"))
    for version in ("3.11", "3.12", "3.13"):
        fitting = {canonicalize_name(parse_wheel_filename(w.name)[0]): w
                   for w in wheels if ob.fits(w, version)}
        seen, todo = set(), [own]
        while todo:
            w = todo.pop()
            for req in ob.requirements(w, version):
                name = canonicalize_name(req.name)
                assert name in fitting, f"Python {version}: no Windows wheel for {req}"
                have = parse_wheel_filename(fitting[name].name)[1]
                assert req.specifier.contains(have, prereleases=True), (version, req, have)
                if name not in seen:
                    seen.add(name)
                    todo.append(fitting[name])
        assert {"openpyxl", "python-calamine", "xlwings", "pywin32"} <= seen, seen
        nodot = version.replace(".", "")
        report = tmp_path / f"report-{nodot}.json"
        dry = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--dry-run",
                              "--no-index", "--find-links", str(unpacked / "goi"),
                              "--only-binary=:all:", "--platform", "win_amd64",
                              "--python-version", version, "--implementation", "cp",
                              "--abi", f"cp{nodot}", "--abi", "abi3", "--abi", "none",
                              "--target", str(tmp_path / "t"), "--report", str(report),
                              "kiemdiem"], env=env, capture_output=True, text=True, timeout=300)
        assert dry.returncode == 0, dry.stderr[-2000:]
        installed = {i["metadata"]["name"] for i in json.loads(report.read_text())["install"]}
        assert {"kiemdiem", "openpyxl", "xlwings", "python-calamine"} <= installed
