"""LibreOffice opens the templates filled with real figures, recalculates every formula and gets
the validator's derived values; each template is printed to PDF and PNG for a person to check."""
from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest
from harness import pdf_pages, png_pages

from workbook_templates.read import read_workbook
from workbook_templates.sample import bao_lam_2019, bao_lam_so_ket, fill_template
from workbook_templates.validate import validate

CASES = {
    "bao_cao_nam": bao_lam_2019,
    "so_ket_quy_dinh": bao_lam_so_ket,
}


def _cached(grid, cell):
    try:
        return grid[cell.sheet][cell.row - 1][cell.col - 1]
    except IndexError:
        return None


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> dict:
    """form id -> the template filled with the Bảo Lâm figures, saved as a .xlsx file."""
    d = tmp_path_factory.mktemp("filled")
    out = {}
    for form_id, values in CASES.items():
        out[form_id] = d / f"{form_id}.xlsx"
        out[form_id].write_bytes(fill_template(values(), form=form_id))
    return out


@pytest.fixture(scope="module")
def resaved(filled, libreoffice, tmp_path_factory) -> dict:
    """form id -> the same file opened, recalculated and saved by LibreOffice (one start of
    LibreOffice for both forms)."""
    outs = libreoffice.convert_many(list(filled.values()), "xlsx:Calc MS Excel 2007 XML",
                                    tmp_path_factory.mktemp("lo"))
    return dict(zip(filled, outs, strict=True))


@pytest.fixture(scope="module")
def rendered(filled, libreoffice, artifacts) -> dict:
    """form id -> the PDF LibreOffice prints of it, in test-output/templates/."""
    outs = libreoffice.convert_many(list(filled.values()), "pdf", artifacts / "templates")
    return dict(zip(filled, outs, strict=True))


@pytest.mark.parametrize("form_id", sorted(CASES))
def test_libreoffice_recalculates_like_the_validator(form_id, filled, resaved):
    from python_calamine import CalamineWorkbook

    src, out = filled[form_id], resaved[form_id]
    report = validate(read_workbook(src))
    wb = CalamineWorkbook.from_path(str(out))
    grid = {s: wb.get_sheet_by_name(s).to_python(skip_empty_area=False)
            for s in wb.sheet_names}
    form = read_workbook(out).form
    checked = 0
    for cell in form.derived():
        want = report.values[cell.name]
        got = _cached(grid, cell)
        if want is None:
            assert got in ("", None), (cell.name, got)
        else:
            assert got not in ("", None), (cell.name, "no value from LibreOffice")
            assert Decimal(str(got)).quantize(Decimal("0.01")) == \
                Decimal(str(want)).quantize(Decimal("0.01")), (cell.ref, got, want)
        checked += 1
    assert checked == len(form.derived()) > 30
    # the file LibreOffice saved still reads, with its formulas recognised as formulas
    again = read_workbook(out)
    assert all(again.has_formula[c.name] for c in form.derived())
    assert [f.rule for f in validate(again).findings] == [f.rule for f in report.findings]


@pytest.mark.parametrize("form_id", sorted(CASES))
def test_templates_render_to_pdf_and_png(form_id, rendered):
    pdf = rendered[form_id]
    stem = pdf.parent / form_id
    png_pages(pdf, stem)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert pdf_pages(pdf) >= 6  # Thông tin, the forms and Giải trình; _meta stays hidden
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "NGƯỜI LẬP BIỂU" in text
    assert "HUYỆN ỦY BẢO LÂM" in text and "Bảo Lâm, ngày" in text
