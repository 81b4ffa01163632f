"""Rules on the member register (SPEC §8): each member's row, and Biểu 1 / Biểu 3 against it.

Counts typed by hand are where the published errors come from; a unit that keeps its register
gets its Biểu 1 and Biểu 3 member counts checked cell by cell against the list (R-DS-KHOP), and
every member row checked against the regulation (not rated when new, exempt or suspended;
disciplined → KHT; score band). Findings point at the member's row by sheet, cell and STT.
A finding never carries a member's name nor any text typed in the register (a name pasted into
the wrong column would otherwise travel up with the findings): it says which row and column.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..findings import Finding, fmt_int
from ..spec.danh_sach import COL, COLUMNS, REGISTER, fold, guess_choice, label_of
from ..spec.domain import LEVEL_LABEL, RANK, UNIT_TYPE_LABEL
from ..spec.model import choice_lookup
from .packs import PACKS
from .parse import parse_date, parse_xmark

# The register rules' ids, titles, severities and references are in the catalogue
# (`catalogue.py`, R-DS-*); the packs say which apply and how severe they are in each year.


def severity(rule: str, pack_id: str) -> str:
    return PACKS[pack_id].severity(rule)


def reference(rule: str, pack_id: str) -> str:
    return PACKS[pack_id].regulation(rule)


def applies(rule: str, pack_id: str) -> bool:
    return PACKS[pack_id].enabled(rule)


# unit types that hold a register: a TCCSĐ and the chi bộ / đảng bộ bộ phận under it
HOLDERS = frozenset({"DB_CS", "CB_CS", "DB_BP", "CB_TT"})
SHEET = REGISTER.sheet
_SAFE_ECHO = re.compile(r"^[0-9\s/.,:\-]{1,20}$")   # digits and separators: never a name


def _echo(v) -> str:
    """A typed value shown back only when it cannot be a name (a date or number typed wrong)."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f" «{v:g}»" if isinstance(v, float) else f" «{v}»"
    if isinstance(v, str) and _SAFE_ECHO.match(v.strip()):
        return f" «{v.strip()}»"
    return ""


def add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    y, m = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(y, m, day)
        except ValueError:
            continue
    raise ValueError(d)  # pragma: no cover


def band(score: float) -> str:
    """QĐ 366 Điều 11: the highest level a score allows."""
    return "XS" if score >= 90 else "TOT" if score >= 70 else "HT" if score >= 50 else "KHT"


@dataclass(slots=True)
class Parsed:
    """One member as understood: codes and dates, and why the member is or is not rated here."""

    row: int
    stt: int
    name: str | None
    vao: dt.date | None = None
    chinh_thuc: dt.date | None = None
    nhom: str | None = None
    cap_uy: bool = False
    tinh_trang: str = "BT"
    ky_luat: str | None = None
    diem: float | None = None
    tu_xep_loai: str | None = None
    xep_loai: str | None = None
    ghi_chu: str | None = None
    reason: str | None = None    # MOI / MIEN / DINHCHI / KHAC, None when rated or unexplained
    extra: dict = field(default_factory=dict)

    @property
    def counted(self) -> bool:
        return self.tinh_trang != "TAM"

    @property
    def disciplined(self) -> bool:
        return self.ky_luat not in (None, "KHONG")


PER_COLUMN = 50     # row findings of one rule in one column; the rest summed up in one more


class _Run:
    def __init__(self, ctx):
        self.ctx = ctx
        self.pack = ctx.pack.id
        self.findings: list[Finding] = []
        self.seen: dict[tuple[str, str], list] = {}

    def add(self, rule, m: Parsed | None, key: str, message: str, hint: str, cell=None):
        if not applies(rule, self.pack):
            return
        if m is not None:
            n = self.seen.setdefault((rule, key), [0, None, hint])
            n[0] += 1
            if n[0] > PER_COLUMN:      # a whole column wrong: 1.500 red cells help nobody
                n[1] = n[1] or m
                return
            where = f"{SHEET}, STT {m.stt} (dòng {m.row})"
            message = f"{where}: {message}"
            a1, row_label = REGISTER.a1(key, m.row), f"STT {m.stt}"
            col_label = COLUMNS[COL[key]].label
        else:
            a1, row_label, col_label = cell or REGISTER.a1(key, REGISTER.first_row), "", ""
        self.findings.append(Finding(
            rule=rule, severity=severity(rule, self.pack), sheet=SHEET, cell=a1, name="",
            message=message, hint=hint, regulation=reference(rule, self.pack),
            row_label=row_label, col_label=col_label))


def rating_date(ctx) -> dt.date:
    """The date the 6-month rule counts to: the report's date, else the end of the rating
    year, else today."""
    d = ctx.val.get("TT_NgayLap")
    if isinstance(d, dt.datetime):
        d = d.date()
    if isinstance(d, dt.date):
        return d
    y = ctx.val.get("TT_Nam")
    if isinstance(y, int) and 1990 <= y <= ctx.today.year:
        return min(dt.date(y, 12, 31), ctx.today)
    return ctx.today


_LOOKUP = {c.key: choice_lookup(c.choices) for c in COLUMNS if c.choices}
_CLEAN: dict = {}       # (column, typed value) -> code, for values that read clean


def _choice(run, m, key, raw) -> str | None:
    if raw is None:
        return None
    hit = _CLEAN.get((key, raw))
    if hit is not None:
        return hit
    if isinstance(raw, str) and not raw.strip():
        return None
    col = COLUMNS[COL[key]]
    code = _LOOKUP[key].get(str(raw).strip().casefold())
    if code:
        if len(_CLEAN) < 10_000:
            _CLEAN[(key, raw)] = code
        return code
    guess = guess_choice(key, raw)
    labels = "; ".join(c.label for c in col.choices)
    if guess:
        run.add("R-DS-CHON", m, key,
                f"cột «{col.label}» ghi chữ tự do{_echo(raw)} thay vì chọn trong danh sách "
                f"(có lẽ là «{label_of(key, guess)}»).",
                f"Chọn trong danh sách thả xuống của ô: {labels}.")
    else:
        m.extra[key] = True
        run.add("R-DS-CHON", m, key,
                f"cột «{col.label}» ghi một giá trị không có trong danh sách{_echo(raw)}.",
                f"Chọn trong danh sách thả xuống của ô: {labels}.")
    return guess


def _date(run, m, key, raw, today) -> dt.date | None:
    d, problem = parse_date(raw)
    col = COLUMNS[COL[key]].label
    if problem:
        m.extra[key] = True
        run.add("R-DS-NGAY", m, key, f"cột «{col}» ghi{_echo(raw)} không phải một ngày có thật "
                "dạng ngày/tháng/năm.", "Ghi ngày dạng ngày/tháng/năm, ví dụ 03/02/1995.")
        return None
    if d is not None and d > today:
        run.add("R-DS-NGAY", m, key, f"«{col}» là {d:%d/%m/%Y}, sau ngày hôm nay "
                f"({today:%d/%m/%Y}).", "Kiểm tra lại ngày (thường do gõ nhầm năm).")
    return d


def _score(run, m, raw) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    v = raw
    if isinstance(v, str):
        try:
            v = float(v.strip().replace(",", "."))
        except ValueError:
            v = None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 100:
        m.extra["Diem"] = True
        run.add("R-DS-DIEM", m, "Diem", f"cột «Điểm» ghi{_echo(raw)} không phải điểm từ 0 đến "
                "100.", "Ghi điểm đánh giá theo thang 100 điểm (Quy định 366-QĐ/TW, Điều 11).")
        return None
    return float(v)


def _not_rated_statuses(pack) -> tuple[str, ...]:
    """Statuses that exclude a member from rating. Đình chỉ does from HD 21 on; under HD 16
    (rating year 2018) a suspended member is still rated: a pack without DINHCHI among its
    `not_rated_reasons` (issue 13) says so."""
    reasons = getattr(pack, "not_rated_reasons", None)
    return ("MIEN", "DINHCHI") if reasons is None or "DINHCHI" in reasons else ("MIEN",)


def parse_member(run, mem, today, rdate, not_rated=("MIEN", "DINHCHI")) -> Parsed:
    v = mem.values
    name = v.get("HoTen")
    name = " ".join(str(name).split()) if name is not None and str(name).strip() else None
    p = Parsed(mem.row, mem.stt, name)
    p.vao = _date(run, p, "NgayVaoDang", v.get("NgayVaoDang"), today)
    p.chinh_thuc = _date(run, p, "NgayChinhThuc", v.get("NgayChinhThuc"), today)
    p.nhom = _choice(run, p, "Nhom", v.get("Nhom"))
    cu, problem = parse_xmark(v.get("CapUy"))
    if problem:
        cu = fold(v.get("CapUy")) in ("co", "x", "1", "cap uy", "cap uy vien", "cuv")
        run.add("R-DS-CHON", p, "CapUy", "cột «Cấp ủy viên» chỉ đánh dấu x hoặc để trống.",
                "Ghi x nếu đảng viên là cấp ủy viên của đơn vị, để trống nếu không.")
    p.cap_uy = bool(cu)
    p.tinh_trang = _choice(run, p, "TinhTrang", v.get("TinhTrang")) or "BT"
    p.ky_luat = _choice(run, p, "KyLuat", v.get("KyLuat"))
    p.diem = _score(run, p, v.get("Diem"))
    p.tu_xep_loai = _choice(run, p, "TuXepLoai", v.get("TuXepLoai"))
    p.xep_loai = _choice(run, p, "XepLoai", v.get("XepLoai"))
    gc = v.get("GhiChu")
    p.ghi_chu = str(gc).strip() if gc is not None and str(gc).strip() else None
    if p.tinh_trang in not_rated:
        p.reason = p.tinh_trang
    elif p.vao is not None and add_months(p.vao, 6) > rdate:
        p.reason = "MOI"
    elif p.xep_loai is None and p.ghi_chu:
        p.reason = "KHAC"
    return p


def _member_rules(run, p: Parsed, rdate: dt.date):
    if p.name is None:
        run.add("R-DS-REQ", p, "HoTen", "dòng có số liệu nhưng chưa ghi họ và tên.",
                "Ghi họ và tên đảng viên, hoặc xóa hẳn dòng nếu thừa.")
    if p.vao is None and "NgayVaoDang" not in p.extra:
        run.add("R-DS-REQ", p, "NgayVaoDang", "chưa ghi ngày vào Đảng.",
                "Ghi ngày vào Đảng (ngày kết nạp) dạng ngày/tháng/năm; cần để biết đảng viên "
                "đã đủ 6 tháng để xếp loại chưa.")
    if p.vao and p.chinh_thuc and p.chinh_thuc < p.vao:
        run.add("R-DS-NGAY", p, "NgayChinhThuc",
                f"ngày chính thức {p.chinh_thuc:%d/%m/%Y} trước ngày vào Đảng {p.vao:%d/%m/%Y}.",
                "Đảng viên được công nhận chính thức sau khi kết nạp (hết 12 tháng dự bị); kiểm "
                "tra lại hai ngày.")
    if p.vao and p.vao > rdate and p.vao <= run.ctx.today:
        run.add("R-DS-NGAY", p, "NgayVaoDang",
                f"ngày vào Đảng {p.vao:%d/%m/%Y} sau thời điểm đánh giá {rdate:%d/%m/%Y}.",
                "Đảng viên kết nạp sau thời điểm đánh giá không có trong danh sách năm nay; "
                "kiểm tra lại ngày.")
    if not p.counted:
        if p.xep_loai:
            run.add("R-DS-TAM", p, "XepLoai",
                    "đảng viên sinh hoạt tạm thời (chính thức ở nơi khác) nhưng được xếp loại ở "
                    "đây; không tính vào số liệu của đơn vị.",
                    "Đảng viên sinh hoạt tạm thời do nơi sinh hoạt chính thức xếp loại; xóa mức "
                    "xếp loại ở đây, hoặc sửa tình trạng nếu đảng viên sinh hoạt chính thức tại "
                    "đơn vị.")
        return
    if p.xep_loai and p.reason in ("MIEN", "DINHCHI"):
        what = label_of("TinhTrang", p.reason).lower()
        run.add("R-DS-MIEN", p, "XepLoai",
                f"đảng viên {what} nhưng vẫn được xếp loại «{LEVEL_LABEL[p.xep_loai]}».",
                "Đảng viên miễn công tác và sinh hoạt đảng hoặc đình chỉ sinh hoạt đảng không "
                "xếp loại: xóa mức xếp loại (được tính vào cột «không đánh giá, xếp loại»).")
    if p.xep_loai and p.reason == "MOI":
        run.add("R-DS-MOI", p, "XepLoai",
                f"vào Đảng ngày {p.vao:%d/%m/%Y}, chưa đủ 6 tháng đến thời điểm đánh giá "
                f"{rdate:%d/%m/%Y}, nhưng được xếp loại «{LEVEL_LABEL[p.xep_loai]}».",
                "Đảng viên mới kết nạp chưa đủ 6 tháng không đánh giá, xếp loại: xóa mức xếp "
                "loại, hoặc sửa ngày vào Đảng nếu ghi nhầm.")
    if p.reason is None and p.xep_loai is None:
        run.add("R-DS-REQ", p, "XepLoai",
                "chưa xếp loại và không ghi lý do không xếp loại.",
                "Chọn mức xếp loại; nếu đảng viên không xếp loại, ghi tình trạng (miễn, đình "
                "chỉ) hoặc ghi lý do ở cột «Ghi chú».")
    rated = p.xep_loai if p.reason is None else None
    if rated and p.disciplined and RANK[rated] < RANK["KHT"]:
        run.add("R-DS-KYLUAT", p, "XepLoai",
                f"bị kỷ luật trong năm ({label_of('KyLuat', p.ky_luat).lower()}) nhưng xếp loại "
                f"«{LEVEL_LABEL[rated]}».",
                "Đảng viên bị thi hành kỷ luật trong năm xếp loại «Không hoàn thành nhiệm vụ»; "
                "sửa mức xếp loại hoặc giải trình ở sheet «Giải trình».")
    if rated and run.pack == "QD366":
        if p.nhom is None and "Nhom" not in p.extra:
            run.add("R-DS-REQ", p, "Nhom", "chưa ghi nhóm đảng viên (QĐ 366).",
                    "Chọn nhóm: lãnh đạo, quản lý; không giữ chức vụ; hoặc ngoài hệ thống chính "
                    "trị — tỷ lệ xuất sắc tính theo từng nhóm.")
        if p.diem is None and "Diem" not in p.extra:
            run.add("R-DS-DIEM", p, "Diem", f"xếp loại «{LEVEL_LABEL[rated]}» nhưng chưa ghi "
                    "điểm.", "Ghi điểm đánh giá theo thang 100 điểm (Quy định 366-QĐ/TW).")
        elif p.diem is not None and RANK[rated] < RANK[band(p.diem)]:
            run.add("R-DS-DIEM", p, "XepLoai",
                    f"xếp loại «{LEVEL_LABEL[rated]}» nhưng điểm {p.diem:g} chỉ đủ mức "
                    f"«{LEVEL_LABEL[band(p.diem)]}» (XS từ 90, Tốt từ 70, HT từ 50 điểm).",
                    "Mức xếp loại không được cao hơn khung điểm; sửa điểm hoặc mức xếp loại.")


# --- counts ---------------------------------------------------------------------------------------

COUNT_COLS = ("TONG", "MOI", "MIEN", "DINHCHI", "KHAC", "XS", "TOT", "HT", "KHT", "KYLUAT")
# Biểu 3 rows counted from the register: row key -> which members (i13 adds CUV and DV_*)
GROUPS = {
    "DV": lambda p: True,
    "CUV": lambda p: p.cap_uy,
    "DV_LD": lambda p: p.nhom == "LD",
    "DV_KLD": lambda p: p.nhom == "KLD",
    "DV_NGOAI": lambda p: p.nhom == "NGOAI",
}
GROUP_LABEL = {"DV": "đảng viên"}


def counts(members: list[Parsed]) -> dict[str, dict[str, int]]:
    """Biểu 3 counts per group from the register (members rated elsewhere left out); one pass."""
    out = {g: dict.fromkeys(COUNT_COLS, 0) for g in GROUPS}
    preds = list(GROUPS.items())
    for p in members:
        if not p.counted:
            continue
        col = p.reason or p.xep_loai
        for g, pred in preds:
            if pred(p):
                c = out[g]
                c["TONG"] += 1
                if col:
                    c[col] += 1
                if p.disciplined:
                    c["KYLUAT"] += 1
    return out


def kd_counts(c: dict[str, int]) -> dict[str, int]:
    """Biểu 1, members column, from the Biểu 3 counts of all members."""
    da = c["XS"] + c["TOT"] + c["HT"] + c["KHT"]
    return {"KD_PHAI_DV": c["TONG"], "KD_DA_DV": da, "KD_CHUA_DV": c["TONG"] - da,
            "KD_MOIKN_DV": c["MOI"], "KD_MIEN_DV": c["MIEN"], "KD_DINHCHI_DV": c["DINHCHI"],
            "KD_KHAC_DV": c["KHAC"]}


def _khop(run, ctx, by_group):
    form = ctx.form
    want = {}
    for g, c in by_group.items():
        for col, n in c.items():
            want[f"XL_{g}_{col}"] = n
    want.update(kd_counts(by_group["DV"]))
    for name, n in want.items():
        cell = form.cells.get(name)
        if cell is None or not cell.is_input:
            continue
        typed = ctx.val.get(name)
        have = typed if isinstance(typed, int) else 0
        if have == n:
            continue
        shown = "để trống" if typed is None else f"ghi {fmt_int(have)}"
        diff = have - n
        run.findings.append(Finding(
            rule="R-DS-KHOP", severity=severity("R-DS-KHOP", run.pack), sheet=cell.sheet,
            cell=cell.a1, name=name,
            message=(f"{cell.sheet}, dòng «{cell.row_label}», cột «{cell.col_label}» {shown} "
                     f"nhưng danh sách đảng viên đếm được {fmt_int(n)} (chênh "
                     f"{'+' if diff > 0 else ''}{fmt_int(diff)})."),
            hint=(f"Sửa ô này thành {fmt_int(n)} cho khớp danh sách, hoặc sửa danh sách ở sheet "
                  f"«{SHEET}» nếu danh sách sai."),
            regulation=reference("R-DS-KHOP", run.pack), row_label=cell.row_label,
            col_label=cell.col_label))


def check_register(ctx):
    """All register rules; a no-op for a workbook without members or a kept reading (whose
    register was not kept: its findings were)."""
    members = getattr(ctx.filled, "register", None)
    if not members or ctx.form.register is None:
        return
    run = _Run(ctx)
    if ctx.unit_type and ctx.unit_type not in HOLDERS:
        run.add("R-DS-CAP", None, "HoTen",
                f"{UNIT_TYPE_LABEL.get(ctx.unit_type, 'Đơn vị')} không lập danh sách đảng viên "
                f"(sheet «{SHEET}» có {fmt_int(len(members))} dòng): danh sách chỉ giữ ở tổ "
                "chức cơ sở đảng, không gửi lên cấp trên.",
                "Xóa các dòng của danh sách đảng viên trước khi gửi; số liệu cấp trên tổng hợp "
                "từ biểu của các tổ chức cơ sở đảng.", cell=REGISTER.a1("HoTen", members[0].row))
        ctx.findings.extend(run.findings)
        return
    today, rdate = ctx.today, rating_date(ctx)
    not_rated = _not_rated_statuses(ctx.pack)
    parsed = [parse_member(run, m, today, rdate, not_rated) for m in members]
    seen: dict[tuple, Parsed] = {}
    for p in parsed:
        _member_rules(run, p, rdate)
        if p.name:
            key = (p.name.casefold(), p.vao, p.chinh_thuc)
            first = seen.setdefault(key, p)
            if first is not p:
                run.add("R-DS-TRUNG", p, "HoTen",
                        f"trùng họ tên, ngày vào Đảng và ngày chính thức với STT {first.stt} "
                        f"(dòng {first.row}): có phải một người ghi hai lần?",
                        "Xóa dòng thừa; nếu là hai người trùng tên, ghi rõ ở cột «Ghi chú» và "
                        "giải trình ở sheet «Giải trình».")
    beyond = [m for m in members if m.row > REGISTER.last_row]
    if beyond:
        run.add("R-DS-DAY", None, "HoTen",
                f"Danh sách có {fmt_int(len(members))} dòng, {fmt_int(len(beyond))} dòng nằm "
                f"ngoài {fmt_int(REGISTER.n_rows)} dòng của mẫu (từ dòng {beyond[0].row}): các "
                "ô này không có danh sách thả xuống và kiểm tra ngày.",
                f"Danh sách một đơn vị không quá {fmt_int(REGISTER.n_rows)} đảng viên; kiểm tra "
                "dòng bị dán thừa hoặc trùng, hoặc hỏi cấp trên về cách báo cáo.",
                cell=REGISTER.a1("HoTen", beyond[0].row))
    _khop(run, ctx, counts(parsed))
    _overflow(run)
    ctx.findings.extend(run.findings)


def _overflow(run):
    for (rule, key), (n, first, hint) in run.seen.items():
        if first is None:
            continue
        more = n - PER_COLUMN
        run.findings.append(Finding(
            rule=rule, severity=severity(rule, run.pack), sheet=SHEET,
            cell=REGISTER.a1(key, first.row), name="",
            message=(f"{SHEET}: còn {fmt_int(more)} dòng khác cùng lỗi này ở cột "
                     f"«{COLUMNS[COL[key]].label}» (từ STT {first.stt}, dòng {first.row}); "
                     f"{fmt_int(PER_COLUMN)} dòng đầu được chỉ ra từng ô."),
            hint=hint, regulation=reference(rule, run.pack), row_label=f"STT {first.stt}",
            col_label=COLUMNS[COL[key]].label))


class _Quiet(_Run):
    """Parsing without findings (counting only)."""

    def __init__(self, today):
        self.pack, self.findings = "", []
        self.ctx = type("C", (), {"today": today})()

    def add(self, *a, **kw):
        pass


def register_values(members, rdate: dt.date, today: dt.date | None = None) -> dict[str, int]:
    """The Biểu 1 and Biểu 3 member counts (by defined name) that a register gives: what a unit
    types, or what R-DS-KHOP expects. members: `spec.danh_sach.Member` rows."""
    today = today or dt.date.today()
    run = _Quiet(today)
    by_group = counts([parse_member(run, m, today, rdate) for m in members])
    out = {f"XL_{g}_{col}": n for g, c in by_group.items() for col, n in c.items()}
    out.update(kd_counts(by_group["DV"]))
    return out
