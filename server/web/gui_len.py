"""The collecting unit's report upward, from its round page: the summary pre-filled, the cells
the unit fills itself in a form, checked with the server's validator, then sent into the round
above in one action (`server.send_up`; the view only reads the form and shows the answer)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from workbook_templates.spec.model import CHOICE, COUNT, DATE, XMARK

from ..send_up import SendUpError, check_draft, draft, ready, send
from . import bp
from .access import login_required, overseeing


def _own_office(p, rnd) -> bool:
    """Only the collecting unit's own account speaks for it upward (as only a unit's account
    sends its workbook)."""
    return p.unit is not None and p.unit.id == rnd.unit_id


def _page(d, status=200, error=None):
    groups: list[tuple[str, str, list]] = []     # (sheet, row label, cells) in workbook order
    for c in d.fields:
        key = (c.sheet, c.row_label if c.sheet != "Thông tin" else "")
        if not groups or (groups[-1][0], groups[-1][1]) != key:
            groups.append((key[0], key[1], []))
        groups[-1][2].append(c)
    return render_template("web/send_up.html", d=d, rnd=d.rnd, groups=groups, error=error,
                           kinds={"count": COUNT, "choice": CHOICE, "date": DATE,
                                  "xmark": XMARK}), status


@bp.get("/dot/<int:round_id>/gui-len")
@login_required
def send_up(round_id: int):
    p, rnd, _ = overseeing(round_id)
    if not _own_office(p, rnd):
        return _refused(rnd)
    d = draft(rnd)
    try:
        ready(d)
    except SendUpError as e:
        return _page(d, 409, str(e))
    return _page(d)


@bp.post("/dot/<int:round_id>/gui-len")
@login_required
def send_up_post(round_id: int):
    p, rnd, _ = overseeing(round_id)
    if not _own_office(p, rnd):
        return _refused(rnd)
    d = draft(rnd, typed=request.form)
    try:
        ready(d)
        if request.form.get("hanh_dong") == "gui":
            sub = send(d, p.label, request.remote_addr or "")
            if sub is not None and getattr(sub, "duplicate", False):
                # the same report as the last one sent: the server keeps one version of it
                flash(f"Báo cáo này giống hệt phiên bản {sub.version} đã gửi lên "
                      f"{rnd.unit.parent.name}; không tạo phiên bản mới.", "ok")
            elif sub is not None:
                warn = f", {sub.n_warnings} cảnh báo" if sub.n_warnings else ""
                flash(f"Đã gửi báo cáo của {rnd.unit.name} lên {rnd.unit.parent.name}: phiên bản "
                      f"{sub.version}, hợp lệ{warn}.", "ok")
                return redirect(url_for("web.unit_page", code=rnd.unit.code, nop=sub.id,
                                        _anchor=f"v{sub.id}"))
        else:
            check_draft(d)
    except SendUpError as e:
        return _page(d, 409, str(e))
    if d.problems:
        return _page(d, 422, f"Chưa gửi: {len(d.problems)} ô ghi chưa đúng — xem thông báo "
                             "đỏ bên cạnh từng ô.")
    rep = d.report
    if rep is not None and not rep.valid:
        return _page(d, 422, f"Chưa gửi: báo cáo còn {len(rep.errors)} lỗi và "
                             f"{len(rep.warnings)} cảnh báo. Sửa các ô được đánh dấu rồi kiểm tra "
                             "lại.")
    if rep is not None:
        warn = f", {len(rep.warnings)} cảnh báo" if rep.warnings else ""
        flash(f"Kiểm tra xong: không có lỗi{warn}. Bấm «Gửi lên» để gửi.", "ok")
    return _page(d)


def _refused(rnd):
    return render_template(
        "web/error.html", title="Không có quyền",
        message=f"Chỉ tài khoản của {rnd.unit.name} mới lập và gửi báo cáo của đơn vị này lên "
                "cấp trên."), 403
