"""The OpenAPI 3 document of `/api/v1`, built from the marshmallow schemas (apispec)."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .schemas import (
    DecisionInSchema,
    DecisionSchema,
    ErrorSchema,
    RoundSchema,
    StatusSchema,
    SubmissionSchema,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _err(desc):
    return {"description": desc, "content": {"application/json": {"schema": "Error"}}}


def _xlsx(desc):
    return {"description": desc, "content": {XLSX: {"schema": {"type": "string",
                                                                 "format": "binary"}}}}


def spec() -> dict:
    s = APISpec(title="kiemdiem — máy chủ thu nhận biểu", version="1", openapi_version="3.0.3",
                plugins=[MarshmallowPlugin()],
                info={"description": "Đơn vị gửi biểu kiểm điểm, xếp loại; cấp trên xem tình "
                                     "hình nộp, quyết định xếp loại, tải biểu tổng hợp."})
    # nested schemas first: the plugin registers them under their own names when it meets them
    for name, schema in (("Error", ErrorSchema), ("Submission", SubmissionSchema),
                         ("Round", RoundSchema), ("Status", StatusSchema),
                         ("DecisionIn", DecisionInSchema), ("Decision", DecisionSchema)):
        s.components.schema(name, schema=schema)
    s.components.security_scheme("token", {"type": "http", "scheme": "bearer"})
    s.components.security_scheme("account", {"type": "http", "scheme": "basic"})
    sec = [{"token": []}, {"account": []}]
    common = {"401": _err("thiếu hoặc sai mã tải lên"), "403": _err("không có quyền"),
              "404": _err("không có")}
    sub_id = [{"in": "path", "name": "sub_id", "required": True, "schema": {"type": "integer"}}]
    round_id = [{"in": "path", "name": "round_id", "required": True, "schema": {"type": "integer"}}]
    s.path("/api/v1/submissions", operations={"post": {
        "summary": "Gửi biểu (mã tải lên của đơn vị); vào đợt đang mở của đơn vị cấp trên",
        "security": [{"token": []}],
        "requestBody": {"content": {"multipart/form-data": {"schema": {
            "type": "object", "properties": {"file": {"type": "string", "format": "binary"}},
            "required": ["file"]}}}},
        "responses": {"201": {"description": "đã nhận; kèm kết quả kiểm tra",
                              "content": {"application/json": {"schema": "Submission"}}},
                      "400": _err("thiếu tệp"), "409": _err("chưa có đợt đang mở"),
                      "413": _err("tệp quá lớn"),
                      "415": _err("không phải .xlsx, có macro, có mật khẩu"),
                      "422": _err("không phải biểu mẫu, bom nén, sai năm/mẫu"), **common}}})
    s.path("/api/v1/submissions/{sub_id}", operations={"get": {
        "summary": "Một lần gửi và các lỗi", "security": sec, "parameters": sub_id,
        "responses": {"200": {"description": "", "content": {"application/json": {
            "schema": "Submission"}}}, **common}}})
    s.path("/api/v1/submissions/{sub_id}/file", operations={"get": {
        "summary": "Tệp gốc, đúng từng byte", "security": sec, "parameters": sub_id,
        "responses": {"200": _xlsx("tệp đã gửi"), **common}}})
    s.path("/api/v1/submissions/{sub_id}/annotated.xlsx", operations={"get": {
        "summary": "Bản đánh dấu lỗi (tô màu, ghi chú, sheet kết quả)", "security": sec,
        "parameters": sub_id, "responses": {"200": _xlsx("bản đánh dấu"), **common}}})
    s.path("/api/v1/rounds", operations={"get": {
        "summary": "Các đợt báo cáo của đơn vị (thu nhận, gửi lên, hoặc của các đơn vị cấp dưới "
                   "— chỉ xem)",
        "security": sec,
        "responses": {"200": {"description": "", "content": {"application/json": {
            "schema": {"type": "array", "items": "Round"}}}}, **common}}})
    s.path("/api/v1/rounds/{round_id}/status", operations={"get": {
        "summary": "Tình hình nộp của từng đơn vị (đơn vị thu nhận, cấp trên của đơn vị đó — "
                   "chỉ xem, hoặc quản trị)",
        "security": sec, "parameters": round_id,
        "responses": {"200": {"description": "", "content": {"application/json": {
            "schema": "Status"}}}, **common}}})
    s.path("/api/v1/rounds/{round_id}/summary.xlsx", operations={"get": {
        "summary": "Biểu tổng hợp (bản hợp lệ mới nhất của mỗi đơn vị, theo quyết định xếp loại)",
        "security": sec, "parameters": round_id,
        "responses": {"200": _xlsx("biểu tổng hợp"), **common}}})
    s.path("/api/v1/rounds/{round_id}/decisions/{code}", operations={"put": {
        "summary": "Cấp trên quyết định xếp loại một đơn vị trực thuộc", "security": sec,
        "parameters": round_id + [{"in": "path", "name": "code", "required": True,
                                   "schema": {"type": "string"}}],
        "requestBody": {"content": {"application/json": {"schema": "DecisionIn"}}},
        "responses": {"200": {"description": "", "content": {"application/json": {
            "schema": "Decision"}}}, "400": _err("xếp loại không hợp lệ"), **common}}})
    _bao_cao_paths(s, sec, common, sub_id, round_id)
    from .xlwings_remote import document  # the add-in without Python (issue 20)
    document(s)
    return s.to_dict()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _bao_cao_paths(s, sec, common, sub_id, round_id):
    """The written report (server/bao_cao.py, issue 19)."""
    docx = {"description": "dự thảo báo cáo (.docx)",
            "content": {DOCX: {"schema": {"type": "string", "format": "binary"}}}}
    s.path("/api/v1/rounds/{round_id}/bao-cao.docx", operations={"get": {
        "summary": "Dự thảo báo cáo của biểu tổng hợp đợt (so sánh với năm trước nếu có); lỗi "
                   "của biểu tổng hợp được liệt kê ở đầu văn bản", "security": sec,
        "parameters": round_id,
        "responses": {"200": docx, "409": _err("chưa có biểu nào được tổng hợp"), **common}}})
    s.path("/api/v1/submissions/{sub_id}/bao-cao.docx", operations={"get": {
        "summary": "Dự thảo báo cáo của một biểu hợp lệ (so sánh với biểu hợp lệ năm trước)",
        "security": sec, "parameters": sub_id,
        "responses": {"200": docx, "409": _err("biểu còn lỗi"), **common}}})
