"""Two office workers deciding at once, over real HTTP: a save never silently overwrites a decision
someone else stored after the page was shown; the worker is told whose decision stands."""
from __future__ import annotations

import re

import requests

from test_security import csrf, login, round_id

CODE, NAME = "LOCTHANG", "Đảng bộ thị trấn Lộc Thắng"


def _form(page: str, level: str | None) -> dict:
    """What the browser sends for the row of CODE: a level ticked «Quyết định», or unticked."""
    moc = re.search(rf'name="moc_{CODE}" value="([^"]*)"', page).group(1)
    data = {"csrf_token": csrf(page), f"hang_{CODE}": "1", f"moc_{CODE}": moc}
    if level:
        data.update({f"chot_{CODE}": "1", f"xl_{CODE}": level})
    return data


def _decided(server, office_account, rid):
    st = requests.get(f"{server.url}/api/v1/rounds/{rid}/status", auth=office_account[:2],
                      timeout=30).json()
    return next(u["decided"] for u in st["units"] if u["code"] == CODE)


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
