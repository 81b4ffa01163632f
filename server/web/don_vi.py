"""A unit's page: send the workbook (drag and drop, progress bar), the findings of every version,
what changed between versions, the annotated copy and a blank template already carrying the
unit's name, code and year."""
from __future__ import annotations

import datetime as dt
import io

from flask import abort, flash, jsonify, render_template, request, send_file, url_for
from sqlalchemy import select

from workbook_templates.findings import fmt_int
from workbook_templates.sample import fill_template
from workbook_templates.spec import form_sets, get_form_set
from workbook_templates.spec.domain import UNIT_TYPE_LABEL
from workbook_templates.spec.layout import printed_ref

from .. import db
from ..intake import is_late, may_see_register, open_rounds_for, receive, stored_reading
from ..models import Round, Submission, Unit
from ..precheck import Rejected
from ..rounds import may_read
from . import bp
from .access import login_required, may_see_unit, may_upload_for, principal, unit_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/don-vi/<code>")
@login_required
def unit_page(code: str):
    p, unit = principal(), unit_or_404(code)
    if not may_see_unit(p, unit):
        abort(403)
    subs = list(db.session().scalars(
        select(Submission).where(Submission.unit_id == unit.id)
        .order_by(Submission.round_id.desc(), Submission.version.desc())))
    by_round: dict[int, list[Submission]] = {}
    for s in subs:
        by_round.setdefault(s.round_id, []).append(s)
    history = []
    for versions in by_round.values():
        rows = []
        for i, s in enumerate(versions):
            older = versions[i + 1] if i + 1 < len(versions) else None
            rows.append({"sub": s, "late": is_late(s, s.round),
                         "files": may_see_register(p, s),
                         "changes": changes(older, s) if older is not None else None,
                         "previous": older})
        history.append({"round": versions[0].round, "versions": rows})
    rounds = open_rounds_for(unit)
    templates = template_choices(unit, rounds)
    # a collecting unit (a commune) prepares its report upward from its own round of the same
    # form and year: the page points there instead of a hand-made workbook
    own = {(r.form, r.year): r for r in db.session().scalars(
        select(Round).where(Round.unit_id == unit.id))}
    from_round = {r.id: own.get((r.form, r.year)) for r in rounds}
    return render_template("web/unit.html", unit=unit, rounds=rounds, history=history,
                           templates=templates, may_upload=may_upload_for(p, unit),
                           may_collect=lambda r: may_read(p, r), from_round=from_round,
                           may_return=p.may_collect,
                           type_label=UNIT_TYPE_LABEL.get(unit.type, unit.type))


def template_choices(unit: Unit, rounds) -> list[dict]:
    """One blank template per open round (its form and year); without one, every form set for
    this year, so a unit can start before the round opens."""
    if rounds:
        pairs = [(r.form, r.year) for r in rounds]
    else:
        pairs = [(f, dt.date.today().year) for f in sorted(form_sets())]
    return [{"form": f, "year": y, "title": get_form_set(f).title + f", năm đánh giá {y}",
             "url": url_for("web.blank_template", code=unit.code, form=f, year=y)}
            for f, y in pairs]


@bp.get("/don-vi/<code>/bieu-mau/<form>-<int:year>.xlsx")
@login_required
def blank_template(code: str, form: str, year: int):
    """The blank template of `form`, with Thông tin already carrying this unit (SPEC §3.1)."""
    p, unit = principal(), unit_or_404(code)
    if not may_see_unit(p, unit):
        abort(403)
    if form not in form_sets() or not 2000 <= year <= 2100:
        abort(404)
    values = {"TT_DonVi": unit.name, "TT_MaDonVi": unit.code, "TT_Nam": year,
              "TT_CapTren": unit.parent.name if unit.parent else "",
              "TT_LoaiDonVi": UNIT_TYPE_LABEL.get(unit.type, unit.type)}
    members = last_register(p, unit, form, year)
    data = fill_template(values, form=form, members=members)
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=f"{form}_{year}_{unit.code}.xlsx")


def last_register(p, unit: Unit, form: str, year: int) -> list[dict] | None:
    """The unit's register from its last accepted (valid) workbook of an earlier year, the
    year's ratings cleared (SPEC §8) — only for those who may see it: the unit itself, the unit
    that collects it, an administrator."""
    from workbook_templates.read import read_workbook
    from workbook_templates.spec.danh_sach import carry_over

    from .. import storage
    from ..models import Round
    if get_form_set(form).register is None:
        return None
    if not (p.is_admin or (p.unit is not None and p.unit.id in (unit.id, unit.parent_id))):
        return None
    sub = db.session().scalar(
        select(Submission).join(Round).where(
            Submission.unit_id == unit.id, Submission.valid.is_(True), Round.form == form,
            Round.year < year).order_by(Round.year.desc(), Submission.version.desc()).limit(1))
    if sub is None:
        return None
    try:
        filled = read_workbook(storage.get(sub.sha256), formulas=False)
    except Exception:      # an old file that no longer reads: a blank register, never a 500
        return None
    return carry_over(filled.register or []) or None


@bp.post("/don-vi/<code>/nop")
@login_required
def upload(code: str):
    """The page's upload, through the same intake as `POST /api/v1/submissions`. Answers JSON
    for the page's script: where the new version is shown, or why the file was refused."""
    p, unit = principal(), unit_or_404(code)
    if not may_upload_for(p, unit):
        return jsonify(ok=False, message="Chỉ tài khoản của chính đơn vị mới gửi biểu của đơn "
                       "vị đó."), 403
    f = request.files.get("file")
    if f is None or not f.filename:
        return jsonify(ok=False, message="Chưa chọn tệp: kéo biểu (.xlsx) thả vào khung, hoặc "
                       "bấm «Chọn tệp»."), 400
    try:
        sub, report = receive(unit, f.read(), f.filename, p.label, request.remote_addr or "")
    except Rejected as e:
        return jsonify(ok=False, code=e.code, message=e.message), e.status
    if getattr(sub, "duplicate", False):      # the same bytes as the latest version
        from ..api import duplicate_message
        # the page reloads: the reason stays on it, not only in the line shown before reloading
        flash(duplicate_message(sub), "warn")
        return jsonify(ok=True, valid=sub.valid, version=sub.version, duplicate=True,
                       message=duplicate_message(sub),
                       url=url_for("web.unit_page", code=unit.code, nop=sub.id,
                                   _anchor=f"v{sub.id}")), 200
    if sub.valid:
        msg = f"Đã nhận phiên bản {sub.version}: biểu hợp lệ"
        msg += f" ({fmt_int(sub.n_warnings)} cảnh báo cần giải trình)." if sub.n_warnings else "."
    else:
        msg = (f"Đã lưu phiên bản {sub.version} nhưng biểu còn {fmt_int(sub.n_errors)} lỗi"
               f" và {fmt_int(sub.n_warnings)} cảnh báo: sửa theo bảng bên dưới rồi gửi lại.")
    return jsonify(ok=True, valid=sub.valid, version=sub.version, message=msg,
                   url=url_for("web.unit_page", code=unit.code, nop=sub.id,
                               _anchor=f"v{sub.id}")), 201


def _raw(sub: Submission):
    """Inputs of a stored file by defined name, from the reading kept with the submission (the
    file itself is read only when that record is missing or stale)."""
    filled, _ = stored_reading(sub)
    return filled.form.id, filled.raw


def _blank(v):
    return v is None or (isinstance(v, str) and not v.strip())


def changes(older: Submission, newer: Submission) -> list[dict]:
    """Which input cells differ between two versions: the place as the printed form numbers it,
    the cell as Excel names it, labels, old, new."""
    try:
        form_a, a = _raw(older)
        form_b, b = _raw(newer)
    except Exception:   # a stored file that no longer reads: show the versions without a diff
        return []
    if form_a != form_b:
        return []
    form = get_form_set(form_b)
    out = []
    for name in sorted(set(a) | set(b)):
        va, vb = a.get(name), b.get(name)
        if (_blank(va) and _blank(vb)) or va == vb:
            continue
        cell = form.cells.get(name)
        out.append({"name": name, "ref": cell.ref if cell else name,
                    "place": printed_ref(form, name) if cell else name,
                    "cell": cell.a1 if cell else "",
                    "sheet": cell.sheet if cell else "", "row": cell.row if cell else 0,
                    "col": cell.col if cell else 0,
                    "row_label": cell.row_label if cell else "",
                    "col_label": cell.col_label if cell else "",
                    "old": _show(va), "new": _show(vb)})
    sheets = [s.name for s in form.sheets]
    out.sort(key=lambda c: (sheets.index(c["sheet"]) if c["sheet"] in sheets else 99,
                            c["row"], c["col"]))
    return out


def _show(v) -> str:
    if _blank(v):
        return "(trống)"
    if isinstance(v, dt.datetime):
        return v.strftime("%d/%m/%Y") if v.time() == dt.time() else v.strftime("%d/%m/%Y %H:%M")
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
