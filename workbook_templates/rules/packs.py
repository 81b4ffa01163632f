"""Rule packs: which regulation is in force for a rating year, with its thresholds and severities.

Severity and thresholds live here, not in the checks (SPEC §4). A check asks the pack
`severity(rule)`, `share(...)` and `regulation(rule)`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ERROR, WARNING = "error", "warning"

# Severity of every rule, common to all packs unless a pack overrides it.
BASE_SEVERITY = {
    "R-NUM": ERROR, "R-REQ": ERROR, "R-PHONE": WARNING, "R-FORMULA": ERROR, "R-DG": ERROR,
    "R-TONG": ERROR, "R-PART": ERROR, "R-KD": ERROR, "R-KD-XL": WARNING,
    "R-QUOTA": ERROR,          # on the rows the unit decides; WARNING on summed rows
    "R-QUOTA-SUMMED": WARNING,
    "R-PREREQ": ERROR, "R-HEAD": ERROR, "R-KYLUAT": ERROR, "R-XS-KYLUAT": ERROR,
    "R-KP": ERROR, "R-KP-HAN": WARNING, "R-DOCNO": ERROR, "R-XMARK": ERROR, "R-YOY": WARNING,
    "R-GT": WARNING,           # a "Giải trình" row that points at no warning
}


@dataclass(frozen=True)
class RulePack:
    id: str
    first_year: int
    last_year: int | None
    sources: str
    quota_share: int = 20                 # percent of the base
    quota_share_exception: int | None = None  # allowed when TT_NgoaiLe25 = Có
    prereq_tot_percent: int | None = None # R-PREREQ: ≥ this % at TOT or above (None: rule off)
    yoy_change_percent: int = 20
    severity_overrides: dict = field(default_factory=dict)
    references: dict = field(default_factory=dict)
    disabled: frozenset = frozenset()

    def severity(self, rule: str) -> str:
        return self.severity_overrides.get(rule, BASE_SEVERITY[rule])

    def enabled(self, rule: str) -> bool:
        return rule not in self.disabled

    def share(self, exception_approved: bool) -> int:
        if exception_approved and self.quota_share_exception:
            return self.quota_share_exception
        return self.quota_share

    def regulation(self, rule: str) -> str:
        return self.references.get(rule, self.sources)

    def covers(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


_FORM = "Mẫu biểu kiemdiem (SPEC §3)"

HD21 = RulePack(
    "HD21", 2018, 2022,
    "Quy định 132-QĐ/TW ngày 08/3/2018; Hướng dẫn 21-HD/BTCTW ngày 18/10/2019",
    prereq_tot_percent=80,
    references={
        "R-QUOTA": "Hướng dẫn 21-HD/BTCTW: số xếp loại «Hoàn thành xuất sắc nhiệm vụ» không quá "
                   "20 % số được xếp loại «Hoàn thành tốt nhiệm vụ» (đảng viên tính theo từng "
                   "tổ chức cơ sở đảng)",
        "R-PREREQ": "Hướng dẫn 21-HD/BTCTW: điều kiện xếp loại «Hoàn thành xuất sắc nhiệm vụ» "
                    "đối với tổ chức đảng",
        "R-KYLUAT": "Hướng dẫn 21-HD/BTCTW: đảng viên bị thi hành kỷ luật trong năm xếp loại "
                    "«Không hoàn thành nhiệm vụ»",
        "R-HEAD": "Quy định 132-QĐ/TW: người đứng đầu không xếp loại cao hơn tập thể",
        "R-NUM": _FORM, "R-REQ": _FORM, "R-PHONE": _FORM, "R-FORMULA": _FORM,
        "R-DOCNO": "Hướng dẫn 36-HD/VPTW về thể thức văn bản của Đảng (số, ký hiệu văn bản)",
    },
)

QD124 = RulePack(
    "QD124", 2023, 2024,
    "Quy định 124-QĐ/TW ngày 04/10/2023; Hướng dẫn 25-HD/BTCTW ngày 10/11/2023",
    severity_overrides={"R-HEAD": WARNING, "R-KYLUAT": WARNING},
    disabled=frozenset({"R-PREREQ", "R-XS-KYLUAT"}),
    references={
        "R-QUOTA": "Quy định 124-QĐ/TW: số xếp loại «Hoàn thành xuất sắc nhiệm vụ» không vượt "
                   "quá 20 % số được xếp loại «Hoàn thành tốt nhiệm vụ» trong từng nhóm đối "
                   "tượng tương đồng",
        "R-HEAD": "Quy định 124-QĐ/TW: xếp loại người đứng đầu gắn với kết quả của tập thể",
        "R-KYLUAT": "Hướng dẫn 25-HD/BTCTW: đảng viên bị kỷ luật trong năm",
        "R-NUM": _FORM, "R-REQ": _FORM, "R-PHONE": _FORM, "R-FORMULA": _FORM,
        "R-DOCNO": "Hướng dẫn 36-HD/VPTW về thể thức văn bản của Đảng (số, ký hiệu văn bản)",
    },
)

QD366 = RulePack(
    "QD366", 2025, None,
    "Quy định 366-QĐ/TW ngày 30/8/2025; Hướng dẫn 43-HD/BTCTW ngày 31/10/2025",
    quota_share_exception=25,
    severity_overrides={"R-HEAD": WARNING, "R-KYLUAT": WARNING},
    disabled=frozenset({"R-PREREQ"}),
    references={
        "R-QUOTA": "Quy định 366-QĐ/TW: «Hoàn thành xuất sắc nhiệm vụ» không quá 20 % số «Hoàn "
                   "thành tốt nhiệm vụ» (đến 25 % nơi được cấp có thẩm quyền cho phép)",
        "R-XS-KYLUAT": "Quy định 366-QĐ/TW: tập thể có đảng viên bị kỷ luật trong năm không xếp "
                       "loại «Hoàn thành xuất sắc nhiệm vụ»",
        "R-HEAD": "Quy định 366-QĐ/TW: xếp loại người đứng đầu gắn với kết quả của tập thể",
        "R-KYLUAT": "Hướng dẫn 43-HD/BTCTW: đảng viên bị kỷ luật trong năm",
        "R-NUM": _FORM, "R-REQ": _FORM, "R-PHONE": _FORM, "R-FORMULA": _FORM,
        "R-DOCNO": "Hướng dẫn 36-HD/VPTW về thể thức văn bản của Đảng (số, ký hiệu văn bản)",
    },
)

PACKS = {p.id: p for p in (HD21, QD124, QD366)}


def pack_for_year(year: int | None) -> RulePack:
    """The pack in force for a rating year; the newest when the year is unknown."""
    if year is not None:
        for p in PACKS.values():
            if p.covers(year):
                return p
        if year < HD21.first_year:
            return HD21
    return QD366


def share_formula(year_name: str = "TT_Nam", exception_name: str | None = "TT_NgoaiLe25") -> str:
    """The Excel formula of META_TyLeXS, generated from the packs so the template and the
    validator cannot disagree on the share."""
    expr = str(HD21.quota_share)
    if exception_name:
        for p in PACKS.values():
            if p.quota_share_exception:
                expr = (f'IF(AND(N({year_name})>={p.first_year},{exception_name}="Có"),'
                        f"{p.quota_share_exception},{expr})")
    return "=" + expr
