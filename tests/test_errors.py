"""One family for "this file cannot be taken" (workbook_templates/errors.py): whoever refuses a
file — the safety checks, the reader or the server's pre-check — the user gets the same kind of
answer: a Vietnamese message, the same HTTP status for the same reason, exit code 2 on the
command line."""
from __future__ import annotations

import subprocess
import sys

import pytest

from workbook_templates.errors import NotTaken
from workbook_templates.read import ReadError, read_workbook
from workbook_templates.safety import UnsafeFile, check_package

NOT_A_ZIP = b"day khong phai tep Excel"


def test_a_file_that_is_not_xlsx_is_415_for_the_safety_checks_and_the_server():
    from server.precheck import Rejected, check_upload
    with pytest.raises(UnsafeFile) as core:
        check_package(NOT_A_ZIP, "«bieu.xlsx»")
    with pytest.raises(Rejected) as server:
        check_upload(NOT_A_ZIP, "bieu.xlsx", 10_000_000)
    assert isinstance(core.value, NotTaken) and isinstance(server.value, NotTaken)
    assert core.value.code == server.value.code == "not_xlsx"
    assert core.value.status == server.value.status == 415
    assert "xlsx" in server.value.message and str(server.value) == server.value.message


def test_the_reader_refuses_with_422_and_exit_code_2(tmp_path):
    p = tmp_path / "bieu.xlsx"
    p.write_bytes(NOT_A_ZIP)
    with pytest.raises(ReadError) as e:
        read_workbook(p)
    assert isinstance(e.value, NotTaken) and e.value.status == 422 and e.value.exit_code == 2
    run = subprocess.run([sys.executable, "-m", "workbook_templates.cli", "validate", str(p)],
                         capture_output=True, text=True)
    assert run.returncode == e.value.exit_code
    assert run.stderr.startswith("LỖI: ") and e.value.message in run.stderr
