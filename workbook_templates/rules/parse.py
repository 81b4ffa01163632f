"""Reading what people type: counts, years, dates, choices, x marks.

Each parser returns (value, problem). `problem` is None when the input is clean; otherwise a short
Vietnamese phrase, and `value` is what the input probably means (or None), so later rules can still
run on the intended figure while the typing mistake is reported.
"""
from __future__ import annotations

import datetime as dt
import re

from ..findings import fmt_int
from ..spec.model import choice_lookup

_THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")
_DIGITS = re.compile(r"^\d+$")
_LEADING = re.compile(r"^\s*(\d{1,3}(?:[.,]\d{3})+|\d+)")


def parse_count(v):
    if v is None:
        return None, None
    if isinstance(v, bool):
        return None, "không phải số"
    if isinstance(v, int):
        return (v, None) if v >= 0 else (None, f"là số âm ({v})")
    if isinstance(v, float):
        if v < 0:
            return None, f"là số âm ({v:g})"
        if v.is_integer():
            return int(v), None
        return None, f"là số lẻ ({v:g}) trong khi chỉ được nhập số nguyên"
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return None, "là ngày tháng, không phải số lượng"
    s = str(v).strip().replace("\u00a0", " ")
    if s == "":
        return None, None
    if _DIGITS.match(s):
        guess = int(s)
    elif _THOUSANDS.match(s):
        guess = int(re.sub(r"[.,]", "", s))
    else:
        m = _LEADING.match(s)
        guess = int(re.sub(r"[.,]", "", m.group(1))) if m else None
    if guess is None:
        return None, f"chứa chữ «{v}» thay vì số"
    return guess, f"chứa chữ «{v}» thay vì số (có lẽ là {fmt_int(guess)})"


def parse_year(v, today: dt.date):
    n, problem = parse_count(v)
    if n is None and problem is None:
        return None, None
    if problem and n is None:
        return None, problem
    if not 1000 <= n <= 9999:
        return None, f"«{v}» không phải năm có 4 chữ số"
    if n > today.year:
        return n, f"năm {n} ở tương lai"
    if problem:
        return n, problem
    return n, None


_DATE_TEXT = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date(v):
    if v is None:
        return None, None
    if isinstance(v, dt.datetime):
        return v.date(), None
    if isinstance(v, dt.date):
        return v, None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        # an Excel serial number that lost its date format
        if 1 <= v < 2958466:
            return (dt.date(1899, 12, 30) + dt.timedelta(days=int(v))), None
        return None, f"«{v}» không phải ngày"
    s = str(v).strip()
    if not s:
        return None, None
    m = _DATE_TEXT.match(s)
    if not m:
        return None, f"«{s}» không phải ngày dạng ngày/tháng/năm"
    d, mth, y = (int(x) for x in m.groups())
    try:
        return dt.date(y, mth, d), None
    except ValueError:
        return None, f"«{s}» không phải ngày có thật"


def parse_choice(v, choices):
    if v is None or (isinstance(v, str) and not v.strip()):
        return None, None
    code = choice_lookup(choices).get(str(v).strip().casefold())
    if code is None:
        labels = "; ".join(c.label for c in choices)
        return None, f"«{v}» không có trong danh sách ({labels})"
    return code, None


def parse_xmark(v):
    if v is None or (isinstance(v, str) and not v.strip()):
        return False, None
    if str(v).strip().lower() == "x":
        return True, None
    return False, f"«{v}» không phải dấu x"


def parse_text(v):
    if v is None:
        return None, None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return (s or None), None


def phone_problem(v) -> str | None:
    if v is None or not str(v).strip():
        return "chưa ghi số điện thoại của người lập biểu"
    s = str(v).strip()
    if isinstance(v, float) and v.is_integer():
        s = "0" + str(int(v))  # a number cell drops the leading 0
    digits = re.sub(r"[ .]", "", s)
    mobile = len(digits) == 10 and digits.startswith("0")
    # landlines have been 11 digits (02xx + 7–8 digits) since 2017; SPEC names only mobiles
    landline = len(digits) == 11 and digits.startswith("02")
    if not (digits.isdigit() and (mobile or landline)):
        return (f"«{s}» không phải số điện thoại Việt Nam (di động 10 chữ số bắt đầu bằng 0, "
                "cố định 11 chữ số bắt đầu bằng 02)")
    return None


# --- scores (QĐ 366, 100-point scale) -----------------------------------------------------------

_UNITS = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5,
          "lăm": 5, "nhăm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9}
_DECIMAL_TEXT = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def words_to_number(s: str) -> int | None:
    """Vietnamese number words up to «một trăm»: «chín mươi lăm» -> 95, «mười tám» -> 18."""
    words = [w for w in s.casefold().replace("-", " ").split() if w not in ("điểm", "linh", "lẻ")]
    if not words:
        return None
    if words in (["một", "trăm"], ["trăm"]):
        return 100
    total, i = 0, 0
    if words[0] == "mười":
        total, i = 10, 1
    elif len(words) >= 2 and words[1] in ("mươi", "chục") and words[0] in _UNITS:
        total, i = 10 * _UNITS[words[0]], 2
    if i < len(words):
        if len(words) - i != 1 or words[i] not in _UNITS:
            return None
        total += _UNITS[words[i]]
    return total if (i or len(words) == 1) else None


def fmt_score(x) -> str:
    """89.5 -> «89,5», 92.0 -> «92» (Vietnamese decimal comma)."""
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return str(x).replace(".", ",")


def parse_score(v):
    """A score 0–100. Text is reported with the number it probably means: «89,5» -> 89,5,
    «chín mươi» -> 90, «92 điểm» -> 92; a negative score is probably the same number without
    its sign; above 100 has no likely reading (the maximum is 100)."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None, None
    if isinstance(v, bool) or isinstance(v, (dt.date, dt.datetime, dt.time)):
        return None, f"«{v}» không phải điểm số"
    guess, typed = None, False
    if isinstance(v, (int, float)):
        guess = float(v)
    else:
        s = str(v).strip().replace("\u00a0", " ")
        core = re.sub(r"\s*điểm$", "", s, flags=re.IGNORECASE).strip()
        if _DECIMAL_TEXT.match(core):
            guess = float(core.replace(",", "."))
        else:
            n = words_to_number(core)
            guess = float(n) if n is not None else None
        typed = True
        if guess is None:
            return None, f"«{s}» không phải điểm số (thang 100 điểm)"
    value = int(guess) if guess.is_integer() else guess
    if guess < 0:
        return None, (f"«{fmt_score(v) if not typed else v}» là số âm; điểm từ 0 đến 100 (có lẽ "
                      f"là {fmt_score(-value)})")
    if guess > 100:
        return None, f"«{fmt_score(v) if not typed else v}» lớn hơn điểm tối đa 100"
    if typed:
        return value, f"«{v}» được ghi bằng chữ, không phải số (có lẽ là {fmt_score(value)})"
    return value, None


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PERIOD = re.compile(r"^(quý|quy|tháng|thang)?\s*([ivx]+|\d{1,2})?\s*(?:/|năm|nam|-)?\s*(\d{4})$")


def parse_deadline(v):
    """A Biểu 4 deadline -> (last day it allows, problem). A date, or a period as resolutions
    write it: "quý II/2026" (the quarter's last day), "tháng 6/2026", "6/2026", "năm 2026",
    "2026"; "thường xuyên" (ongoing) gives (None, None): never overdue."""
    if v is None or isinstance(v, (dt.date, int, float)) and not isinstance(v, bool):
        if isinstance(v, (int, float)) and 1990 <= v <= 2100:      # a bare year
            return dt.date(int(v), 12, 31), None
        return parse_date(v)
    s = " ".join(str(v).strip().casefold().split())
    if not s or s.startswith(("thường xuyên", "thuong xuyen", "liên tục", "hằng năm")):
        return None, None
    d, problem = parse_date(s)
    if not problem:
        return d, None
    m = _PERIOD.match(s.removeprefix("trong ").removeprefix("cuối "))
    if m:
        word, n, year = m.group(1) or "", m.group(2), int(m.group(3))
        if word.startswith("qu") and n in _ROMAN:
            month = 3 * _ROMAN[n]
        elif n and n.isdigit() and 1 <= int(n) <= 12 and not word.startswith("qu"):
            month = int(n)
        elif n is None:
            month = 12
        else:
            month = 0
        if month:
            nxt = dt.date(year + month // 12, month % 12 + 1, 1)
            return nxt - dt.timedelta(days=1), None
    return None, (f"«{str(v).strip()}» không phải ngày hay thời gian rõ ràng (ví dụ 30/6/2026, "
                  "tháng 6/2026, quý II/2026, năm 2026, thường xuyên)")
