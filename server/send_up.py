"""A collecting unit's own report upward, made from its round: a commune's office turns the summary
of its chi bộ into the commune's submission to the province, in one action.

The workbook sent up is the round's summary (`server.summary.build`, the same merge as the
summary download) with the cells the unit fills itself written in: its proposal, its committee,
its head, its own leadership collective and cán bộ rows, who prepared it… Which cells those are
is the merge's answer (`MergeResult.parent_fill`: what the parent must fill, less what the merge
wrote), so the list follows the hierarchy model, never a table of our own. The generated file
goes through the intake like any upload (`server.intake.receive`): read again from its bytes,
validated with the deployment's rules, kept byte for byte as a new version of the unit in the
round above.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from workbook_templates.findings import Finding
from workbook_templates.merge import MergeResult
from workbook_templates.spec.model import (
    CHOICE,
    COUNT,
    DATE,
    DOCDATE,
    DOCNO,
    PHONE,
    SCORE,
    TEXT,
    XMARK,
    YEAR,
    Cell,
)
from workbook_templates.validate import Report

from .intake import check, receive, stored_reading
from .models import Round, Submission
from .precheck import Rejected
from .rounds import parent_round, sent_up
from .summary import build

#: Who the unit is: the server writes these from its register, never from the form.
IDENTITY = frozenset({"TT_DonVi", "TT_MaDonVi", "TT_LoaiDonVi", "TT_Nam", "TT_CapTren"})
#: Thông tin the unit may still change though the merge wrote a default (date, place, author).
ALWAYS = ("TT_NgayLap", "TT_DiaDanh", "TT_NguoiLap", "TT_DienThoai")
TEXT_KINDS = (TEXT, PHONE, DOCNO, DOCDATE)
MAX_TEXT = 300


class SendUpError(Exception):
    """The report cannot be sent (no round above, nothing to merge); message for the user."""


@dataclass
class Draft:
    """What the send-up page shows: the merged summary, the round it goes to, the cells the unit
    fills itself (in workbook order) with their current values, the last report sent."""

    rnd: Round
    above: Round | None
    result: MergeResult
    fields: list[Cell]
    values: dict                      # name -> value as the form shows it (str)
    previous: Submission | None
    problems: dict = field(default_factory=dict)   # name -> what is wrong with the typed value
    report: Report | None = None

    @property
    def merged(self) -> int:
        return len(self.result.included)

    def findings_on(self, name: str) -> list[Finding]:
        return [f for f in (self.report.findings if self.report else []) if f.name == name]

    @property
    def other_findings(self) -> list[Finding]:
        mine = {c.name for c in self.fields}
        return [f for f in (self.report.findings if self.report else []) if f.name not in mine]


def own_fields(result: MergeResult) -> list[Cell]:
    """The input cells the collecting unit fills itself on its report upward."""
    form = result.form
    # what the merge left for the parent, less the rows its decisions on the children make up
    # (Biểu 2/3 rows other than the parent's own: they come from the decisions page)
    names = {n for n in result.parent_fill if n not in result.values and (
        form.cells[n].sheet not in ("Biểu 2", "Biểu 3") or form.cells[n].row_key in
        result.own_rows)}
    names |= {n for n in ALWAYS if n in form.cells}
    # every other Thông tin field the merge left blank is the unit's to state (its sector, its
    # scores and tasks under QĐ 366 …): a field added to the form set appears here by itself
    names |= {c.name for c in form.cells.values()
              if c.sheet == form.sheet_names[0] and c.is_input and c.name not in result.values}
    cells = [form.cells[n] for n in names - IDENTITY if form.cells[n].is_input]
    order = form.sheet_names
    return sorted(cells, key=lambda c: (order.index(c.sheet), c.row, c.col))


def draft(rnd: Round, typed: dict | None = None) -> Draft:
    """The page's content: the merge, the fields and their values — what the user typed, else
    what the unit sent last time, else what the merge wrote."""
    result = build(rnd)
    fields = own_fields(result)
    previous = sent_up(rnd)
    values = {c.name: _show(result.values.get(c.name), c) for c in fields}
    if previous is not None and typed is None:
        try:
            raw = stored_reading(previous)[0].raw
        except Exception:       # an old file that no longer reads: start from the merge
            raw = {}
        for c in fields:
            if c.name not in IDENTITY and raw.get(c.name) not in (None, "") and \
                    c.name not in ("TT_NgayLap",):
                values[c.name] = _show(raw.get(c.name), c)
    if typed is not None:
        values.update({c.name: str(typed.get(c.name, "")).strip() for c in fields})
    return Draft(rnd, parent_round(rnd), result, fields, values, previous)


def parse(d: Draft) -> dict:
    """The typed values as the workbook holds them; what cannot be read goes to `d.problems`."""
    out = {}
    for c in d.fields:
        raw = d.values.get(c.name, "")
        if raw == "":
            out[c.name] = None
            continue
        try:
            out[c.name] = _value(c, raw)
        except ValueError as e:
            d.problems[c.name] = str(e)
    return out


def compose(d: Draft, values: dict) -> bytes:
    """The summary workbook with the unit's own cells written in: the file sent upward."""
    result = d.result
    for name, v in values.items():
        if v is None:
            result.values.pop(name, None)
        else:
            result.values[name] = v
    result.own_rows = ()        # filled by the unit now: no «cấp tổng hợp tự điền» marks
    return result.to_xlsx()


def file_name(rnd: Round) -> str:
    return f"{rnd.unit.code}_{rnd.form}_{rnd.year}_bao_cao_gui_len.xlsx"


def ready(d: Draft) -> None:
    """Raise `SendUpError` when there is nowhere to send or nothing to send."""
    rnd = d.rnd
    if rnd.unit.parent is None:
        raise SendUpError(f"{rnd.unit.name} không có cấp trên trong danh sách đơn vị nên không có "
                          "nơi gửi báo cáo lên.")
    if d.above is None:
        raise SendUpError(f"{rnd.unit.parent.name} chưa mở đợt nhận «{d.result.form.title}» năm "
                          f"{rnd.year}, nên chưa gửi lên được. Hãy liên hệ văn phòng "
                          f"{rnd.unit.parent.name}.")
    if not d.result.included:
        raise SendUpError("Chưa có biểu hợp lệ nào của đơn vị trực thuộc để tổng hợp: báo cáo gửi "
                          "lên sẽ không có số liệu. Chờ các đơn vị gửi biểu hợp lệ rồi gửi lên.")


def check_draft(d: Draft) -> bytes | None:
    """Compose and validate with the server's rules (the same as any upload); the workbook, or
    None when a typed value could not be read (`d.problems`)."""
    values = parse(d)
    if d.problems:
        return None
    data = compose(d, values)
    try:
        d.report, _ = check(data, file_name(d.rnd))
    except Rejected as e:        # our own workbook should always read; say so plainly if not
        raise SendUpError(e.message) from e
    return data


def send(d: Draft, by: str, remote_addr: str = "") -> Submission | None:
    """Check, then store in the round above as the unit's next version — only when the report
    has no error (warnings are sent: the level above reads them). None: not sent."""
    ready(d)
    data = check_draft(d)
    if data is None or d.report is None or not d.report.valid:
        return None
    sub, d.report = receive(d.rnd.unit, data, file_name(d.rnd), by, remote_addr)
    return sub


# --- values between the form and the workbook ----------------------------------------------------

def _show(v, c: Cell) -> str:
    """A workbook value as the form's input shows it."""
    if v is None:
        return ""
    if c.kind == CHOICE:
        s = str(v).strip().casefold()
        for ch in c.choices:
            if s in (ch.code.casefold(), ch.label.casefold()):
                return ch.code
        return str(v)
    if c.kind == DATE and isinstance(v, (dt.date, dt.datetime)):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _value(c: Cell, raw: str):
    """A typed value -> what the cell holds; ValueError with a Vietnamese message."""
    where = f"{c.row_label}" + (f", cột «{c.col_label}»" if c.col_label else "")
    if c.kind == COUNT:
        if not re.fullmatch(r"\d{1,7}", raw):
            raise ValueError(f"«{raw}» ở {where} không phải số nguyên không âm: ghi "
                             "số, ví dụ 0 hoặc 12.")
        return int(raw)
    if c.kind == SCORE:
        # a number on the 100-point scale, "89,5" as Vietnamese write it; anything else goes into
        # the cell as typed and the validator says what it probably means (R-DIEM)
        if re.fullmatch(r"\d{1,3}([.,]\d{1,2})?", raw):
            x = float(raw.replace(",", "."))
            return int(x) if x.is_integer() else x
        return raw[:MAX_TEXT]
    if c.kind == YEAR:
        if not re.fullmatch(r"\d{4}", raw):
            raise ValueError(f"«{raw}» ở {where} không phải năm có 4 chữ số.")
        return int(raw)
    if c.kind == CHOICE:
        for ch in c.choices:
            if raw.casefold() in (ch.code.casefold(), ch.label.casefold()):
                return ch.label         # as the workbook's drop-down writes it
        allowed = "; ".join(ch.label for ch in c.choices)
        raise ValueError(f"«{raw}» ở {where} không có trong danh sách: {allowed}.")
    if c.kind == DATE:
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(raw, fmt)
            except ValueError:
                pass
        raise ValueError(f"«{raw}» ở {where} không phải ngày: ghi ngày/tháng/năm, "
                         "ví dụ 15/12/2026.")
    if c.kind == XMARK:
        return "x"
    if c.kind in TEXT_KINDS:
        return raw[:MAX_TEXT]
    return raw[:MAX_TEXT]
