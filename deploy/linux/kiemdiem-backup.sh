#!/usr/bin/env bash
# Sao lưu máy chủ kiểm điểm vào /var/backups/kiemdiem/NĂM-THÁNG-NGÀY_GIỜPHÚT, kiểm tra bản vừa
# sao lưu, rồi xóa các bản cũ hơn GIU_NGAY ngày. Chạy được khi máy chủ đang nhận biểu.
# Dùng với kiemdiem-backup.timer (systemd) hoặc cron:
#   30 12,23 * * *  kiemdiem  /opt/kiemdiem/kiemdiem-backup.sh
set -euo pipefail
set -a
. /etc/kiemdiem/kiemdiem.env
set +a
NOI_LUU="${NOI_LUU:-/var/backups/kiemdiem}"
GIU_NGAY="${GIU_NGAY:-30}"
FLASK="${FLASK:-/opt/kiemdiem/venv/bin/flask}"

dich="$NOI_LUU/$(date +%Y-%m-%d_%H%M)"
mkdir -p "$NOI_LUU"
"$FLASK" --app server backup "$dich"
"$FLASK" --app server verify "$dich"
# chỉ xóa bản cũ khi bản mới đã kiểm tra xong (set -e dừng trước nếu có lỗi)
find "$NOI_LUU" -mindepth 1 -maxdepth 1 -type d -mtime +"$GIU_NGAY" -exec rm -rf {} +
