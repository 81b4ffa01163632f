"""The Excel add-in: one click "Kiểm tra biểu" checks the open workbook in place, then sends it.

`kiem_tra(book)` is the whole check on any xlwings book (desktop Excel or the remote engine): read
each sheet in one call, hand the grids to the core reader and validator, write the core's marks
back, show the summary. `main()` is what the ribbon button runs (through `kiemdiem.main()`): the
check on the calling workbook and, when it has no error, the offer to send it to the server.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from workbook_templates import marks as M
from workbook_templates.findings import ERROR, Finding
from workbook_templates.read import ReadError, read_grids
from workbook_templates.rules.packs import PACKS
from workbook_templates.validate import BASES, validate

from . import book as B
from . import config as C
from .upload import Sent, missing_settings, send

__all__ = ["kiem_tra", "main", "send"]

TITLE = "Kiểm tra biểu"


def _settings() -> tuple[str, str | None]:
    cfg = C.load_config()
    base = cfg.get(C.CO_SO, "tot").strip().lower()
    rules = cfg.get(C.QUY_DINH, "").strip().upper() or None
    return (base if base in BASES else "tot"), (rules if rules in PACKS else None)


def kiem_tra(book, *, alert: bool = True, today: dt.date | None = None,
             base: str | None = None, rules: str | None = None, vet=None) -> list[Finding]:
    """Check `book` with the core validator, mark the findings in place, return them.

    A workbook that is not one of our templates (or of an old version) gives one error finding
    whose message says so; nothing is marked then, but the report sheet and the alert explain it.

    base, rules: the quota base and rule pack; None = this PC's settings file. The server's
    remote route passes its own, so a check there is the check an upload gets. vet(filled,
    report): the server's extra say before anything is marked — it may raise to refuse the book
    (another unit's workbook) or return more findings (year over year).
    """
    snap = B.read(book)
    form = None
    try:
        filled = read_grids(snap.grids, snap.formulas, source=f"Sổ tính «{book.name}»")
        form = filled.form
        if base is None:
            base, rules = _settings()
        report = validate(filled, base=base, rules=rules, today=today)
        if vet is not None:
            report.findings.extend(vet(filled, report))
        findings = report.findings
        subtitle = (f"Mẫu «{form.title}» phiên bản {report.version}; quy định áp dụng: "
                    f"{report.rule_pack}; kiểm tra lúc {dt.datetime.now():%H:%M %d/%m/%Y}.")
        if snap.formulas is None:
            subtitle += (" Ô công thức bị ghi đè (R-FORMULA) được máy chủ kiểm tra khi nhận "
                         "biểu.")
    except ReadError as e:
        findings = [Finding(rule="R-READ", severity=ERROR, sheet="", cell="", name="",
                            message=str(e))]
        subtitle = ""
    B.write(book, form, findings, snap, subtitle)
    if alert:
        errors, _ = M.counts(findings)
        book.app.alert(summary_text(findings), title=TITLE, buttons="ok",
                       mode="critical" if errors else "info")
    return findings


def summary_text(findings: list[Finding]) -> str:
    if len(findings) == 1 and findings[0].rule == "R-READ":
        return findings[0].message
    return M.summary(findings)


def _saved_path(book) -> Path | None:
    try:
        p = Path(book.fullname)
    except Exception:  # a book that was never saved has no usable path on some engines
        return None
    return p if p.parent != Path(".") and p.suffix.lower() in (".xlsx", ".xlsm") else None


def offer_upload(book, summary: str = "Biểu hợp lệ.") -> Sent | None:
    """Ask, save, send, show the answer. None when the user said no."""
    cfg = C.load_config()
    problem = missing_settings(cfg)
    if problem:
        book.app.alert(f"{summary}\n\n{problem}", title=TITLE, buttons="ok", mode="critical")
        return Sent(False, problem)
    answer = book.app.alert(
        f"{summary}\n\nGửi biểu này lên máy chủ {cfg[C.SERVER]} ngay bây giờ? "
        "(Biểu được lưu lại trước khi gửi.)", title=TITLE, buttons="yes_no", mode="info")
    if answer != "yes":
        return None
    book.save()
    path = _saved_path(book)
    if path is None or not path.exists():
        text = ("Biểu chưa có tên tệp trên máy nên chưa gửi được. Hãy lưu biểu (File > Save As, "
                "dạng Excel Workbook .xlsx) rồi bấm «Kiểm tra biểu» lần nữa.")
        book.app.alert(text, title=TITLE, buttons="ok", mode="critical")
        return Sent(False, text)
    result = send(path.read_bytes(), path.name, cfg, saved_at=str(path))
    book.app.alert(result.message, title=TITLE, buttons="ok",
                   mode="info" if result.ok else "critical")
    return result


def main(book=None):
    """The ribbon button: check the workbook that called us; offer to send it when valid."""
    if book is None:
        import xlwings as xw
        book = xw.Book.caller()
    findings = kiem_tra(book, alert=False)
    if any(f.is_error for f in findings):
        book.app.alert(summary_text(findings), title=TITLE, buttons="ok", mode="critical")
    else:
        offer_upload(book, summary_text(findings))
    return findings
