"""A finding is data: what rule, how bad, where, and what to tell the user.

Every consumer (CLI, add-in, server, annotated copy) renders findings; none re-derives them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"
SEVERITY_LABEL = {ERROR: "Lỗi", WARNING: "Cảnh báo"}


@dataclass
class Finding:
    rule: str
    severity: str
    sheet: str
    cell: str            # A1 address on `sheet`, "" for a whole-workbook finding
    name: str            # defined name of the cell, "" when none
    message: str         # Vietnamese: what is wrong, with the numbers
    hint: str = ""       # Vietnamese: how to fix it
    regulation: str = ""
    row_label: str = ""
    col_label: str = ""
    explained: bool = False  # a warning the unit explained on the "Giải trình" sheet
    printed_ref: str = ""    # as the printed form numbers it: "Biểu 3, dòng 1.1, cột (7)"

    @property
    def ref(self) -> str:
        """The cell as Excel shows it: Biểu 3!C11."""
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    @property
    def place(self) -> str:
        """«Biểu 3, dòng 1, cột (3) — ô C11»: as the printed form numbers it, then the cell as
        Excel shows it on that sheet (the Excel reference alone where there is no printed one)."""
        if self.printed_ref:
            return f"{self.printed_ref} — ô {self.cell}" if self.cell else self.printed_ref
        return self.ref or "cả tệp"

    @property
    def title(self) -> str:
        """The rule's Vietnamese title from the catalogue (the id stays in `rule`)."""
        from .rules.catalogue import title
        return title(self.rule)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_dict(self) -> dict:
        d = asdict(self)
        d["ref"] = self.ref
        return d

    def text(self) -> str:
        """One line as a user reads it (the add-in's message after sending): where, as the
        printed form numbers it, what is wrong and how to fix it — no rule id."""
        label = SEVERITY_LABEL[self.severity]
        out = f"[{label}] {self.printed_ref or self.ref}: {self.message}"
        if self.hint:
            out += f" — {self.hint}"
        return out


def sort_key(f: Finding):
    """Errors first, then in workbook order."""
    return (0 if f.is_error else 1, f.sheet, _row_col(f.cell), f.rule)


def _row_col(a1: str):
    letters = "".join(ch for ch in a1 if ch.isalpha())
    digits = "".join(ch for ch in a1 if ch.isdigit())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch.upper()) - 64
    return (int(digits) if digits else 0, col)


def fmt_int(n: int) -> str:
    """Vietnamese thousands separator: 2.886."""
    return f"{n:,}".replace(",", ".")


def fmt_pct(d) -> str:
    """Vietnamese decimal comma: 20,00 %."""
    return "—" if d is None else f"{d:.2f}".replace(".", ",") + " %"
