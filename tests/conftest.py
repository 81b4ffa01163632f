"""Shared test helpers: real LibreOffice, a folder for artifacts a person can look at.

The suite runs in parallel (pytest-xdist, `-n auto --dist loadfile` in scripts/test.sh): each
worker is a process of its own with its own session fixtures, so everything a fixture makes must
be its own — a LibreOffice profile under the worker's tmp_path_factory, a PostgreSQL schema with
a random name (tests/harness.py), a port the kernel hands out, and artefact folders emptied once
per run whichever worker gets there first (`fresh_artifacts`).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-output"

#: Passwords of the suite's hundreds of throwaway accounts are hashed cheaply (scrypt costs 0.2 s
#: of CPU per login): every app and server the tests start inherits this. The login tests
#: (tests/evidence/test_logins.py) and the clean-clone installs run with the real default, and
#: test_logins.test_a_deployed_server_stores_passwords_with_scrypt checks that default.
TEST_PASSWORD_HASH = "pbkdf2:sha256:1000"
os.environ.setdefault("KIEMDIEM_PASSWORD_HASH", TEST_PASSWORD_HASH)


def pytest_configure(config):
    # one id for the whole run: xdist hands its controller's to every worker
    if not hasattr(config, "workerinput"):
        config.kiemdiem_run_id = uuid.uuid4().hex
    else:
        config.kiemdiem_run_id = config.workerinput["testrunuid"]


#: folders whose files share servers a worker starts once (tests/web: the demo and district
#: servers and the browser; tests/server: a server per database): each runs whole on one worker
SHARED_SERVERS = ("web", "server")


def _piece(nodeid: str) -> str:
    """What xdist hands out whole to one worker: a folder of `SHARED_SERVERS`, or else a file
    (its module fixtures are then made once)."""
    path = nodeid.split("::", 1)[0]
    parts = path.split("/")
    if len(parts) > 2 and parts[0] == "tests" and parts[1] in SHARED_SERVERS:
        return "/".join(parts[:2])
    return path


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (scripts/test.sh) as xdist does it, but for the folders of
    `SHARED_SERVERS`, each handed out whole: their servers are then started once in the run,
    not once per worker. The pieces go out in the order of the collection (see below).
    (xdist's own `loadgroup` would do it with marks, but does not work with pytest 9.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedServers(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _piece(nodeid)
    return SharedServers(config, log)


def pytest_collection_modifyitems(config, items):
    """The order xdist hands the pieces out in (test.sh keeps it: --no-loadscope-reorder): the
    folders of `SHARED_SERVERS` first, then files holding a `slow` test, then the rest as
    collected — a long piece handed out last keeps one worker busy after the other is done."""
    slow = {_piece(item.nodeid) for item in items if item.get_closest_marker("slow")}
    first = {f"tests/{name}": i for i, name in enumerate(SHARED_SERVERS)}
    items.sort(key=lambda item: (first.get(_piece(item.nodeid), len(first)),
                                 _piece(item.nodeid) not in slow))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-output/: PDFs, PNGs and screenshots kept after the run for a person to check."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def fresh_artifacts(artifacts, request):
    """fresh_artifacts("web") -> test-output/web/, emptied of an earlier run's files once in this
    run: the first worker to ask empties it (under a lock), the others find it marked with the
    run's id and leave what the first one wrote."""
    import fcntl
    run = request.config.kiemdiem_run_id

    def make(name: str) -> Path:
        out = artifacts / name
        with open(artifacts / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            marker = out / ".run"
            if not (marker.exists() and marker.read_text() == run):
                if out.exists():
                    shutil.rmtree(out)
                out.mkdir(parents=True)
                marker.write_text(run)
        return out
    return make


class LibreOffice:
    def __init__(self, profile: Path):
        self.exe = shutil.which("soffice") or shutil.which("libreoffice")
        self.profile = profile

    def convert(self, src: Path, fmt: str, outdir: Path) -> Path:
        """soffice --headless --convert-to FMT: opens (and recalculates) the file, writes FMT."""
        return self.convert_many([src], fmt, outdir)[0]

    def convert_many(self, srcs: list[Path], fmt: str, outdir: Path) -> list[Path]:
        """The same for several files in one start of LibreOffice (a start costs seconds; the
        profile is this worker's own: two soffice on one profile fail)."""
        outdir.mkdir(parents=True, exist_ok=True)
        subprocess.run([self.exe, f"-env:UserInstallation={self.profile.as_uri()}", "--headless",
                        "--convert-to", fmt, "--outdir", str(outdir), *map(str, srcs)],
                       check=True, capture_output=True, timeout=180 + 60 * len(srcs))
        outs = [outdir / (src.stem + "." + fmt.split(":")[0]) for src in srcs]
        for out in outs:
            assert out.exists(), f"LibreOffice did not write {out}"
        return outs


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory) -> LibreOffice:
    lo = LibreOffice(tmp_path_factory.mktemp("lo-profile"))
    if lo.exe is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI: scripts/setup.sh installs it")
        pytest.skip("LibreOffice is not installed (run scripts/setup.sh)")
    return lo


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request, tmp_path):
    """(DATABASE_URL, DATA_DIR) of a fresh, empty database, new for each test (tests that kill
    servers or fill the database). PostgreSQL is skipped only when it cannot be reached and CI
    is unset."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    yield from _open_database(request.param, data_dir)


def _open_database(kind, data_dir):
    from harness import backend_database
    with backend_database(kind, data_dir) as url:
        yield url, data_dir
