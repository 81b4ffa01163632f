"""The add-in file as Excel will open it: the Vietnamese ribbon, the VBA of the pinned xlwings,
and the module its button imports."""
from __future__ import annotations

import configparser
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import xlwings

ROOT = Path(__file__).resolve().parents[2]
XLAM = ROOT / "addin" / "kiemdiem.xlam"
NS = {"ui": "http://schemas.microsoft.com/office/2006/01/customui"}


def test_ribbon_has_the_kiem_diem_tab_and_a_large_kiem_tra_bieu_button():
    with zipfile.ZipFile(XLAM) as z:
        assert z.testzip() is None
        rels = z.read("_rels/.rels").decode("utf-8")
        ui = ET.fromstring(z.read("customUI/customUI.xml"))
    assert 'Target="customUI/customUI.xml"' in rels and "ui/extensibility" in rels
    [tab] = ui.findall(".//ui:tab", NS)
    assert tab.get("label") == "Kiểm điểm"
    [button] = tab.findall(".//ui:button", NS)
    assert button.get("label") == "Kiểm tra biểu"
    assert button.get("size") == "large"
    # the generated VBA macro: RunPython "import kiemdiem; kiemdiem.main()" (named after the file)
    assert button.get("onAction") == "RibbonMyAddin.RunMain"


def test_vba_is_the_one_shipped_with_the_pinned_xlwings():
    """The VBA calls a DLL named after its xlwings version, so the .xlam must match the xlwings
    pinned in setup.cfg: its vbaProject.bin is the installed xlwings' own."""
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    pins = [line.strip() for line in cfg["options"]["install_requires"].splitlines()
            if line.strip().startswith("xlwings")]
    assert pins == [f"xlwings=={xlwings.__version__}"]
    shipped = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"
    with zipfile.ZipFile(XLAM) as ours, zipfile.ZipFile(shipped) as theirs:
        assert ours.read("xl/vbaProject.bin") == theirs.read("xl/vbaProject.bin")


def test_the_add_in_file_name_is_the_module_its_button_imports():
    import kiemdiem
    assert XLAM.stem == kiemdiem.__name__
    assert callable(kiemdiem.main)


def test_the_add_in_ships_in_the_package():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    assert "*.xlam" in cfg["options.package_data"]["addin"]
    assert "kiemdiem" in cfg["options"]["py_modules"]
