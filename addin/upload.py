"""Send a checked workbook to the collecting server and say, in Vietnamese, what happened.

Plain HTTP with the standard library (no extra package on the office PC): a multipart POST of the
saved .xlsx to `<server>/api/v1/submissions` with the unit's token as a Bearer header. The server
re-reads and re-checks the file; its answer (accepted with a version number, or its own findings)
is shown as it is. Whatever goes wrong, the workbook stays saved on the PC and the message says
what to do next.
"""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from workbook_templates.findings import Finding

from . import config as C

API_PATH = "/api/v1/submissions"
TIMEOUT = 60  # seconds; a district link can be slow, a hung server must not freeze Excel forever
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN = 8     # findings listed in the alert; the rest are counted


@dataclass
class Sent:
    """The outcome of one upload, ready to show: ok=True only when the server stored the file."""

    ok: bool
    message: str
    status: int | None = None
    answer: dict = field(default_factory=dict)


def _multipart(filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "----kiemdiem" + uuid.uuid4().hex
    # RFC 7578: the file name as UTF-8 in the quoted string (what browsers send; Flask reads it)
    safe = filename.replace('"', "'").replace("\r", " ").replace("\n", " ")
    head = (f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{safe}"\r\n'
            f"Content-Type: {XLSX_TYPE}\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode("ascii"), boundary


def _finding(d: dict) -> Finding:
    keys = Finding.__dataclass_fields__
    return Finding(**{k: v for k, v in d.items() if k in keys})


def _findings_text(items: list) -> str:
    fs = []
    for d in items or ():
        try:
            fs.append(_finding(d))
        except TypeError:
            continue
    fs.sort(key=lambda f: (0 if f.is_error else 1))
    lines = [f.text() for f in fs[:SHOWN]]
    if len(fs) > SHOWN:
        lines.append(f"… và {len(fs) - SHOWN} mục khác (xem trên trang của máy chủ).")
    return "\n".join(lines)


def missing_settings(cfg: dict) -> str | None:
    """The message for a PC that was never set up, or None when server and token are there."""
    lacking = [k for k in (C.SERVER, C.TOKEN) if not cfg.get(k)]
    if not lacking:
        return None
    return (f"Chưa cài đặt {' và '.join(lacking)} nên chưa gửi được. Mở tệp {C.config_path()} "
            'bằng Notepad, thêm các dòng "KIEMDIEM_SERVER","<địa chỉ máy chủ>" và '
            '"KIEMDIEM_TOKEN","<mã truy cập của đơn vị>" (cấp trên cung cấp), lưu lại rồi '
            "bấm «Kiểm tra biểu» lần nữa. Biểu đã được lưu trên máy, chưa gửi.")


def send(data: bytes, filename: str, cfg: dict, saved_at: str = "") -> Sent:
    """POST the workbook; never raises for network or server trouble, returns a Sent to show."""
    problem = missing_settings(cfg)
    if problem:
        return Sent(False, problem)
    server = cfg[C.SERVER].strip().rstrip("/")
    parts = urlsplit(server)
    kept = f" Biểu đã được lưu tại {saved_at}, chưa gửi." if saved_at else \
        " Biểu vẫn được lưu trên máy, chưa gửi."
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return Sent(False, f"Địa chỉ máy chủ «{server}» trong {C.SERVER} không hợp lệ: phải bắt "
                           f"đầu bằng http:// hoặc https://, ví dụ https://kiemdiem.tinhuy.vn. "
                           f"Sửa trong tệp {C.config_path()}.{kept}")
    body, boundary = _multipart(filename, data)
    req = urllib.request.Request(
        server + API_PATH, data=body, method="POST",
        headers={"Authorization": f"Bearer {cfg[C.TOKEN].strip()}",
                 "Content-Type": f"multipart/form-data; boundary={boundary}",
                 "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as e:
        reason = getattr(e, "reason", e)
        if isinstance(reason, (socket.timeout, TimeoutError)):
            why = f"máy chủ không trả lời sau {TIMEOUT} giây"
        elif isinstance(reason, socket.gaierror):
            why = f"không tìm thấy máy chủ «{parts.hostname}» (kiểm tra mạng hoặc địa chỉ)"
        elif isinstance(reason, ConnectionRefusedError):
            why = "máy chủ từ chối kết nối (máy chủ đang tắt hoặc sai cổng)"
        else:
            why = f"lỗi mạng: {reason}"
        return Sent(False, f"Không gửi được biểu đến {server}: {why}.{kept} Kiểm tra kết nối "
                           "mạng rồi bấm «Kiểm tra biểu» để gửi lại.")
    try:
        answer = json.loads(raw.decode("utf-8")) if raw else {}
        if not isinstance(answer, dict):
            answer = {}
    except (UnicodeDecodeError, ValueError):
        answer = {}
    return _explain(status, answer, server, kept)


def _explain(status: int, answer: dict, server: str, kept: str) -> Sent:
    if status in (200, 201) and answer.get("version") is not None:
        unit = answer.get("unit_name") or answer.get("unit")
        who = f" của «{unit}»" if unit else ""
        head = f"Máy chủ đã nhận biểu{who}: phiên bản số {answer['version']}."
        if answer.get("duplicate"):       # the very file already sent: no new version
            head = f"Máy chủ đã có biểu này{who}: " + str(answer.get("message") or
                                                          f"phiên bản số {answer['version']}.")
        found = _findings_text(answer.get("findings") or [])
        if answer.get("valid", True) is False:
            return Sent(False, f"{head} Nhưng máy chủ kiểm tra lại và thấy biểu còn lỗi, nên "
                               f"phiên bản này chưa hợp lệ:\n{found}\nSửa rồi gửi lại.",
                        status, answer)
        if found:
            head += f" Máy chủ ghi nhận các cảnh báo sau:\n{found}"
        return Sent(True, head, status, answer)
    msg = str(answer.get("message") or "").strip()
    if status in (401, 403):
        text = (f"Máy chủ {server} không nhận mã truy cập (KIEMDIEM_TOKEN) của đơn vị"
                + (f": {msg}" if msg else ".")
                + f" Hãy xin cấp trên mã đúng rồi sửa trong tệp {C.config_path()}.")
    elif status == 404 and not msg:
        text = (f"Địa chỉ {server} không phải máy chủ kiemdiem (không có {API_PATH}). Kiểm tra "
                f"KIEMDIEM_SERVER trong tệp {C.config_path()}.")
    elif msg:
        text = f"Máy chủ từ chối biểu (HTTP {status}): {msg}"
        if answer.get("findings"):
            text += "\n" + _findings_text(answer["findings"])
    elif status >= 500:
        text = (f"Máy chủ {server} đang gặp sự cố (HTTP {status}). Hãy thử lại sau ít phút; nếu "
                "vẫn lỗi, báo cho cấp trên.")
    else:
        text = f"Máy chủ trả lời không như mong đợi (HTTP {status})."
    return Sent(False, text + kept, status, answer)
