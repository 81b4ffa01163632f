"""The administrator's commands, run as `flask --app server …` against the test database."""
from __future__ import annotations

import io
import re

import requests
from openpyxl import Workbook, load_workbook
from workbooks import workbook

from workbook_templates.read import read_workbook
from workbook_templates.validate import validate


def units_file(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(("Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên"))
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# Most calls below go through `server.cli` (click's runner, in this process); each command is
# also run as a real `flask --app server` process in test_import_round_token_upload_export
# (init-db by the server fixture, create-user in test_create_user_and_basic_auth).


def test_import_round_token_upload_export(server, tmp_path):
    # each command here runs as the administrator runs it: `flask --app server …`, a process
    # a tree three levels deep; children listed before their parent; types as labels or codes
    src = tmp_path / "don_vi.xlsx"
    src.write_bytes(units_file([
        ("CLI_XA1", "Đảng bộ xã Một", "Đảng bộ cơ sở", "CLI_HUYEN"),
        ("CLI_XA1_CB1", "Chi bộ thôn 1", "CB_TT", "CLI_XA1"),
        ("CLI_HUYEN", "Huyện ủy CLI", "DB_CTCS", "CLI_TINH"),
        ("CLI_TINH", "Tỉnh ủy CLI", "Đảng bộ tỉnh, thành phố (và tương đương)", None),
        ("CLI_XA2", "Đảng bộ xã Hai", "db_cs", "CLI_HUYEN"),
    ]))
    r = server.flask("import-units", str(src))
    assert r.returncode == 0, r.stderr
    assert "5 đơn vị mới" in r.stdout
    r_round = server.flask("create-round", "--unit", "CLI_HUYEN", "--form", "bao_cao_nam",
                           "--year", "2024", "--deadline", "2099-01-31")
    assert r_round.returncode == 0, r_round.stderr
    assert "2 đơn vị phải nộp" in r_round.stdout
    r = server.flask("issue-token", "CLI_XA1")
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip()
    assert token.startswith("kd_") and len(token) > 30
    up = requests.post(server.api("/submissions"), headers={"Authorization": f"Bearer {token}"},
                       files={"file": ("x.xlsx", workbook("CLI_XA1", "Đảng bộ xã Một"))},
                       timeout=60)
    assert up.status_code == 201 and up.json()["valid"], up.text

    # once closed, the round takes no more uploads
    round_id = int(r_round.stdout.split(":")[0].split()[-1])
    r = server.flask("close-round", str(round_id))
    assert r.returncode == 0, r.stderr
    again = requests.post(server.api("/submissions"),
                          headers={"Authorization": f"Bearer {token}"},
                          files={"file": ("x.xlsx", workbook("CLI_XA1", "Đảng bộ xã Một"))},
                          timeout=60)
    assert again.status_code == 409 and again.json()["error"] == "no_open_round"

    out = tmp_path / "xuat.xlsx"
    r = server.flask("export-units", str(out))
    assert r.returncode == 0, r.stderr
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0] == ("Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên", "Lĩnh vực")
    mine = [row for row in rows if str(row[0]).startswith("CLI_")]
    assert [row[0] for row in mine] == ["CLI_TINH", "CLI_HUYEN", "CLI_XA1", "CLI_XA1_CB1",
                                        "CLI_XA2"]
    assert mine[3] == ("CLI_XA1_CB1", "Chi bộ thôn 1", "Chi bộ trực thuộc", "CLI_XA1", None)
    # the exported file imports back unchanged
    r = server.cli("import-units", str(out))
    assert r.returncode == 0 and "0 đơn vị mới" in r.stdout


def test_import_refuses_a_bad_file_and_names_each_row(server, tmp_path):
    src = tmp_path / "sai.xlsx"
    src.write_bytes(units_file([
        ("BAD1", "Xã lỗi", "Xã", "KHONGCO"),
        ("BAD2", "", "DB_CS", None),
        ("BAD3", "Vòng A", "DB_CS", "BAD4"),
        ("BAD4", "Vòng B", "DB_CS", "BAD3"),
    ]))
    before = server.count_rows("unit")
    r = server.cli("import-units", str(src))
    assert r.returncode != 0
    assert "Dòng 2: loại «Xã» không hợp lệ" in r.stderr
    assert "Dòng 3: đơn vị «BAD2» thiếu tên" in r.stderr
    assert server.count_rows("unit") == before


def test_create_user_and_basic_auth(server):
    d = server.district(1)
    r = server.flask("create-user", f"vanphong{d.code}", "--unit", d.code, "--password", "bí-mật-1")
    assert r.returncode == 0, r.stderr
    ok = requests.get(server.api(f"/rounds/{d.round_id}/status"),
                      auth=(f"vanphong{d.code}", "bí-mật-1".encode()), timeout=30)
    assert ok.status_code == 200 and ok.json()["expected"] == 1
    r = server.cli("create-user", "khongdonvi", "--password", "x")
    assert r.returncode != 0 and "--admin" in r.stderr


def test_init_db_twice_is_harmless(server):
    r = server.cli("init-db")
    assert r.returncode == 0 and "sẵn sàng" in r.stdout


def _token(server, code: str) -> str:
    """A unit's upload token made in-process, as `flask issue-token` makes it (that command is
    run in test_import_round_token_upload_export; a process per token costs seconds)."""
    from sqlalchemy import select

    from server import db
    from server.auth import issue_token
    from server.models import Unit
    with server.app.app_context():
        s = db.session()
        token = issue_token(s.scalar(select(Unit).where(Unit.code == code)))
        s.commit()
        return token


def test_a_round_with_the_qd366_exception_allows_xs_up_to_25_percent(server, tmp_path):
    """`create-round --ngoai-le-25`: the competent level approved QD366's exception for the
    collecting unit. Its decisions page and its summary count the XS quota at 25 %."""
    src = tmp_path / "don_vi.xlsx"
    xa = [(f"NL25_XA{i}", f"Đảng bộ xã Ngoại lệ {i}") for i in range(5)]
    src.write_bytes(units_file([("NL25_HUYEN", "Huyện ủy Ngoại lệ", "DB_CTCS", None)]
                               + [(c, n, "DB_CS", "NL25_HUYEN") for c, n in xa]))
    assert server.cli("import-units", str(src)).returncode == 0
    opened = server.cli("create-round", "--unit", "NL25_HUYEN", "--year", "2025",
                         "--deadline", "2099-01-31", "--ngoai-le-25")
    assert opened.returncode == 0, opened.stderr
    assert "hạn mức xuất sắc 25 % (ngoại lệ đã chấp thuận)" in opened.stdout
    # one đảng bộ proposes XS beside four at TOT: 20 % of 4 allows none, 25 % of 4 allows one
    for i, (code, name) in enumerate(xa):
        token = _token(server, code)
        up = requests.post(server.api("/submissions"), headers={"Authorization": f"Bearer {token}"},
                           files={"file": ("x.xlsx", workbook(code, name, 2025,
                                                              xep_loai="XS" if i == 0 else "TOT"))},
                           timeout=60)
        assert up.status_code == 201 and up.json()["valid"], up.text
    huyen = {"Authorization": "Bearer " + _token(server, "NL25_HUYEN")}
    round_id = int(opened.stdout.split(":")[0].split()[-1])

    def summary():
        r = requests.get(server.api(f"/rounds/{round_id}/summary.xlsx"), headers=huyen, timeout=60)
        assert r.status_code == 200, r.text
        filled = read_workbook(r.content)
        return filled, [f.name for f in validate(filled).errors if f.rule == "R-QUOTA"]

    status = requests.get(server.api(f"/rounds/{round_id}/status"), headers=huyen, timeout=30)
    assert status.json()["round"]["ngoai_le_25"] is True
    filled, over = summary()
    assert filled.raw["TT_NgoaiLe25"] == "Có" and over == []

    # the office's decisions page shows the same quota
    assert server.cli("create-user", "nl25", "--password", "mat-khau-25",
                       "--unit", "NL25_HUYEN").returncode == 0
    s = requests.Session()
    page = s.get(server.url + "/dang-nhap")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    s.post(server.url + "/dang-nhap", data={"username": "nl25", "password": "mat-khau-25",
                                           "csrf_token": token})
    html = s.get(server.url + f"/dot/{round_id}/quyet-dinh").text
    assert "tối đa 25 %, ngoại lệ theo Quy định 366 đã được chấp thuận" in html
    assert ("Không còn được xếp thêm đơn vị Hoàn thành xuất sắc (đang có 1, tối đa 1 = 25 % × 4"
            in html)

    # reopening without the option keeps it; --khong-ngoai-le-25 withdraws it
    again = server.cli("create-round", "--unit", "NL25_HUYEN", "--year", "2025",
                        "--deadline", "2099-02-28")
    assert "25 % (ngoại lệ đã chấp thuận)" in again.stdout
    off = server.cli("create-round", "--unit", "NL25_HUYEN", "--year", "2025",
                      "--deadline", "2099-02-28", "--khong-ngoai-le-25")
    assert "hạn mức xuất sắc 20 %." in off.stdout
    filled, over = summary()
    assert filled.raw["TT_NgoaiLe25"] is None and over == ["XL_TCCSD_TT_XS"]
    html = s.get(server.url + f"/dot/{round_id}/quyet-dinh").text
    assert "Vượt hạn mức: 1 đơn vị Hoàn thành xuất sắc, tối đa 0 (20 % × 4" in html


def test_import_refuses_a_tree_the_hierarchy_forbids_naming_every_row(server, tmp_path):
    """SPEC §7: a chi bộ trực thuộc straight under a province, a province under a commune and a
    cycle: the whole file is refused, nothing is stored, each bad row is named."""
    src = tmp_path / "cay_sai.xlsx"
    src.write_bytes(units_file([
        ("HS_TINH", "Đảng bộ tỉnh Thử", "DB_TINH", None),
        ("HS_XA", "Đảng ủy xã Thử", "DB_CS", "HS_TINH"),          # 2025 structure: fine
        ("HS_CB", "Chi bộ thôn Thử", "CB_TT", "HS_TINH"),         # row 4: not under a province
        ("HS_TINH2", "Đảng bộ tỉnh Lạ", "DB_TINH", "HS_XA"),      # row 5: a province in a xã
        ("HS_A", "Đảng bộ A", "DB_CS", "HS_B"),                   # rows 6-7: a cycle
        ("HS_B", "Đảng bộ B", "DB_CS", "HS_A"),
    ]))
    before = server.count_rows("unit")
    r = server.cli("import-units", str(src))
    assert r.returncode != 0
    assert ("Dòng 4: «Chi bộ thôn Thử» (HS_CB) có cấp trên «HS_TINH»: «Chi bộ trực thuộc» không "
            "thể trực thuộc «Đảng bộ tỉnh, thành phố (và tương đương)»") in r.stderr
    assert "Dòng 5: «Đảng bộ tỉnh Lạ» (HS_TINH2)" in r.stderr
    assert "Dòng 6: vòng lặp cấp trên: HS_A → HS_B → HS_A" in r.stderr
    assert "Dòng 3" not in r.stderr
    assert "huyện" not in r.stderr.casefold()
    assert server.count_rows("unit") == before


def test_sector_column_and_a_workbook_disagreeing_with_the_register(server, tmp_path):
    """The register carries each TCCSĐ's sector; a workbook naming another type or sector gets a
    finding naming both at upload."""
    src = tmp_path / "linh_vuc.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(("Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên", "Lĩnh vực"))
    ws.append(("LV_TINH", "Đảng bộ tỉnh Lĩnh Vực", "DB_TINH", None, None))
    ws.append(("LV_XA", "Đảng ủy xã Lĩnh Vực", "DB_CS", "LV_TINH", "Xã, phường, đặc khu"))
    ws.append(("LV_DN", "Đảng ủy Công ty Lĩnh Vực", "DB_CS", "LV_TINH", "dn"))
    buf = io.BytesIO()
    wb.save(buf)
    src.write_bytes(buf.getvalue())
    r = server.cli("import-units", str(src))
    assert r.returncode == 0, r.stderr
    assert server.cli("create-round", "--unit", "LV_TINH", "--year", "2026",
                       "--deadline", "2099-01-31").returncode == 0
    token = server.cli("issue-token", "LV_XA").stdout.strip()
    # the workbook says chi bộ cơ sở, doanh nghiệp; the register says đảng bộ cơ sở, xã
    data = workbook("LV_XA", "Đảng ủy xã Lĩnh Vực", 2026, type_="CB_CS",
                    TT_LinhVuc="Doanh nghiệp", XL_CBTT_TONG=None, XL_CBTT_XS=None,
                    XL_CBTT_TOT=None, XL_CBTT_HT=None, XL_CBTT_KHT=None, KD_PHAI_TT=None,
                    KD_DA_TT=None)
    up = requests.post(server.api("/submissions"), headers={"Authorization": f"Bearer {token}"},
                       files={"file": ("xa.xlsx", data)}, timeout=60)
    assert up.status_code == 201, up.text
    body = up.json()
    assert body["valid"] is False
    mine = [f for f in body["findings"] if f["rule"] == "R-DONVI"]
    assert {f["severity"] for f in mine} == {"error", "warning"}
    text = " ".join(f["message"] for f in mine)
    assert ("Biểu ghi loại đơn vị «Chi bộ cơ sở» nhưng danh sách đơn vị của cấp trên ghi Đảng "
            "ủy xã Lĩnh Vực là «Đảng bộ cơ sở»") in text
    assert "lĩnh vực «Doanh nghiệp»" in text and "«Xã, phường, đặc khu»" in text
    # the right type and no sector in the workbook: valid, and the summary counts the register's
    # sector
    ok = workbook("LV_XA", "Đảng ủy xã Lĩnh Vực", 2026)
    up = requests.post(server.api("/submissions"), headers={"Authorization": f"Bearer {token}"},
                       files={"file": ("xa.xlsx", ok)}, timeout=60)
    assert up.status_code == 201 and up.json()["valid"], up.text
    from sqlalchemy import select

    from server import db
    from server.models import Round, Unit
    from server.summary import build
    with server.app.app_context():
        s = db.session()
        top = s.scalar(select(Unit).where(Unit.code == "LV_TINH"))
        rnd = s.scalar(select(Round).where(Round.unit_id == top.id))
        res = build(rnd)
        assert res.values["XL_TCCSD_XA_TONG"] == 1 and res.values["XL_TCCSD_TT_TONG"] == 1
    out = tmp_path / "xuat.xlsx"
    assert server.cli("export-units", str(out)).returncode == 0
    rows = {row[0]: row for row in load_workbook(out).active.iter_rows(values_only=True)}
    assert rows["LV_XA"][4] == "Xã, phường, đặc khu" and rows["LV_DN"][4] == "Doanh nghiệp"
    assert rows["LV_TINH"][4] is None
