"""The rule catalogue: every rule the tool applies, defined once (SPEC §4, §7.2).

Each entry says what a user needs to look a finding up: the rule's id (kept in the JSON and in
tooltips), a Vietnamese title, the default severity, what it checks, and the regulation a user
reads ("Quy định 366-QĐ/TW, Điều 11"). A rule pack (`packs.py`) overrides an entry by id —
severity, enabled, reference — for the years it covers; checks never hard-code any of these.
The docs' rule table (docs/rules.md) and the "Quy định" column of the web pages are generated
from here.

Adding a rule (also from another module, e.g. the member register's R-DS-*): add a `Rule` to
`RULES` below, or call `register(Rule(...))` at import time of the module that checks it; a pack
that must not apply it lists the id in its `disabled`. A sub-rule (`parent`) is a variant of a
rule with its own severity — R-QUOTA-SUMMED is R-QUOTA on rows summed from lower levels; a
finding carries the parent's id so users and the "Giải trình" sheet see one rule.
"""
from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING = "error", "warning"

# References a user can look up. Form rules are not a party regulation: they say so.
FORM = "Quy cách điền biểu mẫu báo cáo (không phải quy định của Đảng)"
HD36 = "Hướng dẫn 36-HD/VPTW về thể thức văn bản của Đảng (số, ký hiệu văn bản)"


@dataclass(frozen=True)
class Rule:
    id: str
    title: str            # Vietnamese, short: what the rule is about
    severity: str         # default; a pack may override
    checks: str           # Vietnamese: what is checked (docs, tooltips)
    reference: str = ""   # default regulation; "" = the pack's own sources
    parent: str = ""      # a sub-rule: findings carry this id, severity comes from this entry
    where: str = "máy tính và máy chủ"  # where it runs: "máy chủ" for server-side rules

    @property
    def reported_as(self) -> str:
        return self.parent or self.id


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Add a rule to the catalogue (idempotent for the same entry; a different entry under an
    existing id is a programming error)."""
    old = RULES.get(rule.id)
    if old is not None and old != rule:
        raise ValueError(f"rule {rule.id} already in the catalogue with another definition")
    RULES[rule.id] = rule
    return rule


for _r in (
    Rule("R-READ", "Đọc được tệp", ERROR,
         "Tệp mở được, là biểu mẫu của công cụ (đúng tên ô, đúng phiên bản) và đọc được mọi "
         "sheet.", FORM),
    Rule("R-NUM", "Ô số lượng là số nguyên không âm", ERROR,
         "Ô đếm số người, số tổ chức là số nguyên ≥ 0; chữ như «1.234», «12 đv», « 7 » được "
         "báo kèm số có lẽ muốn ghi.", FORM),
    Rule("R-REQ", "Thông tin bắt buộc", ERROR,
         "Các ô bắt buộc ở sheet Thông tin có giá trị; năm có 4 chữ số, không ở tương lai; ngày "
         "là ngày có thật; dòng bắt buộc với loại đơn vị không để trống.", FORM),
    Rule("R-PHONE", "Số điện thoại người lập biểu", WARNING,
         "Số di động 10 chữ số bắt đầu bằng 0, hoặc số cố định 11 chữ số bắt đầu bằng 02.", FORM),
    Rule("R-FORMULA", "Ô tính tự động còn nguyên công thức", ERROR,
         "Ô công thức (nền xám) không bị gõ đè bằng giá trị.", FORM),
    Rule("R-DG", "Số được đánh giá = tổng bốn mức", ERROR,
         "Số được đánh giá, xếp loại bằng XS + Tốt + HT + KHT ở mỗi dòng.", FORM),
    Rule("R-TONG", "Tổng số = được đánh giá + không đánh giá", ERROR,
         "Tổng số bằng số được đánh giá cộng các cột không đánh giá, xếp loại (mới, miễn, đình "
         "chỉ, lý do khác).", FORM),
    Rule("R-PART", "Dòng «trong đó» khớp dòng trên", ERROR,
         "Các dòng «trong đó» không vượt dòng trên; các dòng chia nhỏ (đảng bộ cơ sở + chi bộ cơ "
         "sở; đảng viên theo nhóm đối tượng) cộng lại bằng dòng trên khi đã ghi.", FORM),
    Rule("R-KD", "Số liệu kiểm điểm (Biểu 1) cân đối", ERROR,
         "Phải kiểm điểm = đã kiểm điểm + chưa kiểm điểm; chưa kiểm điểm = tổng các lý do; số "
         "được gợi ý kiểm điểm không quá số đã kiểm điểm.", FORM),
    Rule("R-KD-XL", "Kiểm điểm (Biểu 1) khớp xếp loại (Biểu 3)", WARNING,
         "Số đảng viên đã kiểm điểm bằng số được xếp loại; các lý do không đánh giá giống nhau "
         "giữa Biểu 1 và Biểu 3."),
    Rule("R-QUOTA", "Tỷ lệ «Hoàn thành xuất sắc nhiệm vụ»", ERROR,
         "Số xuất sắc không vượt trần (20 % số hoàn thành tốt, 25 % nơi được cấp có thẩm quyền "
         "cho phép từ năm 2025) trên các dòng đơn vị tự quyết định."),
    Rule("R-QUOTA-SUMMED", "Tỷ lệ xuất sắc trên dòng cộng từ cấp dưới", WARNING,
         "Như R-QUOTA nhưng trên dòng cộng từ cấp dưới (chỉ để tham khảo, cần giải trình).",
         parent="R-QUOTA"),
    Rule("R-PREREQ", "Điều kiện để tập thể xếp loại xuất sắc (HD 21)", ERROR,
         "Đơn vị tự xếp loại xuất sắc: không có đảng viên/tổ chức trực thuộc «Không hoàn thành "
         "nhiệm vụ» và ít nhất 80 % hoàn thành tốt trở lên."),
    Rule("R-HEAD", "Người đứng đầu không cao hơn tập thể", ERROR,
         "Mức xếp loại người đứng đầu không cao hơn mức của đơn vị; từ năm 2025 (Quy định "
         "366) cũng không cao hơn mức của cấp ủy."),
    Rule("R-KYLUAT", "Đảng viên bị kỷ luật xếp loại KHT", ERROR,
         "Số bị thi hành kỷ luật trong năm không vượt số «Không hoàn thành nhiệm vụ»."),
    Rule("R-XS-KYLUAT", "Xuất sắc: không có tổ chức trực thuộc, thành viên cấp ủy bị kỷ luật",
         ERROR,
         "Tập thể tự xếp loại xuất sắc: không tổ chức trực thuộc trực tiếp nào (Biểu 2, cột kỷ "
         "luật) và không thành viên cấp ủy, tập thể lãnh đạo nào (Biểu 3, dòng thành viên cấp "
         "ủy) bị kỷ luật trong năm; đảng viên thường bị kỷ luật không ngăn xếp loại xuất sắc."),
    Rule("R-CUV-KYLUAT", "Cấp ủy có thành viên bị kỷ luật", WARNING,
         "Cấp ủy có thành viên bị kỷ luật trong năm mà xếp loại trên «Không hoàn thành nhiệm vụ» "
         "phải có quyết định khác của cấp có thẩm quyền và giải trình."),
    Rule("R-NGOAILE25", "Quyết định cho áp dụng tỷ lệ xuất sắc 25 %", ERROR,
         "Ghi «Có» ở ô tỷ lệ 25 % thì phải ghi số quyết định (đúng dạng số-LOẠI/CƠ QUAN), ngày "
         "quyết định (trong năm đánh giá, không sau ngày lập biểu) và cơ quan ban hành; máy chủ "
         "còn đối chiếu với đợt thu (đợt mở không có ngoại lệ 25 % thì báo lỗi)."),
    Rule("R-DIEM", "Điểm đánh giá (thang 100 điểm)", ERROR,
         "Điểm của đơn vị, cấp ủy, người đứng đầu từ 0 đến 100, bắt buộc khi đã ghi mức xếp "
         "loại tương ứng; mức xếp loại không cao hơn khung điểm: xuất sắc từ 90, tốt từ 70, "
         "hoàn thành từ 50 điểm."),
    Rule("R-NHIEMVU", "Kết quả thực hiện nhiệm vụ được giao", ERROR,
         "Số nhiệm vụ được giao, hoàn thành, vượt mức, chậm tiến độ cân đối; mức tự xếp loại "
         "không cao hơn mức các số này cho phép: xuất sắc cần 100 % hoàn thành, ít nhất 30 % "
         "vượt mức, không chậm; tốt cần 100 % hoàn thành đúng hạn; hoàn thành cần 100 % hoàn "
         "thành, chậm tiến độ không quá 20 %."),
    Rule("R-XS-KP", "Xuất sắc: đã khắc phục mọi hạn chế đã chỉ ra", ERROR,
         "Tập thể tự xếp loại xuất sắc thì mọi hạn chế, khuyết điểm các năm trước ở Biểu 4 có "
         "kết quả «Đã khắc phục»."),
    Rule("R-LYDO", "Lý do không xếp loại đúng quy định của năm", ERROR,
         "Chỉ dùng các lý do không đánh giá, xếp loại mà quy định của năm đánh giá cho phép "
         "(năm 2018, theo Hướng dẫn 16, đình chỉ sinh hoạt đảng không phải lý do)."),
    Rule("R-KP", "Khắc phục hạn chế, khuyết điểm (Biểu 4)", ERROR,
         "Mỗi dòng Biểu 4 có nội dung, giải pháp, thời hạn và kết quả."),
    Rule("R-KP-HAN", "Quá hạn khắc phục", WARNING,
         "Thời hạn khắc phục đã qua (so với ngày lập biểu) mà kết quả chưa là «Đã khắc phục».",
         parent="R-KP"),
    Rule("R-DOCNO", "Số, ký hiệu và ngày văn bản", ERROR,
         "Số văn bản có dạng <số>-<LOẠI>/<CƠ QUAN> (ví dụ 70-KH/HU); ngày ban hành là ngày có "
         "thật, thuộc năm của cột.", HD36),
    Rule("R-XMARK", "Đánh dấu Phù hợp / Chưa phù hợp", ERROR,
         "Đúng một trong hai cột được đánh dấu x; «Chưa phù hợp» cần ghi đề nghị.", FORM),
    Rule("R-YOY", "Thay đổi lớn so với năm trước", WARNING,
         "So với báo cáo được chấp nhận năm trước của đơn vị: tổng số thay đổi quá 20 %, hoặc một "
         "dòng xuất hiện/không còn.", "Đối chiếu số liệu giữa các năm (kiểm tra của máy chủ)",
         where="máy chủ"),
    Rule("R-GT", "Dòng giải trình chỉ tới một cảnh báo", WARNING,
         "Mỗi dòng ở sheet «Giải trình» ghi biểu, STT dòng và số cột (hoặc địa chỉ ô) của một ô "
         "đang có cảnh báo; dòng chỉ tới ô không có hay ô không có cảnh báo thì không giải trình "
         "được gì.", FORM),
    Rule("R-DONVI", "Loại đơn vị khớp danh sách đơn vị của cấp trên", ERROR,
         "Loại đơn vị ghi ở sheet Thông tin giống loại đơn vị trong danh sách đơn vị của cấp "
         "trên (máy chủ).", "Danh sách đơn vị của cấp trên", where="máy chủ"),
    Rule("R-DONVI-LINHVUC", "Lĩnh vực khớp danh sách đơn vị của cấp trên", WARNING,
         "Lĩnh vực của tổ chức cơ sở đảng ghi ở sheet Thông tin giống lĩnh vực trong danh sách "
         "đơn vị của cấp trên; bản tổng hợp tính theo danh sách.", "Danh sách đơn vị của cấp trên",
         parent="R-DONVI", where="máy chủ"),
):
    register(_r)


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]


def title(rule_id: str) -> str:
    """A rule's Vietnamese title; the id itself for an id the catalogue does not know (a record
    stored by an older version)."""
    r = RULES.get(rule_id)
    return r.title if r else rule_id


# The member register (SPEC §8): rules on each member's row and on Biểu 1 / Biểu 3 against the
# list (checked in `members.py`).
PRIVACY = ("Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân; Luật Bảo vệ dữ liệu cá nhân "
           "năm 2025")
for _r in (
    Rule("R-DS-KHOP", "Số đảng viên ở Biểu 1, Biểu 3 khớp danh sách đảng viên", ERROR,
         "Khi sheet «Danh sách đảng viên» có dòng, từng ô số đảng viên ở Biểu 1 và Biểu 3 (tổng "
         "số, mới kết nạp, miễn, đình chỉ, lý do khác, bốn mức, kỷ luật; các nhóm QĐ 366, cấp ủy "
         "viên) bằng số đếm từ danh sách.", FORM),
    Rule("R-DS-REQ", "Dòng đảng viên ghi đủ thông tin", ERROR,
         "Mỗi dòng có họ tên, ngày vào Đảng, (QĐ 366) nhóm đảng viên, và mức xếp loại hoặc lý do "
         "không xếp loại (tình trạng miễn, đình chỉ, hoặc ghi chú)."),
    Rule("R-DS-CHON", "Cột có danh sách thả xuống ghi đúng giá trị", ERROR,
         "Nhóm, tình trạng, kỷ luật, mức xếp loại chọn trong danh sách thả xuống; chữ tự do được "
         "báo kèm giá trị có lẽ muốn ghi; cột cấp ủy viên chỉ đánh dấu x.", FORM),
    Rule("R-DS-NGAY", "Ngày vào Đảng, ngày chính thức hợp lệ", ERROR,
         "Là ngày có thật, không ở tương lai, vào Đảng không sau thời điểm đánh giá, chính thức "
         "không trước ngày vào Đảng.", FORM),
    Rule("R-DS-MOI", "Đảng viên mới kết nạp chưa đủ 6 tháng không xếp loại", ERROR,
         "Đảng viên vào Đảng chưa đủ 6 tháng đến thời điểm đánh giá (ngày lập biểu) không có "
         "mức xếp loại."),
    Rule("R-DS-MIEN", "Đảng viên miễn, đình chỉ sinh hoạt không xếp loại", ERROR,
         "Đảng viên miễn công tác và sinh hoạt đảng hoặc đình chỉ sinh hoạt đảng không có mức "
         "xếp loại."),
    Rule("R-DS-TAM", "Đảng viên sinh hoạt tạm thời không xếp loại ở đây", WARNING,
         "Đảng viên sinh hoạt tạm thời (chính thức ở nơi khác) không tính vào số liệu của đơn vị "
         "và do nơi sinh hoạt chính thức xếp loại."),
    Rule("R-DS-KYLUAT", "Đảng viên bị kỷ luật trong năm xếp loại KHT", ERROR,
         "Đảng viên bị thi hành kỷ luật trong năm (từ khiển trách) xếp loại «Không hoàn thành "
         "nhiệm vụ»."),
    Rule("R-DS-DIEM", "Điểm đảng viên và khung điểm (QĐ 366)", ERROR,
         "Điểm từ 0 đến 100, có khi xếp loại; mức xếp loại không cao hơn khung điểm (xuất sắc "
         "từ 90, tốt từ 70, hoàn thành từ 50).", "Quy định 366-QĐ/TW, Điều 11 (thang điểm 100)"),
    Rule("R-DS-TRUNG", "Một đảng viên ghi hai lần", WARNING,
         "Hai dòng trùng họ tên, ngày vào Đảng và ngày chính thức.", FORM),
    Rule("R-DS-DAY", "Danh sách không dài hơn mẫu", ERROR,
         "Danh sách không quá số dòng của mẫu (các dòng ngoài mẫu không có danh sách thả xuống "
         "và kiểm tra ngày).", FORM),
    Rule("R-DS-CAP", "Danh sách đảng viên chỉ ở tổ chức cơ sở đảng", ERROR,
         "Đơn vị cấp trên cơ sở (đảng bộ tỉnh, đảng bộ cấp trên trực tiếp của cơ sở) không lập "
         "và không gửi danh sách đảng viên.", PRIVACY),
):
    register(_r)
