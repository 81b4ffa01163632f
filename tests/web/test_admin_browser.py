"""Issue 17, administration in the browser, as the commune office and the administrator would do
it: move the round's deadline, grant the 25 % exception (refused without its decision), issue a
chi bộ's upload token (shown once, and it works), return a chi bộ's report with a comment (the
chi bộ sees it on its page and through the API; the dashboard counts it), make an account —
every act with an audit line on the round's page. On the demo (SQLite and PostgreSQL), at the
phone width, where these pages are most cramped."""
from __future__ import annotations

import io
import json
import re
import urllib.request

from openpyxl import load_workbook
from playwright.sync_api import expect
from test_browser import login


def phone(browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN",
                              accept_downloads=True)
    ctx.set_default_timeout(20_000)
    return ctx, ctx.new_page()


def fits(page):
    sw, iw = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert sw <= iw, f"{page.url}: {sw} px wide in {iw} px"


def test_office_administers_its_round_and_returns_a_report(browser, demo_server, shots):
    shots = shots / "admin"
    shots.mkdir(parents=True, exist_ok=True)
    server = demo_server
    ctx, page = phone(browser)
    try:
        login(page, server, server.users["commune"])
        page.goto(server.url + "/dot/2")
        page.get_by_role("link", name=re.compile("Quản lý đợt")).click()
        expect(page.locator("h1")).to_contain_text("Quản lý đợt")
        # the deadline moves, and the page says so
        page.get_by_label("Hạn nộp mới").fill("2027-01-10")
        page.get_by_role("button", name="Đổi hạn nộp").click()
        expect(page.locator(".flash.ok")).to_contain_text("10/01/2027")
        # the 25 % exception needs its decision
        page.get_by_label("Áp dụng ngoại lệ 25 %").check()
        page.get_by_label("Quyết định chấp thuận").fill("")
        page.get_by_role("button", name="Lưu", exact=True).click()
        expect(page.locator(".flash.warn")).to_contain_text("Ghi số, ngày")
        page.get_by_label("Áp dụng ngoại lệ 25 %").check()
        page.get_by_label("Quyết định chấp thuận").fill("số 45-QĐ/ĐU ngày 05/12/2026")
        page.get_by_role("button", name="Lưu", exact=True).click()
        expect(page.locator(".flash.ok")).to_contain_text("ngoại lệ 25 %")
        # a new token for chi bộ thôn 1, shown once
        page.get_by_label("Đơn vị", exact=True).select_option("BL1_THON1")
        page.get_by_role("button", name="Cấp mã mới").click()
        token = page.locator(".token-value").inner_text().strip()
        assert token.startswith("kd_") and len(token) > 20
        fits(page)
        page.screenshot(path=str(shots / "01_xa_quan_ly_dot_phone.png"), full_page=True)
        page.goto(server.url + "/dot/2/quan-tri")
        expect(page.locator(".token-value")).to_have_count(0)       # never shown again
        log = page.locator("table.audit")
        expect(log).to_contain_text("Đổi hạn nộp")
        expect(log).to_contain_text("45-QĐ/ĐU")
        expect(log).to_contain_text("Cấp mã tải lên mới cho Chi bộ thôn 1")
        expect(log).to_contain_text("baolam1")

        # return chi bộ thôn 1's report with a comment
        page.goto(server.url + "/don-vi/BL1_THON1")
        page.get_by_label("Trả lại cho đơn vị, lý do:").fill("Biểu 3 thiếu 2 đảng viên miễn")
        page.get_by_role("button", name="Trả lại", exact=True).click()
        expect(page.locator(".flash.ok")).to_contain_text("Đã trả lại phiên bản")
        newest = page.locator("section.card[id^=v]").first
        expect(newest).to_contain_text("Cấp trên đã trả lại phiên bản này")
        expect(newest).to_contain_text("Biểu 3 thiếu 2 đảng viên miễn")
        fits(page)
        page.screenshot(path=str(shots / "02_xa_tra_lai_phone.png"), full_page=True)
        sub_id = int(newest.get_attribute("id")[1:])
        # the dashboard counts it, and its log names who did it
        page.goto(server.url + "/dot/2")
        expect(page.locator("#units tr[data-code='BL1_THON1']")).to_contain_text("Trả lại")
        expect(page.locator("#figures")).to_contain_text("bị trả lại")
        expect(page.locator("table.audit")).to_contain_text("Trả lại phiên bản")
        fits(page)
        page.goto(server.url + "/dot/2/quyet-dinh")
        # returned: not merged, so nothing to decide until the chi bộ sends a new version
        thon1 = page.locator("tr[data-unit='BL1_THON1']")
        expect(thon1).to_contain_text("Trả lại")
        expect(thon1).to_contain_text("Biểu đã bị trả lại: chờ đơn vị gửi bản mới.")
        expect(thon1.locator("select")).to_have_count(0)
        page.goto(server.url + "/dot/2")
        # the contact person and phone of a chi bộ that reported, from its workbook
        expect(page.locator("#units tr[data-code='BL1_THON1'] a[href^='tel:']")).to_have_count(1)
        # the table as a workbook: texts are text cells, the phone keeps its leading zero
        with page.expect_download() as dl:
            page.get_by_role("link", name="Tải bảng theo dõi (.xlsx)").click()
        assert dl.value.suggested_filename.endswith(".xlsx")
        with open(dl.value.path(), "rb") as f:
            ws = load_workbook(io.BytesIO(f.read())).active
        rows = {r[0].value: r for r in ws.iter_rows(min_row=3)}
        thon1 = rows["BL1_THON1"]
        assert thon1[3].value == "Trả lại"
        assert thon1[13].data_type == "s" and thon1[13].value.startswith("0"), thon1[13].value
        assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)
        assert rows["BL1_THCS"][3].value == "Chưa nộp"
        # the printable reminder: who has not reported, has errors or was returned
        page.get_by_role("link", name="Danh sách cần nhắc (in)").click()
        listed = page.locator("#reminder tbody tr")
        codes = {tr.get_attribute("data-code") for tr in listed.all()}
        assert {"BL1_THON1", "BL1_QUANSU", "BL1_THCS"} <= codes, codes
        assert "BL1_THON2" not in codes
        expect(page.locator("#reminder tr[data-code='BL1_THON1']")).to_contain_text("Trả lại")
        fits(page)
        page.screenshot(path=str(shots / "02b_xa_nhac_nop_phone.png"), full_page=True)
        # put the round back as the demo had it (other tests read its deadline and quota)
        page.goto(server.url + "/dot/2/quan-tri")
        page.get_by_label("Hạn nộp mới").fill("2026-12-31")
        page.get_by_role("button", name="Đổi hạn nộp").click()
        page.get_by_label("Áp dụng ngoại lệ 25 %").uncheck()
        page.get_by_role("button", name="Lưu", exact=True).click()
        expect(page.locator(".flash.ok")).to_contain_text("Đã bỏ ngoại lệ")
    finally:
        ctx.close()

    # the chi bộ, through the API with its new token: the returned flag and the comment
    req = urllib.request.Request(f"{server.url}/api/v1/submissions/{sub_id}",
                                 headers={"Authorization": f"Bearer {token}"})
    body = json.loads(urllib.request.urlopen(req).read())
    assert body["returned"] is True
    assert body["return_comment"] == "Biểu 3 thiếu 2 đảng viên miễn"
    assert body["returned_by"] == "baolam1" and body["returned_at"]

    # the administrator makes chi bộ thôn 1 an account; the chi bộ reads the comment
    ctx, page = phone(browser)
    try:
        login(page, server, server.users["admin"])
        page.get_by_role("link", name="Quản trị").click()
        page.get_by_label("Tên đăng nhập").fill("thon1_moi")
        page.get_by_label("Mật khẩu mới (ít nhất 8 ký tự)").fill("ngan")
        page.get_by_label("Đơn vị", exact=True).select_option("BL1_THON1")
        page.locator("#mat_khau").evaluate("e => e.removeAttribute('minlength')")
        page.get_by_role("button", name="Lưu tài khoản").click()
        expect(page.locator(".flash.warn")).to_contain_text("ít nhất 8 ký tự")
        page.get_by_label("Tên đăng nhập").fill("thon1_moi")
        page.get_by_label("Mật khẩu mới (ít nhất 8 ký tự)").fill("Thon1-mat-khau")
        page.get_by_label("Đơn vị", exact=True).select_option("BL1_THON1")
        page.get_by_role("button", name="Lưu tài khoản").click()
        expect(page.locator(".flash.ok")).to_contain_text("Đã tạo tài khoản «thon1_moi»")
        expect(page.locator("table.audit")).to_contain_text("Tạo tài khoản «thon1_moi»")
        fits(page)
        page.screenshot(path=str(shots / "03_quan_tri_phone.png"), full_page=True)
    finally:
        ctx.close()
    ctx, page = phone(browser)
    try:
        login(page, server, ("thon1_moi", "Thon1-mat-khau"))
        page.goto(server.url + "/don-vi/BL1_THON1")
        note = page.locator(".returned").first
        expect(note).to_contain_text("Biểu 3 thiếu 2 đảng viên miễn")
        expect(note).to_contain_text("gửi phiên bản mới")
        expect(page.get_by_role("button", name="Trả lại", exact=True)).to_have_count(0)
        page.screenshot(path=str(shots / "04_chi_bo_bi_tra_lai_phone.png"), full_page=True)
    finally:
        ctx.close()


def test_admin_opens_a_round_for_a_unit(browser, demo_server):
    """The administrator opens (here: reopens, keeping its deadline) a round for any collecting
    unit from the home page; the act is on the round's audit."""
    ctx, page = phone(browser)
    try:
        login(page, demo_server, demo_server.users["admin"])
        page.goto(demo_server.url + "/")
        page.locator("#open-round summary").click()
        page.get_by_label("Đơn vị thu nhận").select_option("BAOLAM1")
        fits(page)
        page.get_by_role("button", name="Mở đợt").click()
        expect(page.locator(".flash.ok")).to_contain_text("Đảng ủy xã Bảo Lâm 1")
        expect(page).to_have_url(re.compile(r"/dot/\d+$"))
        expect(page.locator("table.audit")).to_contain_text("quantri2")
    finally:
        ctx.close()
