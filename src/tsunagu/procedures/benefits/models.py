"""給付金の支給 tables: each execution of a run (the audit of who produced which file) and one row
per (run, person) — the unique key that makes paying a person twice impossible."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class BenefitsExecution(Base):
    """One execution of a run (支給処理): who, when, the reference date and the file it produced."""

    __tablename__ = "benefits_executions"
    __table_args__ = (UniqueConstraint("run_id", "batch", name="uq_benefits_execution_batch"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(64))
    batch: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the run
    organization_code: Mapped[str] = mapped_column(String(6))
    reference_date: Mapped[date] = mapped_column(Date)  # 基準日
    transfer_date: Mapped[date] = mapped_column(Date)  # 振込指定日
    amount_yen: Mapped[int] = mapped_column(Integer)
    executed_by: Mapped[str] = mapped_column(String(64))  # the staff account
    executed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    eligible: Mapped[int] = mapped_column(Integer)
    transfers: Mapped[int] = mapped_column(Integer)  # data records in this batch's file
    total_yen: Mapped[int] = mapped_column(Integer)
    without_account: Mapped[int] = mapped_column(Integer)
    file_sha256: Mapped[str] = mapped_column(String(64))


class BenefitsPayment(Base):
    """A person's payment in a run: in a transfer file, waiting for an account, or returned."""

    __tablename__ = "benefits_payments"
    __table_args__ = (
        UniqueConstraint("run_id", "resident_id", name="uq_benefits_payment_person"),
        UniqueConstraint("run_id", "record_number", name="uq_benefits_payment_record"),
        Index("ix_benefits_payments_status", "run_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(64))
    resident_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # transferred, no_account, returned
    amount_yen: Mapped[int] = mapped_column(Integer)
    batch: Mapped[int | None] = mapped_column(Integer, nullable=True)
    record_number: Mapped[int | None] = mapped_column(Integer, nullable=True)  # data record, run-wide
    bank_code: Mapped[str] = mapped_column(String(4), default="")
    branch_code: Mapped[str] = mapped_column(String(3), default="")
    return_reason: Mapped[str] = mapped_column(String(32), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
