"""Tables of business accounts: accounts, procedure grants, password-reset tokens and the
representative records prime applications are checked against."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class BusinessAccount(Base):
    """gBizID プライム (kind "prime", one per corporation) or メンバー (kind "member")."""

    __tablename__ = "identity_business_accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    corporate_number: Mapped[str] = mapped_column(String(13), index=True)
    login_id: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_totp_step: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProcedureGrant(Base):
    """A procedure a member may act on for the corporation (granted by the prime account)."""

    __tablename__ = "identity_business_grants"
    __table_args__ = (UniqueConstraint("account_id", "procedure_code"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("identity_business_accounts.id", ondelete="CASCADE"))
    procedure_code: Mapped[str] = mapped_column(String(64))
    granted_by: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PasswordReset(Base):
    """A one-time password-reset token (hash only), sent to the account's login address."""

    __tablename__ = "identity_business_resets"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("identity_business_accounts.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Representative(Base):
    """代表者確認記録: who represents a corporation, as its commercial registration (商業登記) says.

    The 法人番号 registry publishes no representatives, so staff who checked the corporation's
    登記事項証明書 (or the demo seed) keep these records; a representative who steps down is ended,
    never deleted. A prime account is created only for an application signed by a current one.
    """

    __tablename__ = "identity_business_representatives"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    corporate_number: Mapped[str] = mapped_column(String(13), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(String(300))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SoleProprietorship(Base):
    """個人事業主のアカウント: a business account tied to the person who runs it (gBizID プライム for
    個人事業主), not to a 法人番号.

    The person is named by their own resident reference (the registry's id, never the 個人番号);
    the 屋号 is optional, the 事業所 address and 業種 are as declared. A person holds at most one
    open account (the partial unique index); 廃業 ends it with its date, never deletes it.
    """

    __tablename__ = "identity_business_sole_proprietors"
    __table_args__ = (
        Index(
            "uq_identity_business_sole_proprietor_open",
            "resident_id",
            unique=True,
            sqlite_where=text("closed_on IS NULL"),
            postgresql_where=text("closed_on IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    resident_id: Mapped[str] = mapped_column(String(64), index=True)
    trade_name: Mapped[str] = mapped_column(String(100), default="")
    office_address: Mapped[str] = mapped_column(String(300))
    industry: Mapped[str] = mapped_column(String(100))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
