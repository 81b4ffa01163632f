"""Demo data for the main job: a district (Huyện ủy Bảo Lâm) collecting from a dozen units, an
open round, tokens printed, and some submissions made through the same intake as the API.

`flask --app server demo` is safe to run again: units and the round are updated, new tokens are
issued (old ones keep working), and demo submissions are only added to an empty round.
"""
from __future__ import annotations

import datetime as dt
import io
import random
import secrets
from pathlib import Path

import click
from flask import current_app
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from workbook_templates.sample import fill_template, qd366_fields, unit_info

from . import db
from .auth import issue_token, set_password
from .cli import create_round
from .intake import receive
from .models import Submission, Unit, User
from .units_io import COLUMNS, import_units

TOP = ("BAOLAM", "Huyện ủy Bảo Lâm", "DB_CTCS", "LAMDONG")
CHILDREN = [
    ("LOCBAO", "Đảng bộ xã Lộc Bảo", "DB_CS"),
    ("LOCBAC", "Đảng bộ xã Lộc Bắc", "DB_CS"),
    ("LOCLAM", "Đảng bộ xã Lộc Lâm", "DB_CS"),
    ("LOCPHU", "Đảng bộ xã Lộc Phú", "DB_CS"),
    ("LOCNGAI", "Đảng bộ xã Lộc Ngãi", "DB_CS"),
    ("LOCQUANG", "Đảng bộ xã Lộc Quảng", "DB_CS"),
    ("LOCTHANH", "Đảng bộ xã Lộc Thành", "DB_CS"),
    ("LOCNAM", "Đảng bộ xã Lộc Nam", "DB_CS"),
    ("LOCTHANG", "Đảng bộ thị trấn Lộc Thắng", "DB_CS"),
    ("CB_CONGAN", "Chi bộ Công an huyện", "CB_CS"),
    ("CB_QUANSU", "Chi bộ Quân sự huyện", "CB_CS"),
    ("CB_YTE", "Chi bộ Trung tâm Y tế huyện", "CB_CS"),
]


def units_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Đơn vị"
    ws.append(COLUMNS)
    ws.append(("LAMDONG", "Đảng bộ tỉnh Lâm Đồng", "DB_TINH", None))
    ws.append((TOP[0], TOP[1], TOP[2], TOP[3]))
    for code, name, type_ in CHILDREN:
        ws.append((code, name, type_, TOP[0]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def unit_values(code: str, name: str, type_: str, year: int, rng: random.Random) -> dict:
    """A plausible, valid `bao_cao_nam` for one child (numbers vary with the unit)."""
    members = rng.randint(25, 160)
    mien = rng.randint(0, 3)
    dg = members - mien
    kht = rng.randint(0, 2)
    tot = int(dg * rng.uniform(0.6, 0.75))
    xs = min(rng.randint(1, 30), tot * 20 // 100)
    ht = dg - xs - tot - kht
    v = unit_info(name, code, TOP[1], type_, year, TT_NguoiLap=rng.choice(
        ["Nguyễn Thị Hoa", "Trần Văn Bình", "Lê Thị Lan", "Phạm Văn Đức", "K' Brêu"]))
    v.update({"KD_PHAI_TT": 1, "KD_DA_TT": 1, "KD_PHAI_DV": members, "KD_DA_DV": dg,
              "KD_MIEN_DV": mien, "KD_GOIY_DV": rng.randint(0, 3),
              "XL_DV_TONG": members, "XL_DV_MIEN": mien, "XL_DV_XS": xs, "XL_DV_TOT": tot,
              "XL_DV_HT": ht, "XL_DV_KHT": kht, "XL_DV_KYLUAT": min(kht, rng.randint(0, 1)),
              "TT_XepLoai": rng.choice(["XS", "TOT", "TOT", "TOT", "HT"]),
              "TT_XepLoaiCapUy": "TOT", "TT_XepLoaiNguoiDungDau": "TOT"})
    if v["TT_XepLoai"] == "XS":       # QD366: no disciplined member; HD21: no KHT
        v.update({"XL_DV_KYLUAT": 0, "XL_DV_HT": ht + kht, "XL_DV_KHT": 0})
    if v["TT_XepLoai"] == "HT":
        v["TT_XepLoaiNguoiDungDau"] = "HT"
    if type_ == "DB_CS":
        n = rng.randint(5, 15)
        cb_xs = 1 if n >= 10 else 0
        cb_tot = n - cb_xs - 1
        v.update({"KD_PHAI_TT": n + 1, "KD_DA_TT": n + 1, "XL_CBTT_TONG": n,
                  "XL_CBTT_XS": cb_xs, "XL_CBTT_TOT": cb_tot, "XL_CBTT_HT": 1,
                  "XL_CBTT_KHT": 0})
    v.update(qd366_fields(v))         # QĐ 366 (2025 on): scores and tasks fitting the ratings
    return v


def run(port: int = 5000) -> None:
    db.upgrade()
    s = db.session()
    created, updated = import_units(units_workbook())
    top = s.scalar(select(Unit).where(Unit.code == TOP[0]))
    today = dt.date.today()
    year = today.year
    rnd = create_round(top, "bao_cao_nam", year, today + dt.timedelta(days=14))
    click.echo(f"Đơn vị: {created} mới, {updated} cập nhật. Đợt {rnd.id}: {top.name} nhận "
               f"Báo cáo năm {year}, hạn {rnd.deadline:%d/%m/%Y}, {len(top.children)} đơn vị.")

    admin_pw = secrets.token_urlsafe(9)
    user = s.scalar(select(User).where(User.username == "admin")) or User(username="admin")
    set_password(user, admin_pw)
    user.is_admin, user.full_name = True, "Quản trị"
    s.add(user)
    office_pw = secrets.token_urlsafe(9)
    office = s.scalar(select(User).where(User.username == "baolam")) or User(username="baolam")
    set_password(office, office_pw)
    office.unit, office.full_name = top, "Văn phòng Huyện ủy Bảo Lâm"
    s.add(office)
    # one account per unit for the pages (user name: the unit code in lower case)
    unit_pw = secrets.token_urlsafe(6)
    unit_hash = generate_password_hash(unit_pw)     # hashed once: the same demo password
    for u in top.children:
        acc = s.scalar(select(User).where(User.username == u.code.lower())) or \
            User(username=u.code.lower())
        acc.password_hash = unit_hash
        acc.unit, acc.full_name = u, f"Văn phòng {u.name}"
        s.add(acc)
    tokens = {u.code: issue_token(u) for u in [top] + list(top.children)}
    s.commit()

    folder = Path(current_app.config["DATA_DIR"]) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2024)
    files = {}
    for code, name, type_ in CHILDREN:
        files[code] = folder / f"{code}.xlsx"
        files[code].write_bytes(fill_template(unit_values(code, name, type_, year, rng)))
    # one with errors: levels that do not add up to the total, XS over the ceiling
    bad = unit_values("LOCNAM", "Đảng bộ xã Lộc Nam", "DB_CS", year, random.Random(7))
    bad.update({"XL_DV_TONG": bad["XL_DV_TONG"] + 20, "XL_DV_XS": bad["XL_DV_TOT"]})
    bad_path = folder / "LOCNAM_co_loi.xlsx"
    bad_path.write_bytes(fill_template(bad))

    existing = s.scalar(select(func.count()).select_from(Submission)
                        .where(Submission.round_id == rnd.id))
    if not existing:
        units = {u.code: u for u in top.children}
        for code in ("LOCBAO", "LOCBAC", "LOCLAM", "LOCPHU", "LOCTHANG", "CB_CONGAN",
                     "CB_YTE"):
            receive(units[code], files[code].read_bytes(), files[code].name, "demo")
        receive(units["LOCNAM"], bad_path.read_bytes(), bad_path.name, "demo")
        # Lộc Ngãi sent one with errors, then a corrected one (version 2)
        ngai = unit_values("LOCNGAI", "Đảng bộ xã Lộc Ngãi", "DB_CS", year, random.Random(3))
        wrong = dict(ngai, XL_DV_TONG=ngai["XL_DV_TONG"] - 5)
        receive(units["LOCNGAI"], fill_template(wrong), "LOCNGAI_lan1.xlsx", "demo")
        receive(units["LOCNGAI"], fill_template(ngai), "LOCNGAI_lan2.xlsx", "demo")
        click.echo("Đã gửi mẫu 10 biểu (9 đơn vị; Lộc Nam có lỗi; Lộc Ngãi gửi lại lần 2); "
                   "Lộc Quảng, Lộc Thành, Chi bộ Quân sự chưa nộp.")

    base = f"http://127.0.0.1:{port}"
    click.echo("\nMã tải lên (token) — chỉ in một lần:")
    for code, token in tokens.items():
        click.echo(f"  {code:10} {token}")
    click.echo(f"\nTài khoản: admin / {admin_pw} (quản trị), baolam / {office_pw} "
               f"(văn phòng {top.name})")
    click.echo(f"Mỗi đơn vị trực thuộc: tên đăng nhập là mã đơn vị viết thường (ví dụ locbao), "
               f"mật khẩu {unit_pw}")
    click.echo(f"Trang web: {base}/")
    click.echo("\nThử (sau khi máy chủ chạy):")
    click.echo(f"  curl -H 'Authorization: Bearer {tokens['LOCQUANG']}' "
               f"-F file=@{files['LOCQUANG']} {base}/api/v1/submissions")
    click.echo(f"  curl -H 'Authorization: Bearer {tokens['LOCNAM']}' "
               f"-F file=@{bad_path} {base}/api/v1/submissions")
    click.echo(f"  curl -H 'Authorization: Bearer {tokens[TOP[0]]}' "
               f"{base}/api/v1/rounds/{rnd.id}/status")
    click.echo(f"  curl -H 'Authorization: Bearer {tokens[TOP[0]]}' -o tong_hop.xlsx "
               f"{base}/api/v1/rounds/{rnd.id}/summary.xlsx")
