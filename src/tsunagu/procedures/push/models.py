"""Push-type notice tables: where the reader of registry events stands, and every rule firing."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class PushCursor(Base):
    """The last registry change event the push rules have read (one row)."""

    __tablename__ = "push_cursor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)
    # the last day whose birthdays (age_reached rules) were read; None: start today
    birthdays_through: Mapped[date | None] = mapped_column(Date, nullable=True)


class PushFiring(Base):
    """One rule applied to one person for one event: eligible (and notified) or not. Unique, so a
    person hears once per rule and event."""

    __tablename__ = "push_firings"
    __table_args__ = (UniqueConstraint("rule_id", "resident_id", "event_id", name="uq_push_firings_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    resident_id: Mapped[str] = mapped_column(String(64), index=True)
    # every occurrence first reads who was already told of it: without its own index that read
    # scanned all firings (the unique constraint leads with rule_id), growing with every event
    event_id: Mapped[str] = mapped_column(String(64), index=True)
    subject_id: Mapped[str] = mapped_column(String(64), default="", index=True)  # whom the event is about
    eligible: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(16), default="")  # notified, not_eligible, declined
    message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PushDeclined(Base):
    """A kind of push-type notice (by life event) the person chose not to receive."""

    __tablename__ = "push_declined"
    __table_args__ = (UniqueConstraint("resident_id", "life_event", name="uq_push_declined"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[str] = mapped_column(String(64), index=True)
    life_event: Mapped[str] = mapped_column(String(32))
    declined_at: Mapped[datetime] = mapped_column(UTCDateTime)
