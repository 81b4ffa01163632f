"""An upload from a unit, from bytes to a stored, validated `Submission`.

Order matters: everything that can refuse a file (no open round, pre-check, reader, wrong round,
another unit's workbook) happens before anything is written, so a refused file leaves the
database and the storage untouched. A workbook that reads but has errors is stored and reported —
the unit sees its findings and the collecting office sees the attempt — but never merged.

Two refusals keep the round's counts honest: a workbook that names no unit or no year (a blank
template) is refused, not counted as "submitted"; the very same bytes the unit's latest version
already holds, found as they were then, make no new version (the answer names that version:
`Submission.duplicate`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from workbook_templates import reading
from workbook_templates.findings import Finding
from workbook_templates.read import ReadError, read_workbook
from workbook_templates.rules.checks import exception_not_granted, year_over_year
from workbook_templates.rules.packs import PACKS
from workbook_templates.spec import get_form_set
from workbook_templates.spec.domain import SECTOR_LABEL, UNIT_TYPE_LABEL
from workbook_templates.spec.layout import printed_ref
from workbook_templates.validate import Report, validate

from . import db, storage
from .models import Round, Submission, Unit, utcnow
from .precheck import Rejected, check_upload
from .textnorm import code_key

VN = dt.timezone(dt.timedelta(hours=7))


def open_rounds_for(unit: Unit) -> list[Round]:
    if unit.parent_id is None:
        return []
    return list(db.session().scalars(select(Round).where(
        Round.unit_id == unit.parent_id, Round.is_open.is_(True)).order_by(Round.year)))


def check(data: bytes, filename: str = "") -> tuple[Report, dict | None]:
    """Pre-check, read and validate with the deployment's settings; raises `Rejected`.
    Returns the report and the reading record kept with the submission."""
    check_upload(data, filename, current_app.config["MAX_CONTENT_LENGTH"])
    try:
        filled = read_workbook(data)
    except ReadError as e:
        raise Rejected.of(e) from e
    base, rules = current_app.config["QUOTA_BASE"], current_app.config["RULES"]
    report = validate(filled, base=base, rules=rules)
    return report, reading.dump(filled, report, base=base, rules=rules)


def receive(unit: Unit, data: bytes, filename: str, uploaded_by: str,
            remote_addr: str = "") -> tuple[Submission, Report]:
    rounds = open_rounds_for(unit)
    if not rounds:
        above = unit.parent.name if unit.parent else "đơn vị cấp trên"
        raise Rejected("no_open_round", f"{above} chưa mở đợt nhận báo cáo nào cho {unit.name}. "
                       "Hãy liên hệ văn phòng cấp trên.", 409)
    report, record = check(data, filename)   # the record before R-YOY, as a re-read gives it
    _identified(report)
    rnd = _round_for(report, rounds, unit)
    _same_unit(report, unit)
    report.findings.extend(registry_findings(report, unit))
    report.findings.extend(_year_over_year(report, unit, rnd))
    if not rnd.ngoai_le_25:     # R-NGOAILE25: the exception is the round's, never the unit's
        report.findings.extend(exception_not_granted(report, rnd.unit.name, rnd.year))

    digest = hashlib.sha256(data).hexdigest()
    findings = [f.to_dict() for f in report.findings]
    s = db.session()
    same = _latest_if_same(rnd, unit, digest, findings)
    if same is not None:
        return same, report
    storage.put(data)
    for attempt in range(5):
        if attempt:         # another upload of this unit won the race: the same file again?
            same = _latest_if_same(rnd, unit, digest, findings)
            if same is not None:
                return same, report
        version = (s.scalar(select(func.max(Submission.version)).where(
            Submission.round_id == rnd.id, Submission.unit_id == unit.id)) or 0) + 1
        sub = Submission(
            round_id=rnd.id, unit_id=unit.id, version=version, sha256=digest, size=len(data),
            filename=_clean_name(filename), uploaded_at=utcnow(), uploaded_by=uploaded_by,
            remote_addr=(remote_addr or "")[:64], template=report.template,
            rule_pack=report.rule_pack, valid=report.valid, n_errors=len(report.errors),
            n_warnings=len(report.warnings), findings=findings,
            xep_loai=report.values.get("TT_XepLoai"), reading=record)
        s.add(sub)
        try:
            s.commit()
            return sub, report
        except IntegrityError:      # another upload of the same unit took this version number
            s.rollback()
    raise Rejected("busy", "Máy chủ đang bận ghi biểu của đơn vị này; hãy gửi lại sau ít giây.",
                   503)


def _latest_if_same(rnd: Round, unit: Unit, digest: str, findings: list[dict]
                    ) -> Submission | None:
    """The unit's latest version in this round when it is these very bytes and checking them
    now finds what it found then, marked `duplicate`; sending an older version again is a
    change, so only the latest counts. The same bytes found otherwise are a new version: what
    the unit's file is checked against can change after it was sent — the office records the
    25 % exception decision (R-NGOAILE25), corrects the units register (R-DONVI), last year's
    workbook arrives (R-YOY) — and the unit sending its file again is how it gets the new
    result counted (its old version stays as it was judged)."""
    latest = db.session().scalar(select(Submission).where(
        Submission.round_id == rnd.id, Submission.unit_id == unit.id)
        .order_by(Submission.version.desc()).limit(1))
    if latest is None or latest.sha256 != digest or _as_stored(latest.findings) != \
            _as_stored(findings):
        return None
    latest.duplicate = True
    return latest


def _as_stored(findings) -> str:
    """Findings as the database keeps them (JSON), so a fresh list and a stored one compare."""
    return json.dumps(findings or [], sort_keys=True, ensure_ascii=False, default=str)


def _identified(report: Report) -> None:
    """A workbook must say whose and which year it is before it is stored or counted."""
    form = get_form_set(report.template)
    missing = []
    if "TT_MaDonVi" in form.cells and not str(report.values.get("TT_MaDonVi") or "").strip():
        missing.append(f"mã đơn vị ({printed_ref(form, 'TT_MaDonVi')})")
    if report.year is None:
        c = form.cells[form.rating_year_name]
        missing.append(f"{(c.row_label or 'năm').lower()} ({printed_ref(form, c.name)})")
    if missing:
        raise Rejected("no_identity", f"Biểu chưa ghi {' và '.join(missing)} nên chưa biết là "
                       "biểu của đơn vị nào, năm nào; máy chủ chưa lưu và chưa tính là đã nộp. "
                       "Hãy điền các ô này (năm ghi 4 chữ số) rồi gửi lại.", 422)


def _round_for(report: Report, rounds: list[Round], unit: Unit) -> Round:
    same_form = [r for r in rounds if r.form == report.template]
    if not same_form:
        wanted = ", ".join(f"«{get_form_set(r.form).title}» năm {r.year}" for r in rounds)
        raise Rejected("wrong_form", f"Biểu gửi lên là mẫu «{get_form_set(report.template).title}»"
                       f" nhưng {unit.parent.name} đang nhận {wanted}. Hãy nhập số liệu vào đúng "
                       "mẫu rồi gửi lại.", 422)
    for r in same_form:
        if r.year == report.year:
            return r
    years = ", ".join(str(r.year) for r in same_form)
    got = report.year if report.year is not None else "(chưa ghi)"
    form = get_form_set(report.template)
    cell = form.cells[form.rating_year_name]   # TT_Nam; for a review, its last year TT_DenNam
    raise Rejected("wrong_year", f"Biểu ghi {cell.row_label or 'năm'} là {got} "
                   f"({printed_ref(form, cell.name)}) "
                   f"nhưng đợt nhận báo cáo đang mở là năm {years}. Hãy sửa ô này hoặc dùng đúng "
                   "biểu của năm đó.", 422)


def _norm(code) -> str:
    return code_key(code)        # NFC, case-insensitive: «ĐBLỘC» typed decomposed is the same


def _same_unit(report: Report, unit: Unit) -> None:
    """A caller (token or account) speaks for one unit: a workbook naming another unit is
    refused."""
    code = _norm(report.values.get("TT_MaDonVi"))
    if code and code != _norm(unit.code):
        where = printed_ref(get_form_set(report.template), "TT_MaDonVi")
        raise Rejected("other_unit", f"Biểu ghi mã đơn vị «{report.values.get('TT_MaDonVi')}» "
                       f"({where}) nhưng người gửi là {unit.name} (mã {unit.code}). Mỗi đơn "
                       "vị chỉ gửi biểu của chính mình: sửa mã đơn vị trong biểu, hoặc để đơn vị "
                       "đó tự gửi bằng tài khoản hay mã tải lên của họ.", 403)


def registry_findings(report: Report, unit: Unit) -> list[Finding]:
    """The workbook against the units register (SPEC §7): a unit type other than the registered
    one is an error — the type decides which rows the unit must fill and which ratings it
    decides, and the summary counts the unit by it; a sector other than the registered one is a
    warning (the summary counts the register's sector). Both values are named."""
    form = get_form_set(report.template)
    if not form.rates_units:
        return []
    pack = PACKS[report.rule_pack]
    out = []
    got = report.unit_type
    if got and unit.type and got != unit.type:
        c = form.cells["TT_LoaiDonVi"]
        out.append(Finding(
            "R-DONVI", pack.severity("R-DONVI"), c.sheet, c.a1, c.name,
            f"Biểu ghi loại đơn vị «{UNIT_TYPE_LABEL.get(got, got)}» nhưng danh sách đơn vị của "
            f"cấp trên ghi {unit.name} là «{UNIT_TYPE_LABEL.get(unit.type, unit.type)}».",
            "Chọn lại loại đơn vị ở sheet «Thông tin»; nếu danh sách của cấp trên ghi sai, hãy "
            "báo văn phòng cấp trên sửa.", pack.regulation("R-DONVI"), c.row_label))
    sector = report.values.get("TT_LinhVuc") if "TT_LinhVuc" in form.cells else None
    if sector and unit.linh_vuc and sector != unit.linh_vuc:
        c = form.cells["TT_LinhVuc"]
        out.append(Finding(
            "R-DONVI", pack.severity("R-DONVI-LINHVUC"), c.sheet, c.a1, c.name,
            f"Biểu ghi lĩnh vực «{SECTOR_LABEL.get(sector, sector)}» nhưng danh sách đơn vị của "
            f"cấp trên ghi {unit.name} thuộc lĩnh vực "
            f"«{SECTOR_LABEL.get(unit.linh_vuc, unit.linh_vuc)}»; bản tổng hợp tính theo danh "
            "sách của cấp trên.",
            "Chọn lại lĩnh vực ở sheet «Thông tin»; nếu danh sách của cấp trên ghi sai, hãy báo "
            "văn phòng cấp trên sửa.", pack.regulation("R-DONVI-LINHVUC"), c.row_label))
    return out


def _year_over_year(report: Report, unit: Unit, rnd: Round) -> list:
    """R-YOY against the unit's latest valid workbook of the previous year, if the server has it
    (one the office returned was never accepted: not compared with)."""
    if report.year is None or not get_form_set(report.template).rates_units:
        return []
    s = db.session()
    prev = s.scalar(select(Submission).join(Round).where(
        Submission.unit_id == unit.id, Submission.valid.is_(True),
        Submission.returned_at.is_(None), Round.form == rnd.form, Round.year == report.year - 1)
        .order_by(Submission.version.desc()).limit(1))
    if prev is None:
        return []
    try:
        _, before = stored_reading(prev)
    except Exception:          # the older file was readable when stored; never block on it
        return []
    return year_over_year(report, before)


_UNSET = object()


def stored_reading(sub: Submission, record=_UNSET, keep: bool = False):
    """(Filled, Report) of a stored submission with the deployment's settings: its reading record
    when this engine made it, else the stored file read and validated again — and, with `keep`,
    that new reading stored in place of the missing or stale one (after an upgrade, the first
    summary reads the files once; the next ones do not).
    record: the submission's reading when the caller loaded it in bulk."""
    base, rules = current_app.config["QUOTA_BASE"], current_app.config["RULES"]
    label = sub.filename or "bieu.xlsx"
    got = reading.load(sub.reading if record is _UNSET else record, base=base, rules=rules,
                       source=label)
    if got is not None:
        return got
    filled = read_workbook(storage.get(sub.sha256))
    filled.source = label
    report = validate(filled, base=base, rules=rules)
    if keep:
        fresh = reading.dump(filled, report, base=base, rules=rules)
        if fresh is not None:
            db.session().execute(update(Submission).where(Submission.id == sub.id)
                                 .values(reading=fresh)
                                 .execution_options(synchronize_session=False))
    return filled, report


def register_rows(sub: Submission) -> int:
    """How many member rows the stored file's register has: from its reading, else the file."""
    rec = sub.reading
    if isinstance(rec, dict) and isinstance(rec.get("register_rows"), int):
        return rec["register_rows"]
    try:
        return read_workbook(storage.get(sub.sha256), formulas=False).register_size
    except (ReadError, OSError):
        return 0


def may_see_register(p, sub: Submission) -> bool:
    """SPEC §8: a file carrying a member register (names) goes to the unit itself and the unit
    that collects it (the round's unit) — and the server's administrator — never higher. Those
    above still see the findings and counts; not the file."""
    if p.is_admin or p.may_collect(sub.round):
        return True
    if p.unit is not None and p.unit.id == sub.unit_id:
        return True
    return register_rows(sub) == 0


def _clean_name(name: str) -> str:
    """Keep the name the user chose for display only; paths and control characters dropped."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:200] or "bieu.xlsx"


def is_late(sub: Submission, rnd: Round) -> bool:
    """Late when received after the unit's deadline day ends, Vietnamese time (a unit the round
    names as special has the later day: `Round.deadline_for`)."""
    received = sub.uploaded_at.replace(tzinfo=dt.timezone.utc).astimezone(VN).date()
    return received > rnd.deadline_for(sub.unit)
