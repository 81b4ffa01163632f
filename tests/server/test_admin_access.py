"""Administration in the browser is for an admin and for a collecting office within its own tree:
a unit with no units under it (a chi bộ) is refused the accounts page, the account form and the
units import, however it gets there."""
from __future__ import annotations


def test_only_a_collecting_office_or_an_admin_administers(server):
    d = server.district(1, year=2026)
    office = server.office(d)
    page = office.get(f"{server.url}/quan-tri", timeout=30)
    assert page.status_code == 200 and d.child(0)[0] in page.text   # its own unit listed

    (code, _, _), = d.children
    from sqlalchemy import select

    from server import db
    from server.auth import set_password
    from server.models import Unit, User
    with server.app.app_context():
        s = db.session()
        user = User(username=f"cb{code.lower()}",
                    unit=s.scalar(select(Unit).where(Unit.code == code)))
        set_password(user, "mat-khau-cb")
        s.add(user)
        s.commit()
    unit = server.login(f"cb{code.lower()}", "mat-khau-cb")
    assert unit.get(f"{server.url}/quan-tri", timeout=30).status_code == 403
    r = unit.post(f"{server.url}/quan-tri/tai-khoan",
                  data={"csrf_token": unit.csrf, "don_vi": code, "ten": "moi", "mat_khau": "x"},
                  timeout=30)
    assert r.status_code == 403
