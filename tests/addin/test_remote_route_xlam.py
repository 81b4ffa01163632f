"""The add-in file of the route without Python (addin/remote/kiemdiem_may_chu.xlam), read back as
Excel would get it: its ribbon, and its VBA through oletools (an independent VBA reader).

What only real Excel can confirm (no Excel here): that it compiles the source-only vbaProject,
shows the ribbon, and that the web call and the Unicode message box work (docs/addin.md)."""
from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xlwings

ROOT = Path(__file__).resolve().parents[2]
XLAM = ROOT / "addin" / "remote" / "kiemdiem_may_chu.xlam"
NS = {"ui": "http://schemas.microsoft.com/office/2006/01/customui"}
sys.path.insert(0, str(ROOT / "scripts"))


@pytest.fixture(scope="module")
def vba() -> dict[str, str]:
    """Module name -> its source, as oletools reads it from the .xlam."""
    from oletools.olevba import VBA_Parser
    parser = VBA_Parser(str(XLAM))
    try:
        assert parser.detect_vba_macros()
        return {name.rsplit(".", 1)[0]: code.replace("\r\n", "\n")
                for _f, _s, name, code in parser.extract_macros()}
    finally:
        parser.close()


def subs(vba: dict[str, str]) -> dict[str, str]:
    """Public handlers `Sub name(wb As Workbook, action As Dictionary)` -> module."""
    out = {}
    for mod, code in vba.items():
        for m in re.finditer(r"^(?:Public )?Sub (\w+)\(wb As Workbook, action As Dictionary\)",
                             code, re.M):
            out[m.group(1)] = mod
    return out


def test_the_committed_file_is_what_the_sources_build():
    import build_remote_xlam as b
    assert XLAM.read_bytes() == b.build(), "run python scripts/build_remote_xlam.py"


def test_ribbon_kiem_diem_with_check_send_and_settings_buttons(vba):
    with zipfile.ZipFile(XLAM) as z:
        assert z.testzip() is None
        assert "ui/extensibility" in z.read("_rels/.rels").decode()
        ct = z.read("[Content_Types].xml").decode()
        ui = ET.fromstring(z.read("customUI/customUI.xml"))
    assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in ct
    [tab] = ui.findall(".//ui:tab", NS)
    assert tab.get("label") == "Kiểm điểm"
    buttons = {b.get("label"): b.get("onAction") for b in tab.findall(".//ui:button", NS)}
    assert list(buttons) == ["Kiểm tra biểu", "Gửi biểu", "Cài đặt"]
    for action in buttons.values():       # each callback exists with the ribbon's signature
        mod, proc = action.split(".")
        assert re.search(rf"^Public Sub {proc}\(control As IRibbonControl\)", vba[mod], re.M)


def test_the_buttons_call_the_endpoints_the_server_and_docs_name(vba):
    from server import create_app
    app = create_app({"DATA_DIR": str(ROOT / "test-output" / "xlam-app")})
    routes = {r.rule for r in app.url_map.iter_rules() if "xlwings" in r.rule
              and "POST" in r.methods}
    docs = (ROOT / "docs" / "addin.md").read_text(encoding="utf-8")
    code = vba["KiemDiem"]
    consts = dict(re.findall(r'Public Const (PATH_\w+) As String = "([^"]+)"', code))
    assert set(consts.values()) == routes == {"/api/v1/xlwings/kiem-tra",
                                              "/api/v1/xlwings/gui-bieu"}
    documented = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    for path in routes:
        assert path in docs and "post" in documented[path]
    # through xlwings' remote client, with the token as a Bearer header
    assert re.search(r'RunRemotePython server & path, auth:="Bearer " & token', code)
    assert "Function RunServerPython(" in vba["Remote"]
    assert "Function RunRemotePython(" in vba["Remote"]
    for p in ("PATH_KIEM_TRA", "PATH_GUI_BIEU"):
        assert f"ChayMayChu {p}" in code


def test_settings_live_on_the_pc_never_in_the_workbook(vba):
    code = "\n".join(vba.values())
    assert "GetConfigFromSheet" not in code and "GetConfigFromFile" not in code
    assert 'GetSetting(APP_KEY, SETTINGS, KEY_TOKEN, "")' in vba["KiemDiem"]
    assert "SaveSetting APP_KEY, SETTINGS, KEY_TOKEN, t" in vba["KiemDiem"]
    # the client's own settings (proxy, timeout…) are not read from a sheet or file either
    compat = vba["XlwingsCompat"]
    assert "Function GetConfig(" in compat and "ActiveWorkbook" not in compat


def test_the_vba_is_xlwings_pinned_client_with_our_unicode_message_box(vba):
    import build_remote_xlam as b
    theirs = (Path(xlwings.__file__).parent / "addin" / "Remote.bas").read_text()
    ours = vba["Remote"]
    for old, new in b.REMOTE_PATCHES:
        assert old in theirs and new in ours and old not in ours
    # the one MsgBox left cannot show: our GetConfig never returns include/exclude settings
    assert [line.strip() for line in ours.splitlines() if "MsgBox" in line] == [
        "MsgBox \"Either use 'include' or 'exclude', but not both!\", vbCritical"]
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in vba["XlwingsCompat"]
    assert "MessageBoxW" in vba["KiemDiem"]
    assert all(code.isascii() for code in vba.values())     # one code page, no mojibake
    # Vietnamese text is carried as \u escapes, decoded at run time
    assert 'U("Ki\\u1EC3m \\u0111i\\u1EC3m")' in vba["KiemDiem"]


def test_every_action_the_server_answers_with_has_a_handler(vba, monkeypatch):
    """A check of a marked workbook (old marks undone, new ones made, report replaced) answers
    with these actions; each must be a Sub the VBA can Application.Run."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    from test_remote_route import vba_payload

    import addin
    from server.xlwings_remote import engine_book, load_payload
    from workbook_templates import marks as M
    from workbook_templates.read import read_workbook
    from workbook_templates.sample import bao_lam_2019, fill_template
    from workbook_templates.validate import validate
    data = fill_template(bao_lam_2019())
    marked = M.annotate_xlsx(data, validate(read_workbook(data)).findings)
    book = xlwings.Book(json=engine_book(load_payload(vba_payload(marked))))
    addin.kiem_tra(book)
    funcs = {a["func"] for a in book.json()["actions"]}
    assert {"setRangeColors", "addNote", "deleteNote", "addSheet", "setValues",
            "sheetDelete", "alert"} <= funcs
    handlers = subs(vba)
    assert funcs <= set(handlers), funcs - set(handlers)
    assert handlers["alert"] == "Remote" and handlers["setRangeColors"] == "KiemDiemActions"
    # our handlers never write a value
    assert ".Value" not in vba["KiemDiemActions"]
    assert "If cell.Comment Is Nothing Then cell.AddComment" in vba["KiemDiemActions"]


def test_libreoffice_reads_the_vba_project_module_by_module(libreoffice, tmp_path):
    """A second, independent reader of the container and of MS-OVBA: LibreOffice imports each
    module into Basic (class modules as classes) when it opens the file as a macro workbook."""
    src = tmp_path / "kiemdiem_may_chu.xlsm"
    with zipfile.ZipFile(XLAM) as zi, zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zo:
        for name in zi.namelist():
            data = zi.read(name)
            if name == "[Content_Types].xml":     # LibreOffice does not open add-ins as such
                data = data.replace(b"ms-excel.addin.macroEnabled", b"ms-excel.sheet.macroEnabled")
            zo.writestr(name, data)
    ods = libreoffice.convert(src, "ods", tmp_path / "lo")
    with zipfile.ZipFile(ods) as z:
        basic = {n.rsplit("/", 1)[1][:-4]: z.read(n).decode("utf-8")
                 for n in z.namelist() if n.startswith("Basic/VBAProject/") and
                 not n.endswith("script-lb.xml")}
    assert set(basic) == {"ThisWorkbook", "Sheet1", "Remote", "WebHelpers", "WebClient",
                          "WebRequest", "WebResponse", "IWebAuthenticator", "Dictionary",
                          "KiemDiem", "KiemDiemActions", "XlwingsCompat"}
    for cls in ("WebClient", "WebRequest", "WebResponse", "IWebAuthenticator", "Dictionary"):
        assert 'script:moduleType="class"' in basic[cls], cls
    assert "RunRemotePython server &amp; path" in basic["KiemDiem"]
    assert "Sub setRangeColors(wb As Workbook, action As Dictionary)" in basic["KiemDiemActions"]
