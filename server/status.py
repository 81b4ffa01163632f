"""Where a round stands and how a submission is told, as the API answers them and the pages,
the province's overview and the add-in's remote route show them: one service below all of them
(it imports no view), so nothing needs to import the API module for its data."""
from __future__ import annotations

import datetime as dt

from .intake import VN, is_late
from .models import Round, Submission
from .schemas import RoundSchema, SubmissionSchema
from .summary import decisions, latest_by_unit


def utc(t):
    return t.replace(tzinfo=dt.timezone.utc) if t is not None else None


def local_day(t: dt.datetime) -> dt.date:
    """A stored UTC time's Vietnamese calendar day (as `intake.is_late` compares it)."""
    return t.replace(tzinfo=dt.timezone.utc).astimezone(VN).date()


def round_raw(rnd: Round) -> dict:
    return {"id": rnd.id, "unit": rnd.unit.code, "unit_name": rnd.unit.name,
                               "form": rnd.form, "year": rnd.year, "deadline": rnd.deadline,
                               "is_open": rnd.is_open, "ngoai_le_25": rnd.ngoai_le_25,
                               "dac_thu": list(rnd.dac_thu or []), "han_dac_thu": rnd.han_dac_thu}


def round_json(rnd: Round) -> dict:
    return RoundSchema().dump(round_raw(rnd))


def submission_json(sub: Submission) -> dict:
    return SubmissionSchema().dump({
        "id": sub.id, "unit": sub.unit.code, "unit_name": sub.unit.name, "round": sub.round_id,
        "version": sub.version, "sha256": sub.sha256, "size": sub.size,
        "filename": sub.filename, "uploaded_at": utc(sub.uploaded_at),
        "late": is_late(sub, sub.round), "valid": sub.valid, "errors": sub.n_errors,
        "warnings": sub.n_warnings, "rule_pack": sub.rule_pack, "template": sub.template,
        "xep_loai": sub.xep_loai, "findings": sub.findings,
        "returned": sub.returned_at is not None, "return_comment": sub.return_comment,
        "returned_by": (sub.returned_by or "").split(":", 1)[-1] or None,
        "returned_at": utc(sub.returned_at)})


def status(rnd: Round, latest: dict | None = None) -> dict:
    """Where each expected unit stands. `latest`: `summary.latest_by_unit(rnd)` when the caller
    already has it (the dashboard reads it once for the status and the contacts)."""
    latest = latest_by_unit(rnd) if latest is None else latest
    decided = decisions(rnd)
    today = dt.datetime.now(VN).date()
    units = []
    for u in rnd.unit.children:
        last, valid = latest.get(u.id, (None, None))
        d = decided.get(u.id)
        deadline = rnd.deadline_for(u)
        units.append({
            "code": u.code, "name": u.name, "type": u.type, "submitted": last is not None,
            "deadline": deadline, "dac_thu": rnd.is_special(u),
            "version": last.version if last else None,
            "submission_id": last.id if last else None,
            "uploaded_at": utc(last.uploaded_at) if last else None,
            # is_late(last, rnd), without loading last.unit again: u is that unit
            "late": (local_day(last.uploaded_at) > deadline) if last else None,
            "overdue": last is None and today > deadline,
            "valid": last.valid if last else None,
            "errors": last.n_errors if last else None,
            "warnings": last.n_warnings if last else None,
            "valid_version": valid.version if valid else None,
            "proposed": (valid or last).xep_loai if last else None,
            "decided": d.xep_loai if d else None,
            "decided_cap_uy": d.xep_loai_cap_uy if d else None,
            "returned": last is not None and last.returned_at is not None})
    return {"round": round_raw(rnd), "expected": len(units),
            "submitted": sum(u["submitted"] for u in units),
            "valid": sum(1 for u in units if u["valid_version"] is not None),
            "late": sum(1 for u in units if u["late"]),
            "overdue": sum(1 for u in units if u["overdue"]),
            "returned": sum(1 for u in units if u["returned"]), "units": units}
