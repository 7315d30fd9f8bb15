"""Tables of the open corporate information (法人活動情報): subsidy and procurement records, and
the API clients with their keys (hash only) and usage counts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class CorpinfoSubsidy(Base):
    """補助金等の交付決定: one award to one corporation, as the granting body published it."""

    __tablename__ = "corpinfo_subsidies"
    __table_args__ = (
        Index("ix_corpinfo_subsidies_number", "corporate_number", "approved_on"),
        UniqueConstraint("source", "source_id", name="uq_corpinfo_subsidies_source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    corporate_number: Mapped[str] = mapped_column(String(13))
    approved_on: Mapped[date] = mapped_column(Date)  # 交付決定日 (gBizINFO: date_of_approval)
    title: Mapped[str] = mapped_column(String(300))  # 補助金等の名称
    target: Mapped[str] = mapped_column(String(300), default="")  # 補助対象の事業
    amount_yen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 交付決定額
    government_department: Mapped[str] = mapped_column(String(100))  # 府省・交付元
    source: Mapped[str] = mapped_column(String(100))  # the file (or system) it came from
    source_id: Mapped[str] = mapped_column(String(100))  # the record's id in that source
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CorpinfoProcurement(Base):
    """調達の契約 (落札): one contract awarded to one corporation, as the buyer published it."""

    __tablename__ = "corpinfo_procurements"
    __table_args__ = (
        Index("ix_corpinfo_procurements_number", "corporate_number", "ordered_on"),
        UniqueConstraint("source", "source_id", name="uq_corpinfo_procurements_source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    corporate_number: Mapped[str] = mapped_column(String(13))
    ordered_on: Mapped[date] = mapped_column(Date)  # 契約日 (gBizINFO: date_of_order)
    title: Mapped[str] = mapped_column(String(300))  # 調達件名
    amount_yen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 契約金額
    government_department: Mapped[str] = mapped_column(String(100))  # 調達機関
    source: Mapped[str] = mapped_column(String(100))
    source_id: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CorpinfoClient(Base):
    """An API client and its key: only the key's SHA-256 is kept (the key is shown once)."""

    __tablename__ = "corpinfo_clients"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(254))
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(12))  # to recognise a key in lists, not to use it
    per_minute: Mapped[int] = mapped_column(Integer)
    per_day: Mapped[int] = mapped_column(Integer)
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class CorpinfoUsage(Base):
    """Requests of one client in one period: a day in Asia/Tokyo (kind "day", the usage count)
    or a minute (kind "minute", the rate window; old minutes are pruned)."""

    __tablename__ = "corpinfo_usage"
    __table_args__ = (UniqueConstraint("client_id", "kind", "period", name="uq_corpinfo_usage_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))
    period: Mapped[datetime] = mapped_column(UTCDateTime)  # the start of the day (JST) or minute
    requests: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
