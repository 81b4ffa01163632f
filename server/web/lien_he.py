"""Each unit's contact person and phone, from its latest workbook («Người lập biểu», «Số điện
thoại»): shown on the dashboard and in the reminder list (`nhac_nop`), so it sits below both."""
from __future__ import annotations

from ..summary import latest_by_unit
from .cells import raw_cells

CONTACT = ("TT_NguoiLap", "TT_DienThoai")


def _text(v) -> str:
    if v is None or isinstance(v, dict):
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def contacts(rnd, latest: dict | None = None) -> dict[int, tuple[str, str]]:
    """unit id -> (person, phone) from its latest version's kept reading."""
    latest = latest_by_unit(rnd) if latest is None else latest
    latest = {uid: last for uid, (last, _) in latest.items() if last is not None}
    return {uid: (_text(v.get(CONTACT[0])), _text(v.get(CONTACT[1])))
            for uid, v in raw_cells(latest, CONTACT).items()}


def with_contacts(rnd, st: dict, latest: dict | None = None) -> dict:
    ids = {u.code: u.id for u in rnd.unit.children}
    got = contacts(rnd, latest)
    for u in st["units"]:
        u["contact"], u["phone"] = got.get(ids.get(u["code"]), ("", ""))
    return st
