"""Administration shared by the command line and the pages: close and reopen a round, move its
deadline, grant the 25 % exception with its decision, issue and revoke a unit's token, make an
account or reset its password, import units, return a report. Each act checks who may do it
(an administrator everywhere, a collecting office within its own tree), does what the CLI does,
and writes an audit line in the same commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from workbook_templates.findings import fmt_int

from . import audit, db
from .auth import Principal, issue_token, revoke_tokens, set_password
from .models import Round, Submission, Unit, User, utcnow
from .rounds import descendant_ids

MIN_PASSWORD = 8


class AdminError(ValueError):
    """A refused act; the message is Vietnamese and says how to do it right."""


def _fmt(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def in_tree(p: Principal, unit: Unit) -> bool:
    """An administrator manages every unit; an office its own unit and every unit below it."""
    if p.is_admin:
        return True
    if p.unit is None:
        return False
    return unit.id == p.unit.id or unit.id in descendant_ids(p.unit)


def _may_run(p: Principal, rnd: Round) -> None:
    if not p.may_collect(rnd):
        raise AdminError(f"Chỉ {rnd.unit.name} (đơn vị thu nhận) hoặc quản trị mới thay đổi được "
                         "đợt này.")


def set_open(p: Principal, rnd: Round, is_open: bool) -> str:
    _may_run(p, rnd)
    if rnd.is_open == is_open:
        return "Đợt đã " + ("mở" if is_open else "đóng") + " từ trước."
    rnd.is_open = is_open
    msg = (f"Đã mở lại đợt {rnd.id}: các đơn vị gửi biểu được." if is_open else
           f"Đã đóng đợt {rnd.id}: không nhận thêm biểu; vẫn xem tình hình nộp và tải biểu tổng "
           "hợp.")
    audit.record(p.label, "open_round" if is_open else "close_round",
                 "Mở lại đợt" if is_open else "Đóng đợt", rnd)
    db.session().commit()
    return msg


def set_deadline(p: Principal, rnd: Round, deadline: dt.date) -> str:
    _may_run(p, rnd)
    if not rnd.year <= deadline.year <= rnd.year + 1:
        raise AdminError(f"Hạn nộp {_fmt(deadline)} không thuộc năm đánh giá {rnd.year} hay đầu "
                         f"năm {rnd.year + 1}: kiểm tra lại năm.")
    old = rnd.deadline
    rnd.deadline = deadline
    audit.record(p.label, "deadline", f"Đổi hạn nộp từ {_fmt(old)} thành {_fmt(deadline)}", rnd)
    db.session().commit()
    return f"Đã đổi hạn nộp của đợt {rnd.id} thành {_fmt(deadline)}."


def set_exception(p: Principal, rnd: Round, on: bool, decision: str = "") -> str:
    """QĐ 366: 25 % «xuất sắc» only where the competent level decided so; the decision (number,
    date, body) is required to turn it on, and is kept with the round."""
    _may_run(p, rnd)
    decision = " ".join((decision or "").split())
    if on and len(decision) < 4:
        raise AdminError("Ghi số, ngày và cơ quan ban hành quyết định chấp thuận ngoại lệ 25 % "
                         "(ví dụ «số 123-QĐ/TU ngày 05/12/2026 của Ban Thường vụ Tỉnh ủy»).")
    rnd.ngoai_le_25, rnd.ngoai_le_25_qd = on, (decision if on else "")
    audit.record(p.label, "exception_25",
                 f"Áp dụng ngoại lệ 25 % xuất sắc theo quyết định {decision}" if on
                 else "Bỏ ngoại lệ 25 % xuất sắc", rnd)
    db.session().commit()
    return ("Đã ghi ngoại lệ 25 % xuất sắc." if on else "Đã bỏ ngoại lệ 25 % xuất sắc.")


def new_token(p: Principal, unit: Unit, revoke_old: bool = True, rnd: Round | None = None) -> str:
    """The plain token, to show once; the old ones stop working when `revoke_old`."""
    if not in_tree(p, unit):
        raise AdminError(f"{unit.name} không thuộc đơn vị bạn quản lý.")
    n = revoke_tokens(unit) if revoke_old else 0
    token = issue_token(unit)
    audit.record(p.label, "issue_token", f"Cấp mã tải lên mới cho {unit.name}"
                 + (f" (thu hồi {n} mã cũ)" if n else ""), rnd, unit)
    db.session().commit()
    return token


def revoke(p: Principal, unit: Unit, rnd: Round | None = None) -> int:
    if not in_tree(p, unit):
        raise AdminError(f"{unit.name} không thuộc đơn vị bạn quản lý.")
    n = revoke_tokens(unit)
    audit.record(p.label, "revoke_token", f"Thu hồi {n} mã tải lên của {unit.name}", rnd, unit)
    db.session().commit()
    return n


def save_user(p: Principal, username: str, password: str, unit: Unit | None,
              admin: bool = False, full_name: str = "") -> tuple[User, bool]:
    """Create the account, or reset its password (same name). (user, created)."""
    username = (username or "").strip()
    if not username or " " in username:
        raise AdminError("Tên đăng nhập không được để trống và không có dấu cách, ví dụ "
                         "«bl1_thon3».")
    if len(password or "") < MIN_PASSWORD:
        raise AdminError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
    if admin and not p.is_admin:
        raise AdminError("Chỉ quản trị mới tạo được tài khoản quản trị.")
    if not admin and unit is None:
        raise AdminError("Chọn đơn vị của tài khoản.")
    if unit is not None and not in_tree(p, unit):
        raise AdminError(f"{unit.name} không thuộc đơn vị bạn quản lý.")
    s = db.session()
    user = s.scalar(select(User).where(User.username == username))
    created = user is None
    if created:
        user = User(username=username)
        s.add(user)
    else:
        if user.is_admin and not p.is_admin:
            raise AdminError("Chỉ quản trị mới đặt lại mật khẩu của tài khoản quản trị.")
        if user.unit is not None and not in_tree(p, user.unit):
            raise AdminError(f"Tài khoản «{username}» thuộc đơn vị bạn không quản lý.")
    set_password(user, password)
    user.unit = unit
    user.is_admin = admin
    if full_name or created:
        user.full_name = full_name.strip()
    where = unit.name if unit is not None else "quản trị"
    audit.record(p.label, "create_user" if created else "reset_password",
                 (f"Tạo tài khoản «{username}» ({where})" if created else
                  f"Đặt lại mật khẩu tài khoản «{username}» ({where})"), None, unit)
    s.commit()
    return user, created


def import_units_for(p: Principal, data: bytes) -> tuple[int, int]:
    """The units file (`server.units_io`): an administrator imports anything; an office only units
    below itself (every row's cấp trên is the office or a unit below it, or another row)."""
    from .units_io import import_units, read_units
    if not p.is_admin:
        if p.unit is None:
            raise AdminError("Tài khoản này không quản lý đơn vị nào.")
        rows = read_units(data)
        mine = {u.code for u in db.session().scalars(select(Unit).where(
            Unit.id.in_(descendant_ids(p.unit) | {p.unit.id})))}
        codes = {r["code"] for r in rows}
        existing = set(db.session().scalars(select(Unit.code).where(Unit.code.in_(codes))))
        wrong = [f"Dòng {r['row']}: «{r['code']}»" for r in rows
                 if r["code"] == p.unit.code or (r["code"] in existing and r["code"] not in mine)
                 or not (r["parent_code"] in mine or r["parent_code"] in codes)]
        if wrong:
            raise AdminError(f"Chỉ nhập được các đơn vị trực thuộc {p.unit.name}. Không thuộc: "
                             + "; ".join(wrong[:10]) + (" …" if len(wrong) > 10 else "") + ".")
    created, updated = import_units(data)
    audit.record(p.label, "import_units", f"Nhập danh sách đơn vị: {fmt_int(created)} đơn vị mới, "
                 f"{fmt_int(updated)} đơn vị cập nhật", None, p.unit)
    db.session().commit()
    return created, updated


def latest(rnd: Round, unit: Unit) -> Submission | None:
    return db.session().scalar(select(Submission).where(
        Submission.round_id == rnd.id, Submission.unit_id == unit.id)
        .order_by(Submission.version.desc()).limit(1))


def return_submission(p: Principal, sub: Submission, comment: str) -> str:
    """«Trả lại»: only the unit's latest version, by the round's collecting office, with a reason;
    the unit must send a new version."""
    _may_run(p, sub.round)
    comment = (comment or "").strip()
    if len(comment) < 3:
        raise AdminError("Ghi lý do trả lại để đơn vị biết cần sửa gì.")
    newest = latest(sub.round, sub.unit)
    if newest is None or newest.id != sub.id:
        raise AdminError(f"Chỉ trả lại được phiên bản mới nhất (phiên bản {newest.version}) của "
                         f"{sub.unit.name}.")
    if sub.returned_at is not None:
        raise AdminError(f"Phiên bản {sub.version} của {sub.unit.name} đã được trả lại.")
    sub.returned_at, sub.returned_by, sub.return_comment = utcnow(), p.label, comment
    audit.record(p.label, "return", f"Trả lại phiên bản {sub.version} của {sub.unit.name}: "
                 f"{comment}", sub.round, sub.unit)
    db.session().commit()
    return (f"Đã trả lại phiên bản {sub.version} của {sub.unit.name}; đơn vị sẽ thấy lý do ở "
            "trang của mình và phải gửi phiên bản mới.")
