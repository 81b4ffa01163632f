"""Issue 17: every page, as each kind of user sees it, on a phone (390 px) and on an office screen
(1366 px): the page never scrolls sideways (wide tables become cards or scroll inside their own
box), and no page shows an internal word — a rule id, a command, a spec section number.

Runs on the 2025-structure demo (`demo_server`, SQLite and PostgreSQL); screenshots land in
test-output/web/pages/ for a person to look at."""
from __future__ import annotations

import re

import pytest
from test_browser import login

WIDTHS = {"phone": (390, 844), "office": (1366, 768)}

#: what each account opens: (file name, path)
PAGES = {
    "chi_bo": [("trang_chinh", "/"), ("don_vi", "/don-vi/BL1_THON3")],
    "commune": [("trang_chinh", "/"), ("don_vi", "/don-vi/BAOLAM1"),
                ("theo_doi_dot", "/dot/2"), ("quyet_dinh", "/dot/2/quyet-dinh"),
                ("gui_len", "/dot/2/gui-len"), ("chi_bo_co_loi", "/don-vi/BL1_QUANSU"),
                ("nhac_nop", "/dot/2/nhac-nop"), ("quan_tri_dot", "/dot/2/quan-tri"),
                ("khong_co", "/khong-co-trang-nay")],
    "province": [("trang_chinh", "/"), ("theo_doi_dot", "/dot/1"),
                 ("quyet_dinh", "/dot/1/quyet-dinh"), ("xem_dot_xa", "/dot/2"),
                 ("xem_quyet_dinh_xa", "/dot/2/quyet-dinh"), ("don_vi_xa", "/don-vi/BAOLAM1")],
    "admin": [("trang_chinh", "/"), ("theo_doi_dot", "/dot/1"), ("quan_tri", "/quan-tri"),
              ("quan_tri_dot", "/dot/1/quan-tri")],
}

#: words a user must never read: rule ids, commands, spec references, raw codes
INTERNAL = [re.compile(p) for p in (
    r"\bR-[A-Z0-9]+(?:-[A-Z0-9]+)*\b", r"flask\s+--app", r"kiemdiem\s+\w", r"\bSPEC\b",
    r"§\s*\d", r"Authorization", r"Bearer", r"\bXL_[A-Z]", r"\bTT_[A-Z]", r"mã 400",
    r"Traceback")]


def visit_all(browser, server, role, shots, check):
    for width_name, (w, h) in WIDTHS.items():
        ctx = browser.new_context(viewport={"width": w, "height": h}, locale="vi-VN")
        ctx.set_default_timeout(20_000)
        page = ctx.new_page()
        try:
            if role == "login":
                pages = [("dang_nhap", "/dang-nhap")]
            else:
                login(page, server, server.users[role])
                pages = PAGES[role]
            for name, path in pages:
                resp = page.goto(server.url + path)
                assert resp is not None and resp.status in (200, 404), (role, path, resp.status)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(shots / f"{role}_{name}_{width_name}.png"),
                                full_page=True)
                check(page, role, path, width_name)
        finally:
            ctx.close()


@pytest.fixture(scope="session")
def page_shots(shots):
    """test-output/web/pages/ (after `shots` has emptied test-output/web/ for this run)."""
    out = shots / "pages"
    out.mkdir(parents=True, exist_ok=True)
    return out


def no_sideways_scroll(page, role, path, width):
    sw, iw = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert sw <= iw, f"{role} {path} at {width}: the page is {sw} px wide in a {iw} px window"
    if width == "phone":
        # the header stays a header: at most three lines of the top bar
        hh = page.evaluate("document.querySelector('header.top').getBoundingClientRect().height")
        assert hh <= 110, f"{role} {path}: header {hh} px high on a phone"


_AXE = []


def accessible(page, role, path, width):
    """axe-core: no serious or critical violation (labels, contrast, landmarks, names)."""
    if not _AXE:
        from axe_playwright_python.sync_playwright import Axe
        _AXE.append(Axe())
    res = _AXE[0].run(page)
    bad = [v for v in res.response["violations"] if v.get("impact") in ("serious", "critical")]
    if bad:
        raise AssertionError(f"{role} {path} at {width}: " + "; ".join(
            f"{v['id']} ({v['impact']}, {len(v['nodes'])}×: "
            f"{v['nodes'][0]['target']} {v['nodes'][0].get('failureSummary', '')[:160]!r})"
            for v in bad))


def plain_words(page, role, path, width):
    text = page.locator("body").inner_text()
    for rx in INTERNAL:
        m = rx.search(text)
        if m is not None:
            around = text[max(0, m.start() - 60):m.end() + 60]
            raise AssertionError(f"{role} {path} shows «{m.group(0)}»: …{around}…")


@pytest.mark.parametrize("role", ["login", "chi_bo", "commune", "province", "admin"])
def test_every_page_fits_and_speaks_plainly(browser, demo_server, page_shots, role):
    problems = []

    def check(page, role, path, width):
        for f in (no_sideways_scroll, plain_words, accessible):
            try:
                f(page, role, path, width)
            except AssertionError as e:
                problems.append(str(e).splitlines()[0])
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
