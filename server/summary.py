"""A round's summary workbook: the core merge of each child's latest valid submission, with the
collecting unit's decisions applied.

Each child comes from the server's own reading of its stored file, kept with the submission when
it was uploaded (`workbook_templates.reading`): never from the client's formulas or cached values.
A record made by other code or settings is not used; that file is read and validated again from
its stored bytes, and the new reading is kept for the next summary. The sums are recomputed from
the children every time.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import defer

from workbook_templates.merge import Child, Parent, merge

from . import db
from .intake import VN, registry_findings, stored_reading
from .models import Decision, Round, Submission


def local_time(t: dt.datetime) -> dt.datetime:
    """Stored UTC -> Vietnamese wall-clock time, as the office reads it in the workbook."""
    return t.replace(tzinfo=dt.timezone.utc).astimezone(VN).replace(tzinfo=None)


def latest_by_unit(rnd: Round) -> dict[int, tuple[Submission | None, Submission | None]]:
    """unit id -> (latest submission, the one the summary merges) in `rnd`: the latest valid
    version sent after the last one the office returned («Trả lại» sends that version and every
    older one back; None until the unit sends a new valid one). Every version of every unit is
    listed, so the findings (large for a file full of errors) are left unloaded."""
    out: dict[int, list] = {}
    subs = db.session().scalars(select(Submission).where(Submission.round_id == rnd.id)
                                .options(defer(Submission.findings))
                                .order_by(Submission.unit_id, Submission.version))
    for sub in subs:
        latest, valid = out.get(sub.unit_id, (None, None))
        if sub.returned_at is not None:
            valid = None
        elif sub.valid:
            valid = sub
        out[sub.unit_id] = (sub, valid)
    return out


def returned_note(sub: Submission) -> str:
    """Why a returned version is not merged, as the summary and the pages say it."""
    comment = (sub.return_comment or "").strip()
    return (f"Phiên bản {sub.version} đã trả lại ngày {local_time(sub.returned_at):%d/%m/%Y}: "
            f"«{comment}» — chờ đơn vị gửi bản mới.")


def readings(ids: list[int], chunk: int = 500) -> dict[int, dict | None]:
    """submission id -> its reading record, loaded in a few queries (the column is deferred)."""
    out = {}
    s = db.session()
    for i in range(0, len(ids), chunk):
        out.update(s.execute(select(Submission.id, Submission.reading)
                             .where(Submission.id.in_(ids[i:i + chunk]))).all())
    return out


def decisions(rnd: Round) -> dict[int, Decision]:
    return {d.unit_id: d for d in db.session().scalars(
        select(Decision).where(Decision.round_id == rnd.id))}


def build(rnd: Round):
    """The `MergeResult` of the round (call `.to_xlsx()` for the workbook)."""
    base = current_app.config["QUOTA_BASE"]
    decided = decisions(rnd)
    latest = latest_by_unit(rnd)
    chosen = []
    for unit in rnd.unit.children:
        last, valid = latest.get(unit.id, (None, None))
        if last is None:
            continue
        if last.returned_at is not None:
            # returned by the office: listed with the reason, not merged, until a new version
            chosen.append((unit, last, returned_note(last)))
        else:
            # the latest valid file is merged; a unit with only invalid files (since the last
            # return) is passed its latest one, which the merge lists as submitted-with-errors
            # instead of missing
            chosen.append((unit, valid or last, None))
    records = readings([sub.id for _, sub, _ in chosen])
    children = []
    for unit, sub, returned in chosen:
        filled, report = stored_reading(sub, records.get(sub.id), keep=True)
        # the register's type must be the workbook's (an error at upload: the file is not
        # merged); its sector is the one counted
        report.findings = report.findings + registry_findings(report, unit)
        d = decided.get(unit.id)
        children.append(Child(filled, report, source=sub.filename or unit.name,
                              received_at=local_time(sub.uploaded_at),
                              version=sub.version, decision=d.xep_loai if d else None,
                              decision_cap_uy=d.xep_loai_cap_uy if d else None,
                              unit_code=unit.code,      # the token's unit, whatever the file says
                              sector=unit.linh_vuc, returned=returned))
    db.session().commit()       # readings made again for files whose record was missing or stale
    top = rnd.unit
    parent = Parent(name=top.name, code=top.code, type=top.type,
                    cap_tren=top.parent.name if top.parent else "", year=rnd.year,
                    ngoai_le_25=rnd.ngoai_le_25, linh_vuc=top.linh_vuc or "")
    expected = [{"code": u.code, "name": u.name, "type": u.type, "parent_code": top.code}
                for u in top.children]
    return merge(children, parent, expected=expected, base=base)
