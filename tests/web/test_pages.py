"""Issue 17: every page, as each kind of user sees it, on a phone (390 px) and on an office screen
(1366 px): what `page_checks` asks of every page — no sideways scroll, nothing sticking out, no
internal word (a rule id, a command, a spec section number; not in a tooltip either), every
number grouped the Vietnamese way, no serious or critical axe-core violation.

Runs on the 2025-structure demo (`demo_server`), each account on one of SQLite and PostgreSQL
(`ROLE_ON`); screenshots land in test-output/web/pages/ for a person to look at."""
from __future__ import annotations

import pytest
from page_checks import SCREENS, page_problems, screenshot
from test_browser import login

#: what each account opens: (file name, path)
PAGES = {
    "chi_bo": [("trang_chinh", "/"), ("don_vi", "/don-vi/BL1_THON3")],
    "commune": [("trang_chinh", "/"), ("don_vi", "/don-vi/BAOLAM1"),
                ("theo_doi_dot", "/dot/2"), ("quyet_dinh", "/dot/2/quyet-dinh"),
                ("gui_len", "/dot/2/gui-len"), ("chi_bo_co_loi", "/don-vi/BL1_QUANSU"),
                ("chi_bo_hop_le", "/don-vi/BL1_THON1"), ("nhac_nop", "/dot/2/nhac-nop"),
                ("quan_tri_dot", "/dot/2/quan-tri"), ("quan_tri", "/quan-tri"),
                ("khong_co", "/khong-co-trang-nay")],
    "province": [("trang_chinh", "/"), ("theo_doi_dot", "/dot/1"),
                 ("quyet_dinh", "/dot/1/quyet-dinh"), ("nhac_nop", "/dot/1/nhac-nop"),
                 ("quan_tri_dot", "/dot/1/quan-tri"), ("xem_dot_xa", "/dot/2"),
                 ("xem_quyet_dinh_xa", "/dot/2/quyet-dinh"), ("don_vi_xa", "/don-vi/BAOLAM1")],
    "admin": [("trang_chinh", "/"), ("theo_doi_dot", "/dot/1"), ("quyet_dinh", "/dot/1/quyet-dinh"),
              ("nhac_nop", "/dot/1/nhac-nop"), ("quan_tri", "/quan-tri"),
              ("quan_tri_dot", "/dot/1/quan-tri"), ("xem_dot_xa", "/dot/2"),
              ("quan_tri_dot_xa", "/dot/2/quan-tri"), ("don_vi_co_loi", "/don-vi/BL1_QUANSU")],
}


def visit_all(browser, server, role, shots, check):
    for width, size in SCREENS.items():
        ctx = browser.new_context(viewport=size, locale="vi-VN")
        ctx.set_default_timeout(20_000)
        page = ctx.new_page()
        try:
            if role == "login":
                pages = [("dang_nhap", "/dang-nhap")]
            else:
                login(page, server, server.users[role])
                pages = PAGES[role]
            for name, path in pages:
                # `goto` returns after the load event: the server draws the whole page (charts
                # are SVG in the HTML) and web.js, run before that event, fetches nothing on
                # a page opened afresh (the live quota asks only after a change)
                resp = page.goto(server.url + path)
                assert resp is not None and resp.status in (200, 404), (role, path, resp.status)
                wrong = check(page, width)
                screenshot(page, shots / f"{role}_{name}_{width}_{server.backend}.png",
                           wrong=bool(wrong))
        finally:
            ctx.close()


@pytest.fixture(scope="session")
def page_shots(shots):
    """test-output/web/pages/ (after `shots` has emptied test-output/web/ for this run)."""
    out = shots / "pages"
    out.mkdir(parents=True, exist_ok=True)
    return out


#: each account's pages on one database, both databases used (like the journeys'
#: `each_width_once`: the look of a page does not depend on the database; the server suite makes
#: every request on both)
ROLE_ON = [("sqlite", "login"), ("postgresql", "chi_bo"), ("sqlite", "commune"),
           ("postgresql", "province"), ("postgresql", "admin")]


@pytest.mark.parametrize(("demo_server", "role"), ROLE_ON, indirect=["demo_server"])
def test_every_page_fits_and_speaks_plainly(browser, demo_server, page_shots, role):
    problems = []

    def check(page, width):
        found = page_problems(page, width)
        problems.extend(f"{role}: {p}" for p in found)
        return found
    visit_all(browser, demo_server, role, page_shots, check)
    assert not problems, "\n".join(problems)


def test_logged_out_download_goes_to_login_and_back(browser, demo_server):
    """A download link followed after the session ended (or sent by chat): the login page, then
    the file — not JSON about tokens. Scripts still get their JSON 401."""
    import json
    import urllib.error
    import urllib.request
    url = demo_server.url + "/api/v1/rounds/2/summary.xlsx"
    try:
        urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "*/*"}))
        raise AssertionError("a script without a token got the summary")
    except urllib.error.HTTPError as e:
        assert e.code == 401 and json.loads(e.read())["error"] == "unauthorized"
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    try:
        page = ctx.new_page()
        page.goto(url)
        assert "/dang-nhap" in page.url and "next=" in page.url, page.url
        body = page.locator("body").inner_text()
        assert "Bearer" not in body and "Đăng nhập" in body
        user = demo_server.users["commune"]
        page.get_by_label("Tên đăng nhập").fill(user[0])
        page.get_by_label("Mật khẩu").fill(user[1])
        with page.expect_download() as dl:
            page.get_by_role("button", name="Đăng nhập").click()
        assert dl.value.suggested_filename.endswith(".xlsx")
    finally:
        ctx.close()
