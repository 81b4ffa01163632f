"""The HTTP API, `/api/v1`: uploads from units (the add-in or curl), the round status, the summary
workbook, decisions and annotated copies. Every answer is JSON or a workbook; every refusal is a
JSON `{"error": code, "message": Vietnamese}` with a 4xx status.
"""
from __future__ import annotations

import io
from dataclasses import fields as dc_fields

from flask import Blueprint, abort, current_app, jsonify, request, send_file
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from workbook_templates.findings import Finding, fmt_int
from workbook_templates.quota import CUCS_TYPES

from . import db, storage
from .auth import Principal, current_principal
from .intake import VN, may_see_register, receive
from .models import Decision, Round, Submission, Unit, utcnow
from .precheck import Rejected
from .schemas import (
    NOTE_MAX,
    DecisionInSchema,
    DecisionSchema,
    StatusSchema,
)
from .status import local_day, round_json, round_raw, status, submission_json, utc  # noqa: F401
from .textnorm import code_key, nfc

bp = Blueprint("api", __name__, url_prefix="/api/v1")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MESSAGES = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    401: ("unauthorized", "Thiếu hoặc sai mã tải lên (token). Gửi kèm tiêu đề "
                          "«Authorization: Bearer <mã tải lên>» do văn phòng cấp trên cấp."),
    403: ("forbidden", "Tài khoản hoặc mã tải lên này không có quyền với mục này."),
    404: ("not_found", "Không tìm thấy mục được yêu cầu."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ cho địa chỉ này."),
}
TOO_LARGE = ("Tệp quá lớn (tối đa {kb} KB). Biểu mẫu thật chỉ vài chục KB; hãy xóa ảnh, sheet "
             "thừa rồi lưu lại.")


def browser_navigation() -> bool:
    """A link followed in the browser (a download on a page, opened after the session ended):
    a GET that prefers HTML and carries no token. Scripts (curl, the add-in) send a token or ask
    for JSON and keep getting JSON."""
    if request.method != "GET" or "Authorization" in request.headers:
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.accept_mimetypes["text/html"] > 0


def error(code: str, message: str, status: int):
    if status == 401 and browser_navigation():
        from flask import redirect, url_for
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    resp = jsonify({"error": code, "message": message})
    resp.status_code = status
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="kiemdiem"'
    return resp


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException):
    if e.code == 413:
        kb = fmt_int(current_app.config["MAX_CONTENT_LENGTH"] // 1024)
        return error("too_large", TOO_LARGE.format(kb=kb), 413)
    code, message = MESSAGES.get(e.code, (e.name.lower().replace(" ", "_"), e.description or ""))
    resp = error(code, message, e.code or 500)
    if getattr(e, "retry_after", None):      # too many failed logins: when to try again
        resp.headers["Retry-After"] = str(e.retry_after)
    return resp


@bp.errorhandler(Exception)
def _crash(e: Exception):
    current_app.logger.exception("unexpected error on %s", request.path)
    return error("server_error", "Máy chủ gặp lỗi khi xử lý yêu cầu này; dữ liệu đã lưu không bị "
                 "ảnh hưởng. Hãy thử lại; nếu vẫn lỗi, báo cho quản trị kèm thời điểm gửi.", 500)


@bp.errorhandler(Rejected)
def _rejected(e: Rejected):
    return error(e.code, e.message, e.status)


def principal() -> Principal:
    p = current_principal()
    if p is None:
        abort(401)
    return p


def _round(round_id: int) -> Round:
    return db.get_or_404(Round, round_id)


def _submission(sub_id: int) -> Submission:
    return db.get_or_404(Submission, sub_id)


@bp.post("/submissions")
def create_submission():
    """A unit sends its workbook (multipart field `file`) with its token."""
    p = principal()
    if p.unit is None:
        return error("no_unit", "Chỉ đơn vị mới gửi biểu: dùng mã tải lên (token) của đơn vị, "
                     "không dùng tài khoản quản trị.", 403)
    upload = request.files.get("file")
    if upload is None:
        return error("no_file", "Chưa có tệp: gửi biểu trong trường «file» của biểu mẫu "
                     "multipart (curl -F file=@bieu.xlsx).", 400)
    data = upload.read()
    sub, _report = receive(p.unit, data, upload.filename or "", p.label,
                           request.remote_addr or "")
    if getattr(sub, "duplicate", False):     # the same bytes as the latest version: none made
        body = submission_json(sub)
        body["duplicate"] = True
        body["message"] = duplicate_message(sub)
        return jsonify(body), 200
    return jsonify(submission_json(sub)), 201


def duplicate_message(sub: Submission) -> str:
    """Why no version was made; for a version the office returned, that the same file cannot
    answer the return (the unit must change what the office asked for)."""
    at = utc(sub.uploaded_at).astimezone(VN).strftime("%H:%M ngày %d/%m/%Y")
    if sub.returned_at is not None:
        back = utc(sub.returned_at).astimezone(VN).strftime("%d/%m/%Y")
        why = f" (lý do: {sub.return_comment})" if sub.return_comment else ""
        return (f"Tệp này giống hệt phiên bản {sub.version} mà cấp trên đã trả lại ngày "
                f"{back}{why}; không tạo phiên bản mới. Hãy sửa biểu theo lý do trả lại rồi "
                "gửi lại.")
    return (f"Tệp này giống hệt phiên bản {sub.version} đã nhận lúc {at}; không tạo phiên bản "
            "mới. Nếu muốn sửa, hãy sửa biểu rồi gửi lại.")


@bp.get("/submissions/<int:sub_id>")
def get_submission(sub_id: int):
    p, sub = principal(), _submission(sub_id)
    if not p.may_see_submission(sub):
        abort(403)
    return jsonify(submission_json(sub))


@bp.get("/submissions/<int:sub_id>/file")
def submission_file(sub_id: int):
    """The upload exactly as received (byte for byte)."""
    p, sub = principal(), _submission(sub_id)
    if not p.may_see_submission(sub):
        abort(403)
    if not may_see_register(p, sub):
        return _register_private(sub)
    return send_file(io.BytesIO(storage.get(sub.sha256)), mimetype=XLSX, as_attachment=True,
                     download_name=f"{sub.unit.code}_v{sub.version}.xlsx")


def _register_private(sub: Submission):
    parent = sub.unit.parent.name if sub.unit.parent else "đơn vị nhận báo cáo"
    return error("register_private",
                 f"Biểu của {sub.unit.name} có danh sách đảng viên (thông tin cá nhân): chỉ "
                 f"{sub.unit.name} và {parent} được tải tệp. Số liệu và kết quả kiểm tra vẫn xem "
                 "được trên trang của đơn vị.", 403)


def findings_of(sub: Submission) -> list[Finding]:
    names = {f.name for f in dc_fields(Finding)}
    return [Finding(**{k: v for k, v in d.items() if k in names}) for d in sub.findings]


def annotated_key(sub: Submission, subtitle: str) -> str:
    """What the annotated copy depends on: the stored bytes, the findings kept with them, the
    subtitle and the code that writes it (an upgrade makes the copies again)."""
    import hashlib
    import json
    from pathlib import Path

    import workbook_templates
    h = hashlib.sha256()
    h.update(sub.sha256.encode())
    h.update(json.dumps(sub.findings, sort_keys=True, ensure_ascii=False, default=str).encode())
    h.update(subtitle.encode())
    here = Path(workbook_templates.__file__).parent
    for name in ("marks.py", "xlsx_text.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()


@bp.get("/submissions/<int:sub_id>/annotated.xlsx")
def annotated(sub_id: int):
    """The upload with its findings marked (fills, notes, a report sheet), as the add-in would."""
    from workbook_templates.marks import annotate_xlsx
    p, sub = principal(), _submission(sub_id)
    if not p.may_see_submission(sub):
        abort(403)
    if not may_see_register(p, sub):
        return _register_private(sub)
    subtitle = f"{sub.unit.name} — phiên bản {sub.version}"
    out = storage.kept("annotated", annotated_key(sub, subtitle), lambda: annotate_xlsx(
        storage.get(sub.sha256), findings_of(sub), subtitle=subtitle))
    return send_file(io.BytesIO(out), mimetype=XLSX, as_attachment=True,
                     download_name=f"{sub.unit.code}_v{sub.version}_kiem_tra.xlsx")


@bp.get("/rounds")
def list_rounds():
    """Rounds the caller collects (or all, for an admin), rounds it reports into, and the rounds
    collected below it, which it reads but does not decide."""
    from .rounds import descendant_ids
    p = principal()
    s = db.session()
    q = select(Round).order_by(Round.year.desc(), Round.id)
    if not p.is_admin:
        ids = [p.unit.id] + ([p.unit.parent_id] if p.unit.parent_id else [])
        ids += sorted(descendant_ids(p.unit))
        q = q.where(Round.unit_id.in_(ids))
    return jsonify([round_json(r) for r in s.scalars(q)])


@bp.get("/rounds/<int:round_id>/status")
def round_status(round_id: int):
    """The collecting unit's view of its round; a level above reads it too (read-only)."""
    from .rounds import may_read
    p, rnd = principal(), _round(round_id)
    if not may_read(p, rnd):
        abort(403)
    return jsonify(StatusSchema().dump(status(rnd)))


@bp.get("/rounds/<int:round_id>/summary.xlsx")
def round_summary(round_id: int):
    from .rounds import may_read
    from .summary import build
    p, rnd = principal(), _round(round_id)
    if not may_read(p, rnd):
        abort(403)
    result = build(rnd)
    if result.form.id != rnd.form:     # nobody has sent anything yet: no form to merge into
        from workbook_templates.spec import get_form_set
        title = get_form_set(rnd.form).title
        return error("nothing_to_merge", f"Chưa đơn vị nào gửi biểu «{title}»"
                     f" năm {rnd.year} nên chưa có biểu tổng hợp. Xem tình hình nộp "
                     f"(/api/v1/rounds/{rnd.id}/status).", 409)
    data = result.to_xlsx()
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=f"tong_hop_{rnd.unit.code}_{rnd.form}_{rnd.year}.xlsx")


@bp.put("/rounds/<int:round_id>/decisions/<code>")
def put_decision(round_id: int, code: str):
    """The collecting unit decides a child's rating (it overrides the child's own proposal)."""
    p, rnd = principal(), _round(round_id)
    if not p.may_collect(rnd):
        abort(403)
    unit = db.session().scalar(select(Unit).where(Unit.code.in_({nfc(code).strip(),
                                                                 code_key(code)})))
    if unit is None or unit.parent_id != rnd.unit_id:
        return error("not_a_child", f"Đơn vị mã «{code}» không thuộc {rnd.unit.name}, nên không "
                     "quyết định xếp loại trong đợt này.", 404)
    payload = request.get_json(silent=True)
    errs = DecisionInSchema().validate(payload or {}) if isinstance(payload, (dict, type(None))) \
        else {"_schema": ["not an object"]}
    if "note" in errs and set(errs) == {"note"}:
        return error("note_too_long", f"Ghi chú dài {fmt_int(len(str(payload.get('note'))))} ký "
                     f"tự, tối đa {fmt_int(NOTE_MAX)}: hãy rút gọn, tài liệu dài thì lưu ở "
                     "hồ sơ.", 400)
    if payload is None or errs:
        return error("bad_decision", "Gửi JSON {\"xep_loai\": \"XS\" | \"TOT\" | \"HT\" | \"KHT\"} "
                     "(MOI, KHAC khi không xếp loại), và nếu cần "
                     "{\"xep_loai_cap_uy\": \"TOT\"} cho "
                     "cấp ủy của đảng bộ cơ sở, chi bộ cơ sở.", 400)
    if payload.get("xep_loai_cap_uy") and unit.type not in CUCS_TYPES:
        return error("bad_decision", f"{unit.name} không phải tổ chức cơ sở đảng nên cấp ủy của "
                     "đơn vị không tính vào dòng «Cấp ủy cơ sở»; bỏ xep_loai_cap_uy.", 400)
    data = DecisionInSchema().load(payload)
    s = db.session()
    for _attempt in range(3):
        d = s.scalar(select(Decision).where(Decision.round_id == rnd.id,
                                            Decision.unit_id == unit.id))
        if d is None:
            d = Decision(round_id=rnd.id, unit_id=unit.id)
            s.add(d)
        d.xep_loai, d.note = data["xep_loai"], data["note"]
        d.xep_loai_cap_uy = data["xep_loai_cap_uy"]
        d.decided_by, d.decided_at = p.label, utcnow()
        try:
            s.commit()
            break
        except IntegrityError:  # two first decisions at once: the row exists now, last one wins
            s.rollback()
    else:
        return error("busy", "Máy chủ đang ghi một quyết định khác cho đơn vị này; hãy gửi lại "
                     "sau ít giây.", 503)
    return jsonify(DecisionSchema().dump({"unit": unit.code, "round": rnd.id,
                                          "xep_loai": d.xep_loai,
                                          "xep_loai_cap_uy": d.xep_loai_cap_uy,
                                          "decided_by": d.decided_by,
                                          "decided_at": utc(d.decided_at), "note": d.note}))


@bp.get("/openapi.json")
def openapi():
    from .openapi import spec
    return jsonify(spec())
