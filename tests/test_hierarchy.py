"""One model of the hierarchy (SPEC §7, `spec.hierarchy`): every consumer agrees with it, and the
2025 structure behaves as an office would see it — a province rating its communes over the quota
gets an error on the row it decides, the sector rows add up, a workbook of the previous template
version is refused with a clear message."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from workbook_templates import merge as M
from workbook_templates import quota, sample
from workbook_templates.merge import Child, Parent, merge
from workbook_templates.read import ReadError, read_workbook
from workbook_templates.rules import checks
from workbook_templates.spec import get_form_set
from workbook_templates.spec import hierarchy as H
from workbook_templates.spec.domain import (
    DECISION_CODES,
    DECISION_LABEL,
    LEVEL_CODES,
    SECTOR_LABEL,
    UNIT_TYPE_LABEL,
)
from workbook_templates.validate import validate

FORM = get_form_set("bao_cao_nam")
TYPES = sorted(H.KINDS)
ROWS = sorted({c.row_key for c in FORM.cells.values() if c.sheet in ("Biểu 2", "Biểu 3")})


# --- every consumer derives from the model ------------------------------------------------------

def test_the_rows_every_unit_type_must_report_come_from_the_model():
    for sheet in FORM.sheets:
        if sheet.name != "Biểu 2":
            continue
        for block in sheet.blocks:
            for row in block.rows:
                assert row.required_for == H.required_for(row.key), row.key


def test_quota_rule_and_prerequisite_read_the_model():
    for t in TYPES:
        for row in ROWS:
            assert checks._quota_is_decided(t, row) == (row in H.kind(t).decides), (t, row)
    # every decided row is a real row of the form (no typo in the model)
    assert all(r in ROWS for k in H.KINDS.values() for r in k.decides | set(k.own_rows)
               | set(k.counted_in) | set(k.committee_in) | set(k.prereq))

    class Ctx:
        unit_type = None
    for t in TYPES:
        Ctx.unit_type = t
        assert checks._members_or_orgs(Ctx) == (H.kind(t).prereq, H.kind(t).prereq_who)


def test_merge_and_quota_tables_are_the_model():
    assert M.OWN_ROWS == {t: H.kind(t).own_rows for t in TYPES}
    assert M.CHILD_TYPES == {t: H.child_types(t) for t in TYPES}
    assert M.NOT_RATED == {c: DECISION_LABEL[c] for c in ("MOI", "KHAC")}
    for row, _label, types in quota.GROUPS:
        assert types == {t for t in TYPES if row in H.kind(t).counted_in}
    for t, rows in quota.TYPE_ROWS.items():
        assert set(rows) <= set(H.counted_rows(t))
    assert quota.CUCS_TYPES == {t for t in TYPES if H.kind(t).is_tccsd}


def test_the_server_uses_one_decision_vocabulary():
    from server.schemas import DecisionInSchema
    from server.web import quyet_dinh
    from server.web.filters import level
    assert quyet_dinh.CHOICES == DECISION_CODES
    for code in DECISION_CODES:
        assert level(code) == DECISION_LABEL[code]
    schema = DecisionInSchema()
    assert not schema.validate({"xep_loai": "MOI"})
    assert schema.validate({"xep_loai": "TOT_LAM"})
    assert schema.validate({"xep_loai": "TOT", "xep_loai_cap_uy": "MOI"})
    # one label per code: the decisions file reads the labels back
    for code in DECISION_CODES:
        assert M.level_code(DECISION_LABEL[code]) == code


def test_the_2025_structure_and_the_district_one():
    assert H.may_have_child("DB_TINH", "DB_CS", 2026)
    assert not H.may_have_child("DB_TINH", "DB_CS", 2023)          # districts then
    assert H.may_have_child("DB_TINH", "DB_CTCS", 2023)
    assert H.may_have_child("DB_TINH", "DB_CS")                    # the register: any year
    assert not H.may_have_child("DB_TINH", "CB_TT")
    assert not H.may_have_child("DB_CS", "DB_TINH")
    msg = H.bad_parent_message("CB_TT", "DB_TINH")
    assert "«Chi bộ trực thuộc» không thể trực thuộc «Đảng bộ tỉnh" in msg
    assert "huyện" not in msg.casefold()


# --- the 2026 round: a province and its communes ------------------------------------------------

YEAR = 2026
TINH = Parent("Đảng bộ tỉnh Lâm Đồng", "LD", "DB_TINH", "Ban Chấp hành Trung ương",
              year=YEAR, nguoi_lap="Trần Thị Bình", dien_thoai="0263 3877 123",
              ngay_lap=dt.date(2026, 12, 28))


def xa(code, name, xep_loai, sector="Xã, phường, đặc khu", cap_uy="TOT", type_="DB_CS"):
    v = sample.unit_info(name, code, TINH.name, type_, YEAR, TT_XepLoai=xep_loai,
                         TT_XepLoaiCapUy=cap_uy, TT_XepLoaiNguoiDungDau=xep_loai)
    if sector:
        v["TT_LinhVuc"] = sector
    v.update({"KD_PHAI_TT": 3, "KD_DA_TT": 3, "KD_PHAI_DV": 20, "KD_DA_DV": 20,
              "XL_DV_TONG": 20, "XL_DV_XS": 2, "XL_DV_TOT": 12, "XL_DV_HT": 6, "XL_DV_KHT": 0,
              "XL_DV_KYLUAT": 0, "XL_CBTT_TONG": 3, "XL_CBTT_TOT": 3})
    return v


def dang_bo_truc_thuoc(code="CQD", name="Đảng bộ các cơ quan Đảng tỉnh"):
    """A đảng bộ trực thuộc tỉnh with 10 TCCSĐ of its own (cơ quan), 1 XS and 9 TOT."""
    v = sample.unit_info(name, code, TINH.name, "DB_CTCS", YEAR, TT_XepLoai="TOT",
                         TT_XepLoaiCapUy="TOT", TT_XepLoaiNguoiDungDau="TOT")
    v.update({"KD_PHAI_TT": 10, "KD_DA_TT": 10, "KD_PHAI_DV": 50, "KD_DA_DV": 50,
              "XL_DV_TONG": 50, "XL_DV_XS": 5, "XL_DV_TOT": 40, "XL_DV_HT": 5, "XL_DV_KHT": 0,
              "XL_DV_KYLUAT": 0})
    for row in ("TCCSD", "DBCS", "TCCSD_TT", "TCCSD_CQ", "CUCS", "CUCS_TT"):
        v.update({f"XL_{row}_TONG": 10, f"XL_{row}_XS": 1, f"XL_{row}_TOT": 9})
    v.update({"XL_CBCS_TONG": 0})
    return v


def child(values, name=None) -> Child:
    filled = read_workbook(_fill(values))
    return Child(filled, validate(filled), name or f"{values['TT_MaDonVi']}.xlsx")


def _fill(values):
    """A workbook of these values; from 2025 with the QĐ 366 scores and tasks fitting them."""
    return sample.fill_template({**values, **sample.qd366_fields(values)})


@pytest.fixture(scope="module")
def communes():
    return [child(xa("X1", "Đảng bộ xã Lộc Bảo", "XS")),
            child(xa("X2", "Đảng bộ xã Lộc Bắc", "XS")),
            child(xa("X3", "Đảng bộ phường 1 Bảo Lộc", "TOT")),
            child(xa("X4", "Đảng bộ Công ty cao su", "TOT", sector="Doanh nghiệp")),
            child(dang_bo_truc_thuoc())]


def test_a_province_deciding_its_communes_over_the_quota_gets_an_error(communes):
    for c in communes:
        assert c.report.valid, [f.text() for f in c.report.errors]
    res = merge(communes, TINH)
    v = res.values
    # the four direct TCCSĐ, counted in TCCSD_TT; the full row also holds the 10 of the đảng bộ
    assert (v["XL_TCCSD_TT_TONG"], v["XL_TCCSD_TT_XS"], v["XL_TCCSD_TT_TOT"]) == (4, 2, 2)
    assert (v["XL_TCCSD_TONG"], v["XL_TCCSD_XS"], v["XL_TCCSD_TOT"]) == (14, 3, 11)
    assert (v["XL_CUCS_TT_TONG"], v["XL_CUCS_TT_TOT"]) == (4, 4)
    assert v["XL_DBCT_TONG"] == 1
    # sectors: 3 communes + the company, plus the đảng bộ's 10 cơ quan
    assert (v["XL_TCCSD_XA_TONG"], v["XL_TCCSD_DN_TONG"], v["XL_TCCSD_CQ_TONG"]) == (3, 1, 10)
    report = res.validate()
    errors = {f.name: f for f in report.errors if f.rule == "R-QUOTA"}
    assert set(errors) == {"XL_TCCSD_TT_XS"}
    assert "2 xếp loại «Hoàn thành xuất sắc nhiệm vụ» vượt mức tối đa 0" in \
        errors["XL_TCCSD_TT_XS"].message
    warnings = {f.name for f in report.warnings if f.rule == "R-QUOTA"}
    assert warnings == {"XL_TCCSD_XS", "XL_TCCSD_XA_XS", "XL_DBCS_XS"}    # indicative only
    assert not [f for f in report.errors if f.rule in ("R-PART", "R-REQ")]
    # the office sees each unit's sector beside its type
    detail = load_workbook(io.BytesIO(res.to_xlsx()))[M.SHEET_DETAIL]
    rows = {r[1]: r for r in detail.iter_rows(values_only=True) if r[1]}
    assert rows["Mã đơn vị"][4] == "Lĩnh vực"
    assert rows["X1"][4] == "Xã, phường, đặc khu" and rows["X4"][4] == "Doanh nghiệp"


def test_a_chi_bo_truc_thuoc_straight_under_a_province_is_pointed_out(communes):
    v = sample.unit_info("Chi bộ thôn 1", "CB1", TINH.name, "CB_TT", YEAR, TT_XepLoai="TOT")
    v.update({"KD_PHAI_DV": 5, "KD_DA_DV": 5, "XL_DV_TONG": 5, "XL_DV_TOT": 5,
              "XL_DV_KYLUAT": 0})
    res = merge(communes + [child(v)], TINH)
    assert len(res.notes) == 1
    assert "Chi bộ thôn 1 (CB1): «Chi bộ trực thuộc» không thể trực thuộc «Đảng bộ tỉnh" \
        in res.notes[0]


def test_a_commune_without_sector_leaves_the_sector_rows_blank_and_is_named(communes):
    res = merge(communes[:3] + [child(xa("X5", "Đảng bộ xã Đạ Tông", "TOT", sector=None))],
                TINH)
    assert not any(k.startswith(("XL_TCCSD_XA", "XL_TCCSD_CQ")) for k in res.values)
    assert len(res.notes) == 1 and "Đảng bộ xã Đạ Tông (X5)" in res.notes[0]
    assert "chưa ghi lĩnh vực" in res.notes[0]
    # the register's sector (the server passes it) is enough
    fixed = child(xa("X5", "Đảng bộ xã Đạ Tông", "TOT", sector=None))
    fixed.sector = "XA"
    res = merge(communes[:3] + [fixed], TINH)
    assert res.values["XL_TCCSD_XA_TONG"] == 4 and not res.notes


def test_sector_rows_must_add_up_to_the_tccsd_row():
    v = dang_bo_truc_thuoc()
    v["XL_TCCSD_CQ_TONG"], v["XL_TCCSD_CQ_TOT"] = 8, 7
    r = validate(read_workbook(_fill(v)))
    part = [f for f in r.errors if f.rule == "R-PART"]
    assert {f.name for f in part} == {"XL_TCCSD_TONG", "XL_TCCSD_TOT"}
    assert any("Theo lĩnh vực" in f.row_label or "cơ quan 8" in f.message for f in part)
    # the direct children cannot outnumber the whole row
    v = dang_bo_truc_thuoc()
    v["XL_CUCS_TT_TONG"], v["XL_CUCS_TT_TOT"] = 12, 11
    r = validate(read_workbook(_fill(v)))
    assert {f.name for f in r.errors if f.rule == "R-PART"} == {"XL_CUCS_TONG", "XL_CUCS_TOT"}


def test_a_district_before_2025_counts_all_its_tccsd_as_direct():
    huyen = Parent("Huyện ủy Bảo Lâm", "BL", "DB_CTCS", "Tỉnh ủy Lâm Đồng", year=2024,
                   nguoi_lap="Trần Thị Bình", dien_thoai="0263 3877 123",
                   ngay_lap=dt.date(2024, 12, 20))
    kids = []
    for code, lv in (("A", "TOT"), ("B", "HT"), ("C", "TOT")):
        v = xa(code, f"Đảng bộ xã {code}", lv, sector=None)
        v.update(TT_Nam=2024, TT_NgayLap=dt.datetime(2024, 12, 15), TT_CapTren=huyen.name)
        kids.append(child(v))
    res = merge(kids, huyen)
    v = res.values
    for k in ("TONG", "TOT", "HT"):
        assert v[f"XL_TCCSD_TT_{k}"] == v[f"XL_TCCSD_{k}"]
    assert not res.notes                       # no sector anywhere: nothing to say
    assert res.validate().valid


def test_the_province_s_own_tccsd_tt_is_never_summed_from_a_dang_bo_below(communes):
    res = merge([communes[-1]], TINH)
    assert res.values.get("XL_TCCSD_TT_TONG", 0) == 0
    assert res.values["XL_TCCSD_TONG"] == 10


# --- the template version -----------------------------------------------------------------------

def test_a_workbook_of_the_previous_version_is_refused_with_a_clear_message():
    wb = load_workbook(io.BytesIO(sample.fill_template(xa("X1", "Đảng bộ xã Lộc Bảo", "TOT"))))
    wb["_meta"]["B2"] = "1.0"
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ReadError) as e:
        read_workbook(buf.getvalue())
    assert "phiên bản 1.0 đã cũ" in str(e.value) and FORM.version in str(e.value)
    assert "tải mẫu mới" in str(e.value)


def test_the_sector_drop_down_lists_every_sector():
    wb = load_workbook(io.BytesIO(sample.fill_template(xa("X1", "Đảng bộ xã Lộc Bảo", "TOT"))))
    ref = wb.defined_names["DS_LinhVuc"].attr_text
    sheet, cells = ref.split("!")
    ws = wb[sheet.strip("'")]
    a, b = cells.replace("$", "").split(":")
    got = [c.value for row in ws[a:b] for c in row]
    assert got == list(SECTOR_LABEL.values())
    assert UNIT_TYPE_LABEL and LEVEL_CODES     # the vocabularies the form shows


def test_the_units_list_gives_the_sector_and_the_collecting_types_come_from_the_model(communes):
    from workbook_templates.cli_merge import PARENT_TYPES
    assert set(PARENT_TYPES) == {t for t in TYPES if H.child_types(t)}
    nameless = child(xa("X5", "Đảng bộ xã Đạ Tông", "TOT", sector=None))
    expected = [{"code": "X5", "name": "Đảng bộ xã Đạ Tông", "type": "DB_CS",
                 "parent_code": "LD", "sector": "Xã, phường, đặc khu"}]
    res = merge(communes[:3] + [nameless], TINH, expected=expected)
    assert res.values["XL_TCCSD_XA_TONG"] == 4 and not res.notes


def test_a_commune_straight_under_a_province_before_2025_is_pointed_out():
    tinh = Parent("Tỉnh ủy Lâm Đồng", "LD", "DB_TINH", year=2024, nguoi_lap="Trần Thị Bình",
                  ngay_lap=dt.date(2024, 12, 28))
    v = xa("X1", "Đảng bộ xã Lộc Bảo", "TOT")
    v.update(TT_Nam=2024, TT_NgayLap=dt.datetime(2024, 12, 15))
    res = merge([child(v)], tinh)
    assert len(res.notes) == 1
    assert "không thể trực thuộc «Đảng bộ tỉnh, thành phố (và tương đương)» trong cơ cấu năm " \
        "2024; dưới «Đảng bộ tỉnh, thành phố (và tương đương)» chỉ có «Đảng bộ cấp trên trực " \
        "tiếp của cơ sở»" in res.notes[0]


def test_no_row_label_or_hint_of_the_form_says_huyen():
    """SPEC §7: the level is generic; «cấp trên cơ sở», never «huyện»."""
    from workbook_templates.spec.bao_cao_nam import INFO_FIELDS
    texts = [c.row_label for c in FORM.cells.values()] + [c.col_label for c in FORM.cells.values()]
    texts += [f[1] for f in INFO_FIELDS] + [f[5] for f in INFO_FIELDS]
    texts += [label for _, label, _ in quota.GROUPS] + list(DECISION_LABEL.values())
    texts += [H.bad_parent_message(c, p) for p in TYPES for c in TYPES]
    assert not [t for t in texts if t and "huyện" in t.casefold()]


def test_the_template_does_not_flag_tccsd_red_while_the_sector_rows_are_left_blank():
    """Live highlighting judges a breakdown as the checker does: only once a part is filled."""
    wb = load_workbook(io.BytesIO(sample.fill_template(dang_bo_truc_thuoc())))
    cell = FORM.cells["XL_TCCSD_TONG"]
    rules = [r for rng in wb["Biểu 2"].conditional_formatting for r in rng.rules
             if cell.a1 in str(rng.sqref)]
    sector = [r.formula[0] for r in rules if "XL_TCCSD_XA_TONG" in r.formula[0]]
    assert len(sector) == 1
    assert sector[0].startswith("AND(COUNT(XL_TCCSD_XA_TONG,") and \
        "COUNT(XL_TCCSD_TONG" not in sector[0]


def _fill_by_name(path, values) -> bytes:
    """A workbook of the real 1.0 template (kept in tests/data) filled cell by defined name."""
    wb = load_workbook(path)
    for name, value in values.items():
        dn = wb.defined_names.get(name)
        if dn is None:
            continue
        sheet, ref = next(iter(dn.destinations))
        wb[sheet][ref.replace("$", "")].value = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_1_0_workbook_is_carried_into_the_current_template_by_name(tmp_path):
    """The unit does not type its figures again: `kiemdiem template upgrade` copies every input
    by its defined name (the 1.0 rows sit elsewhere on Biểu 2) and lists the new cells."""
    from pathlib import Path

    from workbook_templates.cli import main
    old_template = Path(__file__).parent / "data" / "bao_cao_nam_1_0.xlsx"
    v = xa("X1", "Đảng bộ xã Lộc Bảo", "TOT", sector=None)
    v.update({"XL_DBBP_TONG": 2, "XL_DBBP_TOT": 2, "KD_PHAI_TT": 6, "KD_DA_TT": 6})
    old = tmp_path / "loc_bao_1_0.xlsx"
    old.write_bytes(_fill_by_name(old_template, v))
    with pytest.raises(ReadError):
        read_workbook(old.read_bytes())
    new = tmp_path / "loc_bao.xlsx"
    assert main(["template", "upgrade", str(old), "-o", str(new)]) == 0
    report = validate(read_workbook(new.read_bytes()))
    # 1.0 had no QĐ 366 scores and tasks: those, and only those, are left for the unit to fill
    assert report.version == FORM.version
    assert {f.rule for f in report.errors} == {"R-DIEM", "R-NHIEMVU"}, \
        [f.text() for f in report.errors]
    for name in ("XL_CBTT_TONG", "XL_DBBP_TONG", "XL_DV_XS", "TT_XepLoai", "TT_MaDonVi"):
        assert report.values[name] == validate(read_workbook(_fill(v))) \
            .values[name], name
    from workbook_templates.upgrade import upgrade
    _, notes = upgrade(old.read_bytes())
    assert "Lĩnh vực (tổ chức cơ sở đảng)" in notes[-1] and "trực thuộc trực tiếp" in notes[-1]
    # the current version needs nothing
    assert main(["template", "upgrade", str(new), "-o", str(tmp_path / "x.xlsx")]) == 2


def test_a_commune_summary_sent_up_carries_its_sector_to_the_province(communes):
    """Two levels: the đảng ủy xã's summary of its chi bộ is its own report to the province."""
    kids = []
    for code, dv in (("CB1", (1, 6, 1, 0)), ("CB2", (0, 5, 1, 0))):
        xs, tot, ht, kht = dv
        v = sample.unit_info(f"Chi bộ thôn {code}", code, "Đảng ủy xã Lộc Tân", "CB_TT", YEAR,
                             TT_XepLoai="TOT", TT_XepLoaiNguoiDungDau="TOT")
        v.update({"KD_PHAI_DV": xs + tot + ht + kht, "KD_DA_DV": xs + tot + ht + kht,
                  "XL_DV_TONG": xs + tot + ht + kht, "XL_DV_XS": xs, "XL_DV_TOT": tot,
                  "XL_DV_HT": ht, "XL_DV_KHT": kht, "XL_DV_KYLUAT": 0})
        kids.append(child(v))
    xa_parent = Parent("Đảng ủy xã Lộc Tân", "X9", "DB_CS", TINH.name, year=YEAR,
                       nguoi_lap="Lê Thị Lan", ngay_lap=dt.date(2026, 12, 20))
    blank = merge(kids, xa_parent)
    assert "TT_LinhVuc" in blank.parent_fill and "TT_LinhVuc" not in blank.values
    xa_parent.linh_vuc = "XA"
    res = merge(kids, xa_parent)
    assert res.values["TT_LinhVuc"] == "Xã, phường, đặc khu"
    assert "TT_LinhVuc" not in res.parent_fill
    up = read_workbook(res.to_xlsx())
    report = validate(up)
    assert report.values["TT_LinhVuc"] == "XA"
    res = merge(communes[:3] + [Child(up, report, "loc_tan_tong_hop.xlsx", decision="TOT")], TINH)
    assert res.values["XL_TCCSD_XA_TONG"] == 4 and res.values["XL_TCCSD_TT_TONG"] == 4
    assert res.values["XL_DV_TONG"] == 3 * 20 + 14       # the chi bộ's members, summed up
