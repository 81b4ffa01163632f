"""The rule catalogue is the one place rules are defined: the docs, the packs and the checks
agree with it."""
from __future__ import annotations

import re
from pathlib import Path

from workbook_templates.rules.catalogue import RULES
from workbook_templates.rules.doc import markdown
from workbook_templates.rules.packs import PACKS, pack_for_year

ROOT = Path(__file__).resolve().parent.parent


def test_docs_rule_table_is_the_catalogue():
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert doc == markdown(), ("docs/rules.md is out of date: run "
                               "python -m workbook_templates.rules.doc > docs/rules.md")


def test_every_rule_the_code_reports_is_in_the_catalogue():
    used = set()
    for p in list((ROOT / "workbook_templates").rglob("*.py")) + list(
            (ROOT / "server").rglob("*.py")) + list((ROOT / "addin").rglob("*.py")):
        src = p.read_text(encoding="utf-8")
        used |= set(re.findall(r'(?:add|Finding)\(\s*(?:rule=)?"(R-[A-Z0-9-]+)"', src))
        used |= set(re.findall(r'"(R-[A-Z0-9-]+)" if ', src))
    assert used, "the scan found no rule ids"
    assert used <= set(RULES), used - set(RULES)


def test_every_entry_has_a_vietnamese_title_and_a_reference_in_every_pack():
    for r in RULES.values():
        assert r.title and r.checks and r.severity in ("error", "warning")
        for p in PACKS.values():
            ref = p.regulation(r.id)
            assert ref and "SPEC" not in ref and "kiemdiem" not in ref, (p.id, r.id, ref)


def test_packs_follow_the_regulation_of_their_year():
    assert pack_for_year(2018).id == "HD16" and pack_for_year(2019).id == "HD21"
    assert pack_for_year(2026).id == "QD366" and pack_for_year(2010).id == "HD16"
    # QĐ 366 rules exist only from 2025; HD 21 has no «no member disciplined» condition
    for pid in ("HD16", "HD21", "QD124"):
        assert not PACKS[pid].enabled("R-XS-KYLUAT") and not PACKS[pid].enabled("R-DIEM")
    q = PACKS["QD366"]
    assert q.severity("R-KD-XL") == "error" and PACKS["QD124"].severity("R-KD-XL") == "warning"
    assert "Điều 11" in q.regulation("R-XS-KYLUAT")
    # a sub-rule keeps its own severity and its parent's reference
    assert q.severity("R-QUOTA-SUMMED") == "warning" and q.severity("R-QUOTA") == "error"
    assert q.regulation("R-QUOTA-SUMMED") == q.regulation("R-QUOTA")
    assert "DINHCHI" not in PACKS["HD16"].not_rated_reasons
