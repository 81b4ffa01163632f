"""Build addin/remote/kiemdiem_may_chu.xlam: the Excel add-in for the route without Python.

    python scripts/build_remote_xlam.py            # writes addin/remote/kiemdiem_may_chu.xlam
    python scripts/build_remote_xlam.py --check    # exit 1 if the committed file is not what
                                                   # the sources build (byte for byte)

Why a vbaProject written from source (ms-ovba) rather than calling the official xlwings.xlam's
RunRemotePython by name: the official client applies each answered action with
`Application.Run action("func")` inside its own project, which has no handler for the actions
the check answers with (setRangeColors, addNote, setColumnWidth, …), shows messages with MsgBox
(ANSI: Vietnamese turns into "?"), and reads its settings from a sheet or file beside the open
workbook (a workbook could redirect the unit's token). So the add-in carries xlwings' own client
modules — taken unchanged from the installed, pinned xlwings, except two MsgBox calls routed
to a Unicode message box — plus our modules (addin/remote/*.bas): the ribbon callbacks, the
settings kept on the PC, and the missing action handlers.

Output is deterministic (fixed dates, ids and zip order). The vbaProject has source and no
compiled cache: Excel compiles it on first open. Only real Excel can confirm that it opens
and compiles it, that the ribbon shows, and that the web calls go out (see docs/addin.md).
"""
from __future__ import annotations

import argparse
import configparser
import datetime as dt
import io
import os
import random
import re
import sys
import tempfile
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "addin" / "remote"
OUT = SRC / "kiemdiem_may_chu.xlam"
XLWINGS_MODULES = ("Remote.bas", "WebHelpers.bas", "WebClient.cls", "WebRequest.cls",
                   "WebResponse.cls", "IWebAuthenticator.cls", "Dictionary.cls")
OUR_MODULES = ("KiemDiem.bas", "KiemDiemActions.bas", "XlwingsCompat.bas")
# Remote.bas: its message boxes go through our Unicode one (exact text, or the build fails)
REMOTE_PATCHES = (
    ('rv = MsgBox(Prompt:=myPrompt, Title:=myTitle, Buttons:=myStyle)',
     'rv = KiemDiem.HopThoai(myPrompt, myTitle, myStyle)'),
    ('MsgBox myResponse.Content, vbCritical, "Error"',
     'KiemDiem.ThongBao myResponse.Content, True'),
    ('MsgBox myResponse.StatusDescription & " (" & myResponse.StatusCode & ")", vbCritical, '
     '"Error"',
     'KiemDiem.ThongBao myResponse.StatusDescription & " (" & myResponse.StatusCode & ")", '
     'True'),
)
PROJECT_ID = "{6B1F3C2A-20D0-4E6A-9C1B-2026000000A1}"
FIXED = dt.datetime(2026, 1, 1)
CLASS_GUID = "{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"

_STRING = re.compile(r'"(?:[^"]|"")*"')


def pinned_xlwings() -> str:
    """The add-in's client must match the server's xlwings: the version setup.cfg pins."""
    import xlwings
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    pins = [x.strip() for x in cfg["options"]["install_requires"].splitlines()
            if x.strip().startswith("xlwings")]
    want = pins[0].split("==")[1] if pins and "==" in pins[0] else None
    if want and want != xlwings.__version__:
        sys.exit(f"xlwings {xlwings.__version__} is installed but setup.cfg pins {want}")
    return xlwings.__version__


def to_vba(text: str) -> str:
    """Our UTF-8 module source -> ASCII VBA: a string literal with non-ASCII characters becomes
    U("\\uXXXX…"); anything else non-ASCII (in a comment or code) is refused."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        def lit(m):
            s = m.group(0)
            if s.isascii():
                return s
            body = s[1:-1].replace('""', '"')
            esc = "".join(ch if ch.isascii() and ch not in '"\\' else f"\\u{ord(ch):04X}"
                          for ch in body)
            return f'U("{esc}")'
        line = _STRING.sub(lit, line)
        if not line.isascii():
            raise SystemExit(f"non-ASCII outside a string on line {n}: {line!r}")
        out.append(line)
    return "\n".join(out) + "\n"


def xlwings_sources(version: str) -> dict[str, str]:
    import xlwings
    folder = Path(xlwings.__file__).parent / "addin"
    out = {}
    for name in XLWINGS_MODULES:
        text = (folder / name).read_text(encoding="ascii")
        if name == "Remote.bas":
            for old, new in REMOTE_PATCHES:
                if text.count(old) != 1:
                    raise SystemExit(f"xlwings {version}: Remote.bas no longer has {old!r}")
                text = text.replace(old, new)
        out[name] = text.replace("\r\n", "\n")
    return out


def our_sources(version: str) -> dict[str, str]:
    return {name: to_vba((SRC / name).read_text(encoding="utf-8"))
            .replace("{{XLWINGS_VERSION}}", version) for name in OUR_MODULES}


def class_stream_text(cls_text: str) -> str:
    """An exported .cls -> the text a class module stream holds (the VERSION/BEGIN block gone,
    VB_Base after VB_Name, as Excel writes it)."""
    lines = cls_text.splitlines()
    while lines and not lines[0].startswith("Attribute VB_Name"):
        lines.pop(0)
    lines.insert(1, f'Attribute VB_Base = "0{CLASS_GUID}"')
    head_end = max(i for i, x in enumerate(lines) if x.startswith("Attribute VB_")
                   and i < 12) + 1
    extra = [x for x in ('Attribute VB_TemplateDerived = False',
                         'Attribute VB_Customizable = False') if x not in lines]
    return "\n".join(lines[:head_end] + extra + lines[head_end:]) + "\n"


def ovba_compress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1 compression with the two chunk forms that need no matching: a full 4096-byte
    chunk stored raw (CompressedChunkFlag 0), and the last, shorter chunk as literal tokens only
    (a flag byte 0 before each 8 bytes). Valid for any decompressor; the stream is larger than
    Office's own, which does not matter for an add-in. The last chunk must fit 4098 bytes, so
    it holds at most 3640 source bytes: `pad_module` sees to that."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start:start + 4096]
        if len(chunk) == 4096:
            out += (0x3000 | 4095).to_bytes(2, "little") + chunk   # 0b011 signature, raw
            continue
        body = bytearray()
        for i in range(0, len(chunk), 8):
            body += b"\x00" + chunk[i:i + 8]
        if len(body) + 2 > 4098:
            raise ValueError("last chunk too long for literal tokens: pad the module")
        out += (0xB000 | (len(body) + 2 - 3)).to_bytes(2, "little") + body
    return bytes(out)


def pad_module(text: str) -> str:
    """Blank lines at the end so the last 4096-byte chunk is empty or at most 3640 bytes."""
    while 3640 < len(text.replace("\n", "\r\n").encode("ascii")) % 4096:
        text += "\n"
    return text


# --- a minimal Compound File (MS-CFB v3) writer ---------------------------------------------------
# ms-ovba builds each stream right (with our compressor); its container writer (ms-cfb 0.0.6)
# drops streams, so the container is written here: 512-byte sectors, a mini stream for streams
# under 4096 bytes, one directory tree per storage ordered as the format requires (all nodes
# black, a balanced binary tree).

FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _cfb_key(name: str):
    return (len(name), name.upper())


def cfb(tree: dict) -> bytes:
    """tree: {name: bytes | dict} (a dict is a storage) -> the compound file's bytes."""
    entries = [{"name": "Root Entry", "type": 5, "data": b"", "kids": []}]

    def add(node: dict, parent: dict):
        for name in sorted(node, key=_cfb_key):
            v = node[name]
            e = {"name": name, "type": 1 if isinstance(v, dict) else 2,
                 "data": b"" if isinstance(v, dict) else v, "kids": []}
            entries.append(e)
            parent["kids"].append(len(entries) - 1)
            if isinstance(v, dict):
                add(v, e)
    add(tree, entries[0])
    for e in entries:
        e["left"] = e["right"] = e["child"] = NOSTREAM

    def balance(ids: list[int]) -> int:
        if not ids:
            return NOSTREAM
        mid = len(ids) // 2
        entries[ids[mid]]["left"] = balance(ids[:mid])
        entries[ids[mid]]["right"] = balance(ids[mid + 1:])
        return ids[mid]
    for e in entries:
        e["child"] = balance(e["kids"])

    # mini stream: streams under 4096 bytes, in 64-byte mini sectors
    mini, minifat = bytearray(), []
    for e in entries:
        if e["type"] == 2 and len(e["data"]) < 4096:
            n = -(-len(e["data"]) // 64)
            e["start"] = len(mini) // 64 if n else ENDOFCHAIN
            for k in range(n):
                minifat.append(len(minifat) + 1 if k < n - 1 else ENDOFCHAIN)
            mini += e["data"] + b"\0" * (n * 64 - len(e["data"]))
    big = [e for e in entries if e["type"] == 2 and len(e["data"]) >= 4096]

    def sectors(n_bytes: int) -> int:
        return -(-n_bytes // 512)
    n_dir = sectors(128 * len(entries))
    n_minifat = sectors(4 * len(minifat))
    n_mini = sectors(len(mini))
    n_big = sum(sectors(len(e["data"])) for e in big)
    n_fat = 1
    while n_fat * 128 < n_fat + n_dir + n_minifat + n_mini + n_big:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("file too large for this writer")
    fat = [FATSECT] * n_fat
    body = bytearray()

    def chain(data: bytes) -> int:
        start = len(fat)
        n = sectors(len(data))
        fat.extend(list(range(start + 1, start + n)) + [ENDOFCHAIN])
        body.extend(data + b"\0" * (n * 512 - len(data)))
        return start
    dir_start = len(fat)                  # the directory is written last, space kept now
    fat.extend(list(range(dir_start + 1, dir_start + n_dir)) + [ENDOFCHAIN])
    body.extend(b"\0" * (n_dir * 512))
    mf = b"".join(x.to_bytes(4, "little") for x in minifat)
    mf += b"\xff" * (n_minifat * 512 - len(mf))
    minifat_start = chain(mf) if minifat else ENDOFCHAIN
    entries[0]["start"] = chain(bytes(mini)) if mini else ENDOFCHAIN
    entries[0]["data"] = bytes(mini)
    for e in big:
        e["start"] = chain(e["data"])
    fat.extend([FREESECT] * (n_fat * 128 - len(fat)))

    d = bytearray()
    for e in entries:
        name = e["name"].encode("utf-16-le") + b"\0\0"
        d += name + b"\0" * (64 - len(name)) + len(name).to_bytes(2, "little")
        d += bytes([e["type"], 1])
        for k in ("left", "right", "child"):
            d += e[k].to_bytes(4, "little")
        d += b"\0" * 16 + b"\0" * 4 + b"\0" * 16
        start = e.get("start", 0) if e["type"] != 1 else 0
        size = len(e["data"]) if e["type"] != 1 else 0
        d += start.to_bytes(4, "little") + size.to_bytes(8, "little")
    while len(d) % 512:
        d += (b"\0" * 64 + (0).to_bytes(2, "little") + b"\0\0"
              + NOSTREAM.to_bytes(4, "little") * 3 + b"\0" * 36 + b"\0" * 12)
    body[0:len(d)] = d

    h = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16)
    h += (0x3E).to_bytes(2, "little") + (3).to_bytes(2, "little") + b"\xfe\xff"
    h += (9).to_bytes(2, "little") + (6).to_bytes(2, "little") + b"\0" * 6
    h += (0).to_bytes(4, "little") + n_fat.to_bytes(4, "little")
    h += dir_start.to_bytes(4, "little") + (0).to_bytes(4, "little")
    h += (4096).to_bytes(4, "little") + minifat_start.to_bytes(4, "little")
    h += (n_minifat if minifat else 0).to_bytes(4, "little")
    h += ENDOFCHAIN.to_bytes(4, "little") + (0).to_bytes(4, "little")
    difat = list(range(n_fat)) + [FREESECT] * (109 - n_fat)
    h += b"".join(x.to_bytes(4, "little") for x in difat)
    assert len(h) == 512
    fat_bytes = b"".join(x.to_bytes(4, "little") for x in fat)
    return bytes(h) + fat_bytes + bytes(body)



def vba_project(modules: dict[str, str]) -> bytes:
    """vbaProject.bin (MS-OVBA) from module sources, with ms-ovba, in a scratch folder."""
    import ms_ovba
    from ms_ovba.Models.Entities.doc_module import DocModule
    from ms_ovba.Models.Entities.module_base import ModuleBase
    from ms_ovba.Models.Entities.reference import Reference
    from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
    from ms_ovba.Models.Entities.std_module import StdModule
    from ms_ovba.Models.Fields.idSizeField import IdSizeField
    from ms_ovba.Models.Fields.libid_reference import LibidReference
    from ms_ovba.Models.Fields.packed_data import PackedData
    from ms_ovba.vbaProject import VbaProject
    from ms_ovba.Views.project_ole_file import ProjectOleFile

    class ClassModule(StdModule):
        """A class module: type record 0x0022 in the dir stream, "Class=" in PROJECT."""

        def __init__(self, name):
            super().__init__(name)
            self.type = "Class"

        def pack(self, endien, cp_name):
            self.offsetRec = IdSizeField(0x0031, 4, len(self._cache))
            return (self.modName.pack(endien, cp_name) + self.streamName.pack(endien, cp_name)
                    + self.docString.pack(endien, cp_name) + self.offsetRec.pack(endien)
                    + self.helpContext.pack(endien, cp_name) + self._cookie.pack(endien)
                    + PackedData("HI", 0x0022, 0).pack(endien)
                    + PackedData("HI", 0x002B, 0).pack(endien))

    assert issubclass(ClassModule, ModuleBase)
    from ms_ovba_compression.ms_ovba import MsOvba
    theirs = MsOvba.compress
    MsOvba.compress = lambda self, data: ovba_compress(bytes(data))   # see ovba_compress
    blank = Path(ms_ovba.__file__).parent / "blank_files"
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            project = VbaProject()
            project.project_id = PROJECT_ID
            for name, guid in (("ThisWorkbook", "0002081900000000C000000000000046"),
                               ("Sheet1", "0002082000000000C000000000000046")):
                doc = DocModule(name)
                Path(f"{name}.cls").write_bytes((blank / f"{name}.cls").read_bytes())
                doc.add_file(f"{name}.cls")
                doc.add_guid(uuid.UUID(guid))
                doc.normalize_file()
                project.add_module(doc)
            for fname, text in modules.items():
                stem, ext = fname.rsplit(".", 1)
                if ext == "cls":
                    mod = ClassModule(stem)
                    text = class_stream_text(text)
                else:
                    mod = StdModule(stem)
                assert text.isascii(), fname
                Path(fname).write_text(pad_module(text), encoding="ascii")
                mod.add_file(fname)
                mod.normalize_file()
                project.add_module(mod)
            stdole = ReferenceRegistered(LibidReference(
                uuid.UUID("0002043000000000C000000000000046"), "2.0", "0",
                "C:\\Windows\\System32\\stdole2.tlb", "OLE Automation"))
            office = ReferenceRegistered(LibidReference(
                uuid.UUID("2DF8D04C5BFA101BBDE500AA0044DE52"), "2.0", "0",
                r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL",
                "Microsoft Office 16.0 Object Library"))
            project.add_reference(Reference(stdole, "stdole"))
            project.add_reference(Reference(office, "Office"))
            state = random.getstate()
            random.seed(2026)   # the PROJECT stream's obfuscated fields take random bytes
            try:
                ProjectOleFile._build_ole_directory(project)    # writes each stream's file
            finally:
                random.setstate(state)
            vba = {m.name: Path(m.bin_path).read_bytes() for m in project.get_modules()}
            vba["dir"] = Path("dir.bin").read_bytes()
            vba["_VBA_PROJECT"] = Path("vba_project.bin").read_bytes()
            return cfb({"VBA": vba, "PROJECT": Path("project.bin").read_bytes()})
        finally:
            os.chdir(here)
            MsOvba.compress = theirs


def shell_workbook() -> dict[str, bytes]:
    """A one-sheet workbook from openpyxl (fixed dates), as zip parts."""
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.title = "KiemDiem"
    wb.active["A1"] = "Add-in Kiểm điểm (kiểm tra qua máy chủ). Sheet này không dùng."
    wb.code_name = "ThisWorkbook"
    wb.active.sheet_properties.codeName = "Sheet1"
    wb.properties.created = wb.properties.modified = FIXED
    wb.properties.creator = "kiemdiem"
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    parts["docProps/core.xml"] = re.sub(   # openpyxl stamps the save time
        rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp,
        parts["docProps/core.xml"])
    return parts


def build(version: str | None = None) -> bytes:
    version = version or pinned_xlwings()
    modules = {**xlwings_sources(version), **our_sources(version)}
    parts = shell_workbook()
    parts["xl/vbaProject.bin"] = vba_project(modules)
    parts["customUI/customUI.xml"] = (SRC / "customUI.xml").read_bytes()
    ct = parts["[Content_Types].xml"].decode("utf-8")
    ct = ct.replace("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    "application/vnd.ms-excel.addin.macroEnabled.main+xml")
    ct = ct.replace("</Types>", '<Default Extension="bin" '
                    'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    parts["[Content_Types].xml"] = ct.encode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdVba" Type="http://schemas.'
                        'microsoft.com/office/2006/relationships/vbaProject" '
                        'Target="vbaProject.bin"/></Relationships>')
    parts["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")
    root = parts["_rels/.rels"].decode("utf-8")
    root = root.replace("</Relationships>", '<Relationship Id="rIdUi" Type="http://schemas.'
                        'microsoft.com/office/2006/relationships/ui/extensibility" '
                        'Target="customUI/customUI.xml"/></Relationships>')
    parts["_rels/.rels"] = root.encode("utf-8")
    out = io.BytesIO()
    order = ["[Content_Types].xml"] + sorted(n for n in parts if n != "[Content_Types].xml")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=FIXED.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, parts[name])
    return out.getvalue()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true")
    args = p.parse_args(argv)
    data = build()
    if args.check:
        same = OUT.exists() and OUT.read_bytes() == data
        print(f"{OUT.name}: {'up to date' if same else 'OUT OF DATE: run the build'}")
        return 0 if same else 1
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
