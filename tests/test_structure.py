"""No part of the product branches on which form set a workbook is (docs/architecture.md, "Where a
new form set goes"): the checks, the merge, the written report and the server ask the form set what
it holds — `FormSet.rates_units`, `has_opinions`, `period_names`, `rating_year_name`,
`year_label` — or look its code up in a table keyed by form set (`rules.checks.CHECKS`,
`merge.forms.MERGERS`, `bao_cao.WRITERS`). A new form set then declares what it is, once, in
`workbook_templates/spec/`, and every part follows; a forgotten `if form.id == "bao_cao_nam"`
would quietly treat it as one of the old two.

Read from the source (the AST), so a comment or a message naming a form set does not count, and a
comparison of two form ids (a file's form against the round's) is not a branch on a kind of form.
"""
from __future__ import annotations

import ast
from pathlib import Path

from workbook_templates.spec import form_sets

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("workbook_templates", "addin", "server")
#: where the form sets are defined: the only place that may name one to decide what it is
EXEMPT = (ROOT / "workbook_templates" / "spec",)
FORM_IDS = frozenset(form_sets())


def _is_form_id(node: ast.AST) -> bool:
    """A form set's id written out ("bao_cao_nam") or a spec module's `ID`."""
    if isinstance(node, ast.Constant):
        return node.value in FORM_IDS
    if isinstance(node, ast.Attribute):
        return node.attr == "ID"
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):     # x in ("bao_cao_nam", ...)
        return any(_is_form_id(e) for e in node.elts)
    return False


def branches_on_form(source: str) -> list[int]:
    """Line numbers where `source` compares something with a form set's id (==, !=, in, is, a
    `case`): a decision on which form set it is."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            if any(_is_form_id(x) for x in (node.left, *node.comparators)):
                lines.append(node.lineno)
        elif isinstance(node, ast.MatchValue) and _is_form_id(node.value):
            lines.append(node.lineno)
    return sorted(lines)


def test_the_detector_sees_a_branch_and_leaves_an_equality_of_two_ids():
    src = '''
if form.id == "bao_cao_nam":
    pass
x = 1 if result.form.id != "so_ket_quy_dinh" else 2
if report.template in ("bao_cao_nam",):
    pass
if form_id == so_ket_quy_dinh.ID:
    pass
match rnd.form:
    case "bao_cao_nam":
        pass
if ch.filled.form.id != form.id:        # a file of another form set than the summary's
    pass
if result.form.id != rnd.form:
    pass
name = "bao_cao_nam"                     # a default, not a decision
'''
    assert branches_on_form(src) == [2, 4, 5, 7, 10]


def test_no_branch_on_which_form_set_outside_the_form_set_definitions():
    found = []
    for pkg in PACKAGES:
        for f in sorted((ROOT / pkg).rglob("*.py")):
            if any(f.is_relative_to(e) for e in EXEMPT):
                continue
            text = f.read_text(encoding="utf-8")
            rows = text.splitlines()
            found += [f"{f.relative_to(ROOT)}:{n}: {rows[n - 1].strip()}"
                      for n in branches_on_form(text)]
    assert not found, (
        "A branch on which form set a workbook is, outside workbook_templates/spec/: declare "
        "what differs on the FormSet (spec/model.py) and ask it, or key a table by form set "
        "(CHECKS, MERGERS, WRITERS):\n" + "\n".join(found))
