#!/usr/bin/env bash
# Installs what kiemdiem and its tests need on Debian/Ubuntu: system packages (LibreOffice to
# recalculate and print the templates, poppler to turn PDFs into pictures, Chromium for the browser
# tests, Liberation fonts as metric twins of Times New Roman, nginx and systemd-analyze to check
# deploy/), then the package itself with its
# test extras into the project's virtualenv (.venv/, see scripts/venv.sh).
# Safe to run again; skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh

missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
# Writer renders the written report (.docx) to PDF in its test
dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 || [ -e /usr/lib/libreoffice/program/libswlo.so ] \
  || missing+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# deploy/ is checked with the real tools: nginx -t (and nginx in front of gunicorn), openssl for a
# test certificate, systemd-analyze verify on the units
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
# The font list is read whole before grep looks at it: `fc-list | grep -q` under pipefail fails
# whenever grep stops early and fc-list dies of SIGPIPE, so the fonts looked missing at random.
fonts="$(fc-list 2>/dev/null || true)"
grep -qi "Liberation Serif" <<<"$fonts" || missing+=(fonts-liberation)
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi

ensure_venv "${1:-test}"
