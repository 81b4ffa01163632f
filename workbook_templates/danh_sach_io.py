"""Getting members in: a member list as offices keep it (any sheet, Vietnamese headers in any
order, dates as Excel dates or dd/mm/yyyy text) -> the register of a unit's workbook.

`kiemdiem danh-sach nhap DS.xlsx -o BIEU.xlsx [--vao BIEU_CU.xlsx]`. Headers are matched without
regard to accents, case or punctuation, with the synonyms offices use ("Ngày kết nạp" for "Ngày
vào Đảng"). Everything that could not be mapped is reported — each unknown column, each row left
out, each value that is not a date or not in a drop-down list (copied as typed so the check marks
it) — and nothing is dropped silently. The report names rows and columns, never a member.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .spec.danh_sach import COL, COLUMNS, fold, guess_choice, label_of
from .spec.model import CHOICE, DATE, TEXT, XMARK

# folded header -> register column; the labels of the template itself are added below
HEADERS = {
    "HoTen": ("ho va ten", "ho ten", "ho ten dang vien", "ho va ten dang vien", "ten dang vien",
              "dang vien", "ho ten khai sinh"),
    "NgayVaoDang": ("ngay vao dang", "ngay ket nap", "ngay ket nap dang", "ngay vao dang du bi",
                    "ngay ket nap vao dang", "vao dang"),
    "NgayChinhThuc": ("ngay chinh thuc", "ngay cong nhan chinh thuc", "ngay dang vien chinh thuc",
                      "chinh thuc", "ngay cong nhan dang vien chinh thuc"),
    "Nhom": ("nhom", "nhom doi tuong", "nhom dang vien", "doi tuong", "nhom qd 366"),
    "CapUy": ("cap uy", "cap uy vien", "la cap uy vien", "thanh vien cap uy", "cuv"),
    "ChiBo": ("chi bo", "chi bo truc thuoc", "sinh hoat tai chi bo", "chi bo sinh hoat", "don vi"),
    "TinhTrang": ("tinh trang", "tinh trang sinh hoat", "trang thai", "tinh trang dang vien"),
    "KyLuat": ("ky luat", "hinh thuc ky luat", "ky luat trong nam", "bi ky luat"),
    "Diem": ("diem", "diem danh gia", "tong diem", "so diem", "diem xep loai"),
    "TuXepLoai": ("tu xep loai", "tu danh gia", "ca nhan tu xep loai", "tu nhan muc xep loai",
                  "muc tu xep loai", "tu danh gia xep loai"),
    "XepLoai": ("xep loai", "ket qua xep loai", "muc xep loai", "chi bo xep loai",
                "xep loai chat luong", "xep loai dang vien", "muc chat luong", "ket qua"),
    "GhiChu": ("ghi chu", "ly do", "ly do khong xep loai"),
}
for _c in COLUMNS:
    HEADERS[_c.key] = HEADERS[_c.key] + (fold(_c.label),)
IGNORED = ("stt", "tt", "so tt", "so thu tu")
_TABLE = {h: k for k, hs in HEADERS.items() for h in hs}
_PAREN = re.compile(r"\([^)]*\)")
_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")


class ImportError_(Exception):
    """The list cannot be used; str() is the Vietnamese message."""


def match_header(text) -> str | None:
    """Register column key for a header cell, or None; "" for a column to ignore (STT)."""
    if text is None:
        return None
    f = fold(_PAREN.sub(" ", str(text))) or fold(text)
    if not f:
        return None
    if f in IGNORED:
        return ""
    if f in _TABLE:
        return _TABLE[f]
    # "Họ và tên đảng viên (ghi đủ)": the longest known header the text starts with
    best = max((h for h in _TABLE if len(h) >= 5 and (f.startswith(h + " ") or f.endswith(
        " " + h))), key=len, default=None)
    return _TABLE[best] if best else None


@dataclass
class Imported:
    members: list[dict] = field(default_factory=list)
    sheet: str = ""
    header_row: int = 0
    columns: dict = field(default_factory=dict)        # key -> (letter, header as written)
    unmapped: list[str] = field(default_factory=list)  # "cột D «Quê quán»"
    skipped: list[str] = field(default_factory=list)   # "dòng 17: …"
    doubtful: list[str] = field(default_factory=list)  # "dòng 12, cột «…»: …"

    def report(self) -> list[str]:
        from .findings import fmt_int
        lines = [f"Đã đọc {fmt_int(len(self.members))} đảng viên từ sheet «{self.sheet}» "
                 f"(dòng tiêu đề: dòng {self.header_row})."]
        got = [f"«{COLUMNS[COL[k]].label}» ← cột {letter} «{h}»"
               for k, (letter, h) in sorted(self.columns.items(), key=lambda x: COL[x[0]])]
        lines.append("Cột đã nhận: " + "; ".join(got) + ".")
        missing = [c.label for c in COLUMNS if c.key not in self.columns]
        if missing:
            lines.append("Danh sách không có cột: " + "; ".join(f"«{m}»" for m in missing) +
                         " — các cột này để trống, hãy điền trong biểu.")
        if self.unmapped:
            lines.append("Cột không nhận ra, không nhập: " + "; ".join(self.unmapped) + ".")
        for s in self.skipped:
            lines.append(f"Không nhập {s}")
        for d in self.doubtful:
            lines.append(f"Cần xem lại {d}")
        return lines


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(i + 1)


def _sheets(data: bytes) -> list[tuple[str, list]]:
    from python_calamine import CalamineWorkbook
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [(n, wb.get_sheet_by_name(n).to_python(skip_empty_area=False))
                for n in wb.sheet_names]
    except Exception as e:   # calamine raises several types for damaged or non-Excel files
        raise ImportError_("Không đọc được danh sách: tệp bị hỏng hoặc không phải tệp Excel "
                           "(.xlsx, .xls). Hãy mở bằng Excel, lưu lại rồi thử lại.") from e


def _find_header(sheets) -> tuple[str, int, list, dict[int, str]]:
    best = None
    for name, grid in sheets:
        for r, row in enumerate(grid[:30]):
            found = {}
            for c, v in enumerate(row):
                k = match_header(v)
                if k and k not in found.values():
                    found[c] = k
            score = len(found) + (10 if "HoTen" in found.values() else 0)
            if best is None or score > best[0]:
                best = (score, name, r, grid, found)
    if best is None or "HoTen" not in best[4].values():
        raise ImportError_("Không tìm thấy cột «Họ và tên» trong 30 dòng đầu của các sheet: danh "
                           "sách cần một dòng tiêu đề có «Họ và tên» (hoặc «Họ tên»), «Ngày vào "
                           "Đảng»…")
    return best[1], best[2], best[3], best[4]


def _date(v):
    """(date or the value as typed, problem or None)."""
    if isinstance(v, dt.datetime):
        return v.date(), None
    if isinstance(v, dt.date):
        return v, None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if 3654 <= v < 73050:       # an Excel serial number: 1910–2099
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(v)), None
        return v, "không phải ngày"
    s = str(v).strip()
    m = _DATE.match(s) or None
    try:
        if m:
            d, mo, y = (int(x) for x in m.groups())
            return dt.date(y, mo, d), None
        m = _ISO.match(s)
        if m:
            return dt.date(*(int(x) for x in m.groups())), None
    except ValueError:
        return s, "không phải ngày có thật"
    return s, "không phải ngày dạng ngày/tháng/năm"


def _value(key: str, v):
    """(value to write, problem or None)."""
    kind = COLUMNS[COL[key]].kind
    if kind == DATE:
        return _date(v)
    if kind == CHOICE:
        code = guess_choice(key, v)
        return (label_of(key, code), None) if code else (str(v).strip(),
                                                         "không có trong danh sách thả xuống")
    if kind == XMARK:
        f = fold(v)
        if f in ("x", "co", "1", "cap uy", "cap uy vien", "cuv", "v"):
            return "x", None
        if f in ("", "0", "khong", "khong phai"):
            return None, None
        return None, "chỉ nhận x (là cấp ủy viên) hoặc để trống"
    if kind == TEXT:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return " ".join(str(v).split()), None
    # score
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v, None
    try:
        return float(str(v).strip().replace(",", ".")), None
    except ValueError:
        return str(v).strip(), "không phải điểm số"


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def read_list(source) -> Imported:
    """A member list (path or bytes) -> members as the register holds them."""
    data = Path(source).read_bytes() if isinstance(source, (str, Path)) else bytes(source)
    name, hr, grid, found = _find_header(_sheets(data))
    out = Imported(sheet=name, header_row=hr + 1)
    header = grid[hr]
    for c, v in enumerate(header):
        if _blank(v):
            continue
        k = match_header(v)
        if c in found:
            out.columns[found[c]] = (_letter(c), " ".join(str(v).split()))
        elif k == "":
            continue
        elif k:
            out.unmapped.append(f"cột {_letter(c)} «{' '.join(str(v).split())}» (trùng với cột "
                                f"{out.columns[k][0]} đã nhận)" if k in out.columns else
                                f"cột {_letter(c)} «{' '.join(str(v).split())}»")
        else:
            out.unmapped.append(f"cột {_letter(c)} «{' '.join(str(v).split())}»")
    for r in range(hr + 1, len(grid)):
        row = grid[r]
        if all(_blank(v) for v in row):
            continue
        m = {}
        for c, k in found.items():
            v = row[c] if c < len(row) else None
            if _blank(v):
                continue
            val, problem = _value(k, v)
            if problem:
                out.doubtful.append(f"dòng {r + 1}, cột {_letter(c)} «{COLUMNS[COL[k]].label}»: "
                                    f"{problem} (đã chép nguyên văn để biểu đánh dấu).")
            if val is not None:
                m[k] = val
        if "HoTen" not in m:
            what = ("một dòng tổng cộng" if any(isinstance(v, str) and fold(v).startswith(
                ("tong", "cong")) for v in row) else "không có họ tên")
            out.skipped.append(f"dòng {r + 1}: {what}.")
            continue
        out.members.append(m)
    return out


def import_into(imported: Imported, *, into: bytes | None = None, values: dict | None = None,
                fill_counts: bool = False, rating_day: dt.date | None = None) -> tuple[bytes, int]:
    """(the workbook with its register replaced by the imported members, rows cleared first).
    A new workbook is the current template with Thông tin `values`."""
    from openpyxl import load_workbook

    from .register_xlsx import write_register
    from .sample import _template_bytes
    from .spec import get_form_set
    wb = load_workbook(io.BytesIO(into if into is not None else _template_bytes("bao_cao_nam")))
    form = get_form_set("bao_cao_nam")
    for name, v in (values or {}).items():
        c = form.cells[name]
        wb[c.sheet].cell(c.row, c.col).value = v
    cleared = write_register(wb, imported.members)
    if fill_counts:
        from .sample import counts_of
        for name, n in counts_of(imported.members, rating_day or dt.date.today()).items():
            c = form.cells.get(name)
            if c is not None and c.is_input:
                wb[c.sheet].cell(c.row, c.col).value = n
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), cleared


# --- the command ----------------------------------------------------------------------------------

def add_parser(sub) -> None:
    d = sub.add_parser("danh-sach", help="danh sách đảng viên của đơn vị")
    dsub = d.add_subparsers(dest="action", required=True)
    n = dsub.add_parser("nhap", help="nhập danh sách đảng viên từ một tệp Excel vào biểu")
    n.add_argument("list", help="tệp danh sách (.xlsx) có dòng tiêu đề: Họ và tên, Ngày vào "
                   "Đảng…")
    n.add_argument("-o", "--output", required=True, help="tệp biểu ghi ra (.xlsx)")
    n.add_argument("--vao", default=None, help="biểu sẵn có của đơn vị để nhập vào (mặc định: "
                   "biểu mới từ mẫu)")
    n.add_argument("--dien-so", action="store_true",
                   help="ghi luôn số liệu đảng viên ở Biểu 1 và Biểu 3 theo danh sách")
    n.set_defaults(func=cmd_nhap)


def cmd_nhap(args) -> int:
    import sys

    from .read import ReadError, read_workbook

    def out(s):
        sys.stdout.write(s + "\n")

    into = None
    rating_day = None
    if args.vao:
        try:
            into = Path(args.vao).read_bytes()
            filled = read_workbook(into, formulas=False)
        except OSError as e:
            sys.stderr.write(f"LỖI: Không mở được tệp {args.vao}: {e.strerror or e}.\n")
            return 2
        except ReadError as e:
            sys.stderr.write(f"LỖI: {e.message}\n")
            return 2
        if filled.form.register is None:
            sys.stderr.write(f"LỖI: Tệp {args.vao} là mẫu «{filled.form.title}», không có sheet "
                             "danh sách đảng viên. Hãy dùng biểu Báo cáo năm.\n")
            return 2
        from .rules.parse import parse_date
        rating_day, _ = parse_date(filled.raw.get("TT_NgayLap"))
    try:
        imported = read_list(args.list)
    except OSError as e:
        sys.stderr.write(f"LỖI: Không mở được tệp {args.list}: {e.strerror or e}.\n")
        return 2
    except ImportError_ as e:
        sys.stderr.write(f"LỖI: {e}\n")
        return 2
    data, cleared = import_into(imported, into=into, fill_counts=args.dien_so,
                                rating_day=rating_day)
    Path(args.output).write_bytes(data)
    for line in imported.report():
        out(line)
    if cleared:
        out(f"Đã thay {cleared} dòng của danh sách cũ trong biểu.")
    if args.dien_so:
        out("Đã ghi số liệu đảng viên ở Biểu 1 và Biểu 3 theo danh sách.")
    out(f"Đã ghi {args.output}. Mở biểu, điền các cột còn trống rồi bấm «Kiểm tra biểu».")
    return 0
