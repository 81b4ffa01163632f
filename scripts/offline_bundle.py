"""Build, on Linux, the zip an IT officer carries to office PCs without internet:

    kiemdiem-offline-<version>.zip
        cai-dat.bat         double-click: installs from goi/ and sets the add-in up
        cau-hinh.txt        the settings to fill in once (server address, unit token)
        kiemdiem.xlam       the add-in itself (cai-dat.bat installs it; here for a manual install)
        HUONG_DAN.txt       what to do, in Vietnamese
        goi/*.whl           kiemdiem's wheel and the Windows (win_amd64) wheels of everything it
                            needs, for each Python version offices run

    python scripts/offline_bundle.py [-o dist/kiemdiem-offline.zip] [--python 3.11 3.12 3.13]

The dependencies are read from kiemdiem's own wheel (one source: setup.cfg). `pip download
--platform win_amd64` evaluates environment markers for the machine it runs on, so Windows-only
dependencies (xlwings needs pywin32 on Windows) would be left out; the closure is therefore
completed here, evaluating every wheel's markers as a Windows PC with that Python would.
"""
from __future__ import annotations

import argparse
import email.parser
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ("3.11", "3.12", "3.13")
PLATFORM = "win_amd64"
HERE = Path(__file__).resolve().parent / "offline"


def windows_tags(version: str) -> set[Tag]:
    """Every wheel tag a 64-bit CPython `version` on Windows accepts."""
    v = tuple(int(x) for x in version.split("."))
    return set(cpython_tags(v, platforms=[PLATFORM])) | set(
        compatible_tags(v, interpreter=f"cp{v[0]}{v[1]}", platforms=[PLATFORM]))


def windows_environment(version: str) -> dict:
    env = default_environment()
    env.update(sys_platform="win32", platform_system="Windows", os_name="nt",
               platform_machine="AMD64", implementation_name="cpython",
               platform_python_implementation="CPython", python_version=version,
               python_full_version=f"{version}.0", implementation_version=f"{version}.0",
               platform_release="10", platform_version="10.0.19045")
    return env


def wheel_metadata(path: Path):
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.BytesParser().parsebytes(zf.read(name))


def requirements(path: Path, version: str) -> list[Requirement]:
    """The wheel's requirements that apply on Windows with Python `version` (no extras)."""
    env = dict(windows_environment(version), extra="")
    out = []
    for line in wheel_metadata(path).get_all("Requires-Dist") or []:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(env):
            out.append(req)
    return out


def fits(path: Path, version: str) -> bool:
    _, _, _, tags = parse_wheel_filename(path.name)
    return bool(set(tags) & windows_tags(version))


def _spec(req: Requirement) -> str:
    """The requirement without its marker: pip would evaluate the marker for this Linux machine
    (already evaluated here for Windows)."""
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    return f"{req.name}{extras}{req.specifier}"


def _download(specs: list[str], version: str, dest: Path) -> None:
    nodot = version.replace(".", "")
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                    "--only-binary=:all:", "--platform", PLATFORM, "--python-version", version,
                    "--implementation", "cp", "--abi", f"cp{nodot}", "--abi", "abi3",
                    "--abi", "none", "-d", str(dest), *specs], check=True)


def closure(own_wheel: Path, version: str, dest: Path) -> list[Path]:
    """Download until every requirement (markers evaluated for Windows, this Python) of every
    wheel in the set has a fitting wheel; returns the set."""
    wanted = [_spec(r) for r in requirements(own_wheel, version)]
    _download(wanted, version, dest)
    tried: list[str] = []
    while True:
        have = {canonicalize_name(parse_wheel_filename(p.name)[0]): p
                for p in dest.glob("*.whl") if fits(p, version)}
        chosen = {own_wheel} | set(have.values())
        missing = sorted({_spec(r) for w in chosen for r in requirements(w, version)
                          if canonicalize_name(r.name) not in have})
        if not missing:
            return sorted(chosen)
        if missing == tried:
            raise SystemExit(f"Không tải được gói cho Windows, Python {version}: "
                             f"{', '.join(missing)}")
        tried = missing
        _download(missing, version, dest)


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def build(out: Path, pythons=PYTHONS) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check",
                        "--no-deps", "-w", str(tmp / "own"), str(ROOT)], check=True)
        own = next((tmp / "own").glob("kiemdiem-*.whl"))
        wheels: set[Path] = {own}
        for version in pythons:
            wheels |= set(closure(own, version, tmp / "goi"))
        out.parent.mkdir(parents=True, exist_ok=True)
        version = parse_wheel_filename(own.name)[1]
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in ("cai-dat.bat", "cau-hinh.txt", "HUONG_DAN.txt"):
                text = (HERE / name).read_text(encoding="utf-8")
                text = (text.replace("{version}", str(version))
                        .replace("{pythons_desc}", " ".join(sorted(pythons, reverse=True,
                                                                   key=_version_key)))
                        .replace("{pythons}", ", ".join(pythons)))
                # Notepad and cmd expect CRLF line ends
                text = text.replace("\r\n", "\n").replace("\n", "\r\n")
                zf.writestr(name, text.encode("utf-8"))
            zf.write(ROOT / "addin" / "kiemdiem.xlam", "kiemdiem.xlam")
            for w in sorted(wheels, key=lambda p: p.name):
                zf.write(w, f"goi/{w.name}")
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-o", "--out", type=Path, default=None,
                   help="zip to write (default dist/kiemdiem-offline-<version>.zip)")
    p.add_argument("--python", nargs="+", default=list(PYTHONS),
                   help="Python versions of the office PCs (default: %(default)s)")
    args = p.parse_args(argv)
    out = args.out or ROOT / "dist" / "kiemdiem-offline.zip"
    build(out, tuple(args.python))
    print(f"Đã tạo {out} ({out.stat().st_size // 1024} KB) cho Python {', '.join(args.python)} "
          "trên Windows 64-bit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
