# Sourced by setup.sh and start.sh: the project's own virtualenv (.venv/), so the README's
# commands work on stock Debian 12 / Ubuntu 24.04, whose system Python is "externally managed"
# (pip refuses to install into it) and often comes without the venv module.
#
#   PYTHON=python3.12 bash scripts/start.sh   chooses the interpreter the venv is made from
#   VENV=/path/to/venv                        another place for the venv (default: .venv)
#
# After `ensure_venv EXTRAS`, $VPY is the venv's python and $VBIN its bin folder: every tool
# (kiemdiem, flask, pytest) is called from there, never from PATH.

PY="${PYTHON:-python3}"
VENV="${VENV:-$PWD/.venv}"
VBIN="$VENV/bin"
VPY="$VBIN/python"

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

# apt_install PKG... : install Debian/Ubuntu packages, as root or through sudo.
apt_install() {
  if [ "$(id -u)" != "0" ] && [ -z "$SUDO" ]; then
    echo "Cần cài gói hệ thống: $* — hãy chạy lại với quyền root (hoặc cài sudo)." >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Máy này không có apt-get: hãy tự cài $* rồi chạy lại." >&2
    exit 1
  fi
  echo "== apt-get install $*"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

# The interpreter's identity: a venv made from another Python (PYTHON changed, system upgraded)
# is made again.
_py_id() { "$1" -c 'import sys; print(sys.version.split()[0], sys.base_prefix)' 2>/dev/null; }

ensure_venv() {
  local extras="$1"
  if ! command -v "$PY" >/dev/null 2>&1; then
    echo "Không tìm thấy Python «$PY». Cài python3 (3.10 trở lên) hoặc đặt PYTHON=đường/dẫn/python3." >&2
    exit 1
  fi
  if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "Cần Python 3.10 trở lên; «$PY» là $("$PY" --version 2>&1)." >&2
    exit 1
  fi
  if [ -x "$VPY" ] && [ "$(_py_id "$VPY")" = "$(_py_id "$PY")" ] && "$VPY" -m pip --version >/dev/null 2>&1; then
    :
  else
    # Debian/Ubuntu ship venv (ensurepip) in a package of its own: python3-venv for the default
    # python3, python3.X-venv for another version.
    if ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
      local ver default_ver pkg
      ver="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
      default_ver="$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"
      if [ "$ver" = "$default_ver" ]; then pkg=python3-venv; else pkg="python$ver-venv"; fi
      apt_install "$pkg"
    fi
    echo "== python -m venv $VENV ($("$PY" --version 2>&1))"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
  fi
  echo "== pip install -e .[$extras] (vào $VENV)"
  # The test tools (Playwright, pandas, ruff…) are not compiled to bytecode at install (a third
  # of the install's time): Python compiles what the tests import, once, as they import it. A
  # server's own install (start.sh, deploy/) keeps pip's default and starts compiled.
  local compile=()
  if [ "$extras" = "test" ]; then compile=(--no-compile); fi
  "$VPY" -m pip install -q --disable-pip-version-check "${compile[@]}" -e ".[$extras]"
}
