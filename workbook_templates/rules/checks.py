"""The checks of SPEC §4, each a small function over named values that yields findings.

A check reads `ctx.val` (parsed inputs and recomputed derived values), never the cached value of
a formula. Relations that the template also shows live (conditional formatting) are declared once
in `relations()`, which both the checks and the builder use.

The checks live in modules by concern — `relations` (total/part), `rows` (counted rows, quota,
the hierarchy's rows), `bieu4`, `documents` (so_ket's documents and checklists), `qd366`,
`year_over_year` (server side), `members` (the member register) — and this module registers
them on each form set (`CHECKS`) and re-exports the names other parts import from here.
"""
from __future__ import annotations

from collections.abc import Iterable

from .bieu4 import (  # noqa: F401  (re-exported)
    check_kp,
)
from .documents import (  # noqa: F401  (re-exported)
    DOCNO,
    check_docs,
    check_period,
    check_xmarks,
    docno_problem,
)
from .helpers import (  # noqa: F401  (re-exported)
    _direct_org_rows,
    _members_or_orgs,
)
from .members import check_register
from .qd366 import (  # noqa: F401  (re-exported)
    check_diem,
    check_ngoaile25,
    check_nhiemvu,
    check_not_rated_reasons,
    check_xs_kp,
    live_formulas,
)
from .relations import (  # noqa: F401  (re-exported)
    LEVELS,
    NOT_RATED,
    NOT_RATED_LABEL,
    Relation,
    quota_rows,
    relations,
)
from .rows import (  # noqa: F401  (re-exported)
    _quota_is_decided,
    check_formulas,
    check_head,
    check_kd_xl,
    check_kyluat,
    check_prereq,
    check_quota,
    check_relations,
    check_required_rows,
)
from .year_over_year import (  # noqa: F401  (re-exported)
    exception_not_granted,
    year_over_year,
)

# --- the checks of each form set, in the order their findings are listed -----------------------

BAO_CAO_NAM_CHECKS = (check_formulas, check_required_rows, check_relations, check_quota,
                      check_prereq, check_head, check_kyluat, check_kd_xl, check_kp,
                      check_diem, check_nhiemvu, check_xs_kp, check_ngoaile25,
                      check_not_rated_reasons,
                      check_register)
SO_KET_CHECKS = (check_formulas, check_period, check_relations, check_quota, check_docs,
                 check_xmarks)

#: The checks registered on each form set, by its id: the one place a form set's checks are
#: chosen (a new form set adds its line here; a new check goes into its form set's tuple).
CHECKS = {
    "bao_cao_nam": BAO_CAO_NAM_CHECKS,
    "so_ket_quy_dinh": SO_KET_CHECKS,
}


def checks_for(form) -> Iterable:
    return CHECKS[form.id]
