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


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request, tmp_path_factory):
    """(DATABASE_URL, DATA_DIR) of a fresh, empty database, once per backend for the session.
    PostgreSQL is skipped only when it cannot be reached and CI is unset."""
    yield from _open_database(request.param, tmp_path_factory.mktemp(f"kd-{request.param}"))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def web_database(request, tmp_path_factory):
    """A second session database of its own, for the web suite's demo data (the server suite
    adds rounds and units of its own to `database`)."""
    yield from _open_database(request.param, tmp_path_factory.mktemp(f"kd-web-{request.param}"))


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request, tmp_path):
    """The same, new for each test (tests that kill servers or fill the database)."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    yield from _open_database(request.param, data_dir)


def _open_database(kind, data_dir):
    from harness import DatabaseUnavailable, scratch_database
    cm = scratch_database(kind, data_dir)
    try:
        url = cm.__enter__()
    except DatabaseUnavailable as e:
        if os.environ.get("CI"):
            pytest.fail(f"{e} (PostgreSQL is required in CI)")
        pytest.skip(f"{e} (set CI=1 to make this an error)")
    try:
        yield url, data_dir
    finally:
        cm.__exit__(None, None, None)
