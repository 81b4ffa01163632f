"""`python -m addin`: set up the add-in on an office PC in one command.

    python -m addin cai-dat --may-chu https://kiemdiem.tinhuy.vn --ma <mã truy cập>

writes the settings file the add-in reads (server, token, and INTERPRETER_WIN/_MAC = this Python,
so Excel runs the Python where kiemdiem is installed), then installs kiemdiem.xlam into Excel's
XLSTART folder with xlwings' own `xlwings addin install --file`. `python -m addin cau-hinh` only
writes the settings; `python -m addin tep` prints where kiemdiem.xlam is.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from . import config as C

XLAM = Path(__file__).with_name("kiemdiem.xlam")


def _settings(args) -> dict:
    updates = {}
    if args.may_chu:
        updates[C.SERVER] = args.may_chu.strip().rstrip("/")
    if args.ma:
        updates[C.TOKEN] = args.ma.strip()
    if args.co_so:
        updates[C.CO_SO] = args.co_so
    key = "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"
    updates[key] = sys.executable   # what `xlwings config create` writes, for our add-in's file
    return updates


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m addin",
                                description="Cài đặt add-in Kiểm điểm cho Excel.")
    sub = p.add_subparsers(dest="cmd", required=True)
    for name, text in (("cai-dat", "ghi cấu hình rồi cài kiemdiem.xlam vào Excel"),
                       ("cau-hinh", "chỉ ghi cấu hình (địa chỉ máy chủ, mã truy cập)")):
        s = sub.add_parser(name, help=text)
        s.add_argument("--may-chu", help="địa chỉ máy chủ, ví dụ https://kiemdiem.tinhuy.vn")
        s.add_argument("--ma", help="mã truy cập (token) cấp trên cấp cho đơn vị")
        s.add_argument("--co-so", choices=("tot", "tot_tro_len"),
                       help="cơ sở tính tỉ lệ xuất sắc, theo cài đặt của máy chủ (mặc định tot)")
    sub.add_parser("tep", help="in đường dẫn tệp kiemdiem.xlam")
    args = p.parse_args(argv)

    if args.cmd == "tep":
        print(XLAM)
        return 0
    path = C.save_config(_settings(args), C.config_path())
    cfg = C.load_config(path)
    print(f"Đã ghi cấu hình vào {path}")
    for key in (C.SERVER, C.TOKEN):
        print(f"  {key}: {cfg.get(key, '(chưa có — cần bổ sung)')}")
    if args.cmd == "cau-hinh":
        return 0
    if sys.platform not in ("win32", "darwin"):
        print(f"Máy này không có Excel; trên Windows lệnh này chép {XLAM.name} vào XLSTART.")
        return 0
    done = subprocess.run([sys.executable, "-c", "from xlwings.cli import main; main()",
                           "addin", "install", "--file", str(XLAM)])
    if done.returncode == 0:
        print("Xong. Mở (hoặc khởi động lại) Excel: thẻ «Kiểm điểm» có nút «Kiểm tra biểu».")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
