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
