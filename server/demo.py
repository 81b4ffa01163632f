"""Demo data for the round being collected now: rating year 2026 in the structure of 01/7/2025
(no district). Đảng bộ tỉnh Lâm Đồng collects from đảng ủy xã, phường and one đảng bộ trực thuộc
tỉnh; Đảng ủy xã Bảo Lâm 1 collects from its chi bộ in a round of its own and reports into the
province's round from its round page. Accounts for the province office, the commune office and
every unit are printed, with what each sees; tokens and curl commands for the API too. Some
workbooks are already sent, through the same intake as the API.

`flask --app server demo` is safe to run again: units and rounds are updated, new tokens and
passwords are issued (old tokens keep working), demo submissions are only added to an empty round.
The pre-2025 shape (a district collecting) is kept for the tests in `tests/harness.py`.
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

from workbook_templates.sample import fill_template, qd366_fields, unit_info
from workbook_templates.spec import get_form_set

from . import db
from .auth import hash_password, issue_token, set_password
from .intake import receive
from .models import Submission, Unit, User
from .rounds import create_round
from .units_io import COLUMNS, import_units

PROVINCE = ("LAMDONG", "Đảng bộ tỉnh Lâm Đồng", "DB_TINH")
COMMUNES = [
    ("XUANHUONG", "Đảng ủy phường Xuân Hương - Đà Lạt", "DB_CS"),
    ("LAMVIEN", "Đảng ủy phường Lâm Viên - Đà Lạt", "DB_CS"),
    ("CAMLY", "Đảng ủy phường Cam Ly - Đà Lạt", "DB_CS"),
    ("BLAO", "Đảng ủy phường B'Lao", "DB_CS"),
    ("BAOLAM1", "Đảng ủy xã Bảo Lâm 1", "DB_CS"),
    ("BAOLAM3", "Đảng ủy xã Bảo Lâm 3", "DB_CS"),
    ("DINHVANLAMHA", "Đảng ủy xã Đinh Văn Lâm Hà", "DB_CS"),
    ("DB_UBND", "Đảng bộ Ủy ban nhân dân tỉnh", "DB_CTCS"),
]
#: the commune that collects from its chi bộ in its own round, and its chi bộ
COMMUNE = "BAOLAM1"
CHI_BO = [
    ("BL1_THON1", "Chi bộ thôn 1", "CB_TT"),
    ("BL1_THON2", "Chi bộ thôn 2", "CB_TT"),
    ("BL1_THON3", "Chi bộ thôn 3", "CB_TT"),
    ("BL1_CONGAN", "Chi bộ Công an xã", "CB_TT"),
    ("BL1_QUANSU", "Chi bộ Quân sự xã", "CB_TT"),
    ("BL1_THCS", "Chi bộ Trường THCS Bảo Lâm 1", "CB_TT"),
]
PROVINCE_USER, COMMUNE_USER, CHI_BO_USER = "tinhuy", "baolam1", "bl1_thon1"


def rating_year(today: dt.date | None = None) -> int:
    """The rating year being collected: this year from July (HD 43's reviews run in December),
    the previous one in the first half (late reports of January)."""
    today = today or dt.date.today()
    return today.year if today.month >= 7 else today.year - 1


SECTOR = "Lĩnh vực"      # the units list's optional sector column (SPEC §7.1)


def units_workbook(rows: list[tuple]) -> bytes:
    """An import-units workbook: rows of (code, name, type, parent code[, sector])."""
    header = tuple(COLUMNS) + (() if SECTOR in COLUMNS else (SECTOR,))
    wb = Workbook()
    ws = wb.active
    ws.title = "Đơn vị"
    ws.append(header)
    for r in rows:
        ws.append(tuple(r) + (None,) * (len(header) - len(r)))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def unit_values(code: str, name: str, type_: str, year: int, rng: random.Random,
                parent: str = PROVINCE[1]) -> dict:
    """A plausible, valid `bao_cao_nam` for one unit of `type_` (numbers vary with the unit)."""
    members = rng.randint(12, 45) if type_ == "CB_TT" else rng.randint(60, 400)
    mien = rng.randint(0, 3)
    dg = members - mien
    kht = rng.randint(0, 2)
    tot = int(dg * rng.uniform(0.6, 0.75))
    xs = min(rng.randint(1, 30), tot * 20 // 100)
    ht = dg - xs - tot - kht
    v = unit_info(name, code, parent, type_, year, TT_DiaDanh="Lâm Đồng",
                  TT_NguoiLap=rng.choice(["Nguyễn Thị Hoa", "Trần Văn Bình", "Lê Thị Lan",
                                          "Phạm Văn Đức", "K' Brêu"]))
    v.update({"KD_PHAI_TT": 1, "KD_DA_TT": 1, "KD_PHAI_DV": members, "KD_DA_DV": dg,
              "KD_MIEN_DV": mien, "KD_GOIY_DV": rng.randint(0, 3),
              "XL_DV_TONG": members, "XL_DV_MIEN": mien, "XL_DV_XS": xs, "XL_DV_TOT": tot,
              "XL_DV_HT": ht, "XL_DV_KHT": kht, "XL_DV_KYLUAT": min(kht, rng.randint(0, 1)),
              "TT_XepLoai": rng.choice(["XS", "TOT", "TOT", "TOT", "HT"]),
              "TT_XepLoaiCapUy": "TOT", "TT_XepLoaiNguoiDungDau": "TOT"})
    if type_ == "DB_CS" and "TT_LinhVuc" in get_form_set("bao_cao_nam").cells:
        v["TT_LinhVuc"] = "XA"          # a đảng ủy xã, phường states its sector (SPEC §7.1)
    if type_ == "CB_TT":
        v.pop("TT_XepLoaiCapUy")        # a chi bộ trực thuộc has no party committee
        if v["TT_XepLoai"] == "XS":     # a handful of chi bộ: XS would pass the commune's quota
            v["TT_XepLoai"] = "TOT"
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
    if type_ == "DB_CTCS":         # its TCCSĐ (rated by itself) and their committees
        db_cs, cb_cs = rng.randint(4, 8), rng.randint(8, 14)
        n = db_cs + cb_cs
        lv = {"XS": n * 15 // 100, "HT": 1}
        lv["TOT"] = n - lv["XS"] - lv["HT"]
        split_db = {"XS": min(lv["XS"], 1), "HT": 0}
        split_db["TOT"] = db_cs - split_db["XS"]
        split_cb = {k: lv[k] - split_db[k] for k in lv}
        cu = {"XS": 0, "TOT": db_cs + cb_cs - 1, "HT": 1}
        for row, d in (("TCCSD", lv), ("DBCS", split_db), ("CBCS", split_cb), ("CUCS", cu)):
            v.update({f"XL_{row}_TONG": sum(d.values())}
                     | {f"XL_{row}_{k}": x for k, x in d.items()} | {f"XL_{row}_KHT": 0})
        v.update({"KD_PHAI_TT": n + 1, "KD_DA_TT": n + 1})
    v.update(qd366_fields(v))         # QĐ 366 (2025 on): scores and tasks fitting the ratings
    return v


def _accounts(s, unit_pw_hash: str, units: list[Unit]) -> None:
    """One account per unit for the pages: the unit code in lower case, one demo password."""
    for u in units:
        acc = s.scalar(select(User).where(User.username == u.code.lower())) or \
            User(username=u.code.lower())
        acc.password_hash = unit_pw_hash
        acc.unit, acc.full_name = u, f"Văn phòng {u.name}"
        s.add(acc)


def _office(s, username: str, unit: Unit, full_name: str) -> str:
    pw = secrets.token_urlsafe(9)
    user = s.scalar(select(User).where(User.username == username)) or User(username=username)
    set_password(user, pw)
    user.unit, user.full_name, user.is_admin = unit, full_name, False
    s.add(user)
    return pw


def run(port: int = 5000) -> None:
    db.upgrade()
    s = db.session()
    # the đảng ủy xã, phường are TCCSĐ of the sector «xã, phường, đặc khu» (XA)
    rows = [PROVINCE + (None,)] + \
        [c + (PROVINCE[0], "XA" if c[2] == "DB_CS" else None) for c in COMMUNES] + \
        [c + (COMMUNE,) for c in CHI_BO]
    created, updated = import_units(units_workbook(rows))
    province = s.scalar(select(Unit).where(Unit.code == PROVINCE[0]))
    commune = s.scalar(select(Unit).where(Unit.code == COMMUNE))
    year = rating_year()
    # HD 43's deadlines (31/12; 15/01 for the special unit the province names)
    top_round = create_round(province, "bao_cao_nam", year, dac_thu=["DB_UBND"])
    own_round = create_round(commune, "bao_cao_nam", year)
    click.echo(f"Đơn vị: {created} mới, {updated} cập nhật.")
    click.echo(f"Đợt {top_round.id}: {province.name} nhận Báo cáo năm {year} của "
               f"{len(province.children)} đơn vị, hạn {top_round.deadline:%d/%m/%Y} "
               f"(Đảng bộ Ủy ban nhân dân tỉnh là đơn vị đặc thù: hạn "
               f"{top_round.han_dac_thu:%d/%m/%Y}).")
    click.echo(f"Đợt {own_round.id}: {commune.name} nhận Báo cáo năm {year} của "
               f"{len(commune.children)} chi bộ, hạn {own_round.deadline:%d/%m/%Y}; rồi gửi báo "
               f"cáo của xã vào đợt {top_round.id} của tỉnh.")

    admin_pw = secrets.token_urlsafe(9)
    admin = s.scalar(select(User).where(User.username == "admin")) or User(username="admin")
    set_password(admin, admin_pw)
    admin.is_admin, admin.full_name = True, "Quản trị"
    s.add(admin)
    unit_pw = secrets.token_urlsafe(6)
    everyone = list(province.children) + list(commune.children)
    _accounts(s, hash_password(unit_pw), everyone)
    province_pw = _office(s, PROVINCE_USER, province, "Văn phòng Tỉnh ủy Lâm Đồng")
    commune_pw = _office(s, COMMUNE_USER, commune, "Văn phòng Đảng ủy xã Bảo Lâm 1")
    tokens = {u.code: issue_token(u) for u in [province] + everyone}
    s.commit()

    folder = Path(current_app.config["DATA_DIR"]) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2026)
    files = {}
    for code, name, type_ in COMMUNES:
        files[code] = folder / f"{code}.xlsx"
        files[code].write_bytes(fill_template(unit_values(code, name, type_, year, rng)))
    for code, name, type_ in CHI_BO:
        files[code] = folder / f"{code}.xlsx"
        files[code].write_bytes(fill_template(
            unit_values(code, name, type_, year, rng, parent=commune.name)))
    # one with errors: levels that do not add up to the total, XS over the ceiling
    bad = unit_values("BL1_QUANSU", "Chi bộ Quân sự xã", "CB_TT", year, random.Random(7),
                      parent=commune.name)
    bad.update({"XL_DV_TONG": bad["XL_DV_TONG"] + 20, "XL_DV_XS": bad["XL_DV_TOT"]})
    bad_path = folder / "BL1_QUANSU_co_loi.xlsx"
    bad_path.write_bytes(fill_template(bad))

    units = {u.code: u for u in everyone}
    if not _has_submissions(top_round):
        for code in ("XUANHUONG", "LAMVIEN", "CAMLY", "BLAO", "DB_UBND"):
            receive(units[code], files[code].read_bytes(), files[code].name, "demo")
        # Đinh Văn Lâm Hà sent one with errors, then a corrected one (version 2)
        lamha = unit_values("DINHVANLAMHA", "Đảng ủy xã Đinh Văn Lâm Hà", "DB_CS", year,
                            random.Random(3))
        receive(units["DINHVANLAMHA"], fill_template(dict(lamha, XL_DV_TONG=lamha["XL_DV_TONG"]
                                                          - 5)), "DINHVANLAMHA_lan1.xlsx", "demo")
        receive(units["DINHVANLAMHA"], fill_template(lamha), "DINHVANLAMHA_lan2.xlsx", "demo")
        click.echo(f"Đợt {top_round.id}: đã gửi mẫu 6 biểu; Đảng ủy xã Bảo Lâm 1 và Bảo Lâm 3 "
                   "chưa gửi.")
    if not _has_submissions(own_round):
        for code in ("BL1_THON1", "BL1_THON2", "BL1_CONGAN"):
            receive(units[code], files[code].read_bytes(), files[code].name, "demo")
        receive(units["BL1_QUANSU"], bad_path.read_bytes(), bad_path.name, "demo")
        click.echo(f"Đợt {own_round.id}: đã gửi mẫu 4 biểu (Chi bộ Quân sự xã có lỗi); Chi bộ "
                   "thôn 3, Chi bộ Trường THCS chưa gửi.")

    base = f"http://127.0.0.1:{port}"
    click.echo("\nMã tải lên (token) — chỉ in một lần:")
    for code, token in tokens.items():
        click.echo(f"  {code:13} {token}")
    click.echo(f"\nTrang web: {base}/  — tài khoản và ai xem gì:")
    click.echo(f"  {PROVINCE_USER} / {province_pw}   Văn phòng Tỉnh ủy Lâm Đồng: theo dõi đợt "
               f"{top_round.id} của tỉnh, quyết định xếp loại các đảng ủy xã, phường và đảng bộ "
               "trực thuộc, tải biểu tổng hợp của tỉnh; xem (không sửa) đợt của từng đảng ủy xã "
               "và biểu của mọi đơn vị cấp dưới.")
    click.echo(f"  {COMMUNE_USER} / {commune_pw}   Văn phòng Đảng ủy xã Bảo Lâm 1: theo dõi đợt "
               f"{own_round.id} của xã, quyết định xếp loại các chi bộ, rồi «Lập và gửi báo cáo "
               "lên cấp trên» vào đợt của tỉnh.")
    click.echo(f"  {CHI_BO_USER} / {unit_pw}   Chi bộ thôn 1: gửi biểu của chi bộ, xem lỗi và "
               "các phiên bản đã gửi; không xem đơn vị khác.")
    click.echo(f"  Mọi đảng ủy, chi bộ khác: tên đăng nhập là mã đơn vị viết thường (ví dụ "
               f"bl1_thon3, camly), mật khẩu {unit_pw}")
    click.echo(f"  admin / {admin_pw}   quản trị: xem mọi đơn vị, mọi đợt.")
    click.echo("\nThử API (sau khi máy chủ chạy):")
    click.echo(f"  curl -H 'Authorization: Bearer {tokens['BL1_THON3']}' "
               f"-F file=@{files['BL1_THON3']} {base}/api/v1/submissions")
    click.echo(f"  curl -H 'Authorization: Bearer {tokens['BL1_QUANSU']}' "
               f"-F file=@{bad_path} {base}/api/v1/submissions")
    click.echo(f"  curl -H 'Authorization: Bearer {tokens[PROVINCE[0]]}' "
               f"{base}/api/v1/rounds/{top_round.id}/status")
    click.echo(f"  curl -H 'Authorization: Bearer {tokens[PROVINCE[0]]}' -o tong_hop.xlsx "
               f"{base}/api/v1/rounds/{top_round.id}/summary.xlsx")


def _has_submissions(rnd) -> bool:
    return bool(db.session().scalar(select(func.count()).select_from(Submission)
                                    .where(Submission.round_id == rnd.id)))
