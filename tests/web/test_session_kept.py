"""Issue 17: a session that ends while a user works costs a login, not the work. The decisions
typed on the page and the chosen workbook stay; the user logs in again in another tab and presses
«Tiếp tục». Leaving the decisions page with unsaved changes asks first. (The session is ended by
dropping the browser's cookie, as an expired or logged-out session looks to the server.) At an
office screen's 1366 px and a phone's 390 px, on SQLite and PostgreSQL; the pages asking for the
login pass `page_checks` (fit, plain words, axe-core)."""
from __future__ import annotations

import re

from page_checks import assert_good_page, each_width_once, screenshot
from playwright.sync_api import expect
from test_browser import drop_file, login, uploaded


def thon2(server, person: str) -> tuple[tuple[str, str, str], bytes]:
    """Chi bộ thôn 2's demo account and a workbook of its own (a new version: the round's
    counts stay as the other tests expect them), made by `person` — each run sends other bytes
    (the very same file again would be the version already stored, not a new one)."""
    import random

    from server.demo import rating_year, unit_values
    from workbook_templates.sample import fill_template
    pw = re.search(r"mật khẩu (\S+)", server.demo_output).group(1)
    v = unit_values("BL1_THON2", "Chi bộ thôn 2", "CB_TT", rating_year(), random.Random(7),
                    parent="Đảng ủy xã Bảo Lâm 1")
    v["TT_NguoiLap"] = person
    return ("bl1_thon2", pw, "BL1_THON2"), fill_template(v)


def relogin_in_new_tab(ctx, page, user):
    with ctx.expect_page() as new:
        page.get_by_role("link", name="Đăng nhập lại (mở thẻ mới)").click()
    tab = new.value
    tab.get_by_label("Tên đăng nhập").fill(user[0])
    tab.get_by_label("Mật khẩu").fill(user[1])
    tab.get_by_role("button", name="Đăng nhập").click()
    tab.wait_for_url(re.compile(r"/phien/xong"))
    expect(tab.locator("h1")).to_have_text("Đã đăng nhập lại")


@each_width_once()
def test_decisions_survive_an_expired_session(demo_server, screen_page, screen, shots):
    server, user = demo_server, demo_server.users["commune"]
    # each run saves a note of its own (the same note again would be no change to save)
    note = {"1366": "Đã đối chiếu danh sách đảng viên",
            "390": "Đã đối chiếu danh sách đảng viên với Biểu 3"}[screen]
    ctx, page = screen_page()
    login(page, server, user)
    page.goto(server.url + "/dot/2/quyet-dinh")
    page.locator("input[name='chot_BL1_THON2']").check()    # (already, at the second width)
    page.locator("input[name='gc_BL1_THON2']").fill(note)
    # leaving with unsaved changes asks first
    asked = []
    page.once("dialog", lambda d: (d.dismiss(), asked.append(d.type)))   # noted once dismissed
    page.evaluate("() => { window.location.href = '/'; }")
    for _ in range(100):            # the dialog comes within ms; 5 s for a busy machine
        if asked:
            break
        page.wait_for_timeout(50)
    assert asked == ["beforeunload"], asked
    expect(page).to_have_url(re.compile(r"/quyet-dinh"))
    # the session ends; the save asks for a login and keeps the page as it is
    ctx.clear_cookies()
    page.get_by_role("button", name="Lưu quyết định").click()
    expect(page.locator("#save-status")).to_contain_text("Phiên đăng nhập đã hết")
    expect(page.locator("input[name='gc_BL1_THON2']")).to_have_value(note)
    expect(page.locator("input[name='chot_BL1_THON2']")).to_be_checked()
    screenshot(page, shots / f"phien_het_quyet_dinh_{screen}_{server.backend}.png")
    assert_good_page(page, screen)
    # a login in another tab, then «Tiếp tục»: saved as typed
    relogin_in_new_tab(ctx, page, user)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator(".flash.ok")).to_contain_text("quyết định")
    expect(page.locator("input[name='gc_BL1_THON2']")).to_have_value(note)
    # a reload after the session ended: the login page, and back to the choices kept
    page.locator("input[name='gc_BL1_THON2']").fill("Ghi chú thứ hai")
    ctx.clear_cookies()
    page.once("dialog", lambda d: d.accept())
    page.reload()
    expect(page).to_have_url(re.compile(r"/dang-nhap\?next="))
    page.get_by_label("Tên đăng nhập").fill(user[0])
    page.get_by_label("Mật khẩu").fill(user[1])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/dot/2/quyet-dinh"))
    expect(page.locator("#restored")).to_be_visible()
    expect(page.locator("input[name='gc_BL1_THON2']")).to_have_value("Ghi chú thứ hai")


@each_width_once()
def test_upload_survives_an_expired_session(demo_server, screen_page, screen, shots):
    server = demo_server
    user, workbook = thon2(server, {"1366": "Phạm Văn Đức", "390": "Phạm Thị Thu"}[screen])
    ctx, page = screen_page()
    login(page, server, user)
    page.goto(server.url + "/don-vi/BL1_THON2")
    before = page.locator("section.card[id^=v]").count()
    ctx.clear_cookies()
    drop_file(page, "#drop", workbook, "thon2.xlsx")
    expect(page.locator("#upload-msg")).to_contain_text("Phiên đăng nhập đã hết")
    expect(page.locator("#upload-msg")).to_contain_text("thon2.xlsx")
    screenshot(page, shots / f"phien_het_gui_bieu_{screen}_{server.backend}.png")
    assert_good_page(page, screen)
    relogin_in_new_tab(ctx, page, user)
    page.get_by_role("button", name="Tiếp tục").click()
    uploaded(page, before + 1)
