"""`flask --app server …` commands: init-db, import-units, export-units, create-round,
issue-token, create-user, demo. Messages are Vietnamese, like everything a user sees."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from workbook_templates.rules.packs import pack_for_year
from workbook_templates.spec import form_sets

from . import db
from .backup import BackupError, make_backup, restore_backup, verify_backup, verify_data
from .models import Round, Unit
from .rounds import RoundError, create_round, describe  # noqa: F401  (create_round: tests/harness.py)


def _unit(code: str) -> Unit:
    u = db.session().scalar(select(Unit).where(Unit.code == code))
    if u is None:
        raise click.ClickException(f"Không có đơn vị mã «{code}». Hãy nhập danh sách đơn vị "
                                   "trước (flask --app server import-units TỆP.xlsx).")
    return u


def _cli():
    """The command line runs as the server's administrator; its acts are audited as such."""
    from .auth import Principal
    return Principal(label="cli", unit=None, is_admin=True)


def register(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db():
        """Tạo hoặc nâng cấp cơ sở dữ liệu (Alembic)."""
        db.upgrade()
        url = db.engine().url.render_as_string(hide_password=True)
        click.echo(f"Cơ sở dữ liệu sẵn sàng: {url}")

    @app.cli.command("import-units")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def import_units_cmd(path: Path):
        """Nhập đơn vị từ Excel (cột: Mã đơn vị, Tên đơn vị, Loại, Mã đơn vị cấp trên)."""
        from .units_io import UnitsFileError, import_units
        try:
            created, updated = import_units(path.read_bytes())
        except UnitsFileError as e:
            raise click.ClickException(f"Tệp {path.name} chưa nhập được:\n{e}") from e
        click.echo(f"Đã nhập {path.name}: {created} đơn vị mới, {updated} đơn vị cập nhật.")

    @app.cli.command("export-units")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def export_units_cmd(path: Path):
        """Xuất danh sách đơn vị ra Excel (cùng định dạng với import-units)."""
        from .units_io import export_units
        path.write_bytes(export_units())
        click.echo(f"Đã ghi {path}.")

    @app.cli.command("create-round")
    @click.option("--unit", "code", required=True, help="mã đơn vị thu nhận (cấp trên)")
    @click.option("--form", default="bao_cao_nam", type=click.Choice(sorted(form_sets())))
    @click.option("--year", required=True, type=int)
    @click.option("--deadline", default=None, type=click.DateTime(["%Y-%m-%d"]),
                  help="hạn nộp YYYY-MM-DD; mặc định theo Hướng dẫn 43: 31/12 năm đánh giá "
                       "(đợt đã có: giữ hạn cũ)")
    @click.option("--dac-thu", "dac_thu", multiple=True, metavar="MÃ",
                  help="đơn vị trực thuộc đặc thù (lặp lại cho mỗi đơn vị): hạn nộp riêng, mặc "
                       "định 15/01 năm sau")
    @click.option("--han-dac-thu", default=None, type=click.DateTime(["%Y-%m-%d"]),
                  help="hạn nộp của các đơn vị đặc thù YYYY-MM-DD")
    @click.option("--ngoai-le-25/--khong-ngoai-le-25", default=None,
                  help="cấp có thẩm quyền đã chấp thuận (hoặc không) cho đơn vị thu nhận ngoại lệ "
                       "25 % xuất sắc theo Quy định 366; mặc định: giữ như cũ (đợt mới: không)")
    def create_round_cmd(code, form, year, deadline, dac_thu, han_dac_thu, ngoai_le_25):
        """Mở đợt nhận báo cáo: các đơn vị trực thuộc của --unit là đơn vị phải nộp."""
        unit = _unit(code)
        try:
            rnd = create_round(unit, form, year, deadline.date() if deadline else None,
                               ngoai_le_25, list(dac_thu) if dac_thu else None,
                               han_dac_thu.date() if han_dac_thu else None)
        except RoundError as e:
            raise click.ClickException(str(e)) from None
        from . import audit
        audit.record("cli", "open_round", describe(rnd), rnd)
        db.session().commit()
        click.echo(describe(rnd))
        if rnd.ngoai_le_25 and pack_for_year(year).share(True) == pack_for_year(year).share(False):
            click.echo(f"Lưu ý: quy định áp dụng cho năm {year} không có ngoại lệ 25 %; hạn mức "
                       f"vẫn là {pack_for_year(year).share(False)} %.")

    @app.cli.command("close-round")
    @click.argument("round_id", type=int)
    def close_round_cmd(round_id):
        """Đóng đợt: không nhận thêm biểu (vẫn xem tình hình nộp, tải biểu tổng hợp)."""
        rnd = db.session().get(Round, round_id)
        if rnd is None:
            raise click.ClickException(f"Không có đợt số {round_id}.")
        from .admin import set_open
        set_open(_cli(), rnd, False)
        click.echo(f"Đã đóng đợt {rnd.id} ({rnd.unit.name}, «{rnd.form}» năm {rnd.year}).")

    @app.cli.command("issue-token")
    @click.argument("code")
    @click.option("--revoke-old", is_flag=True, help="thu hồi các mã cũ của đơn vị")
    def issue_token_cmd(code, revoke_old):
        """Cấp mã tải lên cho một đơn vị (chỉ in ra một lần)."""
        from .admin import new_token
        token = new_token(_cli(), _unit(code), revoke_old=revoke_old)
        unit = _unit(code)
        click.echo(token)
        click.echo(f"(mã tải lên của {unit.name}; chỉ hiện một lần, hãy lưu lại)", err=True)

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--password", prompt="Mật khẩu", hide_input=True, confirmation_prompt=True)
    @click.option("--unit", "code", default=None, help="mã đơn vị của tài khoản")
    @click.option("--admin", is_flag=True, help="quản trị: xem mọi đơn vị, mọi đợt")
    @click.option("--name", "full_name", default="")
    def create_user_cmd(username, password, code, admin, full_name):
        """Tạo (hoặc đặt lại mật khẩu) tài khoản."""
        if not admin and not code:
            raise click.ClickException("Cần --unit MÃ (tài khoản của một đơn vị) hoặc --admin.")
        from .admin import AdminError, save_user
        try:
            save_user(_cli(), username, password, _unit(code) if code else None, admin,
                      full_name)
        except AdminError as e:
            raise click.ClickException(str(e)) from None
        click.echo(f"Tài khoản «{username}» đã sẵn sàng.")

    @app.cli.command("demo")
    @click.option("--port", default=5000, help="cổng sẽ chạy máy chủ (để in lệnh curl)")
    def demo_cmd(port):
        """Dữ liệu mẫu năm đánh giá hiện hành theo tổ chức từ 01/7/2025: Đảng bộ tỉnh Lâm Đồng nhận
        báo cáo của các đảng ủy xã, phường và một đảng bộ trực thuộc; Đảng ủy xã Bảo Lâm 1 nhận báo
        cáo của các chi bộ rồi gửi báo cáo của xã lên tỉnh; tài khoản, mã tải lên, vài biểu đã
        gửi."""
        from .demo import run
        run(port=port)

    register_backup(app)


def register_backup(app: Flask) -> None:
    """`backup DEST`, `restore SRC`, `verify [SRC]` (server/backup.py does the work)."""

    def _problems(problems, header: str) -> None:
        click.echo(header, err=True)
        for p in problems:
            click.echo(f"  - {p}", err=True)
        raise SystemExit(1)

    @app.cli.command("backup")
    @click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
    def backup_cmd(dest: Path):
        """Sao lưu (khi máy chủ đang chạy): cơ sở dữ liệu, các tệp biểu, khóa bí mật, danh mục
        mã băm SHA-256 — vào thư mục DEST mới."""
        try:
            r = make_backup(dest)
        except BackupError as e:
            raise click.ClickException(str(e)) from None
        subs = "" if r.n_submissions is None else f"{r.n_submissions} lần nộp, "
        click.echo(f"Đã sao lưu vào {r.dest}: cơ sở dữ liệu ({subs}{r.n_files} tệp biểu), khóa "
                   "bí mật, danh mục mã băm.")
        if r.problems:
            _problems(r.problems, f"Chú ý: {len(r.problems)} tệp trong thư mục dữ liệu đã hỏng "
                                  "hoặc thiếu từ trước khi sao lưu:")

    @app.cli.command("restore")
    @click.argument("src", type=click.Path(exists=True, file_okay=False, path_type=Path))
    def restore_cmd(src: Path):
        """Khôi phục bản sao lưu SRC vào thư mục dữ liệu và cơ sở dữ liệu TRỐNG."""
        try:
            r = restore_backup(src)
        except BackupError as e:
            raise click.ClickException(str(e)) from None
        click.echo(f"Đã khôi phục {src} vào {r.dest}: {r.n_files} tệp biểu, cơ sở dữ liệu, khóa "
                   "bí mật. Khởi động lại máy chủ để dùng.")
        if r.problems:
            _problems(r.problems, "Sau khi khôi phục vẫn có tệp hỏng hoặc thiếu:")

    @app.cli.command("verify")
    @click.argument("src", required=False,
                    type=click.Path(exists=True, file_okay=False, path_type=Path))
    def verify_cmd(src: Path | None):
        """Kiểm tra từng tệp với mã băm: của bản sao lưu SRC, hoặc (không có SRC) của thư mục
        dữ liệu đang dùng. Mã thoát 1 khi có tệp hỏng hoặc thiếu."""
        try:
            problems = verify_backup(src) if src else verify_data()
        except BackupError as e:
            raise click.ClickException(str(e)) from None
        where = f"Bản sao lưu {src}" if src else f"Thư mục dữ liệu {app.config['DATA_DIR']}"
        if problems:
            _problems(problems, f"{where}: {len(problems)} tệp hỏng hoặc thiếu:")
        click.echo(f"{where} nguyên vẹn: mọi tệp khớp mã băm SHA-256.")
