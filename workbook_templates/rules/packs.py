"""Rule packs: which regulation is in force for a rating year, with its thresholds and overrides.

Every rule is defined once in `catalogue.py` (id, title, default severity, default reference). A
pack overrides entries by id — severity, enabled, reference — and holds the thresholds of its
regulation (SPEC §2, §4: severity and thresholds live in the pack, not in the rule code). A check
asks the pack `severity(rule)`, `enabled(rule)`, `regulation(rule)`, `share(...)`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..spec.model import UNKNOWN, Expr, as_number
from .catalogue import ERROR, FORM, RULES, WARNING

__all__ = ["ERROR", "WARNING", "Override", "RulePack", "PACKS", "pack_for_year", "share_formula",
           "QuotaShare",
           "HD16", "HD21", "QD124", "QD366"]


@dataclass(frozen=True)
class Override:
    """What a pack changes in a catalogue entry; None keeps the catalogue's value."""

    severity: str | None = None
    enabled: bool | None = None
    reference: str | None = None


@dataclass(frozen=True)
class RulePack:
    id: str
    first_year: int
    last_year: int | None
    sources: str
    quota_share: int = 20                 # percent of the base
    quota_share_exception: int | None = None  # allowed when TT_NgoaiLe25 = Có
    prereq_tot_percent: int | None = None # R-PREREQ: ≥ this % at TOT or above
    yoy_change_percent: int = 20
    # R-DIEM: lowest score of each level (QĐ 366 Điều 11); KHT below HT's
    score_bands: tuple = (("XS", 90), ("TOT", 70), ("HT", 50))
    # R-NHIEMVU: XS needs ≥ this % of tasks above requirement; HT allows ≤ this % behind schedule
    nv_xs_above_percent: int = 30
    nv_ht_late_percent: int = 20
    # R-HEAD also compares the head with the committee (QĐ 366)
    head_vs_committee: bool = False
    # not-rated reasons of members this pack knows (HD 16 has no «đình chỉ»)
    not_rated_reasons: tuple = ("MOI", "MIEN", "DINHCHI", "KHAC")
    overrides: dict = field(default_factory=dict)

    def _o(self, rule: str) -> Override:
        return self.overrides.get(rule) or Override()

    def severity(self, rule: str) -> str:
        return self._o(rule).severity or RULES[rule].severity

    def enabled(self, rule: str) -> bool:
        o = self._o(rule)
        if o.enabled is not None:
            return o.enabled
        parent = RULES[rule].parent if rule in RULES else ""
        return self.enabled(parent) if parent else True

    def regulation(self, rule: str) -> str:
        """The regulation a user reads for a finding of `rule` under this pack."""
        o = self._o(rule)
        if o.reference:
            return o.reference
        r = RULES.get(rule)
        if r and r.parent:
            return self.regulation(r.parent)
        return (r.reference if r and r.reference else "") or self.sources

    @property
    def disabled(self) -> frozenset:
        return frozenset(k for k in RULES if not self.enabled(k))

    def share(self, exception_approved: bool) -> int:
        if exception_approved and self.quota_share_exception:
            return self.quota_share_exception
        return self.quota_share

    def covers(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


def _refs(**by_rule) -> dict:
    """Overrides of the reference only: keyword R_XS_KYLUAT -> rule R-XS-KYLUAT."""
    return {k.replace("_", "-"): Override(reference=v) for k, v in by_rule.items()}


def _merge(*dicts) -> dict:
    """Combine per-rule overrides: later dicts fill the fields earlier ones leave None."""
    out: dict = {}
    for d in dicts:
        for k, o in d.items():
            old = out.get(k, Override())
            out[k] = Override(o.severity or old.severity,
                              o.enabled if o.enabled is not None else old.enabled,
                              o.reference or old.reference)
    return out


OFF = Override(enabled=False)
# QĐ 366 only (SPEC §7.2): off in every earlier pack
_QD366_ONLY = {k: OFF for k in ("R-XS-KYLUAT", "R-CUV-KYLUAT", "R-NGOAILE25", "R-DIEM",
                                "R-NHIEMVU", "R-XS-KP", "R-DS-DIEM")}

HD21_REFS = _refs(
    R_QUOTA="Hướng dẫn 21-HD/BTCTW: số «Hoàn thành xuất sắc nhiệm vụ» không quá 20 % số «Hoàn "
            "thành tốt nhiệm vụ» (đảng viên tính theo từng tổ chức cơ sở đảng)",
    R_PREREQ="Hướng dẫn 21-HD/BTCTW: điều kiện xếp loại «Hoàn thành xuất sắc nhiệm vụ» đối với "
             "tổ chức đảng",
    R_KYLUAT="Hướng dẫn 21-HD/BTCTW: đảng viên bị thi hành kỷ luật trong năm xếp loại «Không "
             "hoàn thành nhiệm vụ»",
    R_HEAD="Quy định 132-QĐ/TW: người đứng đầu không xếp loại cao hơn tập thể",
    R_KD_XL="Hướng dẫn 21-HD/BTCTW: đối tượng kiểm điểm và đánh giá, xếp loại",
)

HD21 = RulePack(
    "HD21", 2019, 2022,
    "Quy định 132-QĐ/TW ngày 08/3/2018; Hướng dẫn 21-HD/BTCTW ngày 18/10/2019",
    prereq_tot_percent=80,
    overrides=_merge(_QD366_ONLY, HD21_REFS),
)

# Rating year 2018 followed Hướng dẫn 16 (replaced by HD 21 in 10/2019): same conditions, except
# that «đình chỉ sinh hoạt đảng» is not a not-rated reason there (SPEC §2, §7.2).
HD16 = RulePack(
    "HD16", 2018, 2018,
    "Quy định 132-QĐ/TW ngày 08/3/2018; Hướng dẫn 16-HD/BTCTW ngày 24/9/2018",
    prereq_tot_percent=80,
    not_rated_reasons=("MOI", "MIEN", "KHAC"),
    overrides=_merge(_QD366_ONLY, _refs(
        R_LYDO="Hướng dẫn 16-HD/BTCTW: đảng viên bị đình chỉ sinh hoạt đảng vẫn được đánh giá, "
               "xếp loại (lý do không xếp loại chỉ có miễn công tác và sinh hoạt đảng, mới kết "
               "nạp chưa đủ 6 tháng và lý do khác)"), {k: Override(reference=o.reference.replace(
        "Hướng dẫn 21-HD/BTCTW", "Hướng dẫn 16-HD/BTCTW")) for k, o in HD21_REFS.items()}),
)

QD124 = RulePack(
    "QD124", 2023, 2024,
    "Quy định 124-QĐ/TW ngày 04/10/2023; Hướng dẫn 25-HD/BTCTW ngày 10/11/2023",
    overrides=_merge(
        {"R-HEAD": Override(severity=WARNING), "R-KYLUAT": Override(severity=WARNING),
         "R-DS-KYLUAT": Override(severity=WARNING),
         "R-PREREQ": OFF},
        _QD366_ONLY,
        _refs(
            R_QUOTA="Quy định 124-QĐ/TW: số «Hoàn thành xuất sắc nhiệm vụ» không vượt quá 20 % "
                    "số «Hoàn thành tốt nhiệm vụ» trong từng nhóm đối tượng tương đồng",
            R_HEAD="Quy định 124-QĐ/TW: xếp loại người đứng đầu gắn với kết quả của tập thể",
            R_KYLUAT="Hướng dẫn 25-HD/BTCTW: đảng viên bị kỷ luật trong năm",
            R_KD_XL="Hướng dẫn 25-HD/BTCTW: đối tượng kiểm điểm và đánh giá, xếp loại",
        )),
)

Q366 = "Quy định 366-QĐ/TW"
QD366 = RulePack(
    "QD366", 2025, None,
    "Quy định 366-QĐ/TW ngày 30/8/2025; Hướng dẫn 43-HD/BTCTW ngày 31/10/2025",
    quota_share_exception=25,
    head_vs_committee=True,
    overrides=_merge(
        {"R-HEAD": Override(severity=WARNING), "R-KYLUAT": Override(severity=WARNING),
         "R-DS-KYLUAT": Override(severity=WARNING),
         "R-PREREQ": OFF, "R-KD-XL": Override(severity=ERROR)},
        _refs(
            R_QUOTA=f"{Q366}: «Hoàn thành xuất sắc nhiệm vụ» không quá 20 % số «Hoàn thành tốt "
                    "nhiệm vụ» trong từng nhóm đối tượng tương đồng (đến 25 % nơi được cấp có "
                    "thẩm quyền cho phép)",
            R_NGOAILE25=f"{Q366}: tỷ lệ xuất sắc đến 25 % chỉ khi được cấp có thẩm quyền quyết "
                        "định",
            R_XS_KYLUAT=f"{Q366}, Điều 11 (tập thể «Hoàn thành xuất sắc nhiệm vụ»: không có "
                        "đơn vị trực thuộc hoặc thành viên tập thể lãnh đạo, quản lý bị kỷ luật)",
            R_CUV_KYLUAT=f"{Q366}, Điều 11, khoản 4 (tập thể lãnh đạo, quản lý có thành viên "
                         "bị kỷ luật)",
            R_DIEM=f"{Q366}, Điều 11 (thang 100 điểm: xuất sắc từ 90, tốt từ 70, hoàn thành "
                   "từ 50 điểm)",
            R_NHIEMVU=f"{Q366}, Điều 11 (mức độ hoàn thành nhiệm vụ được giao của tập thể)",
            R_XS_KP=f"{Q366}: tập thể «Hoàn thành xuất sắc nhiệm vụ» đã khắc phục hạn chế, "
                    "khuyết điểm đã được chỉ ra",
            R_HEAD=f"{Q366}: xếp loại người đứng đầu gắn với kết quả của tập thể, cấp ủy",
            R_KYLUAT="Hướng dẫn 43-HD/BTCTW: đảng viên bị kỷ luật trong năm",
            R_KD_XL="Hướng dẫn 43-HD/BTCTW: mọi đảng viên đã kiểm điểm đều được đánh giá, xếp loại",
        )),
)

PACKS = {p.id: p for p in (HD16, HD21, QD124, QD366)}


def pack_for_year(year: int | None) -> RulePack:
    """The pack in force for a rating year; the newest when the year is unknown, the oldest for
    a year before every pack."""
    if year is not None:
        for p in PACKS.values():
            if p.covers(year):
                return p
        if year < HD16.first_year:
            return HD16
    return QD366


@dataclass(frozen=True)
class QuotaShare(Expr):
    """META_TyLeXS: the XS share in percent, 20 or the exception's share where a pack allows one
    and TT_NgoaiLe25 says «Có». Generated from the packs, as a formula and as its result, so the
    template and the validator cannot disagree on the share."""

    year_name: str = "TT_Nam"
    exception_name: str | None = "TT_NgoaiLe25"

    @property
    def refs(self):
        return (self.year_name,) + ((self.exception_name,) if self.exception_name else ())

    def _exceptions(self):
        return [p for p in PACKS.values() if p.quota_share_exception] \
            if self.exception_name else []

    def excel(self):
        expr = str(HD21.quota_share)
        for p in self._exceptions():
            expr = (f'IF(AND(N({self.year_name})>={p.first_year},{self.exception_name}="Có"),'
                    f"{p.quota_share_exception},{expr})")
        return "=" + expr

    def cached(self, get):
        share = HD21.quota_share
        if not self._exceptions():
            return share
        year, yes = as_number(get(self.year_name)), get(self.exception_name)
        if year is UNKNOWN or yes is UNKNOWN:
            return UNKNOWN
        yes = isinstance(yes, str) and yes.casefold() == "có"
        for p in self._exceptions():       # the last pack's IF is the outermost
            if year >= p.first_year and yes:
                share = p.quota_share_exception
        return share


def share_formula(year_name: str = "TT_Nam", exception_name: str | None = "TT_NgoaiLe25") -> str:
    """The Excel formula of META_TyLeXS (QuotaShare)."""
    return QuotaShare(year_name, exception_name).excel()


_ = FORM  # re-exported for callers that name the form reference
