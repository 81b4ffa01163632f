"""The main job as a new user meets it: `flask --app server demo`, then `flask --app server run`,
then the curl commands the demo printed — findings come back, the summary downloads and opens,
a unit cannot send for another, a zip bomb gets a 4xx and the next request is answered."""
from __future__ import annotations

import io
import json
import os
import re
import shlex
import subprocess
import sys
import time

import requests
from openpyxl import load_workbook

from conftest import ROOT, _free_port
from hostile_corpus import corpus
from workbook_templates.read import read_workbook


def curl(cmd: str, cwd) -> tuple[int, str]:
    out = subprocess.run(shlex.split(cmd) + ["-s", "-w", "\n%{http_code}"], cwd=cwd,
                         capture_output=True, text=True, timeout=60)
    body, _, code = out.stdout.rpartition("\n")
    return int(code), body


def test_demo_then_curl(tmp_path):
    port = _free_port()
    env = dict(os.environ, KIEMDIEM_DATA_DIR=str(tmp_path / "data"))
    for k in ("KIEMDIEM_DATABASE_URL", "FLASK_APP"):
        env.pop(k, None)
    demo = subprocess.run([sys.executable, "-m", "flask", "--app", "server", "demo", "--port",
                           str(port)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert demo.returncode == 0, demo.stderr
    out = demo.stdout
    assert (tmp_path / "data" / "kiemdiem.sqlite3").exists()
    tokens = dict(re.findall(r"^\s+([A-Z_]+)\s+(kd_\S+)$", out, re.M))
    assert len(tokens) == 13                       # the district and its twelve units
    curls = [line.strip() for line in out.splitlines() if line.strip().startswith("curl ")]
    assert len(curls) == 4

    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "server", "run", "--host",
                             "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        # 1. a filled template uploaded with the printed token: valid, findings listed
        code, body = curl(curls[0], tmp_path)
        # 200: the demo already stored this very file for the unit, so no new version (issue 14)
        assert code in (200, 201), body
        assert json.loads(body)["valid"] is True
        # 2. the workbook with errors: findings with cells and numbers
        code, body = curl(curls[1], tmp_path)
        sub = json.loads(body)
        assert code in (200, 201) and sub["valid"] is False
        assert {f["rule"] for f in sub["findings"]} >= {"R-TONG", "R-QUOTA"}
        assert all(f["ref"].startswith(("Biểu", "Thông tin")) for f in sub["findings"])
        # 3. the status: twelve units, the three the demo left out now one fewer
        code, body = curl(curls[2], tmp_path)
        st = json.loads(body)
        assert code == 200 and st["expected"] == 12 and st["submitted"] == 10
        # 4. the summary downloads and opens, and is one of our workbooks
        code, _ = curl(curls[3], tmp_path)
        assert code == 200
        data = (tmp_path / "tong_hop.xlsx").read_bytes()
        wb = load_workbook(io.BytesIO(data))
        assert "Tình hình nộp" in wb.sheetnames
        assert read_workbook(data).raw["TT_MaDonVi"] == "BAOLAM"
        # 5. a unit cannot upload for another: Lộc Quảng's token with Lộc Nam's file
        other = curls[1].replace(tokens["LOCNAM"], tokens["LOCQUANG"])
        code, body = curl(other, tmp_path)
        assert code == 403 and json.loads(body)["error"] == "other_unit"
        # 6. a zip bomb gets a 4xx, and the server answers the next request
        bomb = tmp_path / "bom.xlsx"
        bomb.write_bytes(next(c[2] for c in corpus() if c[0] == "zip_bomb"))
        code, body = curl(re.sub(r"file=@\S+", f"file=@{bomb}", curls[0]), tmp_path)
        assert 400 <= code < 500 and json.loads(body)["message"]
        code, _ = curl(curls[2], tmp_path)
        assert code == 200
        # 7. the printed accounts work: the district office, and a unit on its own submission
        office_pw = re.search(r"baolam / (\S+)", out).group(1)
        unit_pw = re.search(r"mật khẩu (\S+)$", out, re.M).group(1)
        url = f"http://127.0.0.1:{port}/api/v1"
        st = requests.get(f"{url}/rounds/1/status", auth=("baolam", office_pw), timeout=30)
        assert st.status_code == 200
        assert requests.get(f"{url}/submissions/{sub['id']}", auth=("locnam", unit_pw),
                            timeout=30).status_code == 200
        assert requests.get(f"{url}/rounds/1/status", auth=("locnam", unit_pw),
                            timeout=30).status_code == 403
    finally:
        proc.terminate()
        proc.wait(10)
    # the demo can run again on the same data (the README command runs it on every start)
    again = subprocess.run([sys.executable, "-m", "flask", "--app", "server", "demo"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
