"""Choosing the files a summary is made of (SPEC §5): one form set, one year or period, the newest
file of each unit, the valid ones; and the units expected but missing."""
from __future__ import annotations

from ..spec import FormSet, get_form_set
from ..spec import hierarchy as H
from ..spec.domain import UNIT_TYPES
from ..validate import Report
from .model import (
    Child,
    MergeResult,
    Parent,
    _most_common,
    _period_txt,
    _time_key,
    _when,
    sector_code,
    unit_type_code,
)

_TYPE_CODES = {c.code for c in UNIT_TYPES}


def select(children: list[Child], parent: Parent, *, expected: list[dict] | None = None,
           include_invalid: bool = False, base: str = "tot"):
    """Which child files the parent's summary is made of, and why the others are left out: one
    form set, one year (one period for so_ket), the newest file of each unit, valid files only
    unless asked. Returns (the result with nothing summed yet, year, period)."""
    if parent.type not in _TYPE_CODES:
        raise ValueError(f"unknown parent type {parent.type!r}")
    # a fixed order first, so every later choice is deterministic
    children = sorted(children, key=lambda c: (c.code, _time_key(c), c.version or 0, c.source))
    skipped: list = []
    form = _choose_form(children)
    pool = []
    for ch in children:
        if ch.filled.form.id != form.id:
            skipped.append((ch, f"Tệp dùng mẫu «{ch.filled.form.title}», khác mẫu đang tổng hợp "
                                f"«{form.title}»."))
        else:
            pool.append(ch)
    year = parent.year if parent.year is not None else _most_common([c.year for c in pool])
    period = _most_common([c.period for c in pool]) if form.period_names else None
    kept = []
    for ch in pool:
        if year is not None and ch.year != year:
            skipped.append((ch, f"Tệp có {form.year_label} {ch.year if ch.year else '(trống)'}, "
                                f"khác năm tổng hợp {year}."))
        elif period is not None and ch.period != period:
            skipped.append((ch, f"Tệp sơ kết giai đoạn {_period_txt(ch.period)}, khác giai đoạn "
                                f"tổng hợp {_period_txt(period)}."))
        else:
            kept.append(ch)
    # two files of the same unit: the newer one is used
    superseded, by_code = [], {}
    for ch in kept:
        by_code.setdefault(ch.code, []).append(ch)
    latest = []
    for code in sorted(by_code):
        group = sorted(by_code[code], key=lambda c: (_time_key(c), c.version or 0, c.source))
        newest = group[-1]
        for old in group[:-1]:
            superseded.append((old, newest))
            skipped.append((old, f"Đơn vị {newest.name} ({code}) nộp nhiều tệp; dùng tệp mới "
                                 f"hơn {newest.source}{_when(newest)}, bỏ tệp {old.source}"
                                 f"{_when(old)}."))
        latest.append(newest)
    included = []
    for ch in latest:
        if ch.returned:
            skipped.append((ch, ch.returned))
        elif ch.report.valid:
            included.append(ch)
        elif include_invalid:
            included.append(ch)
        else:
            skipped.append((ch, _errors_txt(ch.report)))
    exp = _expected_for(expected, parent)
    # the units list is the register: its sector is the one counted (SPEC §7.1)
    listed = {e["code"]: e["sector"] for e in exp or () if e.get("sector")}
    for ch in included:
        if ch.code in listed:
            ch.sector = listed[ch.code]
    submitted = {c.code for c in children}
    missing = [e for e in exp if str(e.get("code") or "").strip() not in submitted] if exp else []

    result = MergeResult(form=form, values={}, included=included, skipped=skipped,
                         missing=missing, parent=parent, expected=exp, superseded=superseded,
                         base=base)
    y = year if isinstance(year, int) else None
    for c in included:
        if c.unit_type and not H.may_have_child(parent.type, c.unit_type, y):
            result.notes.append(
                f"{c.name} ({c.code}): {H.bad_parent_message(c.unit_type, parent.type, y)}. "
                "Đơn vị vẫn được tổng hợp — kiểm tra lại loại đơn vị hoặc cấp tổng hợp.")
    return result, year, period


def _choose_form(children) -> FormSet:
    if not children:
        return get_form_set("bao_cao_nam")
    ids = _most_common([c.filled.form.id for c in children])
    return get_form_set(ids)


def _errors_txt(report: Report) -> str:
    errs = report.errors
    head = "; ".join(f"{f.printed_ref or f.ref}: {f.message.rstrip('.')}" for f in errs[:3])
    more = f"; và {len(errs) - 3} lỗi khác" if len(errs) > 3 else ""
    return (f"Tệp có {len(errs)} lỗi nên không được tổng hợp ({head}{more}). Đơn vị sửa rồi nộp "
            "lại, hoặc người tổng hợp chọn tổng hợp cả tệp còn lỗi.")


def _expected_for(expected, parent: Parent):
    """Units expected to report to this parent: entries whose parent code is this parent's code
    (or blank). A units list may describe a whole tree."""
    if not expected:
        return expected
    out = []
    for e in expected:
        pc = str(e.get("parent_code") or "").strip()
        if not pc or pc == parent.code:
            out.append({"code": str(e.get("code") or "").strip(),
                        "name": str(e.get("name") or "").strip(),
                        "type": unit_type_code(e.get("type")) or (e.get("type") or ""),
                        "parent_code": pc, "sector": sector_code(e.get("sector"))})
    return sorted(out, key=lambda e: e["code"])
