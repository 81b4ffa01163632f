"""What the server keeps: units (a tree of any depth), accounts, API tokens, reporting rounds,
submissions (every upload, byte for byte, by sha256) and the collecting unit's decisions.

Times are stored in UTC. Secrets (passwords, tokens) are stored hashed only.
"""
from __future__ import annotations

import datetime as dt
import unicodedata

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Unit(Base):
    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(16))            # DB_TINH, DB_CTCS, DB_CS, …
    #: a TCCSĐ's sector (spec.domain.SECTORS: XA, CQ, SN, DN, LLVT, KHAC), SPEC §7.1
    linh_vuc: Mapped[str | None] = mapped_column(String(8))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.code")

    def __repr__(self):
        return f"<Unit {self.code}>"

    @validates("code", "name")
    def _nfc(self, key, value):
        """Codes and names stored composed (NFC), whatever keyboard typed them (issue 14)."""
        if not isinstance(value, str):
            return value
        value = unicodedata.normalize("NFC", value)
        return value.strip() if key == "code" else value


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    full_name: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()


class ApiToken(Base):
    """A unit's API token (the add-in's upload key). Only its sha256 is kept."""
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))   # first characters, to tell tokens apart
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    unit: Mapped[Unit] = relationship()


class Round(Base):
    """A reporting round: one form set and year, collected by one unit from its children."""
    __tablename__ = "round"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    form: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[dt.date] = mapped_column(Date)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # QD366's 25 % exception approved for the collecting unit: its decisions page and summary
    # allow XS up to the rule pack's exception share (TT_NgoaiLe25 = Có in the summary)
    ngoai_le_25: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # HD 43: units the collecting unit names as special (codes of its children) report by
    # `han_dac_thu` (default 15/01 of the next year) instead of `deadline` (default 31/12)
    dac_thu: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    han_dac_thu: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # the decision that granted the 25 % exception (number, date, body), shown beside the quota
    ngoai_le_25_qd: Mapped[str] = mapped_column(String(300), default="", server_default="")

    unit: Mapped[Unit] = relationship()

    __table_args__ = (UniqueConstraint("unit_id", "form", "year", name="uq_round_unit_form_year"),)

    def is_special(self, unit: Unit) -> bool:
        return bool(self.dac_thu) and unit.code in self.dac_thu

    def deadline_for(self, unit: Unit) -> dt.date:
        """The day `unit` must have reported by: the special units' day when it is one of them."""
        if self.han_dac_thu is not None and self.is_special(unit):
            return self.han_dac_thu
        return self.deadline


class Submission(Base):
    """One upload. The file lives in storage under `sha256`; a new upload is a new version."""
    __tablename__ = "submission"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255), default="")
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(String(120), default="")  # "token:ab12…" / "user:x"
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    template: Mapped[str] = mapped_column(String(40), default="")
    rule_pack: Mapped[str] = mapped_column(String(10), default="")
    valid: Mapped[bool] = mapped_column(Boolean, default=False)
    n_errors: Mapped[int] = mapped_column(Integer, default=0)
    n_warnings: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[list] = mapped_column(JSON, default=list)   # Finding.to_dict() each
    xep_loai: Mapped[str | None] = mapped_column(String(8))      # the unit's own proposal
    # the server's own reading of the stored bytes (workbook_templates.reading): inputs, computed
    # values, findings, and the engine that made them; the summary merges these instead of
    # reading every file again, and reads the file when the record is missing or stale
    reading: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    # «Trả lại»: the collecting office sent this version back with a comment; the unit must send
    # a new version (the dashboard shows it «Trả lại» until then)
    returned_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    returned_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    return_comment: Mapped[str | None] = mapped_column(Text, nullable=True)

    round: Mapped[Round] = relationship()
    unit: Mapped[Unit] = relationship()

    __table_args__ = (UniqueConstraint("round_id", "unit_id", "version",
                                       name="uq_submission_version"),)


class Decision(Base):
    """The collecting unit's decided rating (XS/TOT/HT/KHT) for one child in one round."""
    __tablename__ = "decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    xep_loai: Mapped[str] = mapped_column(String(8))
    # the rating decided for its party committee (TCCSĐ children only: row CUCS of the summary);
    # None: the committee counts by its own proposal (TT_XepLoaiCapUy)
    xep_loai_cap_uy: Mapped[str | None] = mapped_column(String(8), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    unit: Mapped[Unit] = relationship()

    __table_args__ = (UniqueConstraint("round_id", "unit_id", name="uq_decision_round_unit"),)


class WebLogin(Base):
    """One browser session of an account (issue 14). The signed cookie names it; logging out
    deletes it, so a copied cookie stops working at once, and `last_seen` ends it after the idle
    timeout on the server, whatever the browser keeps. Only the id's sha256 is stored."""
    __tablename__ = "web_login"
    sid_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LoginFailure(Base):
    """A failed login (web form or Basic), under "u:<account>" and "a:<address>": counted over
    a window to refuse guessing, shared by every worker process."""
    __tablename__ = "login_failure"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class Audit(Base):
    """One administrative act done in the browser or the command line: who, what, when — shown
    on the round's page so the office can tell who moved a deadline or returned a report."""
    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    who: Mapped[str] = mapped_column(String(120), default="")       # "user:x" / "cli"
    action: Mapped[str] = mapped_column(String(40))                  # close_round, return, …
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"), index=True,
                                                 nullable=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")           # Vietnamese, for people
