"""`kiemdiem merge`: the parent unit's summary workbook from its children's files.

Each child's file is read and validated with the core reader and validator (in two processes when
there are many files, since the work is CPU bound), then merged by `workbook_templates.merge`.
Exit codes: 0 the summary was written and has no error outside the cells the parent must still
fill; 1 written, but with other errors; 2 nothing could be merged (no usable file, bad option file).
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .spec.domain import SECTOR_CODES, SECTOR_LABEL
from .spec.hierarchy import KINDS
from .text_report import render_text

#: The unit types that collect from children (spec.hierarchy), the usual ones first.
PARENT_TYPES = tuple(sorted((t for t, k in KINDS.items() if k.child_types()),
                            key=("DB_CTCS", "DB_TINH", "DB_CS", "DB_BP").index))
PARALLEL_FROM = 40        # files; below this one process is faster than starting workers
PROGRESS_FROM = 20        # files; below this a merge is too quick for a bar


def add_parser(subparsers):
    m = subparsers.add_parser(
        "merge", help="tổng hợp biểu của các đơn vị trực thuộc thành biểu của cấp trên",
        description="Tổng hợp biểu của các đơn vị trực thuộc (cùng mẫu, cùng năm) thành biểu của "
                    "đơn vị cấp trên, theo đúng mẫu để kiểm tra và gửi tiếp lên trên.")
    m.add_argument("children", nargs="+", metavar="CHILD.xlsx",
                   help="tệp biểu của đơn vị trực thuộc (hoặc thư mục chứa các tệp .xlsx)")
    m.add_argument("-o", "--output", required=True, metavar="SUMMARY.xlsx",
                   help="tệp biểu tổng hợp sẽ ghi (cùng mẫu với các tệp đơn vị)")
    m.add_argument("--parent-name", required=True, help="tên đơn vị cấp trên (tổng hợp)")
    m.add_argument("--parent-code", required=True, help="mã đơn vị cấp trên")
    m.add_argument("--parent-type", required=True, choices=PARENT_TYPES,
                   help="loại đơn vị cấp trên")
    m.add_argument("--cap-tren", default="", help="đơn vị cấp trên của đơn vị tổng hợp")
    m.add_argument("--linh-vuc", default="", choices=("",) + SECTOR_CODES,
                   help="lĩnh vực của đơn vị tổng hợp khi là tổ chức cơ sở đảng: "
                        + ", ".join(f"{c} ({lab})" for c, lab in SECTOR_LABEL.items()))
    m.add_argument("--year", type=int, default=None,
                   help="năm tổng hợp (mặc định: năm ghi trong phần lớn các tệp)")
    m.add_argument("--nguoi-lap", default="", help="người lập biểu tổng hợp")
    m.add_argument("--dien-thoai", default="", help="số điện thoại người lập biểu")
    m.add_argument("--expected", metavar="UNITS.xlsx",
                   help="danh sách đơn vị phải nộp: Mã đơn vị, Tên đơn vị, Loại, Mã đơn vị cấp "
                        "trên (và Lĩnh vực nếu có)")
    m.add_argument("--decisions", metavar="DECISIONS.xlsx",
                   help="quyết định xếp loại của cấp trên: Mã đơn vị, Xếp loại (và Xếp loại cấp "
                        "ủy nếu có)")
    m.add_argument("--include-invalid", action="store_true",
                   help="tổng hợp cả tệp còn lỗi (mặc định: bỏ ra và liệt kê)")
    m.add_argument("--base", choices=("tot", "tot_tro_len"), default="tot",
                   help="cơ sở tính tỷ lệ xuất sắc: chỉ số Tốt (mặc định) hoặc Tốt trở lên")
    m.add_argument("--ngoai-le-25", action="store_true",
                   help="cấp có thẩm quyền đã chấp thuận ngoại lệ 25 %% (Quy định 366): ghi «Có» "
                        "vào ô Ngoại lệ 25 %% của biểu tổng hợp và tính hạn mức xuất sắc "
                        "theo 25 %%")
    m.add_argument("--jobs", type=int, default=None,
                   help="số tiến trình đọc tệp (mặc định: số nhân CPU)")
    m.add_argument("-q", "--quiet", action="store_true", help="không hiện thanh tiến độ")
    m.set_defaults(func=run)
    return m


# --- reading children, possibly in worker processes ---------------------------------------------

def _read_one(path: str, base: str):
    """Worker: read + validate one file. Returns plain data (the FormSet is not pickled)."""
    from .read import ReadError, read_workbook
    from .validate import validate
    p = Path(path)
    try:
        filled = read_workbook(p)
    except ReadError as e:
        return path, None, e.message
    report = validate(filled, base=base)
    report.source = str(p)
    mtime = dt.datetime.fromtimestamp(p.stat().st_mtime)
    return path, _pack(filled, report, mtime), None


def _pack(filled, report, mtime) -> tuple:
    """What goes back from a worker, as small as it can be: values in the form's cell order
    instead of three dicts keyed by 538 names (pickling those was a tenth of the time)."""
    names = _names(filled.form)
    raw, values = filled.raw, report.values
    vals = tuple(map(values.get, names)) if values.keys() == raw.keys() else values
    fields = (report.template, report.version, report.rule_pack, report.findings, report.source,
              report.unit_type, report.year)
    return (filled.form.id, filled.version, tuple(map(raw.get, names)), filled.has_formula,
            filled.source, fields, vals, mtime)


_NAMES: dict = {}


def _names(form) -> tuple[str, ...]:
    if form.id not in _NAMES:
        _NAMES[form.id] = tuple(form.cells)
    return _NAMES[form.id]


def _child_from(payload, path):
    from .merge import Child
    from .read import Filled
    from .spec import get_form_set
    from .validate import Report
    form_id, version, raw, has_f, label, fields, vals, mtime = payload
    form = get_form_set(form_id)
    names = _names(form)
    values = dict(zip(names, vals, strict=False)) if isinstance(vals, tuple) else vals
    filled = Filled(form, version, dict(zip(names, raw, strict=False)), has_f, label)
    template, ver, pack, findings, source, unit_type, year = fields
    report = Report(template, ver, pack, findings, values, source, unit_type, year)
    return Child(filled, report, source=Path(path).name, received_at=mtime)


class Progress:
    """A plain stderr bar: no dependency, silent when not asked for."""

    def __init__(self, total: int, label: str, enabled: bool, stream=None):
        self.total, self.label, self.enabled = total, label, enabled and total > 0
        self.stream = stream or sys.stderr
        self.done, self._shown = 0, -1

    def step(self, n: int = 1):
        self.done += n
        if not self.enabled:
            return
        pct = self.done * 100 // self.total
        if pct != self._shown:
            self._shown = pct
            width = 30
            fill = width * self.done // self.total
            self.stream.write(f"\r{self.label}: [{'#' * fill}{'.' * (width - fill)}] "
                              f"{self.done}/{self.total} ({pct} %)")
            self.stream.flush()

    def close(self):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def expand(paths) -> list[Path]:
    """Files as given; a directory stands for the .xlsx files in it (sorted, no lock files)."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.glob("*.xlsx") if not q.name.startswith("~$"))
        else:
            out.append(p)
    return out


def read_children(paths, base="tot", jobs=None, progress=None):
    """[(Child)], [(file name, message)] for the files that cannot be used."""
    paths = [str(p) for p in paths]
    children, unreadable = [], []
    jobs = jobs or os.cpu_count() or 1
    bar = progress or Progress(len(paths), "Đọc và kiểm tra", False)
    if jobs > 1 and len(paths) >= PARALLEL_FROM:
        chunk = max(1, len(paths) // (jobs * 8))
        with ProcessPoolExecutor(max_workers=jobs) as ex:
            results = ex.map(_read_one, paths, [base] * len(paths), chunksize=chunk)
            for path, payload, err in results:
                _collect(path, payload, err, children, unreadable)
                bar.step()
    else:
        for path in paths:
            _collect(*_read_one(path, base), children, unreadable)
            bar.step()
    bar.close()
    return children, unreadable


def _collect(path, payload, err, children, unreadable):
    if payload is None:
        unreadable.append((Path(path).name, err))
    else:
        children.append(_child_from(payload, path))


# --- the command ----------------------------------------------------------------------------------

def _say(text=""):
    sys.stdout.write(text + "\n")


def run(args) -> int:
    from .merge import Parent, merge, read_decisions, read_expected
    from .read import ReadError
    from .spec.domain import DECISION_LABEL

    paths = expand(args.children)
    missing_files = [p for p in paths if not p.exists()]
    if missing_files:
        sys.stderr.write("LỖI: không thấy tệp: " + ", ".join(map(str, missing_files)) + "\n")
        return 2
    try:
        expected = read_expected(args.expected) if args.expected else None
        decisions = read_decisions(args.decisions) if args.decisions else {}
    except ReadError as e:
        sys.stderr.write(f"LỖI: {e.message}\n")
        return 2
    show = not args.quiet and len(paths) >= PROGRESS_FROM
    children, unreadable = read_children(
        paths, base=args.base, jobs=args.jobs,
        progress=Progress(len(paths), "Đọc và kiểm tra", show))
    for ch in children:
        if ch.code in decisions:
            ch.decision, ch.decision_cap_uy = decisions[ch.code]
    if not children:
        sys.stderr.write("LỖI: không có tệp nào đọc được để tổng hợp.\n")
        for name, msg in unreadable:
            sys.stderr.write(f"- {name}: {msg}\n")
        return 2
    parent = Parent(args.parent_name, args.parent_code, args.parent_type, args.cap_tren,
                    args.year, nguoi_lap=args.nguoi_lap, dien_thoai=args.dien_thoai,
                    ngoai_le_25=args.ngoai_le_25, linh_vuc=args.linh_vuc)
    result = merge(children, parent, expected=expected, include_invalid=args.include_invalid,
                   base=args.base)
    result.unreadable = unreadable
    if not result.included:
        sys.stderr.write("LỖI: không có tệp nào hợp lệ để tổng hợp.\n")
        for ch, reason in result.skipped:
            sys.stderr.write(f"- {ch.source}: {reason}\n")
        for name, msg in unreadable:
            sys.stderr.write(f"- {name}: {msg}\n")
        return 2
    data = result.to_xlsx()
    out = Path(args.output)
    out.write_bytes(data)

    _say(f"Đã ghi {out}: tổng hợp {len(result.included)} đơn vị cho {parent.name} "
         f"(mẫu {result.form.id}, năm {result.values.get('TT_Nam', '?')}).")
    for name, msg in unreadable:
        _say(f"- Không đọc được {name}: {msg}")
    for ch, reason in result.skipped:
        _say(f"- Không tổng hợp {ch.source} ({ch.name}): {reason}")
    for note in result.notes:
        _say(f"Lưu ý: {note}")
    if expected is not None:
        if result.missing:
            _say(f"Chưa nộp ({len(result.missing)}): " +
                 ", ".join(f"{e['name'] or e['code']} ({e['code']})" for e in result.missing))
        else:
            _say("Tất cả đơn vị trong danh sách đã nộp.")
    if result.undecided:
        shown = (f"{c.name} ({DECISION_LABEL.get(c.rating()[0], 'chưa xếp loại')})"
                 for c in result.undecided[:20])
        _say(f"{len(result.undecided)} đơn vị chưa quyết định xếp loại (tính theo mức tự đề "
             "nghị): " + ", ".join(shown)
             + (" …" if len(result.undecided) > 20 else ""))
    for q in result.quota:
        _say(f"Hạn mức xuất sắc — {q.label}: {q.message}")

    from .read import read_workbook
    from .validate import validate
    report = validate(read_workbook(data), base=args.base)
    report.source = str(out)
    own = [f for f in report.findings if result.is_parent_fill(f)]
    other = [f for f in report.findings if not result.is_parent_fill(f)]
    _say(f"Kiểm tra biểu tổng hợp: {len(own)} mục ở các ô cấp tổng hợp còn phải tự điền "
         f"(xem sheet «Chi tiết đơn vị»), {len(other)} mục khác.")
    if other:
        report.findings = other
        _say(render_text(report))
    return 1 if any(f.is_error for f in other) else 0
