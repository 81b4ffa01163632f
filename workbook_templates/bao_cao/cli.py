"""`kiemdiem bao-cao`: the written report (.docx) from a unit's or a summary's workbook.

Exit codes as `kiemdiem validate`: 0 written; 1 the workbook has errors (their list is printed;
`--ke-ca-loi` writes a draft anyway, errors boxed at the top) or is blank; 2 a file cannot be
used (unreadable, not our template, last year's of another form).
"""
from __future__ import annotations

import sys
from pathlib import Path


def add_parser(subparsers):
    p = subparsers.add_parser(
        "bao-cao", help="lập báo cáo (.docx) kết quả kiểm điểm, đánh giá, xếp loại từ tệp biểu",
        description="Lập bản dự thảo báo cáo kết quả kiểm điểm, đánh giá, xếp loại chất lượng "
                    "(định dạng Word, thể thức Hướng dẫn 36-HD/VPTW) từ tệp biểu của đơn vị hoặc "
                    "tệp biểu tổng hợp. Mọi số liệu và tỷ lệ được tính lại từ biểu.")
    p.add_argument("file", metavar="FILE.xlsx", help="tệp biểu (báo cáo năm hoặc sơ kết)")
    p.add_argument("-o", "--output", metavar="BAO_CAO.docx", default=None,
                   help="tệp báo cáo sẽ ghi (mặc định: bao_cao_<mã đơn vị>_<năm>.docx)")
    p.add_argument("--nam-truoc", metavar="LAST.xlsx", default=None,
                   help="tệp biểu năm trước (cùng mẫu) để so sánh")
    p.add_argument("--ke-ca-loi", action="store_true",
                   help="vẫn lập bản nháp khi biểu còn lỗi (các lỗi được liệt kê ở đầu văn bản)")
    p.add_argument("--base", choices=("tot", "tot_tro_len"), default="tot",
                   help="cơ sở tính tỷ lệ xuất sắc: chỉ số Tốt (mặc định) hoặc Tốt trở lên")
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    from ..findings import SEVERITY_LABEL
    from ..read import ReadError
    from . import ReportRefused, build_report
    try:
        built = build_report(args.file, previous=args.nam_truoc, include_errors=args.ke_ca_loi,
                             base=args.base, label=str(args.file))
    except ReadError as e:
        sys.stderr.write(f"LỖI: {e.message}\n")
        return e.exit_code
    except ReportRefused as e:
        sys.stderr.write(f"LỖI: {e.message}\n")
        for f in e.findings:
            sys.stderr.write(f"- {SEVERITY_LABEL[f.severity]} {f.ref}: {f.message}\n")
            if f.hint:
                sys.stderr.write(f"    Cách sửa: {f.hint}\n")
        return 2 if e.code == "previous" else 1
    out = Path(args.output) if args.output else Path(args.file).with_name(built.file_name)
    out.write_bytes(built.data)
    for note in built.notes:
        sys.stdout.write(f"Lưu ý: {note}\n")
    if built.report.errors:
        sys.stdout.write(f"Đã ghi bản nháp {out} — biểu còn {len(built.report.errors)} lỗi, đã "
                         "liệt kê ở đầu văn bản; sửa biểu rồi lập lại trước khi trình ký.\n")
        return 1
    sys.stdout.write(f"Đã ghi báo cáo {out}. Các đoạn tô vàng trong ngoặc vuông là phần cấp ủy "
                     "cần tự viết.\n")
    return 0
