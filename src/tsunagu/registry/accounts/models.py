"""公金受取口座登録簿 tables: one account per person, its history, and the test bank's ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class AccountsPublicMoney(Base):
    """The person's 公金受取口座 (one per person), registered after the bank confirmed its holder."""

    __tablename__ = "accounts_public_money"

    resident_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(4))
    branch_code: Mapped[str] = mapped_column(String(3))
    account_type: Mapped[str] = mapped_column(String(8))  # futsu 普通, toza 当座, chochiku 貯蓄
    account_number: Mapped[str] = mapped_column(String(7))
    holder_kana: Mapped[str] = mapped_column(String(48))  # 口座名義 in 全銀 kana, as verified
    verification_reference: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AccountsHistory(Base):
    """Every registration, change, deletion and refused verification (who, when, which bank)."""

    __tablename__ = "accounts_history"
    __table_args__ = (Index("ix_accounts_history_resident", "resident_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # registered, changed, deleted, refused
    bank_code: Mapped[str] = mapped_column(String(4), default="")
    branch_code: Mapped[str] = mapped_column(String(3), default="")
    outcome: Mapped[str] = mapped_column(String(16), default="")  # the bank's answer
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class AccountsTestBankAccount(Base):
    """テスト用銀行: the accounts the local test bank keeps, with 口座名義 as a bank records it."""

    __tablename__ = "accounts_test_bank_accounts"
    __table_args__ = (
        UniqueConstraint(
            "bank_code", "branch_code", "account_type", "account_number", name="uq_accounts_test_bank_account"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bank_code: Mapped[str] = mapped_column(String(4))
    branch_code: Mapped[str] = mapped_column(String(3))
    account_type: Mapped[str] = mapped_column(String(8))
    account_number: Mapped[str] = mapped_column(String(7))
    holder_kana: Mapped[str] = mapped_column(String(48))
    status: Mapped[str] = mapped_column(String(8), default="open")  # open, closed
