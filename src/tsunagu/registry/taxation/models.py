"""The 課税台帳's table: one assessment per resident and fiscal year, corrected in place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class TaxationAssessment(Base):
    """住民税の賦課: a resident's 総所得金額等 for a fiscal year and whether 住民税 is levied (課税) or
    not (非課税: 均等割も所得割も課されない). A correction (更正) raises the revision."""

    __tablename__ = "taxation_assessments"
    __table_args__ = (UniqueConstraint("resident_id", "fiscal_year", name="uq_taxation_assessments_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[str] = mapped_column(String(32), index=True)
    municipality_code: Mapped[str] = mapped_column(String(6))
    fiscal_year: Mapped[int] = mapped_column(Integer)  # 賦課年度 (令和8年度 = 2026)
    total_income: Mapped[int] = mapped_column(Integer)  # 総所得金額等（円）
    taxable: Mapped[bool] = mapped_column(Boolean)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
