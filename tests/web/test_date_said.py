"""A date box is drawn in the browser's language: Chromium in English shows 01/10/2027 for
10 January 2027. The round administration page reads the chosen date back in Vietnamese words
beside the box, so an office with an English browser cannot misread a deadline."""
from __future__ import annotations

from playwright.sync_api import expect
from test_browser import login


def test_a_deadline_is_read_back_in_words_whatever_the_browser_language(browser, demo_server):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    ctx.set_default_timeout(20_000)
    try:
        page = ctx.new_page()
        login(page, demo_server, demo_server.users["commune"])
        page.goto(demo_server.url + "/dot/2/quan-tri")
        box = page.get_by_label("Hạn nộp mới")
        said = box.locator("xpath=following-sibling::span[contains(@class,'date-said')]")
        value = box.input_value()                       # the round's deadline, yyyy-mm-dd
        y, m, d = value.split("-")
        expect(said).to_have_text(f"ngày {d} tháng {m} năm {y}")
        box.fill("2027-01-10")
        expect(said).to_have_text("ngày 10 tháng 01 năm 2027")
        box.fill("")
        expect(said).to_have_text("")
    finally:
        ctx.close()
