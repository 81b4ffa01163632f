"""The build backend of pyproject.toml: setuptools' own, with its build folder emptied first.

setuptools copies the packages into `build/lib` of the checkout and builds the wheel from there,
but never removes a file that has since left the source: after a `git pull` that renames a
migration, a rebuilt wheel would still carry the old one (alembic then finds two heads), and
any module removed would still ship. Every wheel — README's `pip wheel . --no-deps -w dist`, the
offline bundle, the tests — is built through this, from exactly what the checkout holds."""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  (the PEP 517 hooks, passed on as they are)

#: setuptools' own folders under build/ (a folder of anyone else's there is left alone)
_STALE = ("lib", "bdist.*")


def _empty_build() -> None:
    build = Path("build")          # PEP 517: hooks run in the source tree
    for pattern in _STALE:
        for path in build.glob(pattern):
            shutil.rmtree(path, ignore_errors=True)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _empty_build()
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _empty_build()
    return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)
