"""Tables of the conformance part: checks of uploaded exports with their reports and statements
(適合性確認の結果), and the migration status of each municipality's business systems (移行 PMO)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class ConformanceCheck(Base):
    """One check of one system's export: queued, running (rows done), then passed, failed or error.

    ``statement`` is the signed conformance statement (JWS) a passed check yields."""

    __tablename__ = "conformance_checks"
    __table_args__ = (
        Index("ix_conformance_checks_system", "organization_code", "system_name", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organization_code: Mapped[str] = mapped_column(String(32))
    system_name: Mapped[str] = mapped_column(String(100))
    system_version: Mapped[str] = mapped_column(String(50))
    vendor_name: Mapped[str] = mapped_column(String(100))
    requirement_set: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued | running | passed | failed | error
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    must: Mapped[int] = mapped_column(Integer, default=0)
    should: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    statement: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MigrationStatus(Base):
    """移行状況: one municipality's system for one 標準化対象事務, and its move to the standard system."""

    __tablename__ = "conformance_migrations"
    __table_args__ = (
        UniqueConstraint("municipality_code", "business_area", name="uq_conformance_migration"),
        Index("ix_conformance_migrations_area", "business_area"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_code: Mapped[str] = mapped_column(String(6))
    municipality_name: Mapped[str] = mapped_column(String(50))
    prefecture: Mapped[str] = mapped_column(String(10))
    business_area: Mapped[str] = mapped_column(String(40))
    system_name: Mapped[str] = mapped_column(String(100))
    vendor_name: Mapped[str] = mapped_column(String(100))
    planned_date: Mapped[date] = mapped_column(Date)
    actual_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    latest_check_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    latest_result: Mapped[str] = mapped_column(String(16), default="")  # passed | failed | ""
