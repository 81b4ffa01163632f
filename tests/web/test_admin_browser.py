"""Issue 17, administration in the browser, as the commune office and the administrator would do
it: move the round's deadline, grant the 25 % exception (refused without its decision), issue a
chi bộ's upload token (shown once, and it works), return a chi bộ's report with a comment (the
chi bộ sees it on its page and through the API; the dashboard counts it), make an account —
every act with an audit line on the round's page; the chi bộ reads the reason and sends a new
version. On the demo (SQLite and PostgreSQL), at an office screen's 1366 px and a phone's 390 px;
every page on the way fits its width, speaks plainly and passes axe-core (`page_checks`). Each
run leaves the round as the demo made it (deadline, exception, no report returned), so the
journey runs again at the other width and the later tests find what they expect."""
from __future__ import annotations

import io
import json
import re
import urllib.request

from openpyxl import load_workbook
from page_checks import assert_good_page, each_width_once, screenshot
from playwright.sync_api import expect
from test_browser import drop_file, login, uploaded

#: why the office returns the report, and what the chi bộ corrects (the same bytes sent again
#: would be the returned version itself, not a new one)
REASON = "Ghi chức vụ của người lập biểu"
CORRECTED = {"1366": "Nguyễn Văn An, bí thư chi bộ", "390": "Trần Thị Mai, phó bí thư chi bộ"}


def with_cell(workbook: bytes, name: str, value) -> bytes:
    """The workbook with the cell of a defined name changed, as Excel would save it."""
    wb = load_workbook(io.BytesIO(workbook))
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    wb[sheet][ref.replace("$", "")].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def look(page, shots, name, screen, backend):
    """A full-length screenshot for a person (test-output/web/admin/NAME_WIDTH_BACKEND.png;
    outside CI, `page_checks.KEEP_SHOTS`),
    then what every page must be at this width (`page_checks`)."""
    folder = shots / "admin"
    folder.mkdir(parents=True, exist_ok=True)
    screenshot(page, folder / f"{name}_{screen}_{backend}.png")
    assert_good_page(page, screen)


@each_width_once()
def test_office_administers_its_round_and_returns_a_report(demo_server, screen_page, screen,
                                                           shots):
    server = demo_server

    def seen(page, name):
        look(page, shots, name, screen, server.backend)

    # -- the commune office: its round's administration ------------------------------------------
    _, page = screen_page()
    login(page, server, server.users["commune"])
    page.goto(server.url + "/dot/2")
    page.get_by_role("link", name=re.compile("Quản lý đợt")).click()
    expect(page.locator("h1")).to_contain_text("Quản lý đợt")
    seen(page, "00_xa_quan_ly_dot")
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
    seen(page, "01_xa_cap_ma")
    page.goto(server.url + "/dot/2/quan-tri")
    expect(page.locator(".token-value")).to_have_count(0)       # never shown again
    log = page.locator("table.audit")
    expect(log).to_contain_text("Đổi hạn nộp")
    expect(log).to_contain_text("45-QĐ/ĐU")
    expect(log).to_contain_text("Cấp mã tải lên mới cho Chi bộ thôn 1")
    expect(log).to_contain_text("baolam1")

    # -- «Trả lại»: chi bộ thôn 1's report goes back with a reason -------------------------------
    page.goto(server.url + "/don-vi/BL1_THON1")
    seen(page, "02_xa_don_vi_hop_le")
    page.get_by_label("Trả lại cho đơn vị, lý do:").fill(REASON)
    page.get_by_role("button", name="Trả lại", exact=True).click()
    expect(page.locator(".flash.ok")).to_contain_text("Đã trả lại phiên bản")
    newest = page.locator("section.card[id^=v]").first
    expect(newest).to_contain_text("Cấp trên đã trả lại phiên bản này")
    expect(newest).to_contain_text(REASON)
    seen(page, "03_xa_tra_lai")
    sub_id = int(newest.get_attribute("id")[1:])
    # the dashboard counts it, and its log names who did it
    page.goto(server.url + "/dot/2")
    expect(page.locator("#units tr[data-code='BL1_THON1']")).to_contain_text("Trả lại")
    expect(page.locator("#figures")).to_contain_text("bị trả lại")
    expect(page.locator("table.audit")).to_contain_text("Trả lại phiên bản")
    seen(page, "04_xa_theo_doi_co_tra_lai")
    page.goto(server.url + "/dot/2/quyet-dinh")
    # returned: not merged, so nothing to decide until the chi bộ sends a new version
    thon1 = page.locator("tr[data-unit='BL1_THON1']")
    expect(thon1).to_contain_text("Trả lại")
    expect(thon1).to_contain_text("Biểu đã bị trả lại: chờ đơn vị gửi bản mới.")
    expect(thon1.locator("select")).to_have_count(0)
    seen(page, "05_xa_quyet_dinh_co_tra_lai")
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
    # .all() does not wait for the page: wait for a row first
    expect(page.locator("#reminder tr[data-code='BL1_THON1']")).to_be_visible()
    codes = {tr.get_attribute("data-code") for tr in listed.all()}
    assert {"BL1_THON1", "BL1_QUANSU", "BL1_THCS"} <= codes, codes
    assert "BL1_THON2" not in codes
    expect(page.locator("#reminder tr[data-code='BL1_THON1']")).to_contain_text("Trả lại")
    seen(page, "06_xa_nhac_nop")
    # put the round back as the demo had it (other tests read its deadline and quota)
    page.goto(server.url + "/dot/2/quan-tri")
    page.get_by_label("Hạn nộp mới").fill("2026-12-31")
    page.get_by_role("button", name="Đổi hạn nộp").click()
    page.get_by_label("Áp dụng ngoại lệ 25 %").uncheck()
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".flash.ok")).to_contain_text("Đã bỏ ngoại lệ")
    office = page

    # -- the chi bộ, through the API with its new token: the returned flag and the comment --------
    req = urllib.request.Request(f"{server.url}/api/v1/submissions/{sub_id}",
                                 headers={"Authorization": f"Bearer {token}"})
    body = json.loads(urllib.request.urlopen(req).read())
    assert body["returned"] is True
    assert body["return_comment"] == REASON
    assert body["returned_by"] == "baolam1" and body["returned_at"]

    # -- the administrator makes chi bộ thôn 1 an account ----------------------------------------
    account = (f"thon1_{screen}", "Thon1-mat-khau")         # one per run: the journey runs twice
    _, page = screen_page()
    login(page, server, server.users["admin"])
    page.get_by_role("link", name="Quản trị").click()
    seen(page, "07_quan_tri")
    page.get_by_label("Tên đăng nhập").fill(account[0])
    page.get_by_label("Mật khẩu mới (ít nhất 8 ký tự)").fill("ngan")
    page.get_by_label("Đơn vị", exact=True).select_option("BL1_THON1")
    page.locator("#mat_khau").evaluate("e => e.removeAttribute('minlength')")
    page.get_by_role("button", name="Lưu tài khoản").click()
    expect(page.locator(".flash.warn")).to_contain_text("ít nhất 8 ký tự")
    page.get_by_label("Tên đăng nhập").fill(account[0])
    page.get_by_label("Mật khẩu mới (ít nhất 8 ký tự)").fill(account[1])
    page.get_by_label("Đơn vị", exact=True).select_option("BL1_THON1")
    page.get_by_role("button", name="Lưu tài khoản").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"Đã tạo tài khoản «{account[0]}»")
    expect(page.locator("table.audit")).to_contain_text(f"Tạo tài khoản «{account[0]}»")
    seen(page, "08_quan_tri_da_tao_tai_khoan")

    # -- the chi bộ reads the reason, then sends a new version ------------------------------------
    _, page = screen_page()
    login(page, server, account)
    page.goto(server.url + "/don-vi/BL1_THON1")
    note = page.locator(".returned").first
    expect(note).to_contain_text(REASON)
    expect(note).to_contain_text("gửi phiên bản mới")
    expect(page.get_by_role("button", name="Trả lại", exact=True)).to_have_count(0)
    seen(page, "09_chi_bo_bi_tra_lai")
    newest = page.locator("section.card[id^=v]").first
    version = int(re.search(r"Phiên bản (\d+)", newest.inner_text()).group(1))
    with page.expect_download() as dl:
        newest.get_by_role("link", name="Tải tệp gốc đã gửi").click()
    with open(dl.value.path(), "rb") as f:
        workbook = f.read()
    drop_file(page, "#drop", with_cell(workbook, "TT_NguoiLap", CORRECTED[screen]),
              "thon1_sua.xlsx")
    uploaded(page, version + 1)
    newest = page.locator("section.card[id^=v]").first
    expect(newest).to_contain_text("Hợp lệ")
    expect(newest.locator(".returned")).to_have_count(0)
    # the returned version keeps its reason in the history
    expect(page.locator(f"#v{sub_id} .returned")).to_contain_text(REASON)
    seen(page, "10_chi_bo_gui_lai")
    # the office's dashboard: returned no more
    office.goto(server.url + "/dot/2")
    row = office.locator("#units tr[data-code='BL1_THON1']")
    expect(row).to_contain_text("Hợp lệ")
    expect(row).not_to_contain_text("Trả lại")


@each_width_once()
def test_admin_opens_a_round_for_a_unit(demo_server, screen_page, screen, shots):
    """The administrator opens (here: reopens, keeping its deadline) a round for any collecting
    unit from the home page; the act is on the round's audit."""
    _, page = screen_page()
    login(page, demo_server, demo_server.users["admin"])
    page.goto(demo_server.url + "/")
    page.locator("#open-round summary").click()
    page.get_by_label("Đơn vị thu nhận").select_option("BAOLAM1")
    look(page, shots, "11_quan_tri_mo_dot", screen, demo_server.backend)
    page.get_by_role("button", name="Mở đợt").click()
    expect(page.locator(".flash.ok")).to_contain_text("Đảng ủy xã Bảo Lâm 1")
    expect(page).to_have_url(re.compile(r"/dot/\d+$"))
    expect(page.locator("table.audit")).to_contain_text("quantri2")
    look(page, shots, "12_quan_tri_da_mo_dot", screen, demo_server.backend)
