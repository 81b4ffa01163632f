"""The core reader refuses every hostile file of the corpus with a Vietnamese message, quickly and
without blowing up memory, and reads bad-but-genuine workbooks into findings."""
from __future__ import annotations

import time
import tracemalloc

import pytest
from hostile_corpus import corpus

from workbook_templates.read import ReadError, read_workbook
from workbook_templates.validate import validate

CORPUS = corpus()
VIETNAMESE = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("name,fname,data,expect", CORPUS, ids=[c[0] for c in CORPUS])
def test_reader_on_hostile_input(name, fname, data, expect):
    tracemalloc.start()
    t = time.perf_counter()
    try:
        if expect == "reject":
            with pytest.raises(ReadError) as e:
                read_workbook(data)
            msg = str(e.value)
            assert set(msg.lower()) & VIETNAMESE, msg
            assert "Traceback" not in msg
        else:
            report = validate(read_workbook(data))
            assert report.template == "bao_cao_nam"
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - t < 20
    assert peak < 150 * 1024 * 1024, f"{name}: peak {peak // 2**20} MB"


def test_text_in_number_cells_is_reported_with_probable_numbers():
    data = dict((c[0], c[2]) for c in CORPUS)["text_in_every_number_cell"]
    r = validate(read_workbook(data))
    nums = [f for f in r.findings if f.rule == "R-NUM"]
    assert len(nums) > 100 and all("mười hai" in f.message for f in nums)


def test_formula_in_an_input_cell_is_an_error_and_its_cached_value_is_not_read():
    """<f>1</f><v>100</v> in an input cell: neither 100 (cached) nor 1 is the value; the unit is
    told which cell and how to fix it."""
    from hostile_corpus import formula_in_input

    from workbook_templates.sample import bao_lam_2019, fill_template
    data, name = formula_in_input(fill_template(bao_lam_2019(corrected=True)))
    filled = read_workbook(data)
    assert filled.raw[name] is None and name in filled.input_formulas
    report = validate(filled)
    assert report.values[name] != 100
    f = [f for f in report.errors if f.name == name and f.rule == "R-FORMULA"]
    assert f and "Ô nhập liệu chứa công thức" in f[0].message and f[0].hint
    assert "Biểu 1!" in f[0].message and not report.valid


def test_formula_in_an_input_cell_from_the_command_line(tmp_path):
    import subprocess
    import sys

    from hostile_corpus import formula_in_input

    from workbook_templates.sample import bao_lam_2019, fill_template
    data, _ = formula_in_input(fill_template(bao_lam_2019(corrected=True)))
    p = tmp_path / "cong_thuc.xlsx"
    p.write_bytes(data)
    r = subprocess.run([sys.executable, "-m", "workbook_templates.cli", "validate", str(p)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "Ô nhập liệu chứa công thức" in r.stdout + r.stderr


def test_the_templates_fit_well_within_the_shape_limits():
    """The limits come from the templates' shape: each uses under a tenth of the rows and cells
    and a third of the columns, so a real workbook (with a report sheet of findings added) never
    meets them."""
    import io
    import zipfile

    from workbook_templates import safety
    from workbook_templates.merge.xlsx import _template
    lim = safety.DEFAULT
    for form_id in ("bao_cao_nam", "so_ket_quy_dinh"):
        z = zipfile.ZipFile(io.BytesIO(_template(form_id)))
        cells = 0
        for n in z.namelist():
            if n.startswith("xl/worksheets/sheet"):
                xml = z.read(n)
                cells += len(safety._CELL.findall(xml))
                refs = safety._CELL_REF.findall(xml)
                assert max(int(r) for _, r in refs) * 10 < lim.max_rows
                assert max(safety._col_number(c) for c, _ in refs) * 3 <= lim.max_cols
        assert cells * 10 < lim.max_cells


def test_control_characters_are_kept_by_the_reading():
    data = dict((c[0], c[2]) for c in CORPUS)["control_chars_in_text"]
    assert "\x01" in read_workbook(data).raw["TT_DonVi"]


# --- the second round, made differently (issue 14, "done when") --------------------------------

from hostile_corpus_2 import corpus2  # noqa: E402

CORPUS2 = corpus2()


@pytest.mark.parametrize("name,fname,data,expect", CORPUS2, ids=[c[0] for c in CORPUS2])
def test_reader_on_the_second_round(name, fname, data, expect):
    test_reader_on_hostile_input(name, fname, data, expect)
    if expect == "findings" and name.startswith("input_formula"):
        r = validate(read_workbook(data))
        assert any(f.rule == "R-FORMULA" and "Ô nhập liệu chứa công thức" in f.message
                   for f in r.errors), name


def test_the_second_round_writes_cleanly():
    """What the second round's readable files carry (control characters as _x000B_, _x0000_,
    &#11;; a formula-like text) comes out of the annotated copy as «�» and as text."""
    import io

    from openpyxl import load_workbook

    from workbook_templates.marks import annotate_xlsx
    for name, _, data, expect in CORPUS2:
        if expect != "findings":
            continue
        report = validate(read_workbook(data))
        wb = load_workbook(io.BytesIO(annotate_xlsx(data, report.findings, subtitle=name)))
        texts = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
                 if isinstance(c.value, str)]
        assert not any(ch in c.value for c in texts for ch in "\x00\x0b\x1b\x1f"), name
        if name.startswith("control"):
            assert any("\ufffd" in c.value for c in texts), name
        if name == "formula_like_text_inline":
            cells = [c for c in texts if "evil.example" in c.value]
            assert cells and all(c.data_type == "s" for c in cells)


def test_a_refusal_groups_its_numbers_and_keeps_its_commas():
    """Numbers are grouped the Vietnamese way (2.016) and the sentence around them keeps its
    commas: grouping the whole message once turned «2.016 phần, quá nhiều» into «phần. quá»."""
    from workbook_templates.safety import Limits, UnsafeFile, check_package
    data = dict((c[0], c[2]) for c in CORPUS)["thousands_of_sheets"]
    with pytest.raises(ReadError) as e:
        read_workbook(data)
    assert "chứa 2.016 phần, quá nhiều cho một biểu mẫu" in str(e.value)
    with pytest.raises(UnsafeFile) as e:
        check_package(data, limits=Limits(max_bytes=1024))
    assert "tối đa 1 KB). Biểu mẫu thật chỉ vài chục KB; hãy xóa ảnh, sheet thừa" in str(e.value)
