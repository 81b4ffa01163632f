"""Formula results written into a saved .xlsx, where openpyxl leaves them out.

openpyxl saves a formula cell as `<f>…</f><v></v>`: Excel recalculates on opening (the workbook
asks it to, `fullCalcOnLoad`), but a phone's preview, python-calamine and pandas show the cell's
saved result, so they showed blanks where Excel shows numbers. The writers of the summary and of
the annotated copy compute each formula's result where the formula is defined (spec expressions,
the header formulas, the quota share, the summary's total rows) and hand them here as
`{sheet name or None (any sheet): {formula without "=": result}}`; this module puts them into
the sheet XML: a number as `<v>12</v>`, a text as `t="str"` and `<v>…</v>`. A formula it has no
result for, or an UNKNOWN one, stays as openpyxl wrote it: blank, never wrong.

Only the plain `<c …><f>…</f><v></v></c>` cells openpyxl writes are filled: shared and array
formulas (`<f t="…">`) are left alone. Formulas are matched by their text with the spaces and
the letter case Excel may change outside quoted text ignored.
"""
from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Mapping
from decimal import Decimal

from .read import sheet_paths
from .spec.model import UNKNOWN
from .xlsx_text import clean

Results = Mapping[str | None, Mapping[str, object]]

_CELL = re.compile(rb'<c ([^>]*)><f>([^<]*)</f>(?:<v>[^<]*</v>|<v\s*/>)?</c>')
_T_ATTR = re.compile(rb'\s+t="[^"]*"')
_QUOTED = re.compile(r'("(?:[^"]|"")*")')


def normal(formula: str) -> str:
    """A formula's text as compared here: no leading "=", and outside quoted text no spaces and
    capital letters (Excel writes names and functions its own way)."""
    formula = formula[1:] if formula.startswith("=") else formula
    parts = _QUOTED.split(formula)
    return "".join(p if i % 2 else re.sub(r"\s+", "", p).upper() for i, p in enumerate(parts))


def _unescape(b: bytes) -> str:
    s = b.decode("utf-8")
    if "&" not in s:
        return s
    s = re.sub(r"&#x([0-9a-fA-F]+);", lambda m: chr(int(m.group(1), 16)), s)
    s = re.sub(r"&#([0-9]+);", lambda m: chr(int(m.group(1))), s)
    return (s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _escape(s: str) -> bytes:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


def serialize(value) -> tuple[bytes | None, bytes] | None:
    """(the cell's t attribute or None for a number, the text of <v>), or None to leave the cell
    blank (UNKNOWN, None, a text an .xlsx cannot hold, a number that is not finite)."""
    if value is UNKNOWN or value is None:
        return None
    if isinstance(value, str):
        if clean(value) != value:
            return None
        return b"str", _escape(value)
    if isinstance(value, bool):
        return b"b", b"1" if value else b"0"
    if isinstance(value, int):
        return None, str(value).encode()
    if isinstance(value, (float, Decimal)):
        f = float(value)
        if not math.isfinite(f):
            return None
        return None, (str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)).encode()
    return None


def fill_sheet(xml: bytes, results: Mapping[str, object]) -> bytes:
    """The sheet XML with the result of each formula cell found in `results` (normalised keys)."""
    if not results:
        return xml

    out, done = [], 0
    pos = xml.find(b"<f>")
    while pos >= 0:       # from each <f> back to its cell: a sheet of data has few formulas
        start = xml.rfind(b"<c ", done, pos)
        m = _CELL.match(xml, start) if start >= 0 else None
        if m is not None and m.start(2) == pos + 3:
            value = serialize(results.get(normal(_unescape(m.group(2))), UNKNOWN))
            if value is not None:
                t, v = value
                attrs = _T_ATTR.sub(b"", m.group(1))
                if t is not None:
                    attrs += b' t="' + t + b'"'
                out += [xml[done:start], b"<c ", attrs, b"><f>", m.group(2), b"</f><v>", v,
                        b"</v></c>"]
                done = m.end()
        pos = xml.find(b"<f>", max(pos + 3, done))
    return b"".join(out) + xml[done:] if out else xml


def filled_parts(zf: zipfile.ZipFile, results: Results) -> dict[str, bytes]:
    """{part name: its new XML} for every sheet of the package that gets a result."""
    shared = {normal(k): v for k, v in (results.get(None) or {}).items()}
    out = {}
    for sheet, part in sheet_paths(zf).items():
        own = {normal(k): v for k, v in (results.get(sheet) or {}).items()}
        table = {**shared, **own}
        if not table:
            continue
        try:
            xml = zf.read(part)
        except KeyError:
            continue
        new = fill_sheet(xml, table)
        if new != xml:
            out[part] = new
    return out


def with_results(data: bytes, results: Results) -> bytes:
    """The .xlsx `data` with the formula results filled in; every other part and every entry's
    name, order, date and compression kept."""
    src = zipfile.ZipFile(io.BytesIO(data))
    parts = filled_parts(src, results)
    if not parts:
        return data
    out = io.BytesIO()
    with src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, parts.get(info.filename) or src.read(info.filename))
    return out.getvalue()
