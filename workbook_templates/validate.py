"""Filled workbook + rule pack -> findings.

Steps: parse every input cell (R-NUM, R-REQ, R-PHONE), recompute every derived value from the
inputs (never from a cached formula result), pick the rule pack from the rating year, run the
checks of `rules.checks`, and mark warnings the unit explained on the "Giải trình" sheet.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .findings import ERROR, WARNING, Finding, sort_key
from .read import Filled, read_workbook
from .rules import checks
from .rules import parse as P
from .rules.catalogue import RULES
from .rules.packs import PACKS, RulePack, pack_for_year
from .spec.domain import UNIT_TYPE_LABEL
from .spec.layout import printed_ref, resolve_printed
from .spec.model import (
    CHOICE,
    COUNT,
    DATE,
    DERIVED,
    DOCDATE,
    DOCNO,
    PHONE,
    SCORE,
    TEXT,
    XMARK,
    YEAR,
    EvalContext,
)

BASES = ("tot", "tot_tro_len")


@dataclass
class Report:
    template: str
    version: str
    rule_pack: str
    findings: list[Finding]
    values: dict = field(default_factory=dict)
    source: str = ""
    unit_type: str | None = None
    year: int | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict:
        return {"file": self.source, "template": self.template, "version": self.version,
                "rule_pack": self.rule_pack, "valid": self.valid, "year": self.year,
                "unit_type": self.unit_type, "errors": len(self.errors),
                "warnings": len(self.warnings),
                "findings": [f.to_dict() for f in self.findings]}


class Ctx:
    """What a check sees: parsed and computed values, the pack, and a way to report."""

    def __init__(self, filled: Filled, pack: RulePack, base: str, today: dt.date):
        self.filled, self.form, self.pack, self.base, self.today = (
            filled, filled.form, pack, base, today)
        self.val: dict = {}
        self._blank: dict[str, bool] = {}
        self.findings: list[Finding] = []
        self.unit_type = None
        self.share = pack.quota_share

    # reporting ---------------------------------------------------------------------------------
    def add(self, rule, name, message, hint="", severity=None):
        """Report a finding of catalogue rule `rule` on cell `name`; a sub-rule (R-QUOTA-SUMMED)
        is reported under its parent's id with its own severity and reference."""
        if not self.pack.enabled(rule):
            return
        c = self.form.cells.get(name)
        self.findings.append(Finding(
            rule=RULES[rule].reported_as, severity=severity or self.pack.severity(rule),
            sheet=c.sheet if c else "", cell=c.a1 if c else "", name=name if c else "",
            message=message, hint=hint, regulation=self.pack.regulation(rule),
            row_label=c.row_label if c else "", col_label=c.col_label if c else "",
            printed_ref=printed_ref(self.form, name) if c else ""))

    # lookups -----------------------------------------------------------------------------------
    def cell(self, name):
        return self.form.cells[name]

    def blank(self, name) -> bool:
        if name not in self._blank:
            c = self.form.cells.get(name)
            if c is None:
                self._blank[name] = True
            elif c.kind == DERIVED:
                self._blank[name] = all(self.blank(r) for r in c.expr.refs)
            else:
                v = self.val.get(name)
                self._blank[name] = v is None or v is False
        return self._blank[name]

    def row_inputs(self, name):
        c = self.cell(name)
        if c.kind != DERIVED:
            return [name]
        return list(c.expr.refs)

    @property
    def unit_type_label(self) -> str:
        return UNIT_TYPE_LABEL.get(self.unit_type, "đơn vị")

    def choice_label(self, name) -> str:
        code = self.val.get(name)
        for ch in self.cell(name).choices:
            if ch.code == code:
                return ch.label
        return str(code)

    def year_of(self, cell) -> str:
        start = self.val.get("TT_TuNam")
        if isinstance(start, int) and cell.year_index is not None:
            return str(start + cell.year_index)
        return f"thứ {cell.year_index + 1}" if cell.year_index is not None else ""


def _input_formulas(ctx: Ctx):
    """R-FORMULA on an input cell: the reader did not take its value (a cached result is what
    the sender's program wrote, not what the form says), so the unit must type the number."""
    for name in ctx.filled.input_formulas:
        c = ctx.form.cells[name]
        where = f"{c.row_label} — {c.col_label}" if c.col_label else c.row_label
        ctx.add("R-FORMULA", name,
                f"Ô nhập liệu chứa công thức: ô {c.sheet}!{c.a1} ({where}) phải gõ trực tiếp "
                "số liệu, máy không dùng kết quả của công thức trong ô nhập liệu.",
                "Xóa công thức rồi gõ con số (hoặc chữ) vào ô; nếu chép từ bảng khác, hãy dùng "
                "«Dán đặc biệt → Giá trị» (Paste Values).")


def _parse_inputs(ctx: Ctx):
    raw_values = ctx.filled.raw
    val = ctx.val
    for c in ctx.form.inputs():
        raw = raw_values.get(c.name)
        kind = c.kind
        if raw is None:  # most cells of a form are blank: what every parser gives for None
            if kind == XMARK:
                val[c.name] = False
                continue
            val[c.name] = None
            if c.required and not any(f.name == c.name for f in ctx.findings):
                ctx.add("R-REQ", c.name, f"Chưa ghi «{c.row_label}» ở sheet {c.sheet}.",
                        "Ô này bắt buộc; hãy điền trước khi gửi.")
            continue
        if kind == COUNT:
            v, problem = P.parse_count(raw)
            if problem:
                ctx.add("R-NUM", c.name,
                        f"Ô {c.sheet}!{c.a1} ({c.row_label} — {c.col_label}) {problem}.",
                        "Xóa ô rồi gõ lại số nguyên không âm, không dấu chấm, không chữ.")
        elif kind == YEAR:
            v, problem = P.parse_year(raw, ctx.today)
            if problem:
                ctx.add("R-REQ" if c.name.startswith("TT_") else "R-NUM", c.name,
                        f"{c.row_label}: {problem}.", "Ghi năm có 4 chữ số, không ở tương lai.")
        elif kind == DATE:
            v, problem = P.parse_date(raw)
            if problem:
                ctx.add("R-REQ", c.name, f"{c.row_label}: {problem}.",
                        "Ghi ngày dạng ngày/tháng/năm, ví dụ 15/12/2025.")
        elif kind == CHOICE:
            v, problem = P.parse_choice(raw, c.choices)
            if problem:
                ctx.add("R-REQ", c.name, f"{c.row_label} — {c.col_label}: {problem}.",
                        "Chọn một giá trị trong danh sách thả xuống của ô.")
        elif kind == XMARK:
            v, problem = P.parse_xmark(raw)
            if problem:
                ctx.add("R-XMARK", c.name, f"Dòng «{c.row_label}», cột «{c.col_label}»: "
                        f"{problem}.", "Chỉ đánh dấu chữ x hoặc để trống.")
        elif kind == SCORE:
            v, problem = P.parse_score(raw)
            if problem:
                ctx.add("R-DIEM", c.name, f"{c.row_label}: {problem}.",
                        "Ghi điểm bằng số từ 0 đến 100 (thang 100 điểm), ví dụ 92 hoặc 89,5.")
        elif kind in (TEXT, DOCNO, PHONE):
            v, _ = P.parse_text(raw)
        elif kind == DOCDATE:
            v = raw
        else:  # pragma: no cover - every input kind is handled above
            v = raw
        ctx.val[c.name] = v
        if c.required and v is None and not any(f.name == c.name for f in ctx.findings):
            ctx.add("R-REQ", c.name, f"Chưa ghi «{c.row_label}» ở sheet {c.sheet}.",
                    "Ô này bắt buộc; hãy điền trước khi gửi.")


def _compute(ctx: Ctx, ectx: EvalContext):
    form = ctx.form

    def get(name):
        if name not in ctx.val:
            c = form.cells[name]
            ctx.val[name] = c.expr.evaluate(get, ectx)
        return ctx.val[name]

    for c in form.derived():
        get(c.name)


_EXPLAIN: dict = {}


def _explain_rows(form) -> list[tuple[int, tuple[str, str, str, str]]]:
    if form.id not in _EXPLAIN:
        n = sum(1 for name in form.cells if name.startswith("GT_NoiDung_"))
        _EXPLAIN[form.id] = [(i, tuple(f"GT_{k}_{i}" for k in ("Bieu", "Dong", "Cot", "NoiDung")))
                             for i in range(1, n + 1)]
    return _EXPLAIN[form.id]


def _explain(ctx: Ctx):
    """Warnings that the unit explained on "Giải trình" stay warnings, marked explained. A row
    names a cell as the printed form does (Biểu 3, dòng 1, cột (7); a blank column is the whole
    row) or by its address (Biểu 3!G11); a row that points at no warning is reported, since the
    superior would otherwise read an explanation of nothing."""
    warned: dict[str, list] = {}
    for f in ctx.findings:
        if f.severity == WARNING and f.name:
            warned.setdefault(f.name, []).append(f)
    for i, (bieu, dong, cot, noi_dung) in _explain_rows(ctx.form):
        raw = [ctx.filled.raw.get(n) for n in (bieu, dong, cot)]
        if all(v in (None, "") for v in raw) or not ctx.val.get(noi_dung):
            continue
        names = resolve_printed(ctx.form, *raw)
        shown = ", ".join(str(v) for v in raw if v not in (None, ""))
        if not names:
            ctx.add("R-GT", bieu, f"Dòng {i} của Giải trình chỉ tới «{shown}»: không có ô nào "
                    "như vậy trên các biểu.",
                    "Ghi tên biểu (Biểu 3), số thứ tự của dòng (1.1) và số cột như in dưới tiêu "
                    "đề cột (7).")
            continue
        hits = [f for n in names for f in warned.get(n, ())]
        if not hits:
            where = printed_ref(ctx.form, next(iter(names))) if len(names) == 1 else f"«{shown}»"
            ctx.add("R-GT", bieu, f"Dòng {i} của Giải trình giải trình {where} nhưng ở đó không "
                    "có cảnh báo nào.",
                    "Kiểm tra lại biểu, dòng và cột; xóa dòng giải trình nếu không còn cần.")
        for f in hits:
            f.explained = True


def choose_pack(filled: Filled, rules: str | None, today: dt.date) -> tuple[RulePack, int | None]:
    year_raw = filled.raw.get(filled.form.rating_year_name)
    year, _ = P.parse_year(year_raw, today)
    if rules:
        return PACKS[rules.upper()], year
    return pack_for_year(year), year


def validate(filled: Filled, base: str = "tot", rules: str | None = None,
             today: dt.date | None = None) -> Report:
    if base not in BASES:
        raise ValueError(f"base must be one of {BASES}")
    today = today or dt.date.today()
    pack, year = choose_pack(filled, rules, today)
    ctx = Ctx(filled, pack, base, today)
    _input_formulas(ctx)
    _parse_inputs(ctx)
    ctx.unit_type = ctx.val.get("TT_LoaiDonVi")
    ctx.share = pack.share(ctx.val.get("TT_NgoaiLe25") == "CO")
    phone = P.phone_problem(filled.raw.get("TT_DienThoai"))
    if phone:
        ctx.add("R-PHONE", "TT_DienThoai", f"Số điện thoại: {phone}.",
                "Ghi số di động (10 chữ số) hoặc cố định (11 chữ số, bắt đầu 02) để cấp trên "
                "liên hệ.")
    _compute(ctx, EvalContext(ctx.share, base))
    for check in checks.checks_for(ctx.form):
        check(ctx)
    _explain(ctx)
    findings = sorted(ctx.findings, key=sort_key)
    values = dict(ctx.val)
    for c in ctx.form.derived():  # percentages are Decimals while computed; plain floats out
        v = values.get(c.name)
        if isinstance(v, Decimal):
            values[c.name] = float(v)
    return Report(filled.form.id, filled.version, pack.id, findings, values, filled.source,
                  ctx.unit_type, year)


def validate_file(path: str | Path, **kw) -> Report:
    return validate(read_workbook(path), **kw)
