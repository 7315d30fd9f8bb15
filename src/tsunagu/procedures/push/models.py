"""Push-type notice tables: where the reader of registry events stands, and every rule firing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class PushCursor(Base):
    """The last registry change event the push rules have read (one row)."""

    __tablename__ = "push_cursor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)


class PushFiring(Base):
    """One rule applied to one person for one event: eligible (and notified) or not. Unique, so a
    person hears once per rule and event."""

    __tablename__ = "push_firings"
    __table_args__ = (UniqueConstraint("rule_id", "resident_id", "event_id", name="uq_push_firings_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    resident_id: Mapped[str] = mapped_column(String(64), index=True)
    event_id: Mapped[str] = mapped_column(String(64))
    eligible: Mapped[bool] = mapped_column(Boolean)
    message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime)
