"""A validation report as plain text, as `kiemdiem validate` and `kiemdiem tong-hop` print it.

In a module of its own so both commands use it without importing each other."""
from __future__ import annotations

from .findings import SEVERITY_LABEL


def render_text(report) -> str:
    """The findings one per line with how to fix and the regulation, then the verdict. Each
    finding says where it is as the printed form numbers it (sheet, row STT, column number) and
    as Excel names the cell; rule codes and cell names stay in `--format json`."""
    lines = [f"Tệp: {report.source}",
             f"Mẫu: {report.template} (phiên bản {report.version}); quy định áp dụng: "
             f"{report.rule_pack}"]
    for f in report.findings:
        mark = " (đã giải trình)" if f.explained else ""
        lines.append(f"- {SEVERITY_LABEL[f.severity]}{mark} — {f.place}: {f.message}")
        if f.hint:
            lines.append(f"    Cách sửa: {f.hint}")
        if f.regulation:
            lines.append(f"    Căn cứ: {f.regulation}")
    n_err, n_warn = len(report.errors), len(report.warnings)
    if n_err:
        lines.append(f"KẾT QUẢ: KHÔNG HỢP LỆ — {n_err} lỗi, {n_warn} cảnh báo.")
    elif n_warn:
        lines.append(f"KẾT QUẢ: HỢP LỆ, có {n_warn} cảnh báo cần giải trình.")
    else:
        lines.append("KẾT QUẢ: HỢP LỆ — không có lỗi, không có cảnh báo.")
    return "\n".join(lines)

