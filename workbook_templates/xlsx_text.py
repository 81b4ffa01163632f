"""Text the server and the core write into an .xlsx: always a string cell, always a character
an .xlsx can hold.

A workbook may legally carry characters an XML 1.0 document cannot (Excel writes a control
character as `_x0001_`; the reader gives back the character itself), and a unit may name itself
`=HYPERLINK(…)`. openpyxl refuses the first (IllegalCharacterError: the summary download failed
for everybody until the unit sent a clean file) and writes the second as a formula. Every writer
of the summary, the annotated copy and the add-in's report goes through `put_text`/`clean`, so
one unit's text can neither break the office's files nor run as a formula in them. The reading
(and the stored record) keep the original characters; only what is written is replaced, visibly.
"""
from __future__ import annotations

import re

REPLACEMENT = "\ufffd"   # «�»: shows the reader something was there, in every font
# what XML 1.0 cannot hold (C0 controls but tab, LF, CR; U+FFFE/U+FFFF) and lone surrogates,
# which cannot be encoded in UTF-8
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Excel reads "_x0041_" in a cell's text as "A"; a literal one is written as "_x005F_x0041_"
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
MAX_CELL_TEXT = 32767    # Excel's limit for one cell


def clean(text: str) -> str:
    """The text as an .xlsx cell (or note) can hold it: illegal characters replaced by «�»,
    an `_xHHHH_` that is text kept as text, at most 32,767 characters."""
    if not isinstance(text, str):
        return text
    text = _ILLEGAL.sub(REPLACEMENT, text)
    text = _ESCAPE_LIKE.sub(r"_x005F_\1", text)
    if len(text) > MAX_CELL_TEXT:
        text = text[:MAX_CELL_TEXT - 1] + "…"
    return text


_ESCAPED_ILLEGAL = re.compile(r"_x(000[0-8bBcCeEfF]|001[0-9a-fA-F]|[fF]{3}[eEfF]"
                              r"|[dD][89a-fA-F][0-9a-fA-F]{2})_")


def visible(text: str) -> str:
    """Text for a page: characters a browser would hide or choke on shown as «�», nothing else
    changed (no Excel escapes on a page)."""
    return _ILLEGAL.sub(REPLACEMENT, text) if isinstance(text, str) else text


def clean_escaped(text: str) -> str:
    """The same for text as openpyxl *loads* it from a workbook: still in Excel's escaped form
    (`_x000B_` is six characters there), so an escape of an illegal character becomes «�» and
    every other escape is left for Excel to read."""
    if not isinstance(text, str):
        return text
    text = _ESCAPED_ILLEGAL.sub(REPLACEMENT, _ILLEGAL.sub(REPLACEMENT, text))
    return text[:MAX_CELL_TEXT]


def put_text(cell, value):
    """Set an openpyxl cell: a string is cleaned and stays a string cell (a leading "=" is text,
    never a formula); other values as they are. Returns the cell."""
    if isinstance(value, str):
        cell.value = clean(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def is_formula_text(value) -> bool:
    """What openpyxl would write as a formula."""
    return isinstance(value, str) and value.startswith("=")
