"""The reading record the server keeps with each upload gives back exactly what reading and
validating the file gives, and is refused when the code or the settings that made it changed."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from workbook_templates import reading, sample
from workbook_templates.read import read_workbook
from workbook_templates.validate import validate

#: label -> the workbook, filled when its test runs (not while collecting)
FILES = {"bao-lam-2019": lambda: sample.fill_template(sample.bao_lam_2019()),
         "bao-lam-2019-corrected":
             lambda: sample.fill_template(sample.bao_lam_2019(corrected=True)),
         "so-ket": lambda: sample.fill_template(sample.bao_lam_so_ket(), "so_ket_quy_dinh")}


@pytest.mark.parametrize("label", FILES)
def test_a_kept_reading_equals_reading_the_file_again(label):
    filled = read_workbook(FILES[label]())
    report = validate(filled)
    # through JSON, as the database column stores it
    record = json.loads(json.dumps(reading.dump(filled, report, base="tot", rules=None)))
    back_filled, back = reading.load(record, base="tot", rules=None, source=filled.source)
    assert back_filled.raw == filled.raw            # dates stay dates, text stays text
    assert back_filled.has_formula == filled.has_formula
    assert back.values == report.values
    assert [f.to_dict() for f in back.findings] == [f.to_dict() for f in report.findings]
    assert (back.valid, back.rule_pack, back.unit_type, back.year) == \
        (report.valid, report.rule_pack, report.unit_type, report.year)
    assert any(not f.is_error for f in back.findings)   # the samples carry findings to compare


def test_a_record_from_other_code_or_settings_is_not_used():
    filled = read_workbook(sample.fill_template(sample.bao_lam_2019(corrected=True)))
    record = reading.dump(filled, validate(filled), base="tot", rules=None)
    assert reading.load(record, base="tot", rules=None) is not None
    assert reading.load(record, base="tot_tro_len", rules=None) is None
    assert reading.load(record, base="tot", rules="HD21") is None
    assert reading.load(dict(record, engine="0" * 16), base="tot", rules=None) is None
    assert reading.load(dict(record, form_version="0.9"), base="tot", rules=None) is None
    assert reading.load(dict(record, raw=record["raw"][:-1]), base="tot", rules=None) is None
    assert reading.load(None, base="tot", rules=None) is None
    assert reading.load(dict(record, tagged=[[10 ** 6], []]), base="tot", rules=None) is None
    assert reading.load(dict(record, findings=[{"nonsense": 1}]), base="tot", rules=None) is None


def test_the_engine_changes_with_the_rules_source(tmp_path, monkeypatch):
    before = reading.engine()
    copy = tmp_path / "pkg"
    import shutil
    shutil.copytree(reading.HERE, copy, ignore=shutil.ignore_patterns("*.xlsx", "__pycache__"))
    (copy / "rules" / "packs.py").write_text((copy / "rules" / "packs.py").read_text()
                                             + "\n# a changed threshold\n")
    monkeypatch.setattr(reading, "HERE", copy)
    reading.engine.cache_clear()
    try:
        assert reading.engine() != before
    finally:
        monkeypatch.undo()
        reading.engine.cache_clear()
    assert reading.engine() == before


def test_a_few_cells_of_a_record_are_the_cells_read_from_the_file():
    """The pages of a large round look up a few cells of many records (`reading.pick`)."""
    filled = read_workbook(sample.fill_template(sample.bao_lam_2019(corrected=True)))
    report = validate(filled)
    record = json.loads(json.dumps(reading.dump(filled, report, base="tot", rules=None)))
    names = list(filled.form.cells)
    wanted = ["TT_DonVi", "TT_NgayLap", "XL_DV_TONG", "TT_DienThoai", names[-1]]
    at = tuple(names.index(n) for n in wanted)
    assert reading.pick(record, at) == [filled.raw.get(n) for n in wanted]
    assert reading.pick(record, at, "values") == [report.values.get(n) for n in wanted]
    assert isinstance(reading.pick(record, at)[1], dt.datetime | dt.date)   # a date stays one
    assert reading.pick(dict(record, raw=[[0]]), at) is None                 # damaged
    # a record kept before format 2 (every cell in order) is still read
    old = dict(record, format=1, raw=[reading._enc(filled.raw.get(n)) for n in names])
    assert reading.pick(old, at) == [filled.raw.get(n) for n in wanted]
