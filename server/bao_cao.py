"""The written report (.docx) on the server: for a round's summary and for each valid submission.

Both re-read the stored workbook (never a client's figures) and write the report with the same
service as `kiemdiem bao-cao`. Last year's figures are found here, not asked for: for a summary,
the same collecting unit's round of the same form one year earlier; for a submission, the unit's
latest valid upload in any round of that form one year earlier. A summary's report is always
made — its errors (often cells the collecting office still has to fill) are boxed at the top; a
submission's report only when the submission is valid, as a unit's own report would be.
"""
from __future__ import annotations

import io

from flask import Blueprint, current_app, send_file
from sqlalchemy import select

from workbook_templates.bao_cao import ReportRefused, build_report, errors_message
from workbook_templates.read import ReadError

from . import db, storage
from .api import error
from .auth import current_principal
from .models import Round, Submission

bp = Blueprint("bao_cao", __name__, url_prefix="/api/v1")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NO_LOGIN = ("Thiếu hoặc sai mã tải lên (token) hoặc chưa đăng nhập.", 401)
FORBIDDEN = ("Tài khoản hoặc mã tải lên này không có quyền với mục này.", 403)


def _send(built, name: str):
    return send_file(io.BytesIO(built.data), mimetype=DOCX, as_attachment=True,
                     download_name=name)


def _summary_bytes(rnd: Round) -> bytes | None:
    """The round's summary workbook, or None when nobody has sent anything yet."""
    from .summary import build
    result = build(rnd)
    if result.form.id != rnd.form or not result.included:
        return None
    return result.to_xlsx()


def previous_round(rnd: Round) -> Round | None:
    return db.session().scalars(
        select(Round).where(Round.unit_id == rnd.unit_id, Round.form == rnd.form,
                            Round.year == rnd.year - 1).order_by(Round.id.desc())).first()


def previous_submission(sub: Submission) -> Submission | None:
    """The unit's latest valid upload of the same form for the year before (not one the office
    returned)."""
    return db.session().scalars(
        select(Submission).join(Round, Submission.round_id == Round.id)
        .where(Submission.unit_id == sub.unit_id, Submission.valid.is_(True),
               Submission.returned_at.is_(None),
               Round.form == sub.round.form, Round.year == sub.round.year - 1)
        .order_by(Submission.uploaded_at.desc(), Submission.id.desc())).first()


def _build(data: bytes, previous: bytes | None, *, include_errors: bool, label: str):
    base = current_app.config.get("QUOTA_BASE", "tot")
    try:
        return build_report(data, previous=previous, include_errors=include_errors, base=base,
                            label=label)
    except ReportRefused as e:
        if e.code == "previous" and previous is not None:  # last year's does not fit: go without
            return build_report(data, include_errors=include_errors, base=base, label=label)
        raise


@bp.get("/rounds/<int:round_id>/bao-cao.docx")
def round_report(round_id: int):
    p = current_principal()
    if p is None:
        return error("unauthorized", *NO_LOGIN)
    rnd = db.session().get(Round, round_id)
    if rnd is None:
        return error("not_found", "Không tìm thấy đợt báo cáo này.", 404)
    if not p.may_collect(rnd):
        return error("forbidden", *FORBIDDEN)
    data = _summary_bytes(rnd)
    if data is None:
        return error("nothing_to_merge", f"Chưa có biểu năm {rnd.year} nào của các đơn vị trực "
                     "thuộc được tổng hợp (chưa gửi, biểu còn lỗi hoặc đã bị trả lại) nên chưa "
                     "lập được báo cáo tổng hợp. Xem tình hình nộp ở trang theo dõi đợt.", 409)
    prev_rnd = previous_round(rnd)
    prev = _summary_bytes(prev_rnd) if prev_rnd is not None else None
    try:
        built = _build(data, prev, include_errors=True, label=f"tổng hợp năm {rnd.year}")
    except ReportRefused as e:
        return error(e.code, e.message, 409)
    return _send(built, f"bao_cao_{rnd.unit.code}_{rnd.form}_{rnd.year}.docx")


@bp.get("/submissions/<int:sub_id>/bao-cao.docx")
def submission_report(sub_id: int):
    p = current_principal()
    if p is None:
        return error("unauthorized", *NO_LOGIN)
    sub = db.session().get(Submission, sub_id)
    if sub is None:
        return error("not_found", "Không tìm thấy biểu đã gửi này.", 404)
    if not p.may_see_submission(sub):
        return error("forbidden", *FORBIDDEN)
    label = f"{sub.unit.name} (phiên bản {sub.version})"
    if not sub.valid:
        return error("has_errors", errors_message(sub.n_errors, label) + " Xem các lỗi ở trang "
                     "của đơn vị hoặc tải bản đã đánh dấu lỗi.", 409)
    prev_sub = previous_submission(sub)
    prev = storage.get(prev_sub.sha256) if prev_sub is not None else None
    try:
        built = _build(storage.get(sub.sha256), prev, include_errors=False, label=label)
    except ReadError as e:
        return error(e.code, e.message, 422)
    except ReportRefused as e:
        return error(e.code, e.message, 409)
    return _send(built, f"bao_cao_{sub.unit.code}_{sub.round.year}_v{sub.version}.docx")
