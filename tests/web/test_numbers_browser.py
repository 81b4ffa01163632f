"""Issue 17: every number a page shows is written the Vietnamese way — 1.140, never 1140 — in a
round big enough to have such numbers (the demo's rounds count six or eight units). The
administrator imports a đảng ủy with 1.140 chi bộ from Excel on the administration page, opens
their round from the home page, and reads what an office reads: the messages, the round's
dashboard (figures, the state filter, the pager), the reminder list, the decisions page, the
round's administration and the audit. On a server of its own (SQLite and PostgreSQL: the
demo's pages stay as the other tests expect them), at an office screen — what is checked here
does not depend on the width."""
from __future__ import annotations

import io
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import Workbook
from page_checks import SCREENS, vn_numbers
from playwright.sync_api import expect
from test_browser import login

ROOT = Path(__file__).resolve().parents[2]
N = 1140
ADMIN = ("quantri_so", "Qt-mat-khau-so-1")


def units_file() -> bytes:
    """The units workbook an office keeps: a province, one đảng ủy xã, its 1.140 chi bộ."""
    from server.units_io import COLUMNS, SHEET
    from workbook_templates.spec.domain import UNIT_TYPE_LABEL
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(list(COLUMNS))
    ws.append(["TINHSO", "Đảng bộ tỉnh Thử Số", UNIT_TYPE_LABEL["DB_TINH"], None])
    ws.append(["XASO", "Đảng ủy xã Thử Số", UNIT_TYPE_LABEL["DB_CS"], "TINHSO"])
    for i in range(1, N + 1):
        # (names without long numbers: a name is not a quantity to group)
        ws.append([f"XASO_CB{i}", f"Chi bộ khu {chr(65 + i // 100)} tổ {i % 100}",
                   UNIT_TYPE_LABEL["CB_TT"], "XASO"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def big_server(request, tmp_path_factory):
    """An empty server of its own (harness.served) with an administrator."""
    from harness import backend_database, invoke, migrator, served

    from server import create_app
    data = tmp_path_factory.mktemp(f"kd-so-{request.param}")
    with backend_database(request.param, data, prefix="kd_so") as url_db:
        env = dict(os.environ, KIEMDIEM_DATA_DIR=str(data), KIEMDIEM_DATABASE_URL=url_db,
                   PYTHONPATH=str(ROOT))
        app = create_app({"DATA_DIR": str(data), "DATABASE_URL": url_db})
        try:
            with served(env, ROOT, data, ["waitress", "--host=127.0.0.1", "--port={port}",
                                          "--threads=4", "--call", "server:create_app"],
                        migrate=migrator(app)) as url:
                # the command, in this process
                r = invoke(app, "create-user", ADMIN[0], "--password", ADMIN[1], "--admin")
                assert r.returncode == 0, r.stdout + r.stderr
                yield url
        finally:
            app.extensions["kiemdiem.engine"].dispose()


def grouped(page):
    problems = vn_numbers(page)
    assert not problems, f"{page.url}: " + "\n".join(problems)


def test_big_numbers_are_grouped(browser, big_server):
    ctx = browser.new_context(viewport=SCREENS["1366"], locale="vi-VN")
    ctx.set_default_timeout(30_000)
    try:
        page = ctx.new_page()
        login(page, SimpleNamespace(url=big_server), ADMIN)
        # the import: its message and its audit line
        page.goto(big_server + "/quan-tri")
        page.get_by_label("Tệp danh sách đơn vị").set_input_files(files=[{
            "name": "don_vi.xlsx", "buffer": units_file(),
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
        page.get_by_role("button", name="Nhập").click()
        expect(page.locator(".flash.ok")).to_contain_text("1.142 đơn vị mới")
        expect(page.locator("table.audit")).to_contain_text("1.142 đơn vị mới")
        grouped(page)
        # the round: opened from the home page, its message, its dashboard
        page.goto(big_server + "/")
        expect(page.locator("#open-round")).to_have_attribute("open", "")   # no round yet
        page.get_by_label("Đơn vị thu nhận").select_option("XASO")
        page.get_by_role("button", name="Mở đợt").click()
        expect(page.locator(".flash.ok")).to_contain_text("1.140 đơn vị phải nộp")
        expect(page).to_have_url(re.compile(r"/dot/\d+$"))
        rid = int(page.url.rsplit("/", 1)[1])
        expect(page.locator("#figures")).to_contain_text("0/1.140")
        expect(page.locator("select[name='trang_thai'] option").first).to_have_text(
            "Tất cả (1.140)")
        expect(page.locator("select[name='trang_thai']")).to_contain_text("Chưa nộp (1.140)")
        expect(page.locator("nav.pager")).to_contain_text("trên 1.140")
        grouped(page)
        # the reminder list numbers its 1.140 rows
        page.goto(f"{big_server}/dot/{rid}/nhac-nop")
        expect(page.locator("#reminder tbody tr").last).to_contain_text("1.140")
        grouped(page)
        for path in (f"/dot/{rid}/quyet-dinh", f"/dot/{rid}/quan-tri", "/quan-tri", "/",
                     "/don-vi/XASO"):
            page.goto(big_server + path)
            grouped(page)
    finally:
        ctx.close()
