"""The main job as a new user meets it: `flask --app server demo` (the 2026 round in the 2025
structure: a province, its đảng ủy, one đảng ủy collecting from its chi bộ), then
`flask --app server run`, then the curl commands the demo printed — findings come back, the
summary downloads and opens, a unit cannot send for another, a zip bomb gets a 4xx and the next
request is answered."""
from __future__ import annotations

import io
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import requests
from harness import free_port
from hostile_corpus import corpus
from openpyxl import load_workbook

from workbook_templates.read import read_workbook

ROOT = Path(__file__).resolve().parents[2]


def curl(cmd: str, cwd) -> tuple[int, str]:
    out = subprocess.run(shlex.split(cmd) + ["-s", "-w", "\n%{http_code}"], cwd=cwd,
                         capture_output=True, text=True, timeout=60)
    body, _, code = out.stdout.rpartition("\n")
    return int(code), body


def test_demo_then_curl(tmp_path):
    port = free_port()
    env = dict(os.environ, KIEMDIEM_DATA_DIR=str(tmp_path / "data"))
    for k in ("KIEMDIEM_DATABASE_URL", "FLASK_APP"):
        env.pop(k, None)
    demo = subprocess.run([sys.executable, "-m", "flask", "--app", "server", "demo", "--port",
                           str(port)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert demo.returncode == 0, demo.stderr
    out = demo.stdout
    assert (tmp_path / "data" / "kiemdiem.sqlite3").exists()
    tokens = dict(re.findall(r"^\s+([A-Z0-9_]+)\s+(kd_\S+)$", out, re.M))
    # the province, its seven đảng ủy and one đảng bộ trực thuộc, the commune's six chi bộ
    assert len(tokens) == 15 and {"LAMDONG", "BAOLAM1", "DB_UBND", "BL1_THON1"} <= set(tokens)
    assert "Huyện" not in out and "huyện" not in out
    # HD 43's deadlines: 31/12 of the rating year, 15/01 for the unit named special
    year = int(re.search(r"nhận Báo cáo năm (\d{4})", out).group(1))
    assert f"hạn 31/12/{year}" in out and f"hạn 15/01/{year + 1}" in out
    # the printed help says who sees what, for the province, the commune and a chi bộ
    for who in ("tinhuy /", "baolam1 /", "bl1_thon1 /"):
        assert who in out, who
    assert "xem (không sửa) đợt của từng đảng ủy xã" in out
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
        # 3. the province's status: eight units, six reported (the two communes of Bảo Lâm not)
        code, body = curl(curls[2], tmp_path)
        st = json.loads(body)
        assert code == 200 and st["expected"] == 8 and st["submitted"] == 6
        ubnd = next(u for u in st["units"] if u["code"] == "DB_UBND")
        assert ubnd["dac_thu"] and ubnd["deadline"] == f"{year + 1}-01-15"
        # 4. the summary downloads and opens, and is one of our workbooks
        code, _ = curl(curls[3], tmp_path)
        assert code == 200
        data = (tmp_path / "tong_hop.xlsx").read_bytes()
        wb = load_workbook(io.BytesIO(data))
        assert "Tình hình nộp" in wb.sheetnames
        summary = read_workbook(data).raw
        assert summary["TT_MaDonVi"] == "LAMDONG"
        assert summary["XL_DBCT_TONG"] == 1          # the đảng bộ trực thuộc tỉnh
        if "XL_TCCSD_TT_TONG" in summary:            # the TCCSĐ the province rates itself
            assert summary["XL_TCCSD_TT_TONG"] == 5  # the five đảng ủy that reported
        # 5. a unit cannot upload for another: Chi bộ thôn 3's token with the Quân sự file
        other = curls[1].replace(tokens["BL1_QUANSU"], tokens["BL1_THON3"])
        code, body = curl(other, tmp_path)
        assert code == 403 and json.loads(body)["error"] == "other_unit"
        # 6. a zip bomb gets a 4xx, and the server answers the next request
        bomb = tmp_path / "bom.xlsx"
        bomb.write_bytes(next(c[2] for c in corpus() if c[0] == "zip_bomb"))
        code, body = curl(re.sub(r"file=@\S+", f"file=@{bomb}", curls[0]), tmp_path)
        assert 400 <= code < 500 and json.loads(body)["message"]
        code, _ = curl(curls[2], tmp_path)
        assert code == 200
        # 7. the printed accounts work: the province reads the commune's round (read-only),
        # the commune office its own, a chi bộ its own submission but no round
        province_pw = re.search(r"tinhuy / (\S+)", out).group(1)
        commune_pw = re.search(r"baolam1 / (\S+)", out).group(1)
        unit_pw = re.search(r"mật khẩu (\S+)$", out, re.M).group(1)
        url = f"http://127.0.0.1:{port}/api/v1"
        own = re.search(r"Đợt (\d+): Đảng ủy xã Bảo Lâm 1 nhận", out).group(1)
        for account in (("tinhuy", province_pw), ("baolam1", commune_pw)):
            st = requests.get(f"{url}/rounds/{own}/status", auth=account, timeout=30)
            assert st.status_code == 200 and st.json()["expected"] == 6
        assert requests.put(f"{url}/rounds/{own}/decisions/BL1_THON1", json={"xep_loai": "TOT"},
                            auth=("tinhuy", province_pw), timeout=30).status_code == 403
        assert requests.get(f"{url}/submissions/{sub['id']}", auth=("bl1_quansu", unit_pw),
                            timeout=30).status_code == 200
        assert requests.get(f"{url}/rounds/{own}/status", auth=("bl1_quansu", unit_pw),
                            timeout=30).status_code == 403
    finally:
        proc.terminate()
        proc.wait(10)
    # the demo can run again on the same data (the README command runs it on every start)
    again = subprocess.run([sys.executable, "-m", "flask", "--app", "server", "demo"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
