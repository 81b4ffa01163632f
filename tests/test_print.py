"""Paper, as the clerk and the superior read it: every sheet of both templates (blank and
filled), a summary and an annotated copy are printed to PDF by LibreOffice and measured.

- every word is printed at an effective ≥ 10 pt (the PDF's word boxes: Times New Roman / Liberation
  Serif boxes are 1.3 × the font size, so the size after any page scaling is height / 1.3);
- a blank form prints dotted write-in lines, never "1899" or "1900" for a blank date;
- nothing about the software (commands, options, rule ids) is printed;
- page numbers only from a sheet's second page, at the top centre (HD 36-HD/VPTW);
- the page counts stay what a person checked by eye: PNGs in test-output/print/.
"""
from __future__ import annotations

import datetime as dt
import html
import re
import subprocess

import pytest
from harness import png_pages

from workbook_templates.marks import annotate_xlsx
from workbook_templates.merge import Child, Parent, merge
from workbook_templates.read import read_workbook
from workbook_templates.sample import (
    _template_bytes,
    bao_lam_2019,
    bao_lam_so_ket,
    fill_template,
    qd366_fields,
    unit_info,
)
from workbook_templates.validate import validate

BOX_PER_PT = 1.3
MIN_PT = 9.9            # 10 pt, less the rounding of the PDF's coordinates
SOFTWARE = re.compile(r"công cụ|kiemdiem|--[a-z]|\bR-[A-Z]{2,}|python|openpyxl|\bTT_[A-Z]",
                      re.IGNORECASE)


def _chi_bo(code, name, dv):
    xs, tot, ht, kht = dv
    v = unit_info(name, code, "Đảng ủy xã Lộc Bảo", "CB_TT", 2025,
                  TT_XepLoai="Hoàn thành tốt nhiệm vụ")
    v.update({"KD_PHAI_TT": 1, "KD_DA_TT": 1, "KD_PHAI_DV": sum(dv), "KD_DA_DV": sum(dv),
              "XL_DV_TONG": sum(dv), "XL_DV_XS": xs, "XL_DV_TOT": tot, "XL_DV_HT": ht,
              "XL_DV_KHT": kht, "XL_DV_KYLUAT": 0})
    v.update(qd366_fields(v))      # a valid unit of 2025: the summary lists it
    return v


def documents() -> dict[str, bytes]:
    """name -> .xlsx bytes of every kind of workbook the project prints."""
    filled = fill_template(bao_lam_2019())
    kids = []
    for i, dv in enumerate(((2, 10, 3, 0), (1, 12, 2, 0), (3, 15, 1, 1)), start=1):
        data = fill_template(_chi_bo(f"LOCBAO_T{i:02d}", f"Chi bộ thôn {i}", dv))
        f = read_workbook(data)
        kids.append(Child(f, validate(f), f"chi_bo_{i}.xlsx"))
    # a fourth chi bộ sent a workbook with errors (not merged), a fifth sent nothing: the
    # summary's «Tình hình nộp» says so, with the errors' places as the printed form numbers them
    bad = _chi_bo("LOCBAO_T04", "Chi bộ thôn 4", (1, 5, 1, 0))
    bad.update(XL_DV_TONG=9, KD_DA_DV=6)
    f = read_workbook(fill_template(bad))
    kids.append(Child(f, validate(f), "chi_bo_4.xlsx"))
    expected = [{"code": f"LOCBAO_T{i:02d}", "name": f"Chi bộ thôn {i}", "type": "CB_TT",
                 "parent_code": "LOCBAO", "sector": ""} for i in range(1, 6)]
    parent = Parent("Đảng ủy xã Lộc Bảo", "LOCBAO", "DB_CS", "Đảng bộ tỉnh Lâm Đồng",
                    nguoi_lap="Trần Thị Bình", dien_thoai="0263 3877 123",
                    ngay_lap=dt.date(2025, 12, 20))
    report = validate(read_workbook(filled), today=dt.date(2026, 11, 22))
    reviews = []
    for code in ("A", "B"):     # two đảng bộ's reviews, with a «Chưa phù hợp» and a proposal
        v = bao_lam_so_ket()
        v.update(TT_DonVi=f"Đảng bộ xã {code}", TT_MaDonVi=code, TT_LoaiDonVi="Đảng bộ cơ sở")
        f = read_workbook(fill_template(v, form="so_ket_quy_dinh"))
        reviews.append(Child(f, validate(f), f"so_ket_{code}.xlsx"))
    return {
        "mau_bao_cao_nam": _template_bytes("bao_cao_nam"),
        "mau_so_ket_quy_dinh": _template_bytes("so_ket_quy_dinh"),
        "bao_lam_2019": filled,
        "bao_lam_so_ket": fill_template(bao_lam_so_ket(), form="so_ket_quy_dinh"),
        "tong_hop": merge(kids, parent, expected=expected).to_xlsx(),
        "ban_danh_dau": annotate_xlsx(filled, report.findings),
        "tong_hop_so_ket": merge(reviews, Parent("Huyện ủy Bảo Lâm", "BL", "DB_CTCS",
                                                 "Tỉnh ủy Lâm Đồng", 2023),
                                 include_invalid=True).to_xlsx(),
    }


def words(pdf) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page: (x0, y0, x1, y1, word) from pdftotext -bbox, after a (0, -1, page width, -1, "")
    marker."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages = []
    for page in re.findall(r"<page (.*?)</page>", out, re.S):
        width = float(re.match(r'width="([\d.]+)"', page).group(1))
        found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                           r'yMax="([\d.]+)">(.*?)</word>', page)
        # first a marker carrying the page width (no text: every check skips it)
        pages.append([(0.0, -1.0, width, -1.0, "")] + [
            (float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in found])
    return pages


@pytest.fixture(scope="module")
def printed(libreoffice, fresh_artifacts, tmp_path_factory):
    src = tmp_path_factory.mktemp("print")
    out = fresh_artifacts("print")
    paths = []
    for name, data in documents().items():
        p = src / f"{name}.xlsx"
        p.write_bytes(data)
        paths.append(p)
    result = {}
    for p, pdf in zip(paths, libreoffice.convert_many(paths, "pdf", out), strict=True):
        png_pages(pdf, out / p.stem)
        result[p.stem] = words(pdf)
    return result


NAMES = ["mau_bao_cao_nam", "mau_so_ket_quy_dinh", "bao_lam_2019", "bao_lam_so_ket", "tong_hop",
         "ban_danh_dau", "tong_hop_so_ket"]


@pytest.mark.parametrize("name", NAMES)
def test_every_word_is_printed_at_ten_points_or_more(printed, name):
    small = [(i + 1, w, round((y1 - y0) / BOX_PER_PT, 1))
             for i, page in enumerate(printed[name]) for x0, y0, x1, y1, w in page
             if w and (y1 - y0) / BOX_PER_PT < MIN_PT]
    assert not small, f"{name}: text below 10 pt (page, word, pt): {small[:12]}"


@pytest.mark.parametrize("name", NAMES)
def test_nothing_about_the_software_and_no_excel_zero_date(printed, name):
    text = [" ".join(w for *_, w in page) for page in printed[name]]
    for i, t in enumerate(text, start=1):
        assert "1899" not in t and "1900" not in t, (name, i)
        assert not SOFTWARE.search(t), (name, i, SOFTWARE.search(t).group(0))


def test_blank_forms_print_write_in_lines(printed):
    for name in ("mau_bao_cao_nam", "mau_so_ket_quy_dinh"):
        first = " ".join(w for *_, w in printed[name][0])
        assert "ngày ..... tháng ..... năm" in first and "ĐẢNG CỘNG SẢN VIỆT NAM" in first
        assert "......................" in first          # unit name and superior to write in
    filled = " ".join(w for *_, w in printed["bao_lam_2019"][0])
    assert "Bảo Lâm, ngày 20 tháng 12 năm 2019" in filled and "HUYỆN ỦY BẢO LÂM" in filled


TOP_MARGIN_PT = 20 * 72 / 25.4        # sheet_style.MARGINS: 20 mm at the top, either way round
SIDE_MARGIN_PT = 15 * 72 / 25.4       # … and at least 15 mm on either side


@pytest.mark.parametrize("name", NAMES)
def test_nothing_runs_off_the_side_of_the_page(printed, name):
    """A line wider than its page is cut there: the annotated copy's summary sentence, the
    title of a summary's list repeated on its second page width. Every word lies between the
    side margins."""
    for i, page in enumerate(printed[name], start=1):
        width = page[0][2]
        out = [w for x0, y0, x1, y1, w in page
               if w and (x1 > width - SIDE_MARGIN_PT + 1 or x0 < SIDE_MARGIN_PT - 1)]
        assert not out, f"{name}, page {i}: beyond the side margins: {out[:6]}"


@pytest.mark.parametrize("name", NAMES)
def test_the_letterhead_prints_whole(printed, name):
    """A wrapped line in a row too short for it is cut on paper: «ĐẢNG BỘ TỈNH LÂM ĐỒNG» over
    half a page, «ĐẢNG CỘNG SẢN VIỆT NAM» over the right half of Biểu 1 printed with their tops
    and bottoms cut off (the cut text still sits in the PDF, above the top margin)."""
    for i, page in enumerate(printed[name], start=1):
        if "CỘNG" not in {w for *_, w in page}:
            continue
        high = [w for x0, y0, x1, y1, w in page if w and y0 < TOP_MARGIN_PT - 0.5]
        assert not high, f"{name}, page {i}: cut above the first row: {high}"
        line = [w for *_, w in page if w in ("ĐẢNG", "CỘNG", "SẢN", "VIỆT", "NAM")]
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in " ".join(line), (name, i, line)


def _page_number(page):
    """The number printed alone at the top of a page (HD 36: 10 mm from the edge), or None."""
    top = [(x0, x1, w) for x0, y0, x1, y1, w in page if 0 <= y1 < 52]
    if len(top) == 1 and top[0][2].isdigit():
        return int(top[0][2]), (top[0][0] + top[0][1]) / 2
    assert not top, f"text in the top margin: {top}"
    return None


@pytest.mark.parametrize("name", ["mau_bao_cao_nam", "bao_lam_2019", "bao_lam_so_ket"])
def test_page_numbers_from_page_two_top_centre(printed, name):
    numbers = [_page_number(p) for p in printed[name]]
    # each sheet starts a new numbering with an unnumbered first page; numbered pages follow it
    expect = None
    for i, n in enumerate(numbers):
        if n is None:
            expect = 2
            assert "ĐẢNG CỘNG SẢN VIỆT NAM" in " ".join(w for *_, w in printed[name][i])
        else:
            assert n[0] == expect, (name, i + 1, n)
            # centred between the margins (HD 36): the middle of an A4 page, either way round
            width = printed[name][i][0][2]
            assert 0.4 * width < n[1] < 0.6 * width, (name, i + 1, n)
            expect += 1


def test_page_counts_stay_what_was_checked(printed):
    counts = {name: len(pages) for name, pages in printed.items()}
    # Thông tin 1, Biểu 1 1, Biểu 2 2, Biểu 3 1-2, Biểu 4 (60 rows) 3-4, Giải trình (60) 2-3
    assert 9 <= counts["mau_bao_cao_nam"] <= 14, counts
    assert counts["bao_lam_2019"] == counts["mau_bao_cao_nam"], counts
    assert 9 <= counts["mau_so_ket_quy_dinh"] <= 16, counts
    assert counts["ban_danh_dau"] <= counts["bao_lam_2019"] + 3, counts


def test_the_units_detail_prints_ratings_then_figures_one_page_wide_each(printed):
    """«Chi tiết đơn vị» (22 columns) printed 4 pages wide; now the ratings on one page width,
    the figures on the next, each with STT, code and name, and the notes and files left out
    below on the first width; the file name and time received stay on screen."""
    pages = [" ".join(w for *_, w in p) for p in printed["tong_hop"]]
    units = [t for t in pages if "Chi bộ thôn 1" in t and "Chi bộ thôn 3" in t
             and "CHI TIẾT CÁC ĐƠN VỊ" in t]
    ratings = [t for t in units if "Hoàn thành tốt nhiệm vụ" in t]
    figures = [t for t in units if "Tổng cộng" in t and "KHT" in t]
    assert len(units) == 2 and len(ratings) == 1 and len(figures) == 1, units
    assert all(f" LOCBAO_T{i:02d} " in t for t in units for i in (1, 2, 3)), units
    assert "Lĩnh vực" in ratings[0] and "Căn cứ xếp loại" in ratings[0]
    # Chi bộ thôn 1, 2, 3: 15, 15 and 20 members, 50 in all
    assert " 15 15 2 10 3 0 " in figures[0] and " 50 50 6 37 6 1 " in figures[0]
    assert "Số lỗi" in figures[0]
    assert not any("chi_bo_1.xlsx" in t for t in pages)
    below = [t for t in pages if "Cấp tổng hợp tự ghi ở sheet Thông tin" in t]
    assert len(below) == 1 and "Biểu 4 là hạn chế" in below[0]


def test_the_status_of_each_unit_prints_one_page_wide_then_the_notes(printed):
    """«Tình hình nộp» (11 columns) printed three pages wide, its title and the line naming who
    has not sent cut at the page's edge, and the reason a workbook was not merged named cells
    as Excel does («Biểu 3!C11»). Now the state of each unit on one page width, the notes on the
    next with STT, code and name again; the places as the printed form numbers them."""
    pages = [" ".join(w for *_, w in p) for p in printed["tong_hop"]]
    status = [t for t in pages if "TÌNH HÌNH NỘP BÁO CÁO" in t]
    assert len(status) == 2, status
    state, notes = status
    for t in status:
        assert all(f"Chi bộ thôn {i}" in t for i in range(1, 6)), t
        # a code as offices write them, printed whole in its column (not «LOCBAO_ T01»)
        assert all(f" LOCBAO_T{i:02d} " in t for i in range(1, 6)), t
        assert "Chưa nộp (1): Chi bộ thôn 5." in t, t
    assert "Đã nộp, không tổng hợp" in state and "CHƯA NỘP" in state and "Số cảnh báo" in state
    assert "chi_bo_4.xlsx" not in state + notes          # the file's name stays on screen
    assert "Tệp có" in notes and "nên không được tổng hợp" in notes
    assert "Biểu 1, dòng 1, cột (4)" in notes and not re.search(r"Biểu \d!\$?[A-Z]+\d", notes)


@pytest.mark.parametrize("name", ["mau_so_ket_quy_dinh", "bao_lam_so_ket"])
def test_biểu_số_5_keeps_each_table_with_its_header_and_the_signature_with_a_table(printed, name):
    """Biểu số 5 holds five tables: the third's caption and header printed alone at the foot of
    a page, its rows overleaf under the column numbers only. Each table now starts a page when
    it would be split, and the last one goes with the signature, never a signature alone."""
    from workbook_templates.spec import get_form_set
    captions = [b.caption for b in get_form_set("so_ket_quy_dinh").sheet("Biểu số 5").blocks]
    assert len(captions) == 5 and all(captions)
    pages = [[w for *_, w in p] for p in printed[name]]
    seen = 0
    for i, words in enumerate(pages, start=1):
        text = " ".join(words)
        here = sum(text.count(c) for c in captions)
        seen += here
        # each table printed with its header: one row of column numbers «(12)» per caption
        assert here == 0 or words.count("(12)") == here, (name, i, here, words.count("(12)"))
        if "NGƯỜI LẬP BIỂU" in text:
            assert len(words) > 60, (name, i, "a signature alone on its page")
    assert seen == len(captions), (name, seen)


#: the titles of a summary's own sheets, each printed whole on every page of its sheet
TITLES = ["HẠN MỨC XẾP LOẠI «HOÀN THÀNH XUẤT SẮC NHIỆM VỤ» CÒN LẠI THEO LOẠI ĐƠN VỊ",
          "TỔNG HỢP KẾT QUẢ KHẮC PHỤC HẠN CHẾ, KHUYẾT ĐIỂM CỦA ĐƠN VỊ TRỰC THUỘC",
          "TỔNG HỢP Ý KIẾN CỦA CÁC ĐƠN VỊ TRỰC THUỘC (BIỂU SỐ 2–4)",
          "TỔNG HỢP VĂN BẢN CỦA CÁC ĐƠN VỊ TRỰC THUỘC (BIỂU SỐ 1)",
          "CHI TIẾT CÁC ĐƠN VỊ TRỰC THUỘC —", "TÌNH HÌNH NỘP BÁO CÁO —"]


@pytest.mark.parametrize("name", ["tong_hop", "tong_hop_so_ket"])
def test_a_summarys_own_sheets_print_their_title_whole_on_every_page(printed, name):
    """A table wider than the page printed on a second page width with the first columns
    repeated, and the title cut where they end («HẠN MỨC XẾP LOẠI «HOÀN THÀNH XUẤT SẮC NH»):
    the quota, the units' Biểu 4 and the review's opinions now fit one page width; the units'
    detail and the status wrap their titles within the repeated columns."""
    found = set()
    for i, page in enumerate(printed[name], start=1):
        text = " ".join(w for *_, w in page)
        for t in TITLES:
            if " ".join(t.split()[:3]) in text:
                assert t in text, (name, i, t)
                found.add(t)
    assert len(found) >= 3, found


def test_review_prints_the_years_of_its_period_only(printed):
    page = next(" ".join(w for *_, w in p) for p in printed["bao_lam_so_ket"]
                if "THỐNG KÊ VĂN BẢN" in " ".join(w for *_, w in p))
    assert all(str(y) in page for y in range(2018, 2023))
    assert "2024" not in page and "Năm thứ" not in page
    blank = next(" ".join(w for *_, w in p) for p in printed["mau_so_ket_quy_dinh"]
                 if "THỐNG KÊ VĂN BẢN" in " ".join(w for *_, w in p))
    assert "Năm thứ 1" in blank
