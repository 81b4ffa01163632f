"""The committed templates are exactly what the specification builds, and are Excel-native."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from workbook_templates.build import build_bytes
from workbook_templates.spec import form_sets
from workbook_templates.spec.model import CHOICE, COUNT, DERIVED

TEMPLATES = Path(__file__).resolve().parent.parent / "workbook_templates"
FORMS = sorted(form_sets())


def committed(form_id):
    return load_workbook(TEMPLATES / f"{form_id}.xlsx")


def sheet_xml(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}


@pytest.mark.parametrize("form_id", FORMS)
def test_committed_template_matches_the_spec(form_id):
    """Rebuild in memory and compare every sheet part: run `kiemdiem template build` after
    changing the spec."""
    fresh = sheet_xml(build_bytes(form_sets()[form_id]))
    saved = sheet_xml((TEMPLATES / f"{form_id}.xlsx").read_bytes())
    assert fresh == saved, "template is stale: run `kiemdiem template build` and commit"


@pytest.mark.parametrize("form_id", FORMS)
def test_every_cell_has_its_defined_name_and_protection(form_id):
    form, wb = form_sets()[form_id], committed(form_id)
    for name, cell in form.cells.items():
        dn = wb.defined_names[name]
        (sheet, ref), = list(dn.destinations)
        assert sheet == cell.sheet and ref.replace("$", "") == cell.a1, name
        x = wb[cell.sheet][cell.a1]
        if cell.kind == DERIVED:
            assert x.value == cell.expr.excel() and x.protection.locked, name
        else:
            assert not x.protection.locked, name
            assert not (isinstance(x.value, str) and x.value.startswith("=")), name
    for sh in form.sheets:
        assert wb[sh.name].protection.sheet and not wb[sh.name].protection.password
    assert wb["_meta"].sheet_state == "hidden"
    assert wb["_meta"]["B1"].value == form_id and wb["_meta"]["B2"].value == form.version


def test_names_follow_the_spec_scheme():
    names = set(form_sets()["bao_cao_nam"].cells)
    for n in ("TT_DonVi", "TT_MaDonVi", "TT_CapTren", "TT_LoaiDonVi", "TT_Nam", "TT_NgayLap",
              "TT_NguoiLap", "TT_DienThoai", "TT_XepLoai", "TT_XepLoaiCapUy",
              "TT_XepLoaiNguoiDungDau", "TT_NgoaiLe25", "KD_PHAI_TT", "KD_MOIKN_DV",
              "KD_GOIY_DV", "XL_DBCT_TONG", "XL_TCCSD_XS", "XL_CBCS_KHT", "XL_TTLD_CS_MOI",
              "XL_DV_DINHCHI", "XL_DV_KYLUAT", "XL_CBLD_TINH_XS", "XL_DV_DG"):
        assert n in names
    assert "KD_MOITL_DV" not in names
    # QĐ 366: organisations disciplined (Biểu 2) and the unit's own committee (Biểu 3 CUV)
    assert {"XL_CUCS_KYLUAT", "XL_CBTT_KYLUAT", "XL_CUV_KYLUAT", "XL_DV_LD_XS", "TT_Diem",
            "TT_QD25_So", "TT_NV_Giao"} <= names
    sk = set(form_sets()["so_ket_quy_dinh"].cells)
    assert {"SK1_QD_SO_Y1", "SK1_CD_NGAY_Y5", "SK2_DV_DD_PH", "SK3_TTLD_KHT_CPH",
            "SK4_DG_TTLD_CHUTHE_DN", "SK5_CANHAN_TONG_Y5"} <= sk


@pytest.mark.parametrize("form_id", FORMS)
def test_data_validation_and_live_highlighting(form_id):
    form, wb = form_sets()[form_id], committed(form_id)
    for sh in form.sheets:
        ws = wb[sh.name]
        covered = {}
        for dv in ws.data_validations.dataValidation:
            if dv.type is None:             # an input message only: how to write a text cell
                assert dv.showInputMessage and dv.prompt and not dv.showErrorMessage
                continue
            assert dv.showErrorMessage and dv.errorStyle == "stop" and dv.error
            for rng in dv.sqref.ranges:
                covered[rng.coord] = dv
        for c in sh.cells:
            if c.kind == COUNT:
                assert covered[c.a1].type == "whole" and covered[c.a1].formula1 == "0"
            if c.kind == CHOICE:
                assert covered[c.a1].type == "list"
            if c.kind == "date":                   # the format is said before it is refused
                assert covered[c.a1].showInputMessage and "15/12/2025" in covered[c.a1].prompt
    if form_id == "bao_cao_nam":
        rules = wb["Biểu 3"].conditional_formatting
        targets = {str(r.sqref) for r in rules}
        assert "C11" in targets  # Tổng số đảng viên turns red when it does not add up


@pytest.mark.parametrize("form_id", FORMS)
def test_print_setup_is_a4_with_party_header(form_id):
    form, wb = form_sets()[form_id], committed(form_id)
    for sh in form.sheets:
        ws = wb[sh.name]
        # A4 at 100 %: never shrunk to fit (tests/test_print.py measures the printed size)
        assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.scale == 100
        assert not ws.sheet_properties.pageSetUpPr.fitToPage
        assert "UPPER(TT_CapTren)" in ws.cell(1, 1).value
        assert ws.oddHeader.center.text == "&P" and ws.HeaderFooter.differentFirst
        assert not ws.oddFooter.center.text          # nothing at the foot of the page
        right = [c.value for c in ws[1] if c.value == "ĐẢNG CỘNG SẢN VIỆT NAM"]
        assert right and ws.cell(1, 1).font.name == "Times New Roman"
        if sh.register is not None:    # a list of any length: an annex, signed with the report
            continue
        assert any(c.value == "NGƯỜI LẬP BIỂU" for row in ws.iter_rows() for c in row)
