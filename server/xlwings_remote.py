"""The add-in without Python on the office PC: xlwings' remote interpreter route.

The kiemdiem remote add-in (addin/remote/, VBA only) sends the open workbook as the JSON of
xlwings' VBA client (`RunRemotePython`: values of every sheet from A1, names, book name) to

    POST /api/v1/xlwings/kiem-tra    check: marks, notes, the report sheet, the alert
    POST /api/v1/xlwings/gui-bieu    check, and when the book has no error, submit it

with the unit's upload token (`Authorization: Bearer <token>`, the VBA client's `auth`). The
server validates the payload with a schema (sizes, plain values only, the xlwings version),
builds an `xw.Book(json=...)` on xlwings' remote engine, runs the add-in's own `kiem_tra` on it
with the server's rule pack and quota base (so the check is the one an upload gets), and answers
with the recorded actions. Nothing in the payload is evaluated: values are data, formulas never
arrive (the VBA client sends values only) and the server recomputes every derived cell.

Sending: the payload carries values, not the file. The server writes the unit's input values,
by defined name, into its own copy of the template and stores those bytes as the submission
(byte for byte, like any upload, through the same intake), and keeps the payload JSON as
received beside it. So what is stored is exactly what the server read, merged and serves; the
unit's own formatting and notes are not part of it (they never count).

Off unless configured: `KIEMDIEM_XLWINGS_REMOTE=1` and `XLWINGS_LICENSE_KEY` in the server's
environment (xlwings PRO's remote interpreter; see docs/addin.md for the licence).
Refusals answer in plain Vietnamese text: the VBA client shows a non-200 body as it is in a
message box.
"""
from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from pathlib import Path

from flask import Blueprint, Response, current_app, g, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validates_schema
from marshmallow import validate as V
from werkzeug.exceptions import RequestEntityTooLarge

from workbook_templates import marks as M
from workbook_templates.findings import fmt_int

from .auth import current_principal
from .precheck import Rejected

bp = Blueprint("xlwings_remote", __name__, url_prefix="/api/v1/xlwings")

TITLE = "Kiểm tra biểu"
DEFAULT_MAX_BYTES = 4 * 1024 * 1024   # a real template's payload is ~100 KB
DEFAULT_RATE = (30, 60)               # calls per token per seconds
MAX_SHEETS, MAX_ROWS, MAX_COLS, MAX_TEXT = 60, 5000, 200, 32767
# the only actions allowed on a sheet the user filled: paint, and add or remove our notes
FORM_SHEET_FUNCS = frozenset({"setRangeColors", "addNote", "deleteNote"})


# --- the switch and the licence -----------------------------------------------------------------

def _enabled() -> bool:
    v = current_app.config.get("XLWINGS_REMOTE")
    return str(v).strip().lower() in ("1", "true", "yes", "on") if v is not None else False


def _licence_key() -> str:
    return os.environ.get("XLWINGS_LICENSE_KEY", "").strip()


_engine_lock = threading.Lock()
# xlwings' remote engine keeps every book in one process-wide list and sends app-level actions
# (the alert) to the book opened last: one check at a time per process, each book closed after
# its actions are taken, so two units' answers never mix and memory does not grow.
_check_lock = threading.RLock()


def _remote_engine():
    """xlwings registers its remote engine on import only if it saw a licence key then; a
    server imported before the key was set adds it here, once."""
    import xlwings
    with _engine_lock:
        if "remote" not in [e.name for e in xlwings.engines]:
            from xlwings.pro import _xlremote
            xlwings.engines.add(xlwings.Engine(impl=_xlremote.engine))
    return xlwings


# --- answers ------------------------------------------------------------------------------------

def _text(message: str, status: int, **headers) -> Response:
    resp = Response(message, status=status, mimetype="text/plain")
    resp.headers["Content-Type"] = "text/plain; charset=utf-8"
    for k, v in headers.items():
        resp.headers[k.replace("_", "-")] = v
    return resp


def _actions(actions: list) -> Response:
    # ASCII JSON: the VBA client's parser reads \\u escapes the same on every Windows code page
    body = json.dumps({"actions": actions}, ensure_ascii=True, default=str)
    return Response(body, status=200, mimetype="application/json")


class Refused(Exception):
    def __init__(self, message: str, status: int, **headers):
        super().__init__(message)
        self.message, self.status, self.headers = message, status, headers


@bp.errorhandler(Refused)
def _refused(e: Refused):
    return _text(e.message, e.status, **e.headers)


@bp.errorhandler(Rejected)
def _rejected(e: Rejected):
    return _text(e.message, e.status)


@bp.errorhandler(Exception)
def _crash(e: Exception):
    from werkzeug.exceptions import HTTPException
    if isinstance(e, HTTPException):
        return _text(e.description or e.name, e.code or 500)
    current_app.logger.exception("xlwings remote: unexpected error on %s", request.path)
    return _text("Máy chủ gặp lỗi khi kiểm tra sổ tính này; dữ liệu đã lưu không bị ảnh hưởng. "
                 "Hãy thử lại; nếu vẫn lỗi, báo cho văn phòng cấp trên kèm thời điểm bấm.", 500)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_e):
    return _text(_too_large_message(), 413)


def _too_large_message() -> str:
    kb = fmt_int(_max_bytes() // 1024)
    return (f"Sổ tính gửi lên quá lớn (tối đa {kb} KB dữ liệu). Biểu mẫu thật chỉ khoảng 100 KB: "
            "hãy xóa các sheet, ảnh và vùng dữ liệu thừa ngoài biểu rồi bấm lại.")


def _max_bytes() -> int:
    """This route's own ceiling, never above the server's MAX_CONTENT_LENGTH."""
    own = int(current_app.config.get("XLWINGS_MAX_BYTES") or DEFAULT_MAX_BYTES)
    app = current_app.config.get("MAX_CONTENT_LENGTH")
    return min(own, int(app)) if app else own


# --- a small limiter of calls per token ---------------------------------------------------------

class Limiter:
    """At most `n` calls per key in any `per` seconds, in this process (sliding window).

    Enough to keep one token from tying up the server's workers with checks; with several
    gunicorn workers each keeps its own count, so the real ceiling is n × workers."""

    def __init__(self, n: int, per: float):
        self.n, self.per = n, per
        self._calls: dict[str, deque] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> float:
        """Record a call; 0 when allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            q = self._calls.setdefault(key, deque())
            while q and q[0] <= now - self.per:
                q.popleft()
            if len(q) >= self.n:
                return q[0] + self.per - now
            q.append(now)
            if len(self._calls) > 10000:        # forget idle keys
                for k in [k for k, v in self._calls.items() if not v or v[-1] <= now - self.per]:
                    del self._calls[k]
            return 0.0


def _limiter() -> Limiter:
    lim = current_app.extensions.get("kiemdiem.xlwings_limiter")
    if lim is None:
        n, per = current_app.config.get("XLWINGS_RATE") or DEFAULT_RATE
        lim = current_app.extensions["kiemdiem.xlwings_limiter"] = Limiter(int(n), float(per))
    return lim


# --- the payload --------------------------------------------------------------------------------

def _cell_ok(v) -> bool:
    if v is None or isinstance(v, (bool, int, float)):
        return True
    return isinstance(v, str) and len(v) <= MAX_TEXT


class Grid(fields.Field):
    """A sheet's values: a list of rows of plain values (text, number, true/false, empty)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list) or len(value) > MAX_ROWS:
            raise ValidationError(f"tối đa {fmt_int(MAX_ROWS)} dòng")
        rows = []
        for row in value:
            if not isinstance(row, list) or len(row) > MAX_COLS:
                raise ValidationError(f"mỗi dòng tối đa {MAX_COLS} cột")
            if not all(_cell_ok(v) for v in row):
                raise ValidationError("chỉ nhận giá trị ô (chữ, số, đúng/sai, trống)")
            rows.append(row)
        return rows


class BookInfo(Schema):
    class Meta:
        unknown = EXCLUDE
    name = fields.String(required=True, validate=V.Length(1, 255))
    active_sheet_index = fields.Integer(load_default=0, validate=V.Range(0, MAX_SHEETS))
    selection = fields.String(load_default=None, allow_none=True, validate=V.Length(0, 255))


class NameInfo(Schema):
    class Meta:
        unknown = EXCLUDE
    name = fields.String(required=True, validate=V.Length(1, 255))
    sheet_index = fields.Integer(required=True, validate=V.Range(0, MAX_SHEETS))
    address = fields.String(required=True, validate=V.Length(1, 255))
    book_scope = fields.Boolean(load_default=True)
    scope_sheet_name = fields.String(load_default=None, allow_none=True)
    scope_sheet_index = fields.Integer(load_default=None, allow_none=True)


class SheetInfo(Schema):
    class Meta:
        unknown = EXCLUDE
    name = fields.String(required=True, validate=V.Length(1, 31))
    values = Grid(required=True)
    # pictures and tables are listed by the client; the check never needs them
    pictures = fields.List(fields.Dict(), load_default=list, validate=V.Length(max=200))
    tables = fields.List(fields.Dict(), load_default=list, validate=V.Length(max=200))


class Payload(Schema):
    """What xlwings' VBA client sends (Remote.bas `RunServerPython`); unknown keys dropped."""

    class Meta:
        unknown = EXCLUDE
    client = fields.String(required=True, validate=V.OneOf(["VBA"]))
    version = fields.String(required=True, validate=V.Length(1, 40))
    book = fields.Nested(BookInfo, required=True)
    names = fields.List(fields.Nested(NameInfo), load_default=list,
                        validate=V.Length(max=20000))
    sheets = fields.List(fields.Nested(SheetInfo), required=True,
                         validate=V.Length(1, MAX_SHEETS))

    @validates_schema
    def _unique_sheets(self, data, **kwargs):
        names = [s["name"] for s in data.get("sheets", ())]
        if len(set(names)) != len(names):
            raise ValidationError("tên sheet trùng nhau", "sheets")


def _first_error(errors, raw) -> str:
    """The first schema error, said for a user: which sheet (by its name) or which part, and
    what is wrong (our validators speak Vietnamese; marshmallow's own English words are not
    shown)."""
    path = []
    node = errors
    while isinstance(node, dict) and node:
        key = next(iter(node))
        path.append(key)
        node = node[key]
    msg = node[0] if isinstance(node, list) and node and isinstance(node[0], str) else ""
    if not msg or msg.isascii():
        msg = "thiếu hoặc sai dạng"
    where = "dữ liệu"
    if path[:1] == ["sheets"] and len(path) > 1 and isinstance(path[1], int):
        try:
            where = f"sheet «{str(raw['sheets'][path[1]]['name'])[:31]}»"
        except (KeyError, IndexError, TypeError):
            where = f"sheet thứ {path[1] + 1}"
    elif path[:1] == ["sheets"]:
        where = "danh sách sheet"
    elif path[:1] == ["book"]:
        where = "thông tin sổ tính"
    elif path[:1] == ["names"]:
        where = "các tên đã đặt (Name)"
    elif path[:1] in (["client"], ["version"]):
        where = "thông tin add-in"
    return f"{where}: {msg}"


def load_payload(raw) -> dict:
    """The validated payload, or `Refused` with a Vietnamese message (400, or 409 for another
    xlwings version)."""
    import xlwings
    if not isinstance(raw, dict):
        raise Refused("Dữ liệu gửi lên không phải sổ tính từ add-in Kiểm điểm (cần JSON của "
                      "xlwings). Hãy dùng nút «Kiểm tra biểu» trên thẻ «Kiểm điểm» của Excel.", 400)
    version = raw.get("version")
    if isinstance(version, str) and version != xlwings.__version__:
        raise Refused(f"Add-in Kiểm điểm trên máy này dùng xlwings phiên bản {version[:40]}, còn "
                      f"máy chủ dùng xlwings phiên bản {xlwings.__version__}. Hai bên phải cùng "
                      "phiên bản: hãy xin văn phòng cấp trên tệp add-in mới (kiemdiem_may_chu.xlam)"
                      " đúng với máy chủ rồi cài lại.", 409)
    try:
        return Payload().load(raw)
    except ValidationError as e:
        raise Refused("Dữ liệu sổ tính gửi lên không hợp lệ nên máy chủ chưa kiểm tra "
                      f"({_first_error(e.messages, raw)}). Hãy lưu sổ tính, mở lại rồi bấm "
                      "lại; nếu vẫn lỗi, báo cho văn phòng cấp trên.", 400) from e


def engine_book(data: dict) -> dict:
    """The remote engine's book built from the validated payload only.

    The engine is told the client is "Office.js" — the client whose action names our VBA
    implements, notes included; the VBA client cannot read notes, so the notes our last run
    recorded on its report sheet are taken as present (to be deleted and redone) and the add-in's
    own addNote skips a cell that already has a note (the user's)."""
    import xlwings
    sheets = []
    record = []
    for s in data["sheets"]:
        if s["name"] == M.REPORT_SHEET:
            record = M.read_record(s["values"])
    ours = {}
    for sheet, a1, noted in record:
        if noted:
            ours.setdefault(sheet, []).append({"address": a1})
    for s in data["sheets"]:
        width = max((len(r) for r in s["values"]), default=0)
        values = [[("" if v is None else v) for v in r] + [""] * (width - len(r))
                  for r in s["values"]] or [[]]
        sheets.append({"name": s["name"], "values": values, "visibility": "Visible",
                       "pictures": [], "shapes": [], "charts": [], "tables": [],
                       "pivot_tables": [], "notes": ours.get(s["name"], []),
                       "notes_supported": True, "print_area": None, "show_gridlines": True})
    n = len(sheets)
    return {"client": "Office.js", "version": xlwings.__version__,
            "book": {"name": data["book"]["name"],
                     "active_sheet_index": min(data["book"]["active_sheet_index"], n - 1),
                     "selection": data["book"]["selection"] or "A1"},
            "names": [], "sheets": sheets}


def guard(actions: list, sheet_names: list[str]) -> list:
    """Drop (and log) any action that would touch a user's sheet other than to paint or note.

    The add-in's code never does; this keeps "never a write into an input cell" true even if it
    one day did. Sheet positions are followed through the added and deleted sheets."""
    names = list(sheet_names)
    safe = []
    for a in actions:
        func, pos = a.get("func"), a.get("sheet_position")
        if func == "addSheet":
            names.insert(int(a["args"][0]), a["args"][1])
            safe.append(a)
            continue
        target = names[pos] if isinstance(pos, int) and 0 <= pos < len(names) else None
        user_sheet = target is not None and target != M.REPORT_SHEET
        if user_sheet and func not in FORM_SHEET_FUNCS and func != "activateSheet":
            current_app.logger.error("xlwings remote: dropped %s on sheet %r", func, target)
            continue
        if func == "sheetDelete" and target is not None:
            names.pop(pos)
        safe.append(a)
    return safe


# --- the request's common part ------------------------------------------------------------------

def _prepare():
    """Switch, size, token, rate, payload: the unit and the validated payload, or `Refused`."""
    if not _enabled():
        raise Refused("Máy chủ này chưa bật kiểm tra biểu qua add-in không cần Python. Hãy dùng "
                      "add-in Kiểm điểm có Python, hoặc tải biểu lên trang web của máy chủ; người "
                      "quản trị máy chủ bật chức năng này theo hướng dẫn cài đặt.", 404)
    if not _licence_key():
        raise Refused("Máy chủ đã bật kiểm tra biểu qua add-in không cần Python nhưng chưa có "
                      "giấy phép xlwings (XLWINGS_LICENSE_KEY) nên chưa kiểm tra được. Hãy báo "
                      "người quản trị máy chủ; trong lúc chờ, tải biểu lên trang web của máy chủ.",
                      403)
    limit = _max_bytes()
    if request.content_length is not None and request.content_length > limit:
        raise Refused(_too_large_message(), 413)
    request.max_content_length = limit
    p = current_principal()
    if p is None:
        raise Refused("Máy chủ không nhận mã truy cập của đơn vị (thiếu, sai hoặc đã bị thu hồi). "
                      "Hãy xin văn phòng cấp trên mã đúng rồi nhập lại ở nút «Cài đặt» trên thẻ "
                      "«Kiểm điểm».", 401, WWW_Authenticate='Bearer realm="kiemdiem"')
    if p.unit is None:
        raise Refused("Chỉ đơn vị mới kiểm tra và gửi biểu qua add-in: dùng mã truy cập (token) "
                      "của đơn vị, không dùng tài khoản quản trị.", 403)
    wait = _limiter().hit(p.label)
    if wait:
        secs = max(1, int(wait + 0.999))
        raise Refused(f"Đơn vị đã gửi quá nhiều yêu cầu kiểm tra trong một lúc. Hãy đợi {secs} "
                      "giây rồi bấm lại.", 429, Retry_After=str(secs))
    raw = request.get_data(cache=True)
    try:
        obj = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        obj = None
    return p, load_payload(obj), raw


def _vet(unit, open_round_of):
    """The server's say before marking: the same unit (else 403, as an upload), and the
    year-over-year comparison an upload gets, when the unit has a matching open round."""
    from .intake import _round_for, _same_unit, _year_over_year, open_rounds_for

    def vet(filled, report):
        g.xlwings_filled = filled
        _same_unit(report, unit)
        rounds = open_rounds_for(unit)
        try:
            rnd = _round_for(report, rounds, unit) if rounds else None
        except Rejected:
            rnd = None                # the send tells; a check is still worth making
        open_round_of.append(rnd)
        extra = overwritten(filled, report)
        if rnd is not None:
            extra += _year_over_year(report, unit, rnd)
        return extra
    return vet


def _same(shown, want) -> bool:
    if shown is None or want is None:
        return shown is None and want is None
    if isinstance(shown, (int, float)) and isinstance(want, (int, float)) \
            and not isinstance(shown, bool):
        return abs(shown - want) <= 1e-9 * max(1.0, abs(want))
    return shown == want


def overwritten(filled, report) -> list:
    """R-FORMULA for the values-only client: a formula cell whose shown value is not what the
    server computes from the inputs has been typed over (or the book was not recalculated).

    The VBA client sends values, never formulas, so the core cannot see an overwritten formula;
    Excel's own results equal the server's exactly for an untouched template, so a difference
    is the sign. Left alone, the sent workbook would be rebuilt with the template's formula and
    differ from the paper the unit prints and signs."""
    from workbook_templates.validate import validate
    bad = [c.name for c in filled.form.derived()
           if not _same(filled.raw.get(c.name), report.values.get(c.name))]
    if not bad:
        return []
    kept = dict(filled.has_formula)
    filled.has_formula.update((name, False) for name in bad)
    try:
        again = validate(filled, base=current_app.config["QUOTA_BASE"],
                         rules=current_app.config["RULES"])
    finally:
        filled.has_formula.clear()
        filled.has_formula.update(kept)
    have = {(f.rule, f.name) for f in report.findings}
    return [f for f in again.findings if f.rule == "R-FORMULA" and (f.rule, f.name) not in have]


def _check(unit, data):
    """Run the add-in's check on the engine book; (book, findings, sheet names)."""
    xlwings = _remote_engine()
    import addin
    book_json = engine_book(data)
    names = [s["name"] for s in book_json["sheets"]]
    book = xlwings.Book(json=book_json)
    rounds: list = []
    try:
        findings = addin.kiem_tra(book, alert=False, base=current_app.config["QUOTA_BASE"],
                                  rules=current_app.config["RULES"], vet=_vet(unit, rounds))
    except BaseException:
        book.close()
        raise
    g.xlwings_round = rounds[0] if rounds else None
    return book, findings, names


def _alert(book, text: str, errors: bool) -> None:
    book.app.alert(text, title=TITLE, buttons="ok", mode="critical" if errors else "info")


def _answer(book, names) -> Response:
    """The book's actions (guarded), and the book closed."""
    try:
        return _actions(guard(book.json()["actions"], names))
    finally:
        book.close()


@bp.post("/kiem-tra")
def kiem_tra():
    """Check the open workbook: marks, notes, the «Kết quả kiểm tra» sheet, the alert."""
    import addin
    p, data, _raw = _prepare()
    with _check_lock:
        book, findings, names = _check(p.unit, data)
        errors, _ = M.counts(findings)
        _alert(book, addin.summary_text(findings), bool(errors))
        return _answer(book, names)


@bp.post("/gui-bieu")
def gui_bieu():
    """Check, and when the workbook has no error, submit it into the unit's round."""
    import addin
    from addin.upload import _explain

    from .intake import receive
    from .status import submission_json

    p, data, raw = _prepare()
    with _check_lock:
        book, findings, names = _check(p.unit, data)
        try:
            errors, _ = M.counts(findings)
            if errors:
                _alert(book, f"{addin.summary_text(findings)}\n\nBiểu còn lỗi nên chưa gửi. Sửa "
                       "các ô tô đỏ rồi bấm «Gửi biểu» lần nữa.", True)
                return _answer(book, names)
            xlsx, filename = rebuild(g.xlwings_filled, data["book"]["name"])
            sub, _report = receive(p.unit, xlsx, filename, f"{p.label} (add-in không Python)",
                                   request.remote_addr or "")
            keep_payload(sub.id, raw)
            sent = _explain(201, submission_json(sub), request.host_url.rstrip("/"), "")
            _alert(book, sent.message, not sent.ok)
            return _answer(book, names)
        finally:
            if book.impl.api is not None:      # refused on the way: close it all the same
                book.close()


XLAM = Path(__file__).resolve().parents[1] / "addin" / "remote" / "kiemdiem_may_chu.xlam"


@bp.get("/add-in")
def add_in():
    """The add-in file for this route, for the clerk to download (it holds no secret: the
    server address and token are typed on the PC). Only when the route is on."""
    from flask import send_file
    if not _enabled():
        raise Refused("Máy chủ này chưa bật kiểm tra biểu qua add-in không cần Python.", 404)
    return send_file(XLAM, mimetype="application/vnd.ms-excel.addin.macroEnabled.12",
                     as_attachment=True, download_name=XLAM.name)


def rebuild(filled, name: str) -> tuple[bytes, str]:
    """The workbook the server stores for a payload: its template with the unit's input values
    (as the check read them) written by defined name; nothing else of the payload is used."""
    from workbook_templates.sample import fill_template
    values = {c.name: filled.raw[c.name] for c in filled.form.inputs()
              if filled.raw.get(c.name) not in (None, "")}
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return fill_template(values, form=filled.form.id), f"{stem or 'bieu'}.xlsx"


def keep_payload(submission_id: int, raw: bytes) -> Path:
    """The payload as received, beside the stored workbook (write-once, read-only)."""
    folder = Path(current_app.config["DATA_DIR"]) / "xlwings_payloads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{submission_id}.json"
    tmp = folder / f".{submission_id}.json.tmp"
    tmp.write_bytes(raw)
    os.chmod(tmp, 0o444)
    os.replace(tmp, path)
    return path


def document(s) -> None:
    """This route in the server's OpenAPI document (called from server/openapi.py)."""
    s.components.schema("XlwingsPayload", schema=Payload)
    text = {"text/plain": {"schema": {"type": "string"}}}
    refused = {str(code): {"description": why, "content": text} for code, why in (
        (400, "dữ liệu hỏng"), (401, "thiếu hoặc sai mã truy cập"),
        (403, "biểu của đơn vị khác; không phải mã của đơn vị; chưa có giấy phép xlwings"),
        (404, "chức năng chưa bật"), (409, "lệch phiên bản xlwings (nêu cả hai)"),
        (413, "quá lớn"), (429, "bấm quá nhiều; xem Retry-After"))}
    actions = {"200": {"description": "các hành động xlwings cho Excel thực hiện",
                       "content": {"application/json": {"schema": {
                           "type": "object", "properties": {"actions": {
                               "type": "array", "items": {"type": "object"}}}}}}}}
    body = {"content": {"application/json": {"schema": "XlwingsPayload"}}}
    for path, summary in (
            ("/api/v1/xlwings/kiem-tra", "Add-in không cần Python: kiểm tra sổ tính đang mở "
             "(JSON của trình khách VBA của xlwings); trả lời các hành động đánh dấu"),
            ("/api/v1/xlwings/gui-bieu", "Add-in không cần Python: kiểm tra, và khi không còn "
             "lỗi thì gửi biểu (máy chủ ghi số liệu vào mẫu rồi lưu)")):
        s.path(path, operations={"post": {"summary": summary, "security": [{"token": []}],
                                          "requestBody": body,
                                          "responses": {**actions, **refused}}})
    s.path("/api/v1/xlwings/add-in", operations={"get": {
        "summary": "Tải tệp add-in kiemdiem_may_chu.xlam", "responses": {
            "200": {"description": "tệp .xlam", "content": {
                "application/vnd.ms-excel.addin.macroEnabled.12": {"schema": {
                    "type": "string", "format": "binary"}}}},
            "404": {"description": "chức năng chưa bật", "content": text}}}})
