"""The add-in without Python: the server checks the open workbook through xlwings' remote route.

A real server under gunicorn (SQLite) with the route switched on; real template workbooks filled,
recalculated by LibreOffice, and turned into exactly the JSON that xlwings' VBA client
(`RunRemotePython` in Remote.bas) posts: every worksheet's values from A1 to the end of its used
range (empty cells as null, dates as ISO text), the defined names, the book's name. What a user
would notice is asserted on the actions the server answers with.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from pathlib import Path

import pytest
import requests
import xlwings
from addin_books import clean_unit
from openpyxl.utils import get_column_letter

from workbook_templates import marks as M
from workbook_templates.read import read_workbook
from workbook_templates.sample import bao_lam_2019, fill_template
from workbook_templates.spec import get_form_set
from workbook_templates.validate import validate

ROOT = Path(__file__).resolve().parents[2]
CHECK = "/api/v1/xlwings/kiem-tra"
SEND = "/api/v1/xlwings/gui-bieu"
RATE = 12          # calls per token per minute on the test server


# --- the VBA client's payload -------------------------------------------------------------------

def _vba_value(v):
    """A cell's value as Remote.bas sends it (VBA-Web's JSON): Empty -> null, dates as
    "yyyy-mm-ddTHH:MM:SS.000Z" (local time, not converted), numbers and text as they are."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(v, dt.date):
        return f"{v.isoformat()}T00:00:00.000Z"
    if isinstance(v, dt.time):
        return f"1899-12-30T{v.isoformat()}.000Z"
    return v


def vba_payload(xlsx: bytes, name: str = "bao_cao.xlsx", version: str | None = None) -> dict:
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook
    cal = CalamineWorkbook.from_filelike(io.BytesIO(xlsx))
    wb = load_workbook(io.BytesIO(xlsx))
    index = {ws.title: i for i, ws in enumerate(wb.worksheets)}
    sheets = []
    for ws in wb.worksheets:
        grid = cal.get_sheet_by_name(ws.title).to_python(skip_empty_area=False)
        values = [[_vba_value(v) for v in row] for row in grid]
        width = max((len(r) for r in values), default=0)
        values = [r + [None] * (width - len(r)) for r in values] or [[]]
        sheets.append({"name": ws.title, "pictures": [], "tables": [], "values": values})
    names = []
    for dn in wb.defined_names.values():
        for sheet, ref in dn.destinations:
            if sheet in index:
                names.append({"name": dn.name, "sheet_index": index[sheet],
                              "address": ref.replace("$", ""), "book_scope": True,
                              "scope_sheet_name": None, "scope_sheet_index": None})
    data = {"client": "VBA", "version": version or xlwings.__version__,
            "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
            "names": names, "sheets": sheets}
    return json.loads(json.dumps(data))


# --- the server ---------------------------------------------------------------------------------

class Live:
    def __init__(self, url, app, data_dir):
        self.url, self.app, self.data_dir = url, app, data_dir
        self._n = 0

    def post(self, path, payload=None, token=None, data=None, headers=None):
        h = {"Content-Type": "application/json"}
        if token:
            h["Authorization"] = f"Bearer {token}"
        h.update(headers or {})
        body = data if data is not None else json.dumps(payload).encode("utf-8")
        return requests.post(self.url + path, data=body, headers=h, timeout=120)

    def world(self):
        """One collecting unit with open rounds for 2019 and 2024, its children (BAOLAM is the
        Bảo Lâm workbook's code, LBX the clean one's) and a token for each."""
        from server import db
        from server.auth import issue_token
        from server.cli import create_round
        from server.models import Unit
        with self.app.app_context():
            s = db.session()
            top = Unit(code="HX", name="Huyện ủy thử", type="DB_CTCS")
            s.add(top)
            s.flush()
            kids = [Unit(code=c, name=f"Đảng bộ xã {c}", type="DB_CS", parent_id=top.id)
                    for c in ["BAOLAM", "LBX"] + [f"XA{i}" for i in range(1, 8)]]
            s.add_all(kids)
            s.flush()
            deadline = dt.date.today() + dt.timedelta(days=9)
            rounds = {y: create_round(top, "bao_cao_nam", y, deadline).id for y in (2019, 2024)}
            tokens = {u.code: issue_token(u) for u in [top] + kids}
            from server.auth import set_password
            from server.models import User
            clerk = User(username="vanphong_hx", unit_id=top.id, is_admin=False)
            set_password(clerk, "mat-khau-thu-2026")
            s.add(clerk)
            s.commit()
            return rounds, tokens

    def dashboard(self, round_id: int) -> str:
        """The round's dashboard page as the collecting office's clerk sees it after logging in."""
        web = requests.Session()
        page = web.get(self.url + "/dang-nhap", timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        form = {"username": "vanphong_hx", "password": "mat-khau-thu-2026"}
        if token:
            form["csrf_token"] = token.group(1)
        r = web.post(self.url + "/dang-nhap", data=form, timeout=30)
        assert r.status_code == 200 and "Sai tên đăng nhập" not in r.text
        r = web.get(f"{self.url}/dot/{round_id}", timeout=30)
        assert r.status_code == 200
        return r.text


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def remote_database(request, tmp_path_factory):
    """A fresh database per backend (PostgreSQL skipped only when unreachable outside CI)."""
    from harness import backend_database
    data_dir = tmp_path_factory.mktemp(f"remote-{request.param}")
    with backend_database(request.param, data_dir) as url:
        yield url, data_dir


@pytest.fixture(scope="module")
def live(remote_database):
    url_db, data_dir = remote_database
    env = dict(os.environ, KIEMDIEM_DATABASE_URL=url_db, KIEMDIEM_DATA_DIR=str(data_dir),
               KIEMDIEM_XLWINGS_REMOTE="1", KIEMDIEM_XLWINGS_RATE=f"[{RATE}, 60]",
               XLWINGS_LICENSE_KEY="noncommercial", PYTHONPATH=str(ROOT), FLASK_DEBUG="0")
    env.pop("FLASK_APP", None)
    from harness import migrator, served

    from server import create_app
    # made before the server process: it writes DATA_DIR/secret_key, which both then read
    app = create_app({"DATABASE_URL": url_db, "DATA_DIR": str(data_dir)})
    with served(env, ROOT, data_dir, ["gunicorn", "-w", "1", "--threads", "2", "-b",
                                      "127.0.0.1:{port}", "--timeout", "120",
                                      "server:create_app()"],
                log_name="gunicorn.log", migrate=migrator(app)) as url:
        live = Live(url, app, data_dir)
        live.rounds, live.tokens = live.world()
        try:
            yield live
        finally:
            app.extensions["kiemdiem.engine"].dispose()


@pytest.fixture(scope="module")
def recalculated(libreoffice, tmp_path_factory):
    """The Bảo Lâm 2019 figures and a clean unit, filled and recalculated by LibreOffice (so the
    payload carries the values Excel would show, formulas' results included)."""
    folder = tmp_path_factory.mktemp("lo")
    srcs = {}
    for key, values in (("bao_lam", bao_lam_2019()),
                        ("clean", dict(clean_unit(), TT_MaDonVi="LBX"))):
        srcs[key] = folder / f"{key}.xlsx"
        srcs[key].write_bytes(fill_template(values))
    outs = libreoffice.convert_many(list(srcs.values()), "xlsx:Calc MS Excel 2007 XML",
                                    folder / "out")
    return {key: out.read_bytes() for key, out in zip(srcs, outs, strict=True)}


# --- reading the answer -------------------------------------------------------------------------

def _names(payload) -> list[str]:
    return [s["name"] for s in payload["sheets"]]


def coloured(actions, names) -> dict:
    out = {}
    for a in actions:
        if a["func"] != "setRangeColors":
            continue
        for i, row in enumerate(a["args"][0]):
            for j, colour in enumerate(row):
                if colour != "keep":
                    cell = f"{get_column_letter(a['start_column'] + j + 1)}{a['start_row'] + i + 1}"
                    out[(names[a["sheet_position"]], cell)] = colour
    return out


def notes(actions, names) -> dict:
    return {(names[a["sheet_position"]], a["args"][0].replace("$", "")): a["args"][1]
            for a in actions if a["func"] == "addNote"}


def report_grid(actions) -> list[list]:
    [add] = [a for a in actions if a["func"] == "addSheet"]
    assert add["args"][1] == M.REPORT_SHEET
    [w] = [a for a in actions if a["func"] == "setValues"
           and a["sheet_position"] == add["args"][0]]
    return w["values"]


def alerts(actions) -> list[list]:
    return [a["args"] for a in actions if a["func"] == "alert"]


def core(xlsx: bytes):
    return [f for f in validate(read_workbook(xlsx)).findings if f.rule != "R-FORMULA"]


def assert_no_form_writes(actions, names):
    """Only paint and notes on the user's sheets; everything else on the report sheet."""
    sheets = list(names)
    for a in actions:
        if a["func"] == "addSheet":
            sheets.insert(a["args"][0], a["args"][1])
            continue
        pos = a["sheet_position"]
        if pos is None:
            assert a["func"] in ("alert",), a
            continue
        if sheets[pos] != M.REPORT_SHEET:
            assert a["func"] in ("setRangeColors", "addNote", "deleteNote", "activateSheet"), a
        if a["func"] == "sheetDelete":
            sheets.pop(pos)


# --- the check ----------------------------------------------------------------------------------

def test_check_marks_exactly_the_findings_cells_and_adds_the_report(live, recalculated):
    tokens = live.tokens
    payload = vba_payload(recalculated["bao_lam"], "bao_lam_2019.xlsx")
    r = live.post(CHECK, payload, tokens["BAOLAM"])
    assert r.status_code == 200, r.text
    acts = r.json()["actions"]
    names = _names(payload)
    expected = core(recalculated["bao_lam"])
    cells = {(f.sheet, f.cell) for f in expected if f.cell}
    paint = coloured(acts, names)
    assert set(paint) == cells
    assert paint[("Biểu 3", "C11")] == M.ERROR_FILL.lower()       # 2.886 typed, 2.866 summed
    assert paint[("Biểu 1", "D11")] == M.WARNING_FILL.lower()
    noted = notes(acts, names)
    assert set(noted) == cells
    assert "2.886" in noted[("Biểu 3", "C11")] and "2.866" in noted[("Biểu 3", "C11")]
    grid = report_grid(acts)
    assert grid[0][0] == "KẾT QUẢ KIỂM TRA BIỂU"
    assert grid[1][0].startswith("Có 3 lỗi")
    assert len(grid) - M.HEADER_ROW == len(expected)
    [alert] = alerts(acts)
    assert alert[0].startswith("Có 3 lỗi") and alert[1:4] == ["Kiểm tra biểu", "ok", "critical"]
    assert_no_form_writes(acts, names)


def test_a_clean_workbook_is_valid_and_nothing_is_red(live, recalculated):
    tokens = live.tokens
    payload = vba_payload(recalculated["clean"], "loc_bao.xlsx")
    r = live.post(CHECK, payload, tokens["LBX"])
    assert r.status_code == 200, r.text
    acts = r.json()["actions"]
    assert coloured(acts, _names(payload)) == {}
    [alert] = alerts(acts)
    assert alert[0] == "Biểu hợp lệ: không có lỗi, không có cảnh báo." and alert[3] == "info"
    assert_no_form_writes(acts, _names(payload))


def test_running_again_redoes_its_own_notes_only(live, recalculated):
    """The VBA client cannot send notes: the notes the last run recorded on its report sheet are
    deleted and redone; the old report sheet is replaced."""
    tokens = live.tokens
    old = core(recalculated["bao_lam"])
    data = M.annotate_xlsx(recalculated["bao_lam"], old)
    payload = vba_payload(data, "bao_lam_2019.xlsx")
    r = live.post(CHECK, payload, tokens["BAOLAM"])
    assert r.status_code == 200, r.text
    acts = r.json()["actions"]
    names = _names(payload)
    deleted = {(names[a["sheet_position"]], a["args"][0].replace("$", ""))
               for a in acts if a["func"] == "deleteNote"}
    assert deleted == {(f.sheet, f.cell) for f in old if f.cell}
    funcs = [a["func"] for a in acts]
    assert funcs.index("sheetDelete") < funcs.index("addSheet")
    assert_no_form_writes(acts, names)


def test_a_formula_typed_over_is_caught_though_only_values_arrive(live, recalculated):
    """Biểu 1 D12 («chưa kiểm điểm», a formula: phải − đã = 2) typed over with 5: the VBA
    client sends only the value, the server sees it is not what the inputs give, marks it as the
    upload route would (R-FORMULA, an error) — and does not send the workbook."""
    cell = get_form_set("bao_cao_nam").cells["KD_CHUA_DV"]
    payload = vba_payload(recalculated["clean"], "loc_bao.xlsx")
    [sheet] = [s for s in payload["sheets"] if s["name"] == cell.sheet]
    assert sheet["values"][cell.row - 1][cell.col - 1] == 2       # Excel's (LibreOffice's) result
    sheet["values"][cell.row - 1][cell.col - 1] = 5
    r = live.post(CHECK, payload, live.tokens["LBX"])
    assert r.status_code == 200, r.text
    acts = r.json()["actions"]
    assert coloured(acts, _names(payload)) == {(cell.sheet, cell.a1): M.ERROR_FILL.lower()}
    note = notes(acts, _names(payload))[(cell.sheet, cell.a1)]
    assert "«5»" in note and "giá trị đúng là 2" in note
    before = requests.get(f"{live.url}/api/v1/rounds/{live.rounds[2024]}/status",
                          headers={"Authorization": f"Bearer {live.tokens['HX']}"},
                          timeout=30).json()
    r = live.post(SEND, payload, live.tokens["LBX"])
    [alert] = alerts(r.json()["actions"])
    assert "chưa gửi" in alert[0]
    after = requests.get(f"{live.url}/api/v1/rounds/{live.rounds[2024]}/status",
                         headers={"Authorization": f"Bearer {live.tokens['HX']}"},
                         timeout=30).json()
    assert after == before


def test_two_units_checking_at_once_each_get_their_own_answer(live, recalculated):
    """The engine keeps books process-wide and sends the alert to the last one opened: two
    units pressing the button at the same moment must still each get their own result."""
    from concurrent.futures import ThreadPoolExecutor
    jobs = [("BAOLAM", vba_payload(recalculated["bao_lam"]), "Có 3 lỗi"),
            ("LBX", vba_payload(recalculated["clean"]), "Biểu hợp lệ")] * 3
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda j: live.post(CHECK, j[1], live.tokens[j[0]]), jobs))
    for (code, _payload, start), r in zip(jobs, answers, strict=True):
        assert r.status_code == 200, r.text
        acts = r.json()["actions"]
        [alert] = alerts(acts)
        assert alert[0].startswith(start), (code, alert[0])
        assert len(report_grid(acts)) >= M.HEADER_ROW


def test_another_units_workbook_is_refused_with_403(live, recalculated):
    tokens = live.tokens
    r = live.post(CHECK, vba_payload(recalculated["bao_lam"]), tokens["XA1"])
    assert r.status_code == 403
    assert r.headers["Content-Type"].startswith("text/plain")
    assert "BAOLAM" in r.text and "XA1" in r.text and "chính mình" in r.text


def test_a_foreign_workbook_gets_the_desktop_routes_message(live):
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active["A1"] = "Báo cáo tự làm"
    buf = io.BytesIO()
    wb.save(buf)
    tokens = live.tokens
    r = live.post(CHECK, vba_payload(buf.getvalue(), "tu_lam.xlsx"), tokens["XA2"])
    assert r.status_code == 200, r.text
    [alert] = alerts(r.json()["actions"])
    # the same words the desktop add-in shows (addin.kiem_tra on this book)
    from addin_books import open_book

    import addin
    book = open_book(buf.getvalue(), name="tu_lam.xlsx")
    addin.kiem_tra(book)
    [desktop] = [a["args"] for a in book.json()["actions"] if a["func"] == "alert"]
    assert alert[0] == desktop[0]
    assert "tu_lam.xlsx" in alert[0] and "_meta" in alert[0] and alert[3] == "critical"


def test_fifty_megabytes_of_json_is_413_and_the_server_stays_up(live):
    tokens = live.tokens
    big = b'{"client": "VBA", "sheets": [' + b'"' + b"x" * (50 * 1024 * 1024) + b'"]}'
    try:
        r = live.post(CHECK, data=big, token=tokens["XA3"])
        assert r.status_code == 413
        assert "quá lớn" in r.text and "KB" in r.text
    except requests.ConnectionError:
        pass        # the server may close the connection once it has answered 413
    assert requests.get(live.url + "/api/v1/openapi.json", timeout=10).status_code == 200


def test_another_xlwings_version_names_both(live, recalculated):
    tokens = live.tokens
    r = live.post(CHECK, vba_payload(recalculated["bao_lam"], version="0.30.1"), tokens["BAOLAM"])
    assert r.status_code == 409
    assert "0.30.1" in r.text and xlwings.__version__ in r.text


def test_bad_payloads_get_a_vietnamese_400(live):
    tokens = live.tokens

    def payload(sheet_values):
        return json.dumps({"client": "VBA", "version": xlwings.__version__,
                           "book": {"name": "a.xlsx"},
                           "sheets": [{"name": "Biểu 1", "values": sheet_values}]}).encode()
    for body in (b"not json", b"[1, 2]", json.dumps({"client": "VBA"}).encode()):
        r = live.post(CHECK, data=body, token=tokens["XA4"])
        assert r.status_code == 400, body
        assert "không" in r.text
    # an object where a cell value should be: refused, nothing of it evaluated
    r = live.post(CHECK, data=payload([[{"=1+1": 2}]]), token=tokens["XA4"])
    assert r.status_code == 400
    assert "sheet «Biểu 1»: chỉ nhận giá trị ô" in r.text
    r = live.post(CHECK, data=payload([[1]] * 6000), token=tokens["XA4"])
    assert r.status_code == 400 and "sheet «Biểu 1»: tối đa 5.000 dòng" in r.text


def test_no_token_is_401_an_admin_account_or_the_collecting_unit_cannot_use_it(live, recalculated):
    payload = vba_payload(recalculated["bao_lam"])
    r = live.post(CHECK, payload)
    assert r.status_code == 401 and "mã truy cập" in r.text
    r = live.post(CHECK, payload, "kd_not-a-token")
    assert r.status_code == 401


def test_too_many_calls_per_token_is_429(live):
    tokens = live.tokens
    codes = [live.post(CHECK, data=b"{}", token=tokens["XA5"]).status_code
             for _ in range(RATE + 1)]
    assert codes[:RATE] == [400] * RATE and codes[RATE] == 429
    r = live.post(CHECK, data=b"{}", token=tokens["XA5"])
    assert r.status_code == 429 and "giây" in r.text and int(r.headers["Retry-After"]) > 0
    assert live.post(CHECK, data=b"{}", token=tokens["XA6"]).status_code == 400   # others go on


# --- sending ------------------------------------------------------------------------------------

def test_send_stores_the_rebuilt_workbook_and_it_shows_on_the_round(live, recalculated):
    tokens = live.tokens
    payload = vba_payload(recalculated["clean"], "loc_bao.xlsx")
    r = live.post(SEND, payload, tokens["LBX"])
    assert r.status_code == 200, r.text
    [alert] = alerts(r.json()["actions"])
    assert alert[0].startswith("Máy chủ đã nhận biểu") and "phiên bản số 1" in alert[0]
    # the round's status (the dashboard's data) and the dashboard page
    st = requests.get(f"{live.url}/api/v1/rounds/{live.rounds[2024]}/status",
                      headers={"Authorization": f"Bearer {tokens['HX']}"}, timeout=30).json()
    [unit] = [u for u in st["units"] if u["code"] == "LBX"]
    assert unit["submitted"] and unit["valid"] and unit["version"] == 1
    page = live.dashboard(live.rounds[2024])
    row = re.search(r'<tr data-code="LBX">(.*?)</tr>', page, re.S).group(1)
    assert "Hợp lệ" in row and re.search(r'data-label="Phiên bản" class="num"><span>1\b', row)
    # the stored file: byte for byte what the server serves, and it reads as the unit's figures
    sub = unit["submission_id"]
    got = requests.get(f"{live.url}/api/v1/submissions/{sub}/file",
                       headers={"Authorization": f"Bearer {tokens['LBX']}"}, timeout=30)
    assert got.status_code == 200
    import hashlib
    meta = requests.get(f"{live.url}/api/v1/submissions/{sub}",
                        headers={"Authorization": f"Bearer {tokens['LBX']}"}, timeout=30).json()
    assert hashlib.sha256(got.content).hexdigest() == meta["sha256"]
    assert meta["filename"] == "loc_bao.xlsx"
    stored = read_workbook(got.content).raw
    sent = read_workbook(recalculated["clean"]).raw
    form = get_form_set("bao_cao_nam")
    for c in form.inputs():
        if sent.get(c.name) not in (None, ""):
            assert stored[c.name] == sent[c.name], c.name
    kept = live.data_dir / "xlwings_payloads" / f"{sub}.json"
    assert json.loads(kept.read_bytes()) == payload


def test_send_with_errors_marks_and_does_not_store(live, recalculated):
    tokens = live.tokens
    r = live.post(SEND, vba_payload(recalculated["bao_lam"]), tokens["BAOLAM"])
    assert r.status_code == 200
    acts = r.json()["actions"]
    [alert] = alerts(acts)
    assert alert[0].startswith("Có 3 lỗi") and "chưa gửi" in alert[0]
    assert coloured(acts, _names(vba_payload(recalculated["bao_lam"])))
    st = requests.get(f"{live.url}/api/v1/rounds/{live.rounds[2019]}/status",
                      headers={"Authorization": f"Bearer {tokens['HX']}"}, timeout=30).json()
    assert not any(u["submitted"] for u in st["units"])


def test_the_clerk_downloads_the_add_in_from_the_server(live):
    r = requests.get(live.url + "/api/v1/xlwings/add-in", timeout=30)
    assert r.status_code == 200
    assert r.content == (ROOT / "addin" / "remote" / "kiemdiem_may_chu.xlam").read_bytes()
    assert "kiemdiem_may_chu.xlam" in r.headers["Content-Disposition"]


# --- off unless configured ----------------------------------------------------------------------

def test_the_route_is_off_unless_configured(tmp_path, monkeypatch):
    from server import create_app
    app = create_app({"DATA_DIR": str(tmp_path), "TESTING": True})
    r = app.test_client().post(CHECK, json={})
    assert r.status_code == 404 and "chưa bật" in r.get_data(as_text=True)
    assert app.test_client().get("/api/v1/xlwings/add-in").status_code == 404
    monkeypatch.delenv("XLWINGS_LICENSE_KEY", raising=False)
    app2 = create_app({"DATA_DIR": str(tmp_path), "XLWINGS_REMOTE": 1})
    r = app2.test_client().post(CHECK, json={})
    assert r.status_code == 403 and "XLWINGS_LICENSE_KEY" in r.get_data(as_text=True)


def test_text_that_looks_like_a_formula_is_stored_as_text(live, recalculated):
    """Nothing in the payload is evaluated: a name typed as "=HYPERLINK(…)" reaches the stored
    workbook as that text, not as a formula."""
    from openpyxl import load_workbook
    cell = get_form_set("bao_cao_nam").cells["TT_NguoiLap"]
    payload = vba_payload(recalculated["clean"], "loc_bao.xlsx")
    [sheet] = [s for s in payload["sheets"] if s["name"] == cell.sheet]
    typed = '=HYPERLINK("http://example.invalid","Nguyễn Văn An")'
    sheet["values"][cell.row - 1][cell.col - 1] = typed
    r = live.post(SEND, payload, live.tokens["LBX"])
    assert r.status_code == 200, r.text
    [alert] = alerts(r.json()["actions"])
    assert alert[0].startswith("Máy chủ đã nhận biểu"), alert[0]
    version = int(re.search(r"phiên bản số (\d+)", alert[0]).group(1))
    st = requests.get(f"{live.url}/api/v1/rounds/{live.rounds[2024]}/status",
                      headers={"Authorization": f"Bearer {live.tokens['HX']}"}, timeout=30).json()
    [unit] = [u for u in st["units"] if u["code"] == "LBX"]
    assert unit["version"] == version
    got = requests.get(f"{live.url}/api/v1/submissions/{unit['submission_id']}/file",
                       headers={"Authorization": f"Bearer {live.tokens['LBX']}"}, timeout=30)
    ws = load_workbook(io.BytesIO(got.content))[cell.sheet]
    stored = ws.cell(cell.row, cell.col)
    assert stored.value == typed and stored.data_type == "s"
