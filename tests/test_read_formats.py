"""The reader finds which cells hold formulas however the sheet XML is written: the usual way
(`<c r="E12" ...><f>`, Excel, LibreOffice, openpyxl) takes a fast path, anything else (other
attribute order, whitespace, namespace prefixes) the general scan — with the same answer, and an
overwritten formula is caught either way (R-FORMULA)."""
from __future__ import annotations

import io
import re
import zipfile

import pytest

from workbook_templates import sample
from workbook_templates.read import read_workbook
from workbook_templates.validate import validate


def _rewrite(data: bytes, change) -> bytes:
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                body = change(body)
            z.writestr(info, body)
    return out.getvalue()


def _attributes_reordered(xml: bytes) -> bytes:
    # <c r="E12" s="3"> -> <c s="3" r="E12">
    return re.sub(rb'<c r="([A-Z]+[0-9]+)"((?: [a-z]+="[^"]*")+)', rb'<c\2 r="\1"', xml)


def _whitespace(xml: bytes) -> bytes:
    return xml.replace(b"><f>", b">\n  <f>")


def _prefixed(xml: bytes) -> bytes:
    # every element of the main namespace written as x:name, the namespace declared for x
    xml = re.sub(rb"<(/?)(?![?!])([A-Za-z]+)([\s>/])", rb"<\1x:\2\3", xml)
    return xml.replace(b'<x:worksheet xmlns="', b'<x:worksheet xmlns:x="', 1)


VARIANTS = {"as written": lambda x: x, "attributes reordered": _attributes_reordered,
            "whitespace before <f>": _whitespace, "namespace prefix": _prefixed}


@pytest.fixture(scope="module")
def corrected():
    return sample.fill_template(sample.bao_lam_2019(corrected=True))


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_derived_cell_is_seen_holding_its_formula(corrected, variant):
    base = read_workbook(corrected)
    filled = read_workbook(_rewrite(corrected, VARIANTS[variant]))
    assert filled.raw == base.raw
    assert filled.has_formula and all(filled.has_formula.values()), \
        [n for n, v in filled.has_formula.items() if not v]
    assert not [f for f in validate(filled).findings if f.rule == "R-FORMULA"]
    # the variants really leave the fast path: it misses formulas there (and the reader then
    # scans the general way)
    from workbook_templates.read import _FORMULA_FAST
    z = zipfile.ZipFile(io.BytesIO(_rewrite(corrected, VARIANTS[variant])))
    sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    fast = sum(len(_FORMULA_FAST.findall(x)) for x in sheets)
    tags = sum(len(re.findall(rb"<(?:x:)?f[\s>/]", x)) for x in sheets)
    assert (fast == tags) == (variant == "as written"), (fast, tags)


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_formula_typed_over_is_found(corrected, variant):
    # XL_DV_DG (Biểu 3) is a derived cell: replace its formula by a typed number
    form = read_workbook(corrected).form
    a1 = form.cells["XL_DV_DG"].a1.encode()

    def overwrite(xml: bytes) -> bytes:
        # only Biểu 3's cell: its formula sums XL_DV_XS… (another sheet has a formula at the
        # same address)
        return re.sub(rb'(<c r="' + a1 + rb'"[^>]*>)<f>[^<]*XL_DV_XS[^<]*</f>'
                      rb'(<v>[^<]*</v>|<v */>)?', rb"\1<v>999</v>", xml)
    data = _rewrite(_rewrite(corrected, overwrite), VARIANTS[variant])
    filled = read_workbook(data)
    assert filled.has_formula["XL_DV_DG"] is False
    assert sum(1 for v in filled.has_formula.values() if v is False) == 1
    found = [f for f in validate(filled).findings if f.rule == "R-FORMULA"]
    assert [f.name for f in found] == ["XL_DV_DG"] and "999" in found[0].message
