"""A workbook as read and validated, kept as JSON so that it need not be read again.

The server reads and validates every upload once, when it arrives. Keeping what it read (each
input by defined name, as typed) and what it computed from that (every derived value and the
findings) lets a round's summary merge a thousand units without opening a thousand files; reading
is four fifths of a merge's time.

Nothing here is taken from the client: the record is the server's own reading of the stored
bytes. It names the engine that made it — a hash of the spec, rules, reader and validator
sources — and the settings it ran with; when either differs from the running code, the record is
stale, `load` returns None and the caller reads the file again from its stored bytes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from functools import cache
from pathlib import Path

from .findings import Finding
from .read import Filled
from .spec import get_form_set
from .validate import Report

#: 2: only the cells that hold something, as [positions, values] — a unit fills a few dozen of
#: its form's 1,178 cells, and a summary of 5,000 units decodes 5,000 records
FORMAT = 2
HERE = Path(__file__).parent
# the sources whose change can change what a file reads or validates to
ENGINE_SOURCES = ("read.py", "validate.py", "findings.py", "safety.py", "errors.py", "spec",
                  "rules")


@cache
def engine() -> str:
    """A short hash of the reading and validating code, so an upgrade invalidates old records."""
    h = hashlib.sha256()
    for name in ENGINE_SOURCES:
        p = HERE / name
        for f in sorted(p.rglob("*.py")) if p.is_dir() else [p]:
            h.update(f.relative_to(HERE).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _enc(v):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if v == v and v not in (float("inf"), float("-inf")) else {"f": repr(v)}
    if isinstance(v, dt.datetime):
        return {"t": v.isoformat()}
    if isinstance(v, dt.date):
        return {"d": v.isoformat()}
    if isinstance(v, dt.time):
        return {"h": v.isoformat()}
    if isinstance(v, dt.timedelta):
        return {"s": v.total_seconds()}
    if isinstance(v, Decimal):
        return {"f": str(v)}
    raise TypeError(f"cannot keep a {type(v).__name__} value")


def _dec(v):
    if not isinstance(v, dict):
        return v
    if "t" in v:
        return dt.datetime.fromisoformat(v["t"])
    if "d" in v:
        return dt.date.fromisoformat(v["d"])
    if "h" in v:
        return dt.time.fromisoformat(v["h"])
    if "s" in v:
        return dt.timedelta(seconds=v["s"])
    if "f" in v:
        return float(v["f"])
    raise ValueError(f"unknown value {v!r}")


def dump(filled: Filled, report: Report, *, base: str, rules: str | None) -> dict | None:
    """The JSON record of one file's reading, or None when a value cannot be kept (then the file
    is simply read again when needed)."""
    names = _names(filled.form)[0]
    try:
        raw = _sparse(names, filled.raw)
        values = _sparse(names, report.values)
    except TypeError:
        return None
    extra = {k: v for k, v in report.values.items() if k not in filled.form.cells}
    if extra:       # every computed value is a cell of the form; anything else: do not keep
        return None
    pos = {n: i for i, n in enumerate(names)}
    hf = [n for n, v in filled.has_formula.items() if v is not None and n in pos]
    return {
        "format": FORMAT, "engine": engine(), "base": base, "rules": rules,
        "form": filled.form.id, "form_version": filled.version,
        "raw": raw, "values": values,
        # which positions hold a {"tag": text} value, so that loading touches only those
        "tagged": [[i for i, v in zip(*raw, strict=True) if isinstance(v, dict)],
                   [i for i, v in zip(*values, strict=True) if isinstance(v, dict)]],
        # the derived cells that hold a formula, and those that do not (the others: unknown)
        "has_formula": [[pos[n] for n in hf if filled.has_formula[n]],
                        [pos[n] for n in hf if not filled.has_formula[n]]],
        "rule_pack": report.rule_pack, "unit_type": report.unit_type, "year": report.year,
        "findings": [_finding_dict(f) for f in report.findings],
        # how many members the register had; never the members (SPEC §8: a reading is what a
        # summary works from, and names go no higher than the unit that holds the register)
        "register_rows": filled.register_size,
    }


def _sparse(names, d: dict) -> list[list]:
    """[positions, encoded values] of the names whose value is not None."""
    at = [i for i, n in enumerate(names) if d.get(n) is not None]
    return [at, [_enc(d[names[i]]) for i in at]]


def pick(record, positions: tuple[int, ...], which: str = "raw") -> list | None:
    """The values at `positions` (of the form's cells) of a record of this format, as read
    (`raw`) or as computed (`values`) — without loading the whole record; None if it cannot."""
    if not isinstance(record, dict):
        return None
    try:
        if record.get("format") == 1:        # every cell in order (kept before FORMAT 2)
            full = record[which]
            return [_dec(full[i]) for i in positions]
        if record.get("format") == FORMAT:
            got = dict(zip(*record[which], strict=True))
            return [_dec(got.get(i)) for i in positions]
    except (KeyError, IndexError, TypeError, ValueError):
        pass
    return None


def _finding_dict(f: Finding) -> dict:
    d = f.to_dict()
    d.pop("ref", None)
    return d


def load(record, *, base: str, rules: str | None, source: str = "") -> tuple[Filled, Report] | None:
    """(Filled, Report) from a record made by this engine with these settings, else None."""
    if not isinstance(record, dict) or record.get("format") != FORMAT or \
            record.get("engine") != engine() or record.get("base") != base or \
            record.get("rules") != rules:
        return None
    try:
        form = get_form_set(record["form"])
    except KeyError:
        return None
    if record.get("form_version") != form.version:
        return None
    try:
        return _load(record, form, source)
    except (KeyError, IndexError, TypeError, ValueError):    # a damaged record: read the file
        return None


def _names(form) -> tuple:
    """(every cell's name in the record's order, the derived cells' names, a dict of every name
    to None, one of the derived names to None) of a form: the same for every record of that
    form, so worked out once (a summary loads thousands; copying a dict is cheap)."""
    got = form.__dict__.get("_reading_names")
    if got is None:
        names, derived = tuple(form.cells), tuple(c.name for c in form.derived())
        got = form._reading_names = (names, derived, dict.fromkeys(names),
                                     dict.fromkeys(derived))
    return got


def _load(record: dict, form, source: str) -> tuple[Filled, Report] | None:
    names, derived, blank, blank_hf = _names(form)
    name = names.__getitem__             # IndexError on a position past the form: damaged
    raw, values = blank.copy(), blank.copy()
    for d, (at, vals), where in zip((raw, values), (record["raw"], record["values"]),
                                    record["tagged"], strict=True):
        d.update(zip(map(name, at), vals, strict=True))
        for i in where:
            d[name(i)] = _dec(d[name(i)])
    has_formula = blank_hf.copy()
    yes, no = record["has_formula"]
    for flag, at in ((True, yes), (False, no)):
        for i in at:
            if name(i) in has_formula:
                has_formula[name(i)] = flag
    filled = Filled(form, record["form_version"], raw, has_formula, source,
                    register=None, register_size=int(record.get("register_rows") or 0))
    report = Report(form.id, record["form_version"], record["rule_pack"],
                    [Finding(**d) for d in record["findings"]], values, source,
                    record.get("unit_type"), record.get("year"))
    return filled, report
