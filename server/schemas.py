"""The API's JSON shapes (marshmallow), also the source of the OpenAPI document."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from workbook_templates.spec.domain import DECISION_CODES, LEVEL_CODES


class FindingSchema(Schema):
    rule = fields.String(metadata={"description": "mã quy tắc, ví dụ R-TONG"})
    severity = fields.String(metadata={"description": "error | warning"})
    sheet = fields.String()
    cell = fields.String(metadata={"description": "ô theo kiểu Excel, ví dụ C11"})
    ref = fields.String(metadata={"description": "Biểu 3!C11"})
    name = fields.String(metadata={"description": "tên định danh (defined name) của ô"})
    row_label = fields.String()
    col_label = fields.String()
    message = fields.String(metadata={"description": "sai ở đâu, với số liệu"})
    hint = fields.String(metadata={"description": "cách sửa"})
    regulation = fields.String()
    explained = fields.Boolean()


class SubmissionSchema(Schema):
    id = fields.Integer()
    unit = fields.String(metadata={"description": "mã đơn vị"})
    unit_name = fields.String()
    round = fields.Integer()
    version = fields.Integer()
    sha256 = fields.String()
    size = fields.Integer()
    filename = fields.String()
    uploaded_at = fields.DateTime(metadata={"description": "UTC"})
    late = fields.Boolean()
    valid = fields.Boolean()
    errors = fields.Integer()
    warnings = fields.Integer()
    rule_pack = fields.String()
    template = fields.String()
    xep_loai = fields.String(allow_none=True,
                             metadata={"description": "xếp loại đơn vị tự đề nghị"})
    findings = fields.List(fields.Nested(FindingSchema))
    returned = fields.Boolean(metadata={"description": "cấp trên đã trả lại phiên bản này: đơn vị "
                                                       "phải gửi phiên bản mới"})
    return_comment = fields.String(allow_none=True, metadata={"description": "lý do trả lại"})
    returned_by = fields.String(allow_none=True, metadata={"description": "tài khoản trả lại"})
    returned_at = fields.DateTime(allow_none=True, metadata={"description": "UTC"})


class StatusUnitSchema(Schema):
    code = fields.String()
    name = fields.String()
    type = fields.String()
    submitted = fields.Boolean()
    deadline = fields.Date(
        metadata={"description": "hạn nộp của đơn vị (đơn vị đặc thù: hạn riêng)"})
    dac_thu = fields.Boolean(
        metadata={"description": "đơn vị đặc thù theo Hướng dẫn 43 (hạn nộp riêng)"})
    version = fields.Integer(allow_none=True)
    submission_id = fields.Integer(allow_none=True)
    uploaded_at = fields.DateTime(allow_none=True)
    late = fields.Boolean(allow_none=True, metadata={"description": "nộp sau hạn"})
    overdue = fields.Boolean(metadata={"description": "chưa nộp và đã quá hạn"})
    valid = fields.Boolean(allow_none=True)
    errors = fields.Integer(allow_none=True)
    warnings = fields.Integer(allow_none=True)
    valid_version = fields.Integer(
        allow_none=True, metadata={"description": "phiên bản hợp lệ mới nhất (được tổng hợp)"})
    proposed = fields.String(allow_none=True, metadata={"description": "xếp loại đơn vị đề nghị"})
    decided = fields.String(allow_none=True,
                            metadata={"description": "xếp loại cấp trên quyết định"})
    decided_cap_uy = fields.String(allow_none=True, metadata={
        "description": "xếp loại cấp trên quyết định cho cấp ủy của đơn vị (tổ chức cơ sở đảng)"})
    returned = fields.Boolean(metadata={"description": "phiên bản mới nhất đã bị trả lại"})


class RoundSchema(Schema):
    id = fields.Integer()
    unit = fields.String()
    unit_name = fields.String()
    form = fields.String()
    year = fields.Integer()
    deadline = fields.Date()
    is_open = fields.Boolean()
    ngoai_le_25 = fields.Boolean(
        metadata={"description": "đã chấp thuận ngoại lệ 25 % xuất sắc (Quy định 366)"})
    dac_thu = fields.List(fields.String(), metadata={
        "description": "mã các đơn vị trực thuộc đặc thù (Hướng dẫn 43), nộp theo han_dac_thu"})
    han_dac_thu = fields.Date(allow_none=True, metadata={
        "description": "hạn nộp của đơn vị đặc thù (mặc định 15/01 năm sau)"})


class StatusSchema(Schema):
    round = fields.Nested(RoundSchema)
    expected = fields.Integer()
    submitted = fields.Integer()
    valid = fields.Integer()
    late = fields.Integer()
    overdue = fields.Integer()
    returned = fields.Integer(
        metadata={"description": "số đơn vị có phiên bản mới nhất bị trả lại"})
    units = fields.List(fields.Nested(StatusUnitSchema))


NOTE_MAX = 2000     # a decision's note: a few sentences, never a file


class DecisionInSchema(Schema):
    xep_loai = fields.String(required=True, validate=validate.OneOf(
        list(DECISION_CODES)),
        metadata={"description": "XS | TOT | HT | KHT (MOI, KHAC: không xếp loại)"})
    xep_loai_cap_uy = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(list(LEVEL_CODES)),
        metadata={"description": "xếp loại cấp ủy của tổ chức cơ sở đảng (đảng bộ cơ sở, chi bộ "
                                 "cơ sở): XS | TOT | HT | KHT; bỏ trống: theo đề xuất của đơn vị"})
    note = fields.String(load_default="", validate=validate.Length(max=NOTE_MAX),
                         metadata={"description": f"ghi chú, tối đa {NOTE_MAX} ký tự"})


class DecisionSchema(Schema):
    unit = fields.String()
    round = fields.Integer()
    xep_loai = fields.String()
    xep_loai_cap_uy = fields.String(allow_none=True)
    decided_by = fields.String()
    decided_at = fields.DateTime()
    note = fields.String()


class ErrorSchema(Schema):
    error = fields.String(metadata={"description": "mã lỗi ổn định"})
    message = fields.String(metadata={"description": "thông báo tiếng Việt: lỗi gì, cách sửa"})
