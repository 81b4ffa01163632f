"""Shared test helpers: real LibreOffice, a folder for artifacts a person can look at."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-output"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-output/: PDFs, PNGs and screenshots kept after the run for a person to check."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class LibreOffice:
    def __init__(self, profile: Path):
        self.exe = shutil.which("soffice") or shutil.which("libreoffice")
        self.profile = profile

    def convert(self, src: Path, fmt: str, outdir: Path) -> Path:
        """soffice --headless --convert-to FMT: opens (and recalculates) the file, writes FMT."""
        outdir.mkdir(parents=True, exist_ok=True)
        subprocess.run([self.exe, f"-env:UserInstallation={self.profile.as_uri()}", "--headless",
                        "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                       check=True, capture_output=True, timeout=180)
        out = outdir / (src.stem + "." + fmt.split(":")[0])
        assert out.exists(), f"LibreOffice did not write {out}"
        return out


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory) -> LibreOffice:
    lo = LibreOffice(tmp_path_factory.mktemp("lo-profile"))
    if lo.exe is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI: scripts/setup.sh installs it")
        pytest.skip("LibreOffice is not installed (run scripts/setup.sh)")
    return lo
