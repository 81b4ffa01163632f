"""Seed 004 (Bảo Lâm): every known defect of the published figures is caught (SPEC §6)."""
from __future__ import annotations

import datetime as dt

from workbook_templates.read import read_workbook
from workbook_templates.sample import (
    bao_lam_2019,
    bao_lam_fixture,
    bao_lam_so_ket,
    fill_template,
    unit_info,
)
from workbook_templates.validate import validate


def run(values, form="bao_cao_nam"):
    return validate(read_workbook(fill_template(values, form=form)))


def rules_at(report):
    return {(f.rule, f.ref) for f in report.findings}


def test_2019_individuals_total_typed_as_2886_fails_on_the_total_cell():
    r = run(bao_lam_2019())
    assert not r.valid and r.rule_pack == "HD21"
    tong = [f for f in r.findings if f.rule == "R-TONG"]
    assert [(f.ref, f.name) for f in tong] == [("Biểu 3!C11", "XL_DV_TONG")]
    assert "2.886" in tong[0].message and "2.866" in tong[0].message
    assert "chênh +20" in tong[0].message


def test_2019_published_quota_breaches_are_errors_for_the_district():
    r = run(bao_lam_2019())
    quota = {f.name: f for f in r.findings if f.rule == "R-QUOTA" and f.severity == "error"}
    assert set(quota) == {"XL_TCCSD_XS", "XL_CUCS_XS"}
    assert "12" in quota["XL_TCCSD_XS"].message and "tối đa 9" in quota["XL_TCCSD_XS"].message


def test_2019_corrected_workbook_passes():
    r = run(bao_lam_2019(corrected=True))
    assert r.valid, [f.text() for f in r.errors]
    # the 2.886 members reviewed (footnote 6) against 2.866 rated stays visible as a warning
    assert any(f.rule == "R-KD-XL" for f in r.warnings)


def test_2022_members_eleven_unexplained():
    fx = bao_lam_fixture()
    s, t = fx["structure_12_2022"], fx["tables"]["ca_nhan"]
    v = unit_info("Huyện ủy Bảo Lâm", "BAOLAM", "Đảng bộ tỉnh Lâm Đồng", "DB_CTCS", 2022,
                  TT_NgayLap=dt.datetime(2023, 1, 10))
    v.update({"XL_DV_TONG": s["dang_vien"], "XL_DV_MIEN": s["mien_sinh_hoat"],
              "XL_DV_MOI": s["moi_ket_nap_duoi_6_thang"]})
    v.update({f"XL_DV_{k}": t[k][4] for k in ("XS", "TOT", "HT", "KHT")})
    v.update({"KD_PHAI_DV": s["dang_vien"], "KD_DA_DV": 3016, "KD_MIEN_DV": 189,
              "KD_MOIKN_DV": 38})
    r = run(v)
    tong = [f for f in r.findings if f.rule == "R-TONG"][0]
    assert tong.ref == "Biểu 3!C11" and "3.254" in tong.message and "3.243" in tong.message
    assert "chênh +11" in tong.message
    kd = [f for f in r.findings if f.rule == "R-KD" and f.name == "KD_PHAI_DV"][0]
    assert "3.254" in kd.message and "3.243" in kd.message


def test_so_ket_catches_every_known_defect():
    r = run(bao_lam_so_ket(), form="so_ket_quy_dinh")
    found = rules_at(r)
    # ttld_cap_huyen 2018: 10+24+1+0 = 35, stated 34; ca_nhan 2019: 2.866, stated 2.886
    assert ("R-TONG", "Biểu số 5!C37") in found
    assert ("R-TONG", "Biểu số 5!D48") in found
    msgs = " ".join(f.message for f in r.findings if f.rule == "R-DOCNO")
    assert "«236-CVBTCHU» thiếu dấu «/»" in msgs
    assert "«KH/HU» thiếu số văn bản" in msgs
    # seed 004 Biểu số 4: rows left without a tick
    assert sum(1 for f in r.findings if f.rule == "R-XMARK") == 3
    # the TCCSĐ XS share the report itself calls too high
    assert ("R-QUOTA", "Biểu số 5!C11") in found
    assert len([f for f in r.findings if f.rule == "R-TONG"]) == 2


def test_packaged_fixture_is_the_shared_one():
    from pathlib import Path

    import pytest

    from workbook_templates.sample import FIXTURE
    shared = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / FIXTURE.name
    if not shared.exists():
        pytest.skip("../shared is not beside this checkout")
    assert FIXTURE.read_bytes() == shared.read_bytes()
