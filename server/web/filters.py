"""Jinja filters: Vietnamese time, numbers and labels, so templates never format by hand."""
from __future__ import annotations

import datetime as dt

from workbook_templates.findings import SEVERITY_LABEL
from workbook_templates.spec.domain import DECISION_LABEL, UNIT_TYPE_LABEL

from ..summary import local_time
from . import bp


@bp.app_template_filter("vn_time")
def vn_time(t: dt.datetime | None) -> str:
    """Stored UTC -> «14:05 22/11/2026», Vietnamese wall-clock time."""
    return local_time(t).strftime("%H:%M %d/%m/%Y") if t else ""


@bp.app_template_filter("form_title")
def form_title(form_id: str) -> str:
    """«bao_cao_nam» -> the form set's Vietnamese title, as the template shows it."""
    from workbook_templates.spec import form_sets
    fs = form_sets().get(form_id)
    return fs.title if fs else form_id


@bp.app_template_filter("vn_date")
def vn_date(d: dt.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


@bp.app_template_filter("level")
def level(code: str | None) -> str:
    if not code:
        return "(chưa ghi)"
    return DECISION_LABEL.get(code) or str(code)


@bp.app_template_filter("unit_type")
def unit_type(code: str | None) -> str:
    return UNIT_TYPE_LABEL.get(code or "", code or "")


@bp.app_template_filter("printed_ref")
def printed_ref(form, name: str) -> str:
    """A cell of `form` as the printed form numbers it: «Biểu 3, dòng 1.1, cột (7)»."""
    from workbook_templates.spec.layout import printed_ref as ref
    return ref(form, name)


@bp.app_template_filter("severity")
def severity(code: str) -> str:
    return SEVERITY_LABEL.get(code, code)


@bp.app_template_filter("rule_title")
def rule_title(rule_id: str) -> str:
    """«R-QUOTA» -> the rule's Vietnamese title from the catalogue (a page never shows the id;
    it stays in a `data-rule` attribute for scripts and tests)."""
    from workbook_templates.rules.catalogue import title
    return title(rule_id)


@bp.app_template_filter("vn_num")
def vn_num(v) -> str:
    """Whole numbers grouped the Vietnamese way, as findings and the printed forms write them:
    1140 -> «1.140»; text and empty cells pass through unchanged."""
    if v is None or isinstance(v, bool):
        return "" if v is None else str(v)
    if isinstance(v, int):
        return f"{v:,}".replace(",", ".")
    if isinstance(v, float):
        if v.is_integer():
            return f"{int(v):,}".replace(",", ".")
        whole, _, frac = f"{v:,.2f}".partition(".")
        return whole.replace(",", ".") + "," + frac.rstrip("0")
    return str(v)


@bp.app_template_filter("pct")
def pct(num: int, den: int) -> str:
    """Half-up, two decimals, Vietnamese decimal comma: 7/12 -> «58,33 %»."""
    if not den:
        return "—"
    from decimal import ROUND_HALF_UP, Decimal
    v = (Decimal(100 * num) / Decimal(den)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{v} %".replace(".", ",")
