"""One error family for "this file cannot be taken": what the user is told, and what the server
and the command line answer, derived here once.

A file is refused by the safety checks (`safety.UnsafeFile`: not a zip, a bomb, macros), by the
reader (`read.ReadError`: not one of our templates, damaged, unknown version) or by the server's
intake (`server.precheck.Rejected`: another unit's file, the round closed, a busy unit). All are
`NotTaken`: `.message` is the Vietnamese text for the user, `.code` a stable identifier for
programs, `.status` the HTTP status the server answers with and `.exit_code` the exit code of
`kiemdiem` (2: "the file cannot be used", as `kiemdiem validate` documents).
"""
from __future__ import annotations

#: HTTP status by code; every other refusal is 422 (the file arrived but cannot be taken).
#: 413: too large. 415: not a workbook we open at all (not .xlsx, encrypted, macros or other
#: active content, parts a template never has, an XML encoding other than UTF-8/16).
STATUS = {
    "too_large": 413,
    "not_xlsx": 415, "encrypted": 415, "macro": 415, "active_content": 415, "unknown_part": 415,
    "xml_encoding": 415,
}
DEFAULT_STATUS = 422
EXIT_CODE = 2


def status_for(code: str) -> int:
    """The HTTP status of a refusal with this code."""
    return STATUS.get(code, DEFAULT_STATUS)


class NotTaken(Exception):
    """This file cannot be taken; str() is the Vietnamese message for the user."""

    exit_code = EXIT_CODE

    def __init__(self, message: str, code: str = "unreadable", status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status if status is not None else status_for(code)

    def __str__(self) -> str:
        return self.message
