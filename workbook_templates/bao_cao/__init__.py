"""The written report (*báo cáo*, SPEC §9) drafted from a unit's or a summary's workbook.

`build_report(source)` reads the workbook with the project's reader, recomputes every value with
the validator (never a cached formula result), refuses a workbook with errors (unless asked to go
on, and then the errors open the report in a box) or a blank one, and writes a .docx in the layout
of Hướng dẫn 36-HD/VPTW: the numbers as sentences whose every share can be checked from the pair
of counts beside it, tables mirroring the biểu, last year's figures when given, and marked places
for what only the committee can write. Shared by the command line and the server.
"""
from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass, field

from ..findings import Finding
from ..read import Filled, ReadError, read_workbook
from ..rules.packs import PACKS, pack_for_year
from ..spec import get_form_set
from ..spec.model import COUNT, DOCNO, XMARK
from ..validate import Report, validate

#: How each regulation is cited in the opening sentence (date and issuer, as Party reports do).
REGULATION_TEXT = {
    "HD21": "Quy định số 132-QĐ/TW, ngày 08/3/2018 của Bộ Chính trị về kiểm điểm và đánh giá, "
            "xếp loại chất lượng hằng năm đối với tập thể, cá nhân trong hệ thống chính trị và "
            "Hướng dẫn số 21-HD/BTCTW, ngày 18/10/2019 của Ban Tổ chức Trung ương",
    "HD16": "Quy định số 132-QĐ/TW, ngày 08/3/2018 của Bộ Chính trị về kiểm điểm và đánh giá, "
            "xếp loại chất lượng hằng năm đối với tập thể, cá nhân trong hệ thống chính trị và "
            "Hướng dẫn số 16-HD/BTCTW, ngày 24/9/2018 của Ban Tổ chức Trung ương",
    "QD124": "Quy định số 124-QĐ/TW, ngày 04/10/2023 của Bộ Chính trị về kiểm điểm tự phê bình, "
             "phê bình và đánh giá, xếp loại chất lượng hằng năm đối với tập thể, cá nhân trong "
             "hệ thống chính trị và Hướng dẫn số 25-HD/BTCTW, ngày 10/11/2023 của Ban Tổ chức "
             "Trung ương",
    "QD366": "Quy định số 366-QĐ/TW, ngày 30/8/2025 của Bộ Chính trị về kiểm điểm, đánh giá, xếp "
             "loại chất lượng hằng năm đối với tập thể, cá nhân trong hệ thống chính trị và "
             "Hướng dẫn số 43-HD/BTCTW, ngày 31/10/2025 của Ban Tổ chức Trung ương",
}
#: Who signs for the unit (HD 36: «T/M» the collective, then the signer's office).
SIGNER = {"DB_TINH": "T/M BAN THƯỜNG VỤ", "DB_CTCS": "T/M BAN THƯỜNG VỤ",
          "DB_CS": "T/M ĐẢNG ỦY", "DB_BP": "T/M ĐẢNG ỦY", "CB_CS": "T/M CHI BỘ",
          "CB_TT": "T/M CHI BỘ"}
#: Names of the form sets' sheets, to tell a user where a blank workbook should be filled.
FILL_WHERE = {"bao_cao_nam": "Biểu 1, Biểu 2, Biểu 3 và Biểu 4",
              "so_ket_quy_dinh": "Biểu số 1 đến Biểu số 5"}
MAX_BOXED = 40


class ReportRefused(Exception):
    """No report: the workbook cannot be read (code "unreadable"), is blank ("blank"), still has
    errors ("errors", with the findings) or last year's does not fit ("previous")."""

    def __init__(self, message: str, code: str, findings: list[Finding] | None = None,
                 report: Report | None = None):
        super().__init__(message)
        self.message, self.code = message, code
        self.findings = findings or []
        self.report = report


@dataclass
class Context:
    """What the section writers need, once: values, last year's values, the unit, the quota."""

    form: object
    values: dict
    report: Report
    unit_name: str
    year: int | None
    share: int
    base: str
    regulation_text: str
    prev_values: dict | None = None
    prev_year: int | str | None = None
    notes: list[str] = field(default_factory=list)
    #: a summary's «Tổng hợp ý kiến» rows (so_ket_quy_dinh): the children's ticks and proposals
    opinions: list[dict] | None = None


@dataclass
class Built:
    data: bytes
    report: Report
    notes: list[str]          # things the user should know (printed by the CLI)
    file_name: str


def _read(source, label: str) -> Filled:
    try:
        return read_workbook(source)
    except ReadError as e:
        raise ReadError(f"{label}: {e.message}" if label else e.message, e.code) from None


def is_blank(filled: Filled) -> bool:
    """No figure typed anywhere: every count, tick and document number empty (a template as
    downloaded, perhaps with only Thông tin filled)."""
    for c in filled.form.inputs():
        if c.kind in (COUNT, XMARK, DOCNO) and filled.raw.get(c.name) not in (None, ""):
            return False
    return True


def blank_message(filled: Filled, label: str) -> str:
    return (f"Tệp {label} chưa có số liệu: các biểu ({FILL_WHERE.get(filled.form.id, 'các biểu')})"
            " còn trống nên chưa thể lập báo cáo. Hãy điền số liệu, kiểm tra lại tệp rồi lập báo "
            "cáo.")


def errors_message(n_errors: int, label: str) -> str:
    k = n_errors
    return (f"Tệp {label} còn {k} lỗi nên chưa lập báo cáo (số liệu sai sẽ đi vào văn bản). "
            "Hãy sửa các lỗi dưới đây rồi lập lại; nếu cần bản nháp ngay, chọn lập báo cáo kể cả "
            "khi còn lỗi — các lỗi sẽ được liệt kê ở đầu văn bản.")


def place_date(place, date) -> str:
    """HD 36: «Bảo Lâm, ngày 02 tháng 02 năm 2023» — a 0 before days below 10 and months 1–2."""
    place = str(place).strip() if place else "…"
    if not isinstance(date, (dt.date, dt.datetime)):
        return f"{place}, ngày … tháng … năm …"
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return f"{place}, ngày {date.day:02d} tháng {month} năm {date.year}"


def build_report(source, *, previous=None, include_errors: bool = False, base: str = "tot",
                 rules: str | None = None, today: dt.date | None = None,
                 label: str = "") -> Built:
    """source/previous: a path, bytes or file object of an .xlsx workbook of the same form set.
    Raises ReadError (unreadable) or ReportRefused (blank, errors, previous does not fit)."""
    label = label or (str(source) if isinstance(source, (str, os.PathLike)) else "biểu")
    if isinstance(source, (str, bytes)) or hasattr(source, "__fspath__"):
        data = source if isinstance(source, bytes) else open(source, "rb").read()
    else:
        data = source.read()
    filled = _read(data, "")
    report = validate(filled, base=base, rules=rules, today=today)
    opinions = summary_opinions(data) if filled.form.has_opinions else None
    prev = None
    if previous is not None:
        pf = _read(previous, "Tệp năm trước")
        prev = (pf, validate(pf, base=base, today=today))
    return build_from(filled, report, previous=prev, include_errors=include_errors, base=base,
                      label=label, opinions=opinions)


def build_from(filled: Filled, report: Report, *, previous: tuple[Filled, Report] | None = None,
               include_errors: bool = False, base: str = "tot", label: str = "biểu",
               opinions: list[dict] | None = None) -> Built:
    """The report from an already validated workbook (the server keeps each upload's reading).
    opinions: the rows of a summary's «Tổng hợp ý kiến» sheet (see `summary_opinions`)."""
    from . import hd36  # python-docx (a tenth of a second) is imported only to write a report
    if is_blank(filled):
        raise ReportRefused(blank_message(filled, label), "blank", report=report)
    if report.errors and not include_errors:
        raise ReportRefused(errors_message(len(report.errors), label), "errors",
                            report.errors, report)
    v = report.values
    notes: list[str] = []
    pack = PACKS.get(report.rule_pack) or pack_for_year(report.year)
    share_pct = pack.share(v.get("TT_NgoaiLe25") == "CO")
    unit = str(v.get("TT_DonVi") or "").strip() or "[Tên đơn vị]"
    ctx = Context(filled.form, v, report, unit, report.year, share_pct, base,
                  REGULATION_TEXT.get(pack.id, pack.title if hasattr(pack, "title") else ""),
                  opinions=opinions)
    if previous is not None:
        pfilled, preport = previous
        if pfilled.form.id != filled.form.id:
            raise ReportRefused(
                f"Tệp năm trước dùng mẫu «{pfilled.form.title}», còn tệp năm nay dùng mẫu "
                f"«{filled.form.title}»: không so sánh được. Hãy chọn biểu năm trước cùng mẫu.",
                "previous")
        if preport.year and report.year and preport.year >= report.year:
            raise ReportRefused(
                f"Tệp năm trước ghi năm đánh giá {preport.year}, không trước năm {report.year} "
                "của tệp cần lập báo cáo. Hãy chọn biểu của năm trước.", "previous")
        if preport.errors:
            notes.append(f"Biểu năm trước còn {len(preport.errors)} lỗi; số liệu so sánh lấy "
                         "theo biểu đó, cần đối chiếu lại.")
        ctx.prev_values, ctx.prev_year = preport.values, preport.year or "trước"
    doc = hd36.new_document()
    if report.errors:
        _error_box(doc, report)
    unit_type = v.get("TT_LoaiDonVi")
    hd36.header_block(doc, str(v.get("TT_CapTren") or "[Cấp trên]"), unit,
                      "", place_date(v.get("TT_DiaDanh"), v.get("TT_NgayLap")))
    WRITERS[filled.form.id](doc, ctx, notes)
    noi_nhan = []
    if v.get("TT_CapTren"):
        noi_nhan.append(f"- {v['TT_CapTren']} (báo cáo),")
    if unit_type in ("DB_TINH", "DB_CTCS", "DB_CS", "DB_BP"):
        noi_nhan.append("- Các tổ chức đảng trực thuộc,")
    noi_nhan.append("- Lưu văn phòng.")
    who, phone = v.get("TT_NguoiLap"), v.get("TT_DienThoai")
    prepared = (f"Người lập: {who}" + (f", điện thoại {phone}" if phone else "")) if who else ""
    hd36.closing(doc, noi_nhan, SIGNER.get(unit_type, "T/M CẤP ỦY"), "BÍ THƯ", None, prepared)
    buf = io.BytesIO()
    doc.save(buf)
    return Built(buf.getvalue(), report, notes, suggested_name(v, filled.form.id))


def _write_annual(doc, ctx: Context, notes: list[str]):
    from . import hd36
    from .nam import Annual
    hd36.title(doc, "BÁO CÁO", [
        "Kết quả kiểm điểm, đánh giá, xếp loại chất lượng",
        f"tổ chức đảng, đảng viên năm {ctx.report.year or '…'}"])
    Annual(ctx).write(doc)


def _write_review(doc, ctx: Context, notes: list[str]):
    from . import hd36
    from .so_ket import Review
    v = ctx.values
    reg = v.get("TT_QuyDinh") or "các quy định, hướng dẫn về kiểm điểm, đánh giá, xếp loại"
    first, last = v.get("TT_TuNam"), v.get("TT_DenNam")
    period = f" (giai đoạn {first}–{last})" if first and last else ""
    hd36.title(doc, "BÁO CÁO", [
        "Kết quả thực hiện việc kiểm điểm và đánh giá, xếp loại chất lượng hằng năm",
        f"đối với tập thể, cá nhân trong hệ thống chính trị theo {reg}{period}"])
    if ctx.prev_values is not None:
        notes.append("Báo cáo sơ kết không dùng biểu năm trước: số liệu các năm đã có ở "
                     "Biểu số 5.")
    Review(ctx).write(doc)


#: The title and body of the written report for each form set, as `merge.forms.MERGERS` is its
#: summary: what is written is per form set, the frame (header, closing) is shared.
WRITERS = {"bao_cao_nam": _write_annual, "so_ket_quy_dinh": _write_review}


OPINION_SHEET = "Tổng hợp ý kiến"  # written by the merge (merge.xlsx._opinions_sheet)


def summary_opinions(data: bytes) -> list[dict] | None:
    """The children's opinions a summary carries on «Tổng hợp ý kiến»: per checklist row the
    number of units marking each column and the proposals. None for a unit's own workbook.
    The file has already passed the reader's safety checks; calamine reads values only."""
    from python_calamine import CalamineWorkbook
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if OPINION_SHEET not in wb.sheet_names:
            return None
        rows = wb.get_sheet_by_name(OPINION_SHEET).to_python()
    except Exception:  # a damaged extra sheet only loses the summary of opinions
        return None
    head = next((i for i, r in enumerate(rows) if r and str(r[0]).strip() == "STT"), None)
    if head is None:
        return None
    out = []
    for r in rows[head + 1:]:
        if len(r) < 9 or r[1] in (None, ""):
            continue

        def num(x):
            try:
                return int(x)
            except (TypeError, ValueError):
                return 0
        out.append({"sheet": str(r[1]).strip(), "group": str(r[2] or "").strip(),
                    "label": str(r[3] or "").strip(), "PH": num(r[4]), "CPH": num(r[5]),
                    "blank": num(r[6]), "CPH_units": str(r[7] or "").strip(),
                    "proposals": [x for x in str(r[8] or "").split("\n") if x.strip()]})
    return out


def suggested_name(v: dict, form_id: str) -> str:
    """bao_cao_<unit code>_<year>.docx; the year of a review is the last of its period."""
    code = str(v.get("TT_MaDonVi") or "don_vi").strip().replace("/", "-").replace(" ", "_")
    year = v.get(get_form_set(form_id).rating_year_name)
    return f"bao_cao_{code}_{year or ''}.docx".replace("_.docx", ".docx")


def _error_box(doc, report: Report):
    from . import hd36
    errs = report.errors
    lines = []
    for f in errs[:MAX_BOXED]:
        where = f.printed_ref or f.ref
        if f.row_label:
            where += f" («{f.row_label}"
            where += f" — {f.col_label}»)" if f.col_label else "»)"
        lines.append(f"• {where}: {f.message}")
    if len(errs) > MAX_BOXED:
        lines.append(f"• … và {len(errs) - MAX_BOXED} lỗi khác (xem kết quả kiểm tra biểu).")
    hd36.error_box(
        doc, f"BIỂU CÒN {len(errs)} LỖI — SỐ LIỆU TRONG BẢN NHÁP NÀY CHƯA ĐÚNG", lines,
        "Bản nháp được lập theo yêu cầu dù biểu còn lỗi. Sửa các lỗi trong biểu, lập lại báo cáo "
        "và xóa khung này trước khi trình ký.")
