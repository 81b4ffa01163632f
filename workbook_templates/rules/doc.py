"""docs/rules.md, generated from the catalogue and the packs so the document cannot drift.

Above both: the catalogue names the rules, the packs say which apply when; this module reads the
two (the catalogue may not import the packs, which import it)."""
from __future__ import annotations

import sys

from .catalogue import ERROR, RULES, WARNING
from .packs import PACKS

_SEV_VI = {ERROR: "lỗi", WARNING: "cảnh báo"}


def markdown() -> str:
    """docs/rules.md: the catalogue and each pack's changes, generated so the doc cannot drift
    (tests/test_catalogue.py compares; `python -m workbook_templates.rules.doc` rewrites)."""
    packs = sorted(PACKS.values(), key=lambda p: p.first_year)
    head = ["| Mã | Quy tắc | Kiểm tra gì | " + " | ".join(
        f"{p.id} ({p.first_year}–{p.last_year or ''})" for p in packs) + " |",
        "|---|---|---|" + "---|" * len(packs)]
    rows = []
    for r in RULES.values():
        cells = []
        for p in packs:
            if not p.enabled(r.id):
                cells.append("—")
            else:
                cells.append(_SEV_VI[p.severity(r.id)])
        sub = f" (biến thể của {r.parent})" if r.parent else ""
        where = " Máy chủ kiểm tra." if r.where == "máy chủ" else ""
        rows.append(f"| `{r.id}` | {r.title}{sub} | {r.checks}{where} | " + " | ".join(cells)
                    + " |")
    refs = []
    for p in packs:
        refs.append(f"\n### {p.id}: {p.sources}\n")
        refs.append("| Mã | Căn cứ người dùng đọc thấy |\n|---|---|")
        for r in RULES.values():
            if p.enabled(r.id):
                refs.append(f"| `{r.id}` | {p.regulation(r.id)} |")
    return "\n".join([
        "# Quy tắc kiểm tra (bảng sinh tự động từ `workbook_templates/rules/catalogue.py`)",
        "",
        "Không sửa tay tệp này: sửa danh mục quy tắc hoặc bộ quy tắc (`rules/packs.py`) rồi chạy "
        "`python -m workbook_templates.rules.doc > docs/rules.md`.",
        "",
        "Mỗi phát hiện mang mã quy tắc (trong JSON và trong chú thích khi rê chuột), mức độ (lỗi "
        "chặn việc gửi; cảnh báo cần giải trình ở sheet «Giải trình») và căn cứ quy định. Bộ "
        "quy tắc được chọn theo năm đánh giá; ô «—» là quy tắc không áp dụng trong bộ đó.",
        "",
        "## Danh mục",
        "",
        *head, *rows,
        "",
        "## Căn cứ theo từng bộ quy tắc",
        *refs,
        "",
    ])


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(markdown())
