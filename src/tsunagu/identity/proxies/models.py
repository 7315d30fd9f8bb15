"""Tables of proxy registrations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class ProxyGrant(Base):
    """Resident ``principal_id`` lets ``proxy_id`` act for them until ``ends_on`` (代理権)."""

    __tablename__ = "identity_proxy_grants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(64), index=True)
    proxy_id: Mapped[str] = mapped_column(String(64), index=True)
    procedures: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # None: every procedure
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
