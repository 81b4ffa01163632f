"""The wheel the IT person hands to office PCs (README: `pip wheel . --no-deps -w dist`) installs
the core, the command line and the add-in only; the server's stack comes with the `server` extra."""
from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_office_wheel_needs_no_server_packages(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(tmp_path), str(ROOT)], check=True, timeout=300)
    wheel = next(tmp_path.glob("kiemdiem-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        meta = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA")))
        names = set(zf.namelist())
    requires = [line.split(":", 1)[1].strip() for line in meta.decode().splitlines()
                if line.startswith("Requires-Dist:")]
    always = sorted(r.split(";")[0].strip() for r in requires if "extra ==" not in r)
    assert always == ["openpyxl==3.1.5", "python-calamine>=0.3", "xlwings==0.37.8"]
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
