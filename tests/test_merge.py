"""The merge (SPEC §5) as a collecting office uses it: unit workbooks made from the template, one
of them saved by LibreOffice, merged into a summary that is the same form, validates, names the
missing unit and adds up across two levels."""
from __future__ import annotations

import datetime as dt
import io
import os
import random
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from workbook_templates import sample
from workbook_templates.cli import main
from workbook_templates.merge import (
    SHEET_DETAIL,
    SHEET_KP,
    SHEET_QUOTA,
    SHEET_STATUS,
    Child,
    Parent,
    merge,
    read_child,
)
from workbook_templates.read import read_workbook
from workbook_templates.spec.model import percent
from workbook_templates.validate import validate

YEAR = 2024
HUYEN = Parent("Huyện ủy Bảo Lâm", "BL", "DB_CTCS", "Tỉnh ủy Lâm Đồng", nguoi_lap="Trần Thị Bình",
               dien_thoai="0263 3877 123", ngay_lap=dt.date(2024, 12, 20))


def dang_bo_xa(code, name, dv=(2, 10, 3, 0), mien=2, chi_bo=(1, 5, 0, 0), xep_loai="TOT",
               cap_uy="TOT", type_="DB_CS", **extra):
    """The values a đảng bộ xã types: members rated dv = (XS, TOT, HT, KHT), some exempt, its chi
    bộ rated chi_bo, its own proposal and its committee's rating."""
    xs, tot, ht, kht = dv
    rated = xs + tot + ht + kht
    v = sample.unit_info(name, code, "Huyện ủy Bảo Lâm", type_, YEAR,
                         TT_XepLoai=xep_loai, TT_XepLoaiCapUy=cap_uy)
    v.update({"KD_PHAI_TT": 4, "KD_DA_TT": 4, "KD_PHAI_DV": rated + mien, "KD_DA_DV": rated,
              "KD_MIEN_DV": mien, "XL_DV_TONG": rated + mien, "XL_DV_MIEN": mien,
              "XL_DV_XS": xs, "XL_DV_TOT": tot, "XL_DV_HT": ht, "XL_DV_KHT": kht,
              "XL_DV_KYLUAT": 0})
    if chi_bo is not None:
        a, b, c, d = chi_bo
        v.update({"XL_CBTT_TONG": a + b + c + d, "XL_CBTT_XS": a, "XL_CBTT_TOT": b,
                  "XL_CBTT_HT": c, "XL_CBTT_KHT": d})
    v.update(extra)
    v.update(sample.qd366_fields(v))   # from 2025: scores and tasks fitting the ratings
    return v


XA = {"LOCBAO": ("Đảng bộ xã Lộc Bảo", (2, 10, 3, 0)),
      "LOCBAC": ("Đảng bộ xã Lộc Bắc", (3, 20, 1, 1)),
      "BLAO": ("Đảng bộ xã B'Lá", (1, 9, 0, 0))}


def child_of(data: bytes, source: str, **kw) -> Child:
    filled = read_workbook(data)
    return Child(filled, validate(filled), source, **kw)


def _renamed(data: bytes, swaps: dict[bytes, bytes]) -> bytes:
    """A copy of an .xlsx with each text of `swaps` replaced in every part of the file."""
    import zipfile
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for zi in src.infolist():
            part = src.read(zi)
            for a, b in swaps.items():
                part = part.replace(a, b)
            z.writestr(zi, part)
    return out.getvalue()


def units_file(path: Path, rows, header=("Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên")):
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH ĐƠN VỊ PHẢI NỘP"])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def cell_value(xlsx: bytes, name):
    """The value written in the summary at a defined name's cell (openpyxl, as saved)."""
    from workbook_templates.spec import get_form_set
    c = get_form_set("bao_cao_nam").cells[name]
    return load_workbook(io.BytesIO(xlsx))[c.sheet].cell(c.row, c.col).value


# --- three units, one saved by LibreOffice, one missing ------------------------------------------

@pytest.fixture(scope="module")
def three_units(tmp_path_factory, libreoffice):
    d = tmp_path_factory.mktemp("units")
    paths = []
    for code in XA:
        p = d / f"{code}.xlsx"
        p.write_bytes(xa_workbook(code))
        paths.append(p)
    # B'Lá opened, recalculated and saved by LibreOffice, as a unit would send it
    lo = libreoffice.convert(paths[2], "xlsx:Calc MS Excel 2007 XML", d / "lo")
    paths[2] = lo
    units = units_file(d / "don_vi.xlsx", [(c, n, "Đảng bộ cơ sở", "BL") for c, (n, _) in
                                          XA.items()] +
                       [("LOCTHANH", "Đảng bộ thị trấn Lộc Thắng", "DB_CS", "BL"),
                        ("XA_KHAC", "Đảng bộ xã huyện khác", "DB_CS", "DT")])
    return d, paths, units


def test_three_units_merge_into_a_summary_that_validates(three_units, tmp_path, libreoffice):
    d, paths, units = three_units
    rc = main(["merge", *map(str, paths), "-o", str(tmp_path / "tong_hop.xlsx"),
               "--parent-name", "Huyện ủy Bảo Lâm", "--parent-code", "BL",
               "--parent-type", "DB_CTCS", "--cap-tren", "Tỉnh ủy Lâm Đồng",
               "--nguoi-lap", "Trần Thị Bình", "--dien-thoai", "0263 3877 123",
               "--expected", str(units)])
    assert rc == 0
    out = tmp_path / "tong_hop.xlsx"
    report = validate(read_workbook(out))
    assert report.valid, [f.message for f in report.errors]
    v = report.values
    # members: the sums of the three units; percentages recomputed from the sums
    xs, tot, ht, kht = (sum(dv[i] for _, dv in XA.values()) for i in range(4))
    assert (v["XL_DV_XS"], v["XL_DV_TOT"], v["XL_DV_HT"], v["XL_DV_KHT"]) == (xs, tot, ht, kht)
    assert v["XL_DV_TONG"] == xs + tot + ht + kht + 3 * 2 and v["XL_DV_MIEN"] == 6
    assert v["KD_DA_DV"] == xs + tot + ht + kht
    assert Decimal(str(v["XL_DV_PXS"])) == percent(xs, xs + tot + ht + kht)
    # each đảng bộ xã counts once in TCCSĐ / đảng bộ cơ sở, by its own (undecided) proposal
    assert (v["XL_TCCSD_TONG"], v["XL_TCCSD_TOT"], v["XL_DBCS_TOT"], v["XL_CBCS_TONG"]) == \
        (3, 3, 3, 0)
    assert (v["XL_CUCS_TONG"], v["XL_CUCS_TOT"]) == (3, 3)
    assert v["XL_CBTT_TONG"] == 18 and v["XL_CBTT_XS"] == 3
    # the parent's own rows stay empty for it to fill
    assert v["XL_TTLD_TREN_TONG"] is None and v["XL_CBLD_CTCS_TONG"] is None

    wb = load_workbook(out)
    assert wb.sheetnames[:6] == ["Thông tin", "Biểu 1", "Biểu 2", "Biểu 3", "Biểu 4",
                                 "Giải trình"]
    status = [[c for c in r] for r in wb[SHEET_STATUS].iter_rows(values_only=True)]
    flat = "\n".join(" | ".join(str(c) for c in r if c is not None) for r in status)
    assert "Đảng bộ thị trấn Lộc Thắng" in flat and "CHƯA NỘP" in flat
    assert "Đã nộp và tổng hợp 3/4 đơn vị" in flat
    assert "huyện khác" not in flat      # another parent's unit is not expected here
    detail = "\n".join(" | ".join(str(c) for c in r if c is not None)
                       for r in wb[SHEET_DETAIL].iter_rows(values_only=True))
    assert "Đảng bộ xã B'Lá" in detail and "chưa quyết định" in detail
    assert "Tập thể lãnh đạo, quản lý cấp trên cơ sở" in detail   # the rows to fill are named
    from workbook_templates.spec import get_form_set
    own = get_form_set("bao_cao_nam").cells["XL_TTLD_TREN_TONG"]
    assert "tự điền" in wb["Biểu 2"].cell(own.row, 2).comment.text   # marked for the parent

    # opened by LibreOffice the summary shows the right percentages
    lo = libreoffice.convert(out, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    from python_calamine import CalamineWorkbook
    grid = CalamineWorkbook.from_path(str(lo)).get_sheet_by_name("Biểu 3").to_python()
    c = get_form_set("bao_cao_nam").cells["XL_DV_PXS"]
    assert Decimal(str(grid[c.row - 1][c.col - 1])).quantize(Decimal("0.01")) == \
        percent(xs, xs + tot + ht + kht)


def test_merge_reports_missing_units_and_parent_rows(three_units):
    _, paths, units = three_units
    from workbook_templates.merge import read_expected
    kids = [read_child(p) for p in paths]
    res = merge(kids, HUYEN, expected=read_expected(units))
    assert [e["code"] for e in res.missing] == ["LOCTHANH"]
    assert len(res.included) == 3 and not res.skipped
    assert {c.code for c in res.undecided} == set(XA)
    report = res.validate()
    others = [f for f in report.findings if not res.is_parent_fill(f)]
    assert others == [], [f.message for f in others]


def test_summary_without_parent_details_fails_only_on_what_the_parent_fills(three_units):
    _, paths, _ = three_units
    bare = Parent("Huyện ủy Bảo Lâm", "BL", "DB_CTCS")
    res = merge([read_child(p) for p in paths], bare)
    report = res.validate()
    assert {f.name for f in report.errors} == {"TT_CapTren", "TT_NguoiLap"}
    assert all(res.is_parent_fill(f) for f in report.findings)


# --- decisions, determinism, invalid and duplicate children --------------------------------------

@cache
def xa_workbook(code: str) -> bytes:
    """The workbook of one of the three xã, written once per module (a write is a second or two;
    bytes cannot be changed by the tests that read them)."""
    name, dv = XA[code]
    return sample.fill_template(dang_bo_xa(code, name, dv))


def _kids(**decisions):
    """The three xã as children, read and checked afresh for each caller."""
    return [child_of(xa_workbook(code), f"{code}.xlsx", decision=decisions.get(code))
            for code in XA]


def test_decision_overrides_the_proposal_and_quota_shows_what_is_left():
    kids = _kids(LOCBAO="Hoàn thành xuất sắc nhiệm vụ", LOCBAC="TOT", BLAO="HT")
    res = merge(kids, HUYEN)
    v = res.values
    assert (v["XL_TCCSD_XS"], v["XL_TCCSD_TOT"], v["XL_TCCSD_HT"]) == (1, 1, 1)
    assert not res.undecided
    q = {r.key: r for r in res.quota}
    # 1 XS with 1 TOT: the ceiling floor(20 % × 1) = 0 is exceeded by 1
    assert q["TCCSD"].over == 1 and q["TCCSD"].ceiling == 0
    report = res.validate()
    quota = [f for f in report.errors if f.rule == "R-QUOTA"]
    assert [f.name for f in quota] == ["XL_TCCSD_TT_XS"]  # the parent's decision is wrong
    wb = load_workbook(io.BytesIO(res.to_xlsx()))
    text = " ".join(str(c) for r in wb[SHEET_QUOTA].iter_rows(values_only=True) for c in r if c)
    assert ("Vượt hạn mức: 1 đơn vị Hoàn thành xuất sắc, tối đa 0" in text
            and "chuyển ít nhất 1 đơn vị xuống Hoàn thành tốt" in text)
    # wrapped headers and messages get the rows' height (no reader re-measures them on opening)
    ws = wb[SHEET_QUOTA]
    head = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Nhóm đơn vị")
    assert ws.row_dimensions[head].height >= 30           # «Số XS tối đa hiện tại»: two lines
    assert ws.row_dimensions[head + 1].height >= 30       # the message: two lines


def test_quota_allowance_counts_how_many_more_may_be_xs():
    # ten đảng bộ rated TOT: moving one to XS leaves 9 TOT, ceiling 1 -> one more allowed
    proto = sample.fill_template(dang_bo_xa("XMAU", "TENMAU"))
    kids = [child_of(_renamed(proto, {b"XMAU": f"X{i:02}".encode(),
                                      b"TENMAU": f"Đảng bộ xã số {i}".encode()}),
                     f"x{i}.xlsx", decision="TOT") for i in range(10)]
    q = {r.key: r for r in merge(kids, HUYEN).quota}
    assert (q["DBCS"].xs, q["DBCS"].tot, q["DBCS"].ceiling, q["DBCS"].more) == (0, 10, 2, 1)
    q = {r.key: r for r in merge(kids, HUYEN, base="tot_tro_len").quota}
    assert q["DBCS"].more == 2


def test_a_unit_that_reports_itself_in_its_own_row_is_not_counted_twice():
    kids = _kids()
    name, dv = XA["LOCBAO"]
    selfish = dang_bo_xa("LOCBAO", name, dv, XL_CUCS_TONG=1, XL_CUCS_TOT=1, XL_TCCSD_TONG=1,
                         XL_TCCSD_TOT=1, XL_DBCS_TONG=1, XL_DBCS_TOT=1)
    kids[0] = child_of(sample.fill_template(selfish), "locbao.xlsx")
    assert kids[0].report.valid
    v = merge(kids, HUYEN).values
    assert (v["XL_TCCSD_TONG"], v["XL_DBCS_TONG"], v["XL_CUCS_TONG"]) == (3, 3, 3)


def test_merge_is_the_same_in_any_order():
    kids = _kids()
    first = merge(kids, HUYEN)
    for seed in range(4):
        shuffled = kids[:]
        random.Random(seed).shuffle(shuffled)
        again = merge(shuffled, HUYEN)
        assert again.values == first.values
        assert [c.code for c in again.included] == [c.code for c in first.included]
    a = validate(read_workbook(first.to_xlsx())).values
    b = validate(read_workbook(merge(kids[::-1], HUYEN).to_xlsx())).values
    assert a == b


def test_the_same_summary_written_later_is_the_same_file():
    """A summary carries no time of writing: the same report sent up again a second later is
    the same bytes, so the server keeps one version of it."""
    import time
    kids = _kids()
    first = merge(kids, HUYEN).to_xlsx()
    time.sleep(1.05 - time.time() % 1)    # into the next second of the clock
    assert merge(kids, HUYEN).to_xlsx() == first


def test_invalid_child_is_listed_with_its_errors_and_left_out_unless_asked():
    kids = _kids()
    bad = dang_bo_xa("LOCTAN", "Đảng bộ xã Lộc Tân", (1, 5, 0, 0), XL_DV_TONG=99)
    kids.append(child_of(sample.fill_template(bad), "loctan.xlsx"))
    res = merge(kids, HUYEN)
    assert [c.code for c, _ in res.skipped] == ["LOCTAN"]
    reason = res.skipped[0][1]
    assert "Biểu 3, dòng 1, cột (3)" in reason and "99" in reason
    assert "tổng hợp cả tệp còn lỗi" in reason
    assert res.values["XL_TCCSD_TONG"] == 3
    detail = load_workbook(io.BytesIO(res.to_xlsx()))[SHEET_DETAIL]
    assert any("Biểu 3, dòng 1, cột (3)" in str(c)
               for r in detail.iter_rows(values_only=True) for c in r)
    res = merge(kids, HUYEN, include_invalid=True)
    assert res.values["XL_TCCSD_TONG"] == 4 and not res.skipped
    assert res.values["XL_DV_TONG"] == merge(kids[:3], HUYEN).values["XL_DV_TONG"] + 99


def test_same_unit_twice_the_newer_file_is_used_and_said():
    old = child_of(sample.fill_template(dang_bo_xa("LOCBAO", "Đảng bộ xã Lộc Bảo", (1, 10, 0, 0))),
                   "locbao_lan1.xlsx", received_at=dt.datetime(2024, 12, 16, 8, 0))
    new = child_of(sample.fill_template(dang_bo_xa("LOCBAO", "Đảng bộ xã Lộc Bảo", (2, 10, 3, 0))),
                   "locbao_lan2.xlsx", received_at=dt.datetime(2024, 12, 18, 9, 30))
    for order in ([old, new], [new, old]):
        res = merge(order, HUYEN)
        assert [c.source for c in res.included] == ["locbao_lan2.xlsx"]
        assert res.values["XL_DV_XS"] == 2 and res.values["XL_TCCSD_TONG"] == 1
        (skipped, reason), = res.skipped
        assert skipped.source == "locbao_lan1.xlsx"
        assert "locbao_lan2.xlsx" in reason and "mới hơn" in reason


def test_same_unit_twice_by_file_time_on_the_command_line(tmp_path, capsys):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    a.write_bytes(sample.fill_template(dang_bo_xa("LOCBAO", "Đảng bộ xã Lộc Bảo", (2, 10, 3, 0))))
    b.write_bytes(sample.fill_template(dang_bo_xa("LOCBAO", "Đảng bộ xã Lộc Bảo", (1, 10, 0, 0))))
    os.utime(a, (1_734_500_000, 1_734_500_000))   # a is newer
    os.utime(b, (1_734_000_000, 1_734_000_000))
    out = tmp_path / "th.xlsx"
    rc = main(["merge", str(b), str(a), "-o", str(out), "--parent-name", "Huyện ủy Bảo Lâm",
               "--parent-code", "BL", "--parent-type", "DB_CTCS", "--cap-tren", "Tỉnh ủy",
               "--nguoi-lap", "Trần Thị Bình"])
    assert rc == 0
    said = capsys.readouterr().out
    assert "Không tổng hợp b.xlsx" in said and "dùng tệp mới hơn a.xlsx" in said
    assert validate(read_workbook(out)).values["XL_DV_XS"] == 2


def test_text_from_a_child_stays_text():
    formula = '=HYPERLINK("http://example.com","bấm vào đây")'
    v = dang_bo_xa("LOCBAO", "Đảng bộ xã Lộc Bảo", KP_NoiDung_1=formula,
                   KP_NamChiRa_1=2023, KP_GiaiPhap_1="Tổ chức học tập lại",
                   KP_ThoiHan_1=dt.datetime(2024, 12, 31), KP_KetQua_1="Đã khắc phục")
    kid = child_of(sample.fill_template(v), "locbao.xlsx")
    assert kid.report.valid, [f.message for f in kid.report.errors]
    res = merge([kid], HUYEN)
    wb = load_workbook(io.BytesIO(res.to_xlsx()))
    ws = wb[SHEET_KP]
    cells = [c for r in ws.iter_rows() for c in r if c.value == formula]
    assert cells and all(c.data_type == "s" for c in cells)
    assert any(c.value == "Đảng bộ xã Lộc Bảo" for c in ws[cells[0].row])


def test_a_units_text_reads_back_in_the_summary_as_typed():
    """The tables' rows are written as XML by the summary writer (not cell by cell through
    openpyxl): spaces, line breaks, «&», «<», an Excel-escape look-alike and a date come back as
    the unit typed them; a control character an .xlsx cannot hold becomes «�»."""
    typed = "  Rà soát & <sửa> quy chế\r\ndòng 2 _x0041_  "
    v = dang_bo_xa("LOCBAO", "Đảng bộ xã Lộc Bảo", KP_NoiDung_1=typed, KP_NamChiRa_1=2023,
                   KP_GiaiPhap_1="Học tập lại", KP_ThoiHan_1=dt.datetime(2024, 12, 31),
                   KP_KetQua_1="Đã khắc phục")
    kid = child_of(sample.fill_template(v), "locbao.xlsx")
    typed = kid.filled.raw["KP_NoiDung_1"]          # as the reader gave it back
    assert typed.startswith("  Rà soát & <sửa>") and "\n" in typed and typed.endswith("  ")
    kid.filled.raw["KP_GiaiPhap_1"] = "Học\x01 tập lại"
    ws = load_workbook(io.BytesIO(merge([kid], HUYEN).to_xlsx()))[SHEET_KP]
    row = next(r for r in ws.iter_rows() if r[1].value == "Đảng bộ xã Lộc Bảo")
    values = [c.value for c in row]
    assert typed in values and "Học\ufffd tập lại" in values and 2023 in values
    when = next(c for c in row if isinstance(c.value, dt.datetime))
    assert when.value == dt.datetime(2024, 12, 31) and when.number_format == "dd/mm/yyyy hh:mm"
    assert all(c.border.left.style == "thin" for c in row)


# --- two levels ----------------------------------------------------------------------------------

def chi_bo(code, name, dv, parent="Đảng bộ xã Lộc Bảo"):
    xs, tot, ht, kht = dv
    rated = xs + tot + ht + kht
    v = sample.unit_info(name, code, parent, "CB_TT", YEAR, TT_XepLoai="TOT")
    v.update({"KD_PHAI_DV": rated + 1, "KD_DA_DV": rated, "KD_MOIKN_DV": 1,
              "XL_DV_TONG": rated + 1, "XL_DV_MOI": 1, "XL_DV_XS": xs, "XL_DV_TOT": tot,
              "XL_DV_HT": ht, "XL_DV_KHT": kht, "XL_DV_KYLUAT": 0})
    return v


def test_two_level_chain_adds_up_to_the_chi_bo_figures(tmp_path):
    chi_bos = {"LOCBAO": [(1, 6, 1, 0), (0, 8, 2, 0), (1, 5, 0, 1)],
               "LOCBAC": [(2, 12, 3, 0), (0, 4, 1, 0)]}
    summaries = []
    all_dv = []
    for xa, groups in chi_bos.items():
        name = XA[xa][0]
        kids = []
        for i, dv in enumerate(groups, 1):
            data = sample.fill_template(chi_bo(f"{xa}-CB{i}", f"Chi bộ thôn {i} ({xa})", dv, name))
            kids.append(child_of(data, f"{xa}-cb{i}.xlsx"))
            all_dv.append(dv)
        res = merge(kids, Parent(name, xa, "DB_CS", "Huyện ủy Bảo Lâm", nguoi_lap="Lê Văn C",
                                 ngay_lap=dt.date(2024, 12, 10)))
        assert res.values["XL_CBTT_TONG"] == len(groups)
        report = res.validate()
        assert report.valid, [f.message for f in report.errors]
        summaries.append(res.to_xlsx())
    # the đảng bộ xã summaries go up, rated by the huyện
    top = merge([child_of(s, f"xa{i}.xlsx", decision="TOT") for i, s in enumerate(summaries)],
                HUYEN)
    report = top.validate()
    assert report.valid, [f.message for f in report.errors]
    v = report.values
    rated = sum(sum(dv) for dv in all_dv)
    assert v["XL_DV_DG"] == rated
    assert v["XL_DV_TONG"] == rated + len(all_dv)          # one new member per chi bộ
    assert v["XL_DV_MOI"] == len(all_dv)
    for i, k in enumerate(("XS", "TOT", "HT", "KHT")):
        assert v[f"XL_DV_{k}"] == sum(dv[i] for dv in all_dv)
    assert v["KD_DA_DV"] == rated
    assert v["XL_CBTT_TONG"] == 5 and v["XL_CBTT_TOT"] == 5
    assert (v["XL_TCCSD_TONG"], v["XL_DBCS_TONG"], v["XL_TCCSD_TOT"]) == (2, 2, 2)
    # and one more level: the huyện summary into the tỉnh's
    tinh = merge([child_of(top.to_xlsx(), "huyen.xlsx", decision="HT")],
                 Parent("Tỉnh ủy Lâm Đồng", "LD", "DB_TINH", "Ban Chấp hành Trung ương",
                        nguoi_lap="Phạm Văn D"))
    report = tinh.validate()
    assert report.valid, [f.message for f in report.errors]
    t = report.values
    assert (t["XL_DV_DG"], t["XL_DV_XS"]) == (rated, v["XL_DV_XS"])
    assert (t["XL_DBCT_TONG"], t["XL_DBCT_HT"], t["XL_TCCSD_TONG"], t["XL_CBTT_TONG"]) == \
        (1, 1, 2, 5)


# --- so_ket_quy_dinh -----------------------------------------------------------------------------

def so_ket_unit(code, name, scale=1, proposal=None):
    """Seed 004's review as a valid unit workbook: its totals and document numbers corrected,
    its missing ticks added; `scale` varies the figures."""
    v = sample.bao_lam_so_ket()
    v.update({"TT_DonVi": name, "TT_MaDonVi": code, "TT_LoaiDonVi": "Đảng bộ cơ sở"})
    for k in list(v):
        if k.startswith("SK5_") and not k.split("_")[2] == "TONG":
            v[k] = v[k] * scale
    for t in ("TCCSD", "CUCS", "TTLD", "CANHAN"):
        for y in range(1, 6):
            v[f"SK5_{t}_TONG_Y{y}"] = sum(v[f"SK5_{t}_{lv}_Y{y}"] for lv in
                                          ("XS", "TOT", "HT", "KHT"))
    v["SK1_QD_SO_Y1"] = "70-KH/HU"
    v["SK1_CD_SO_Y4"] = v["SK1_CD_SO_Y4"].replace("236-CVBTCHU", "236-CV/BTCHU") \
        if isinstance(v.get("SK1_CD_SO_Y4"), str) else v.get("SK1_CD_SO_Y4")
    for k in [k for k in v if k.startswith("SK1_") and isinstance(v[k], str) and "CVBTCHU" in v[k]]:
        v[k] = v[k].replace("236-CVBTCHU", "236-CV/BTCHU")
    v["SK4_KD_CBLD_TRACHNHIEM_PH"] = "x"
    for g in ("DG_TCD", "DG_TTLD"):
        v[f"SK4_{g}_CHUTHE_CPH"] = "x"
    if proposal:
        v.pop("SK2_DV_A_PH", None)
        v["SK2_DV_A_CPH"] = "x"
        v["SK2_DV_A_DN"] = proposal
    return sample.fill_template(v, form="so_ket_quy_dinh")


def test_so_ket_merge_sums_results_and_collects_opinions():
    formula = '=HYPERLINK("http://example.com","đề nghị")'
    kids = [child_of(so_ket_unit("A", "Đảng bộ xã A"), "a.xlsx"),
            child_of(so_ket_unit("B", "Đảng bộ xã B", 2, proposal="Bỏ tiêu chí (a)"), "b.xlsx"),
            child_of(so_ket_unit("C", "Đảng bộ xã C", 3, proposal=formula), "c.xlsx")]
    for k in kids:
        assert k.report.valid, [f.message for f in k.report.errors]
    parent = Parent("Huyện ủy Bảo Lâm", "BL", "DB_CTCS", "Tỉnh ủy Lâm Đồng", 2023,
                    nguoi_lap="Trần Thị Bình")
    res = merge(kids, parent)
    a = kids[0].values
    assert res.values["SK5_CANHAN_XS_Y2"] == 6 * a["SK5_CANHAN_XS_Y2"]
    assert res.values["SK5_CANHAN_TONG_Y5"] == 6 * a["SK5_CANHAN_TONG_Y5"]
    assert (res.values["TT_TuNam"], res.values["TT_DenNam"]) == (2018, 2022)
    row = next(o for o in res.opinions if o["name"] == "SK2_DV_A")
    assert (row["PH"], row["CPH"]) == (1, 2) and row["group"] == "Đảng viên"
    assert ("Đảng bộ xã B", "Bỏ tiêu chí (a)") in row["proposals"]
    report = res.validate()
    others = [f for f in report.findings if not res.is_parent_fill(f)]
    assert not [f for f in others if f.is_error], [f.message for f in others]
    wb = load_workbook(io.BytesIO(res.to_xlsx()))
    ws = wb["Tổng hợp ý kiến"]
    texts = [c for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    hit = [c for c in texts if "Đảng bộ xã C: " + formula in c.value]
    assert hit and hit[0].data_type == "s"
    docs = wb["Tổng hợp văn bản"]
    units = {r[1] for r in docs.iter_rows(min_row=6, values_only=True) if r[1]}
    assert units == {"Đảng bộ xã A", "Đảng bộ xã B", "Đảng bộ xã C"}


def test_children_of_another_year_or_form_are_left_out():
    kids = _kids()
    other = dang_bo_xa("LOCTAN", "Đảng bộ xã Lộc Tân", TT_Nam=2023,
                       TT_NgayLap=dt.datetime(2023, 12, 15))
    kids.append(child_of(sample.fill_template(other), "loctan_2023.xlsx"))
    kids.append(child_of(so_ket_unit("SK", "Đảng bộ xã Sơ Kết"), "soket.xlsx"))
    res = merge(kids, HUYEN)
    reasons = dict((c.source, r) for c, r in res.skipped)
    assert "2023" in reasons["loctan_2023.xlsx"] and "2024" in reasons["loctan_2023.xlsx"]
    assert "mẫu" in reasons["soket.xlsx"]
    assert res.values["XL_TCCSD_TONG"] == 3


# --- the command line ----------------------------------------------------------------------------

def test_cli_decisions_file_and_progress_bar(tmp_path, capsys):
    # one chi bộ written, twenty more made from it with their own code and name (a write is a
    # second or two; what is read is the same workbook a unit fills)
    proto = sample.fill_template(chi_bo("CBMAU", "TENMAU", (0, 4, 1, 0)))
    for i in range(21):
        (tmp_path / f"cb{i:02}.xlsx").write_bytes(
            _renamed(proto, {b"CBMAU": f"CB{i:02}".encode(), b"TENMAU": f"Chi bộ {i}".encode()}))
    (tmp_path / "qd").mkdir()
    dec = tmp_path / "qd" / "quyet_dinh.xlsx"
    units_file(dec, [("CB00", "Hoàn thành xuất sắc nhiệm vụ"), ("CB01", "HT")],
               header=("Mã đơn vị", "Xếp loại"))
    out = tmp_path / "xa.xlsx"
    rc = main(["merge", str(tmp_path), "-o", str(out), "--parent-name", "Đảng bộ xã Lộc Bảo",
               "--parent-code", "LOCBAO", "--parent-type", "DB_CS", "--cap-tren",
               "Huyện ủy Bảo Lâm", "--nguoi-lap", "Lê Văn C", "--decisions", str(dec),
               "--jobs", "1"])
    cap = capsys.readouterr()
    assert rc == 0, cap.out
    assert "Đọc và kiểm tra" in cap.err and "21/21" in cap.err
    assert "19 đơn vị chưa quyết định" in cap.out
    v = validate(read_workbook(out)).values
    assert (v["XL_CBTT_TONG"], v["XL_CBTT_XS"], v["XL_CBTT_HT"], v["XL_CBTT_TOT"]) == \
        (21, 1, 1, 19)
    assert v["XL_DV_TOT"] == 84


def test_a_chi_bo_merged_straight_into_a_huyen_is_pointed_out():
    kid = child_of(sample.fill_template(chi_bo("CB1", "Chi bộ thôn 1", (0, 4, 1, 0))), "cb.xlsx")
    res = merge([kid], HUYEN)
    assert len(res.notes) == 1 and "Chi bộ thôn 1" in res.notes[0]
    assert ("«Chi bộ trực thuộc» không thể trực thuộc «Đảng bộ cấp trên trực tiếp của cơ sở»"
            in res.notes[0]) and "chỉ có «Đảng bộ cơ sở», «Chi bộ cơ sở»" in res.notes[0]
    assert not merge(_kids(), HUYEN).notes


def test_cli_bad_decision_and_unreadable_file(tmp_path, capsys):
    p = tmp_path / "cb.xlsx"
    p.write_bytes(sample.fill_template(chi_bo("CB1", "Chi bộ 1", (0, 4, 1, 0))))
    junk = tmp_path / "ghi_chu.xlsx"
    junk.write_bytes(b"khong phai excel")
    dec = units_file(tmp_path / "qd.xlsx", [("CB1", "Rất tốt")], header=("Mã đơn vị", "Xếp loại"))
    args = ["merge", str(p), "-o", str(tmp_path / "o.xlsx"), "--parent-name", "Xã",
            "--parent-code", "X", "--parent-type", "DB_CS"]
    assert main(args + ["--decisions", str(dec)]) == 2
    assert "Rất tốt" in capsys.readouterr().err
    rc = main(args[:2] + [str(junk)] + args[2:] + ["--cap-tren", "Huyện", "--nguoi-lap", "A"])
    assert rc == 0
    assert "Không đọc được ghi_chu.xlsx" in capsys.readouterr().out


def test_the_qd366_exception_raises_the_xs_share_of_the_summary_to_25_percent(tmp_path, capsys):
    # 2025 (QD366): 2 đảng bộ proposing XS beside 8 at TOT. 20 % of 8 TOT allows 1 XS; where the
    # competent level approved the exception, 25 % of 8 allows 2.
    files = []
    proto = {xl: sample.fill_template(dang_bo_xa("XMAU", "TENMAU", xep_loai=xl, TT_Nam=2025))
             for xl in ("XS", "TOT")}
    for i in range(10):
        p = tmp_path / f"x{i}.xlsx"
        p.write_bytes(_renamed(proto["XS" if i < 2 else "TOT"],
                               {b"XMAU": f"X{i:02}".encode(),
                                b"TENMAU": f"Đảng bộ xã số {i}".encode()}))
        files.append(str(p))
    args = ["merge", *files, "--parent-name", "Huyện ủy Bảo Lâm", "--parent-code", "BL",
            "--parent-type", "DB_CTCS", "--nguoi-lap", "Trần Thị Bình",
            "--dien-thoai", "0912345678", "-q"]
    normal, exception = tmp_path / "th.xlsx", tmp_path / "th25.xlsx"

    # exit 0: the ratings are proposals, still the parent's to settle
    assert main(args + ["-o", str(normal)]) == 0
    out = capsys.readouterr().out
    assert "Vượt hạn mức: 2 đơn vị Hoàn thành xuất sắc, tối đa 1 (20 % × 8" in out
    report = validate(read_workbook(normal))
    assert "XL_TCCSD_TT_XS" in [f.name for f in report.errors if f.rule == "R-QUOTA"]

    assert main(args + ["-o", str(exception), "--ngoai-le-25"]) == 0
    out = capsys.readouterr().out
    assert ("Không còn được xếp thêm đơn vị Hoàn thành xuất sắc (đang có 2, tối đa 2 = 25 % × 8"
            in out)
    filled = read_workbook(exception)
    assert filled.raw["TT_NgoaiLe25"] == "Có"
    assert not [f for f in validate(filled).findings if f.rule == "R-QUOTA"]
    wb = load_workbook(exception)
    assert "Tỷ lệ tối đa 25 %" in " ".join(
        str(c) for r in wb[SHEET_QUOTA].iter_rows(values_only=True) for c in r if c)
