#!/usr/bin/env bash
# Installs what kiemdiem and its tests need on Debian/Ubuntu: system packages (LibreOffice to
# recalculate and print the templates, poppler to turn PDFs into pictures, Chromium for the browser
# tests, Liberation fonts as metric twins of Times New Roman), then the Python package itself.
# Safe to run again; skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
# Writer renders the written report (.docx) to PDF in its test
dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 || [ -e /usr/lib/libreoffice/program/libswlo.so ] \
  || missing+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Liberation Serif" || missing+=(fonts-liberation)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
echo "== pip install -e .[test]"
"$PY" -m pip install -q --disable-pip-version-check -e ".[test]"
