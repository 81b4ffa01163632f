"""Issue 6, tried as a user would, in a real browser against a real server: a unit logs in, sends
a workbook with errors, reads the findings, sends a corrected one and sees what changed; the
collecting office watches its dashboard change, decides a rating within the quota and downloads
the summary, whose totals are checked. A screenshot of each page lands in test-output/web/
(outside CI: `page_checks.KEEP_SHOTS`)."""
from __future__ import annotations

import base64
import io
import random
import re

import pytest
from openpyxl import load_workbook
from page_checks import screenshot
from playwright.sync_api import expect

from workbook_templates.read import read_workbook
from workbook_templates.sample import fill_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def login(page, server, user):
    page.goto(server.url + "/")
    expect(page).to_have_url(re.compile(r"/dang-nhap"))
    page.get_by_label("Tên đăng nhập").fill(user[0])
    page.get_by_label("Mật khẩu").fill(user[1])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def shot(page, shots, name):
    screenshot(page, shots / f"{name}.png")


def locquang_values(year: int) -> dict:
    from harness import DISTRICT

    from server.demo import unit_values
    v = unit_values("LOCQUANG", "Đảng bộ xã Lộc Quảng", "DB_CS", year, random.Random(11),
                    parent=DISTRICT[1])
    v["TT_XepLoai"] = "TOT"         # the unit proposes TOT; the office will decide XS
    v["TT_XepLoaiNguoiDungDau"] = "TOT"
    from workbook_templates.sample import QD366_FIELDS, qd366_fields
    for k in QD366_FIELDS:           # scores and tasks again, for the ratings changed above
        v.pop(k, None)
    v.update(qd366_fields(v))
    return v


def drop_file(page, selector, data: bytes, name: str):
    """A real drop event carrying a File, as when a user drags the workbook from Explorer."""
    transfer = page.evaluate_handle(
        """([b64, name, type]) => {
            const bin = atob(b64); const bytes = new Uint8Array(bin.length);
            for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, {type}));
            return dt; }""", [base64.b64encode(data).decode(), name, XLSX])
    page.dispatch_event(selector, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def uploaded(page, version: int):
    """Wait for the upload script: the page reloads on the new version, or says why not."""
    newest = page.locator("section.card[id^=v]").first
    try:
        expect(newest).to_contain_text(f"Phiên bản {version}", timeout=30_000)
    except AssertionError:
        pytest.fail("upload refused: " + page.locator("#upload-msg").inner_text())
    expect(page).to_have_url(re.compile(r"nop=\d+"))


def downloaded(dl) -> bytes:
    """The bytes of a browser download (a workbook, by the name the server suggested)."""
    assert dl.value.suggested_filename.endswith(".xlsx"), dl.value.suggested_filename
    with open(dl.value.path(), "rb") as f:
        return f.read()


def row(page, code):
    return page.locator(f"#units tr[data-code='{code}']")


def test_unit_and_office_in_the_browser(live_server, new_page, shots, accounts):
    server = live_server
    UNIT_USER, OFFICE_USER = accounts["unit"], accounts["office"]
    from harness import DISTRICT_YEAR
    year = DISTRICT_YEAR            # the pre-2025 district round (tests/harness.py)
    good = locquang_values(year)
    bad = dict(good, XL_DV_TONG=good["XL_DV_TONG"] + 7)       # R-TONG: total too big by 7

    # -- the collecting office looks at its round before Lộc Quảng reports --------------------
    office = new_page()
    login(office, server, OFFICE_USER)
    shot(office, shots, "01_trang_chinh_van_phong")
    office.get_by_role("link", name="Theo dõi đợt").first.click()
    expect(office.locator("h1")).to_contain_text("Huyện ủy Bảo Lâm")
    expect(row(office, "LOCQUANG")).to_contain_text("Chưa nộp")
    expect(office.locator("#figures")).to_contain_text("9/12")
    dashboard_url = office.url
    shot(office, shots, "02_theo_doi_dot_truoc")

    # -- the unit: log in (a wrong password first), land on its page -----------------------------
    unit = new_page()
    unit.goto(server.url + "/")
    unit.get_by_label("Tên đăng nhập").fill(UNIT_USER[0])
    unit.get_by_label("Mật khẩu").fill("sai-mat-khau")
    unit.get_by_role("button", name="Đăng nhập").click()
    expect(unit.get_by_role("alert")).to_contain_text("Sai tên đăng nhập hoặc mật khẩu")
    shot(unit, shots, "03_dang_nhap_sai")
    login(unit, server, UNIT_USER)
    expect(unit).to_have_url(re.compile(r"/don-vi/LOCQUANG$"))
    expect(unit.locator("h1")).to_have_text("Đảng bộ xã Lộc Quảng")
    expect(unit.get_by_text("Đơn vị chưa gửi biểu nào.")).to_be_visible()
    shot(unit, shots, "04_trang_don_vi")

    # the blank template carries the unit's name, code and year
    with unit.expect_download() as dl:
        unit.get_by_role("link", name=re.compile(f"Tải Báo cáo.*năm đánh giá {year}")).click()
    blank = read_workbook(downloaded(dl))
    assert blank.raw["TT_MaDonVi"] == "LOCQUANG"
    assert blank.raw["TT_DonVi"] == "Đảng bộ xã Lộc Quảng"
    assert int(blank.raw["TT_Nam"]) == year
    assert blank.raw["TT_CapTren"] == "Huyện ủy Bảo Lâm"

    # -- drop a workbook with an error -------------------------------------------------------------
    # remember what the progress bar showed while sending (the page reloads right after)
    unit.evaluate("""() => {
        const bar = document.getElementById('progress');
        const open = XMLHttpRequest.prototype.open;
        XMLHttpRequest.prototype.open = function () {
            this.upload.addEventListener('progress', () => setTimeout(() => {
                const seen = JSON.parse(sessionStorage.getItem('bar') || '[]');
                seen.push({hidden: bar.hidden, value: bar.value});
                sessionStorage.setItem('bar', JSON.stringify(seen)); }, 0));
            return open.apply(this, arguments); }; }""")
    drop_file(unit, "#drop", fill_template(bad), "loc_quang.xlsx")
    uploaded(unit, 1)
    v1 = unit.locator("section.card[id^=v]").first
    expect(v1).to_contain_text("Phiên bản 1")
    expect(v1).to_contain_text("Có lỗi")
    findings = v1.locator("table.findings")
    expect(findings.locator("thead")).to_contain_text("Mức độ")
    # the «Quy định» column shows the rule's regulation, never its id (not even as a tooltip)
    tong = findings.locator("tr", has=unit.locator('td[data-rule="R-TONG"]'))
    expect(tong.locator('td[data-rule="R-TONG"]')).not_to_contain_text("R-TONG")
    assert "R-TONG" not in (tong.locator('td[data-rule="R-TONG"]').get_attribute("title") or "")
    # where, as the printed form numbers it; the cell as Excel names it for the clerk
    expect(tong).to_contain_text("Biểu 3, dòng 1, cột (3)")
    expect(tong).to_contain_text("ô C11")
    expect(tong).to_contain_text("Lỗi")
    expect(tong).to_contain_text(str(bad["XL_DV_TONG"]))
    shot(unit, shots, "05_phien_ban_1_co_loi")
    bar = unit.evaluate("JSON.parse(sessionStorage.getItem('bar') || '[]')")
    assert bar and not bar[-1]["hidden"] and bar[-1]["value"] == 100, bar

    # the annotated copy downloads and carries the findings
    with unit.expect_download() as dl:
        v1.get_by_role("link", name="Tải bản đã đánh dấu lỗi (.xlsx)").click()
    wb = load_workbook(io.BytesIO(downloaded(dl)))
    assert len(wb.sheetnames) > len(blank.form.sheet_names), wb.sheetnames

    # the office sees the attempt: submitted, with errors
    office.goto(dashboard_url)
    expect(row(office, "LOCQUANG")).to_contain_text("Có lỗi")
    expect(office.locator("#figures")).to_contain_text("10/12")

    # -- send the corrected workbook with the file chooser -------------------------------------
    unit.locator("#file-input").set_input_files(
        files=[{"name": "loc_quang_sua.xlsx", "mimeType": XLSX, "buffer": fill_template(good)}])
    uploaded(unit, 2)
    expect(unit.locator("section.card[id^=v]").first).to_contain_text("Phiên bản 2")
    v2 = unit.locator("section.card[id^=v]").first
    expect(v2).to_contain_text("Hợp lệ")
    change = v2.locator("table.changes tr", has_text="Biểu 3, dòng 1, cột (3)")
    expect(change).to_contain_text(f"{bad['XL_DV_TONG']}")
    expect(change).to_contain_text(f"{good['XL_DV_TONG']}")
    expect(change).to_contain_text("Tổng số đảng viên")
    expect(v2.locator('table.findings td[data-rule="R-TONG"]')).to_have_count(0)
    shot(unit, shots, "06_phien_ban_2_hop_le")

    # a unit may not open the office's dashboard nor another unit's page
    unit.goto(dashboard_url)
    expect(unit.locator("h1")).to_have_text("Không có quyền")
    unit.goto(server.url + "/don-vi/LOCNAM")
    expect(unit.locator("h1")).to_have_text("Không có quyền")

    # -- the dashboard changed -----------------------------------------------------------------
    office.goto(dashboard_url)
    expect(row(office, "LOCQUANG")).to_contain_text("Hợp lệ")
    expect(row(office, "LOCQUANG").locator("td").nth(3)).to_contain_text("2")
    expect(office.locator("#chart-units")).to_contain_text("Đảng bộ xã Lộc Quảng")
    shot(office, shots, "07_theo_doi_dot_sau")
    office.get_by_label("Trạng thái").select_option("co_loi")
    office.wait_for_url(re.compile(r"trang_thai=co_loi"))
    expect(office.locator("#units tbody tr")).to_have_count(1)
    expect(row(office, "LOCNAM")).to_be_visible()
    shot(office, shots, "08_loc_co_loi")

    # -- decisions: rate Lộc Quảng XS, watch the quota live, save ------------------------------
    office.goto(dashboard_url)
    office.get_by_role("link", name="Quyết định xếp loại các đơn vị").click()
    quota = office.locator("#quota-body tr[data-key='TCCSD']")
    xs_before = int(quota.locator(".q-xs").inner_text())
    office.get_by_label("Xếp loại Đảng bộ xã Lộc Quảng").select_option("XS")
    expect(quota.locator(".q-xs")).to_have_text(str(xs_before + 1))
    expect(office.get_by_label("Quyết định cho Đảng bộ xã Lộc Quảng")).to_be_checked()
    shot(office, shots, "09_quyet_dinh_truoc_khi_luu")
    # push the group over its ceiling: the warning appears before saving
    tot_codes = [tr.get_attribute("data-code") for tr in
                 office.locator("#decisions tr[data-proposal='TOT']").all()]
    tot_codes.remove("LOCQUANG")
    for code in tot_codes:
        office.locator(f"select[name='xl_{code}']").select_option("XS")
    expect(office.locator("#quota-warning")).to_be_visible()
    expect(office.locator("#quota-warning")).to_contain_text("Vượt hạn mức")
    shot(office, shots, "10_quyet_dinh_vuot_han_muc")
    for code in tot_codes:      # back to the proposals
        office.locator(f"select[name='xl_{code}']").select_option("TOT")
        office.locator(f"input[name='chot_{code}']").uncheck()
    expect(quota.locator(".q-xs")).to_have_text(str(xs_before + 1))
    office.get_by_role("button", name="Lưu quyết định").click()
    expect(office.locator(".flash.ok")).to_contain_text("đã ghi 1 quyết định")
    saved = office.locator("#decisions tr[data-code='LOCQUANG']")
    expect(saved).to_contain_text(OFFICE_USER[0])
    expect(office.get_by_label("Xếp loại Đảng bộ xã Lộc Quảng")).to_have_value("XS")
    shot(office, shots, "11_quyet_dinh_da_luu")

    office.goto(dashboard_url)
    expect(row(office, "LOCQUANG")).to_contain_text("Đã quyết định")
    expect(row(office, "LOCQUANG")).to_contain_text("Hoàn thành xuất sắc nhiệm vụ")

    # -- the summary: download and check its totals --------------------------------------------
    with office.expect_download() as dl:
        office.get_by_role("link", name="Tải biểu tổng hợp (.xlsx)").click()
    summary = read_workbook(downloaded(dl))
    members, xs_units = _expected_totals(server)
    assert summary.raw["XL_DV_TONG"] == members
    assert summary.raw["XL_TCCSD_XS"] == xs_units
    shot(office, shots, "12_theo_doi_dot_da_quyet_dinh")
    office.emulate_media(media="print")         # printable: no menu, filters or buttons
    expect(office.locator("header.top")).to_be_hidden()
    expect(office.locator("form.filters")).to_be_hidden()
    expect(office.locator("#units")).to_be_visible()
    shot(office, shots, "13_ban_in_theo_doi_dot")
    office.emulate_media(media="screen")

    # -- log out: the pages ask for a login again ----------------------------------------------
    office.get_by_role("button", name="Đăng xuất").click()
    expect(office).to_have_url(re.compile(r"/dang-nhap"))
    office.goto(dashboard_url)
    expect(office).to_have_url(re.compile(r"/dang-nhap"))


def _expected_totals(server) -> tuple[int, int]:
    """Members summed over each child's latest valid file, and children rated XS (the office's
    decision, else the child's proposal), read from the stored files, not from the summary."""
    from server import db, storage
    from server.models import Round
    from server.summary import decisions, latest_by_unit
    app = server.app()
    with app.app_context():
        rnd = db.session().query(Round).one()
        decided = decisions(rnd)
        members = xs = 0
        for unit_id, (_last, valid) in latest_by_unit(rnd).items():
            if valid is None:
                continue
            raw = read_workbook(storage.get(valid.sha256)).raw
            members += int(raw["XL_DV_TONG"])
            d = decided.get(unit_id)
            xs += (d.xep_loai if d else raw["TT_XepLoai"]) == "XS"
        assert decided, "the decision was not stored"
    return members, xs


def _decisions_without_script(live_server, accounts, new_page):
    """The office's decisions page with web.js held back: (page, URL of the script)."""
    office = new_page()
    login(office, live_server, accounts["office"])
    office.get_by_role("link", name="Theo dõi đợt").first.click()
    decisions_url = office.get_by_role("link", name="Quyết định xếp loại các đơn vị") \
        .get_attribute("href")
    script = office.locator("script[src*='web.js']").get_attribute("src")
    office.route("**/web.js", lambda r: r.abort())          # the script has not come yet
    office.goto(live_server.url + decisions_url)
    return office, live_server.url + script


def _tot_unit(office) -> str:
    return office.locator("#decisions tr[data-proposal='TOT'][data-unit^='LOC']").first \
        .get_attribute("data-code")


def test_a_rating_chosen_before_the_page_script_ran_still_counts(live_server, accounts, new_page):
    """A slow phone, or «back» restoring the form: the office picks a rating before the page's
    script has run. Once it runs, the row is ticked and the live quota counts the choice."""
    office, script = _decisions_without_script(live_server, accounts, new_page)
    quota = office.locator("#quota-body tr[data-key='TCCSD']")
    xs_before = int(quota.locator(".q-xs").inner_text())
    code = _tot_unit(office)
    office.locator(f"select[name='xl_{code}']").select_option("XS")
    office.unroute("**/web.js")
    office.add_script_tag(url=script)                        # ... and now it has
    expect(quota.locator(".q-xs")).to_have_text(str(xs_before + 1))
    expect(office.locator(f"input[name='chot_{code}']")).to_be_checked()


def test_a_note_typed_before_the_page_script_ran_is_kept(live_server, accounts, new_page):
    """Only a note typed while the script was still loading: it is kept like any unsaved change —
    a reload (or a login after the session ended) puts it back and says so."""
    office, script = _decisions_without_script(live_server, accounts, new_page)
    code = _tot_unit(office)
    note = "Gõ trước khi trang tải xong"
    office.locator(f"input[name='gc_{code}']").fill(note)
    office.unroute("**/web.js")
    office.add_script_tag(url=script)
    office.once("dialog", lambda d: d.accept())             # «leave with unsaved changes?»
    office.reload()
    expect(office.locator("#restored")).to_be_visible()
    expect(office.locator(f"input[name='gc_{code}']")).to_have_value(note)
