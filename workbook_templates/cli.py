"""`kiemdiem` command line: build templates, validate a workbook, merge children, make samples.

Exit codes of `validate`: 0 no error (warnings allowed), 1 errors, 2 the file cannot be used.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import EXIT_CODE
from .text_report import render_text


def _out(text: str):
    sys.stdout.write(text + "\n")


def cmd_build(args) -> int:
    from .build import build_all
    for p in build_all(args.out):
        _out(f"Đã tạo mẫu: {p}")
    return 0


def cmd_upgrade(args) -> int:
    """An outdated workbook's figures into the current template (`workbook_templates.upgrade`)."""
    from pathlib import Path

    from .read import ReadError
    from .upgrade import upgrade
    src = Path(args.file)
    try:
        data, notes = upgrade(src.read_bytes(), src.name)
    except OSError as e:
        sys.stderr.write(f"LỖI: {e}\n")
        return EXIT_CODE
    except ReadError as e:
        sys.stderr.write(f"LỖI: {e.message}\n")
        return e.exit_code
    Path(args.output).write_bytes(data)
    _out(f"Đã ghi {args.output}.")
    for note in notes:
        _out(note)
    return 0


def cmd_validate(args) -> int:
    from .read import ReadError, read_workbook
    from .validate import validate
    try:
        filled = read_workbook(args.file)
    except ReadError as e:
        if args.format == "json":
            _out(json.dumps({"file": str(args.file), "valid": False, "error": e.code,
                             "message": e.message}, ensure_ascii=False, indent=2))
        else:
            sys.stderr.write(f"LỖI: {e.message}\n")
        return e.exit_code
    report = validate(filled, base=args.base, rules=args.rules)
    report.source = str(args.file)
    if args.format == "json":
        _out(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        _out(render_text(report))
    return 1 if report.errors else 0


def cmd_sample(args) -> int:
    from . import sample
    try:
        data = sample.sample_bytes(args.name, args.form)
    except ValueError as e:
        sys.stderr.write(f"LỖI: {e}\n")
        return 2
    Path(args.output).write_bytes(data)
    _out(f"Đã ghi {args.output}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiemdiem", description="Biểu kiểm điểm, đánh giá, xếp loại "
                                "chất lượng: tạo mẫu, kiểm tra, tổng hợp.")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("template", help="mẫu biểu")
    tsub = t.add_subparsers(dest="action", required=True)
    b = tsub.add_parser("build", help="tạo lại các tệp mẫu .xlsx từ đặc tả")
    b.add_argument("--out", default=None, help="thư mục ghi (mặc định: workbook_templates/)")
    b.set_defaults(func=cmd_build)
    u = tsub.add_parser("upgrade", help="chép số liệu của tệp làm theo mẫu phiên bản cũ sang mẫu "
                                        "hiện hành (theo tên ô)")
    u.add_argument("file")
    u.add_argument("-o", "--output", required=True)
    u.set_defaults(func=cmd_upgrade)

    v = sub.add_parser("validate", help="kiểm tra một tệp biểu")
    v.add_argument("file")
    v.add_argument("--format", choices=("text", "json"), default="text")
    v.add_argument("--base", choices=("tot", "tot_tro_len"), default="tot",
                   help="cơ sở tính tỷ lệ xuất sắc: chỉ số Tốt (mặc định) hoặc Tốt trở lên")
    v.add_argument("--rules", choices=("HD16", "HD21", "QD124", "QD366"), default=None,
                   help="bộ quy tắc (mặc định: theo năm đánh giá)")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("sample", help="tạo tệp mẫu đã điền để thử")
    from .sample import SAMPLES
    s.add_argument("name", choices=tuple(SAMPLES))
    s.add_argument("-o", "--output", required=True)
    s.add_argument("--form", default=None, choices=("bao_cao_nam", "so_ket_quy_dinh"),
                   help="biểu của tệp mẫu trống (mặc định: biểu của mẫu đã chọn)")
    s.set_defaults(func=cmd_sample)

    from . import danh_sach_io  # kiemdiem danh-sach nhap (the member register)
    danh_sach_io.add_parser(sub)

    try:
        from . import cli_merge
    except ImportError:  # the merge command lands separately
        cli_merge = None
    if cli_merge is not None:
        cli_merge.add_parser(sub)

    from .bao_cao import cli as cli_bao_cao  # the written report (.docx)
    cli_bao_cao.add_parser(sub)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "func", None) is None and getattr(args, "command", None) == "merge":
        from . import cli_merge
        return cli_merge.run(args)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
