"""QĐ 366: a unit never grants itself the 25 % XS share. Over real HTTP: a workbook saying «Có»
in a round opened without the exception is stored as invalid with both facts in the message; in
a round opened with it, the collecting office sees each child's decision on its decisions page."""
from __future__ import annotations

import datetime as dt
import re

import requests
from test_cli import units_file
from workbooks import workbook

DECISION = {"TT_NgoaiLe25": "Có", "TT_QD25_So": "125-QĐ/TU",
            "TT_QD25_Ngay": dt.datetime(2026, 12, 1),
            "TT_QD25_CoQuan": "Ban Thường vụ Tỉnh ủy Thử"}


def test_the_exception_is_the_rounds_and_the_office_sees_the_decision(server, tmp_path):
    src = tmp_path / "don_vi.xlsx"
    src.write_bytes(units_file([("NG25_TINH", "Tỉnh ủy Ngoại lệ", "DB_TINH", None),
                                ("NG25_XA", "Đảng ủy xã Ngoại lệ", "DB_CS", "NG25_TINH")]))
    assert server.cli("import-units", str(src)).returncode == 0
    opened = server.cli("create-round", "--unit", "NG25_TINH", "--year", "2026",
                        "--deadline", "2099-01-31")
    assert opened.returncode == 0, opened.stderr
    round_id = int(opened.stdout.split(":")[0].split()[-1])
    token = server.cli("issue-token", "NG25_XA").stdout.strip()

    data = workbook("NG25_XA", "Đảng ủy xã Ngoại lệ", 2026, xep_loai="XS", **DECISION)

    def send(status=201):
        r = requests.post(server.api("/submissions"),
                          headers={"Authorization": f"Bearer {token}"},
                          files={"file": ("xa.xlsx", data)}, timeout=60)
        assert r.status_code == status, r.text
        return r.json()

    body = send()
    assert body["version"] == 1
    assert body["valid"] is False
    f = [f for f in body["findings"] if f["rule"] == "R-NGOAILE25"]
    assert len(f) == 1 and f[0]["severity"] == "error" and f[0]["name"] == "TT_NgoaiLe25"
    for words in ("«Có»", "125-QĐ/TU", "năm 2026 của Tỉnh ủy Ngoại lệ",
                  "không có ngoại lệ 25 %"):
        assert words in f[0]["message"], f[0]["message"]
    assert "366-QĐ/TW" in f[0]["regulation"] and "R-" not in f[0]["message"] + f[0]["hint"]

    # sent again unchanged, before any decision: the same file, the same result, no version
    same = send(200)
    assert same["duplicate"] is True and same["version"] == 1 and same["valid"] is False
    assert "giống hệt phiên bản 1" in same["message"]

    # the office records the competent level's decision on the round: the very same file, sent
    # again, passes now — a new version, the one the summary counts
    again = server.cli("create-round", "--unit", "NG25_TINH", "--year", "2026",
                       "--deadline", "2099-01-31", "--ngoai-le-25")
    assert again.returncode == 0, again.stderr
    body = send()
    assert body["valid"] is True and body["findings"] == [], body["findings"]
    assert body["version"] == 2 and not body.get("duplicate")
    assert send(200)["version"] == 2            # and a third time: nothing new

    assert server.cli("create-user", "ng25", "--password", "mat-khau-ng25",
                      "--unit", "NG25_TINH").returncode == 0
    s = requests.Session()
    page = s.get(server.url + "/dang-nhap")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    s.post(server.url + "/dang-nhap", data={"username": "ng25", "password": "mat-khau-ng25",
                                           "csrf_token": csrf})
    html = s.get(server.url + f"/dot/{round_id}/quyet-dinh").text
    assert ("Áp dụng tỷ lệ xuất sắc 25 % theo quyết định số 125-QĐ/TU ngày 01/12/2026 của "
            "Ban Thường vụ Tỉnh ủy Thử") in html
