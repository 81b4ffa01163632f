"""Two office workers deciding at once, over real HTTP: a save never silently overwrites a decision
someone else stored after the page was shown; the worker is told whose decision stands."""
from __future__ import annotations

import re

import requests
from test_security import csrf, login, round_id

CODE, NAME = "LOCTHANG", "Đảng bộ thị trấn Lộc Thắng"


def _form(page: str, level: str | None, cap_uy: str = "") -> dict:
    """What the browser sends for the row of CODE: a level (and its committee's) ticked
    «Quyết định», or unticked."""
    moc = re.search(rf'name="moc_{CODE}" value="([^"]*)"', page).group(1)
    data = {"csrf_token": csrf(page), f"hang_{CODE}": "1", f"moc_{CODE}": moc}
    if level:
        data.update({f"chot_{CODE}": "1", f"xl_{CODE}": level, f"cu_{CODE}": cap_uy})
    return data


def _status(server, office_account, rid):
    st = requests.get(f"{server.url}/api/v1/rounds/{rid}/status", auth=office_account[:2],
                      timeout=30).json()
    return next(u for u in st["units"] if u["code"] == CODE)


def _decided(server, office_account, rid):
    return _status(server, office_account, rid)["decided"]


def test_a_save_never_overwrites_a_decision_made_meanwhile(live_server, accounts):
    a, b = login(live_server, accounts["office"]), login(live_server, accounts["office"])
    rid = round_id(live_server, a)
    url = f"{live_server.url}/dot/{rid}/quyet-dinh"
    page_a, page_b = a.get(url).text, b.get(url).text        # both open the page
    try:
        r = a.post(url, data=_form(page_a, "XS"))
        assert "đã ghi 1 quyết định" in r.text
        assert _decided(live_server, accounts["office"], rid) == "XS"

        # B saves from the page it opened before A's save: refused for that row, and told why
        r = b.post(url, data=_form(page_b, "HT"))
        assert r.status_code == 200
        assert "Không ghi 1 đơn vị" in r.text
        assert f"{NAME}: {accounts['office'][0]} đã ghi «Hoàn thành xuất sắc nhiệm vụ»" in r.text
        assert _decided(live_server, accounts["office"], rid) == "XS"

        # from the reloaded page B may change it
        r = b.post(url, data=_form(r.text, "HT"))
        assert "đã ghi 1 quyết định" in r.text and "Không ghi" not in r.text
        assert _decided(live_server, accounts["office"], rid) == "HT"

        # A's stale page unticking the row (back to the proposal) does not undo B's decision
        r = a.post(url, data=_form(page_a, None))
        assert "Không ghi 1 đơn vị" in r.text and "«Hoàn thành nhiệm vụ»" in r.text
        assert _decided(live_server, accounts["office"], rid) == "HT"
    finally:                    # leave the demo round as the other web tests expect it
        a.post(url, data=_form(a.get(url).text, None))
    assert _decided(live_server, accounts["office"], rid) is None


def test_the_office_decides_the_committee_of_a_tccsd_with_its_rating(live_server, accounts):
    office = login(live_server, accounts["office"])
    rid = round_id(live_server, office)
    url = f"{live_server.url}/dot/{rid}/quyet-dinh"
    page = office.get(url).text
    # every demo child is a đảng bộ / chi bộ cơ sở: its committee's proposal is shown beside it
    assert f'name="cu_{CODE}"' in page and "Đề xuất: Hoàn thành tốt nhiệm vụ" in page

    def cucs(cap_uy):
        r = office.post(f"{live_server.url}/dot/{rid}/han-muc", json={"cap_uy": cap_uy},
                        headers={"X-CSRF-Token": csrf(page)})
        assert r.status_code == 200, r.text
        return next(q for q in r.json() if q["key"] == "CUCS")

    # the live quota counts the committee as the office is about to set it
    before = cucs({})
    assert cucs({CODE: "XS"})["xs"] == before["xs"] + 1
    try:
        r = office.post(url, data=_form(page, "TOT", "HT"))
        assert "đã ghi 1 quyết định" in r.text
        st = _status(live_server, accounts["office"], rid)
        assert (st["decided"], st["decided_cap_uy"]) == ("TOT", "HT")
        # the live quota asked again counts what was saved (it keeps the round's units between
        # calls: a saved decision must show, not the counts from before it)
        assert cucs({})["ht"] == before["ht"] + 1
        # the summary counts the decided committee in row 5, Cấp ủy cơ sở
        from workbook_templates.read import read_workbook
        from workbook_templates.validate import validate
        xlsx = requests.get(f"{live_server.url}/api/v1/rounds/{rid}/summary.xlsx",
                            auth=accounts["office"][:2], timeout=60)
        assert xlsx.status_code == 200
        v = validate(read_workbook(xlsx.content)).values
        assert v["XL_CUCS_HT"] == before["ht"] + 1
    finally:
        office.post(url, data=_form(office.get(url).text, None))
    assert _status(live_server, accounts["office"], rid)["decided_cap_uy"] is None
    assert cucs({}) == before                   # and the decision taken back, as before


def test_saving_the_page_leaves_a_decision_made_without_the_committee_as_it_was(live_server,
                                                                                  accounts):
    office = login(live_server, accounts["office"])
    rid = round_id(live_server, office)
    url = f"{live_server.url}/dot/{rid}/quyet-dinh"
    r = requests.put(f"{live_server.url}/api/v1/rounds/{rid}/decisions/{CODE}",
                     json={"xep_loai": "TOT"}, auth=accounts["office"][:2], timeout=30)
    assert r.status_code == 200 and r.json()["xep_loai_cap_uy"] is None
    try:
        page = office.get(url).text
        proposal = re.search(rf'name="cu_{CODE}"[^>]*>.*?<option value="(\w+)" selected', page,
                             re.S).group(1)
        # the row as the page shows it (the committee's select on its proposal), saved untouched
        r = office.post(url, data=_form(page, "TOT", proposal))
        assert "Không có thay đổi nào." in r.text
        assert _status(live_server, accounts["office"], rid)["decided_cap_uy"] is None
    finally:
        office.post(url, data=_form(office.get(url).text, None))
