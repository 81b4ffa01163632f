"""Numbers as the report writes them, and the one rule a reader can check them by.

Every share in the report is written as «A/B … P %» inside one clause (a clause ends at «;» or at
the end of a sentence), so anyone — and `tests/test_bao_cao.py` — can recompute P from A and B.
The published errors (seed 004) were exactly such pairs that did not agree.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ..findings import fmt_int
from ..spec.model import percent

ONE_HUNDRED = Decimal("100.00")
ZERO = Decimal("0.00")
SMALLEST = Decimal("0.01")
NBSP = "\u00a0"  # between a number and «%», so a line never starts with the sign


def pct_value(num: int, den: int) -> Decimal | None:
    """num/den in percent, two decimals, half-up (SPEC §2) — except that a share is never shown as
    100 % unless it is exact, nor as 0 % unless nothing was counted: 2.999/3.000 is 99,97 % but
    29.999/30.000 would round to 100,00 %, which a reader takes for «all», so it stays 99,99 %;
    likewise 1/30.000 is 0,01 %, not 0,00 %."""
    p = percent(num, den)
    if p is None:
        return None
    if p == ONE_HUNDRED and num != den:
        return ONE_HUNDRED - SMALLEST
    if p == ZERO and num:
        return SMALLEST
    return p


def fmt_pct(num: int, den: int) -> str:
    """«12,50 %»; «100 %» and «0 %» only when exact; «—» when there is no base."""
    p = pct_value(num, den)
    if p is None:
        return "—"
    if num == den:
        return f"100{NBSP}%"
    if num == 0:
        return f"0{NBSP}%"
    return f"{p:.2f}".replace(".", ",") + f"{NBSP}%"


def share(num: int, den: int) -> str:
    """«247/7.023 (3,52 %)» — the pair and its percentage, as every share in the text reads."""
    return f"{fmt_int(num)}/{fmt_int(den)} ({fmt_pct(num, den)})"


def n(v) -> str:
    """A count with the Vietnamese thousands separator; blank counts are 0."""
    return fmt_int(int(v or 0))


def two(v) -> str:
    """Small counts as Party documents write them: 02, 09 … (seed 004: «02 đảng bộ»)."""
    v = int(v or 0)
    return f"{v:02d}" if 0 < v < 10 else fmt_int(v)


def change(now: int, before: int, unit: str = "") -> str:
    """«tăng 12 đồng chí», «giảm 3», «không thay đổi»."""
    d = now - before
    u = f" {unit}" if unit else ""
    if d > 0:
        return f"tăng {fmt_int(d)}{u}"
    if d < 0:
        return f"giảm {fmt_int(-d)}{u}"
    return "không thay đổi"


# --- the check -----------------------------------------------------------------------------------
_NUM = r"\d{1,3}(?:\.\d{3})*"
PAIR_PCT = re.compile(rf"(?<![\d,])({_NUM})/({_NUM})\s*(?:[^;%/]*?)\((\d{{1,3}}(?:,\d{{2}})?)\s%\)")
ANY_PCT = re.compile(r"(\d{1,3}(?:,\d+)?)\s?%")
SHARE_ALLOWED = re.compile(r"(?:tỷ lệ cho phép|tỷ lệ tối đa|không quá) (\d{1,2})\s%")


def _int(s: str) -> int:
    return int(s.replace(".", ""))


def check_text(text: str) -> list[str]:
    """Problems with the shares of a text: a percentage that does not follow from the pair before
    it, or a percentage with no pair. Returns human-readable problems; [] means all agree."""
    problems = []
    for clause in re.split(r"[;\n]|\.\s", text):
        paired = set()
        for m in PAIR_PCT.finditer(clause):
            a, b, shown = _int(m.group(1)), _int(m.group(2)), m.group(3)
            want = fmt_pct(a, b).replace(f"{NBSP}%", "")
            if want != shown:
                problems.append(f"{m.group(0)!r}: {a}/{b} là {want} %, văn bản ghi {shown} %")
            paired.add(m.start(3))
        allowed = {m.start(1) for m in SHARE_ALLOWED.finditer(clause)}
        for m in ANY_PCT.finditer(clause):
            if m.start(1) not in paired and m.start(1) not in allowed:
                problems.append(f"tỷ lệ {m.group(0)!r} không đi kèm cặp số A/B: {clause.strip()!r}")
    return problems
