#!/usr/bin/env bash
# The main job on a fresh machine: install kiemdiem into the project's virtualenv (.venv/), build
# the templates, check the Bảo Lâm sample workbooks, then start the collection server on SQLite
# with demo data. PORT (default 5000) chooses the port; PYTHON the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
ensure_venv server

mkdir -p var
echo "== Tạo mẫu biểu từ đặc tả"
"$VBIN/kiemdiem" template build
echo
echo "== Kiểm tra biểu mẫu Bảo Lâm 2019 như đã báo cáo (tổng số gõ 2.886)"
"$VBIN/kiemdiem" sample bao-lam-2019 -o var/bao_lam_2019.xlsx
"$VBIN/kiemdiem" validate var/bao_lam_2019.xlsx || echo "(mã thoát $?: biểu có lỗi, như mong đợi)"
echo
echo "== Kiểm tra biểu đã sửa"
"$VBIN/kiemdiem" sample bao-lam-2019-da-sua -o var/bao_lam_2019_da_sua.xlsx
"$VBIN/kiemdiem" validate var/bao_lam_2019_da_sua.xlsx

if [ -f server/demo.py ]; then
  echo
  echo "== Máy chủ thu nhận (SQLite trong var/), dữ liệu mẫu"
  export KIEMDIEM_DATA_DIR="${KIEMDIEM_DATA_DIR:-$PWD/var/data}"
  "$VBIN/flask" --app server demo --port "${PORT:-5000}"
  exec "$VBIN/flask" --app server run --host 127.0.0.1 --port "${PORT:-5000}"
fi
