"""The add-in under xlwings' remote engine: real template workbooks turned into the JSON book that
an Excel client sends, and the recorded actions read back.

The remote engine needs a licence key; `noncommercial` is set here, for the tests only. At run
time the add-in uses open-source xlwings (desktop Excel through RunPython).
"""
from __future__ import annotations

import os
import sys

import pytest

# xlwings registers its remote engine when it is first imported, if it finds a licence key then.
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
if "xlwings" in sys.modules:   # imported earlier in this test session without the key
    import xlwings
    if "remote" not in [e.name for e in xlwings.engines]:
        from xlwings.pro import _xlremote
        xlwings.engines.add(xlwings.Engine(impl=_xlremote.engine))


@pytest.fixture(autouse=True)
def _remote_licence(monkeypatch, tmp_path):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    # a config file of our own, so a developer's real settings never leak into a test
    monkeypatch.setenv("KIEMDIEM_CONFIG", str(tmp_path / "xlwings.conf"))
    for key in ("KIEMDIEM_SERVER", "KIEMDIEM_TOKEN", "KIEMDIEM_CO_SO", "KIEMDIEM_QUY_DINH"):
        monkeypatch.delenv(key, raising=False)
