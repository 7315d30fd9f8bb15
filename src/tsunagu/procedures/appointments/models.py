"""Tables of 来庁予約: the slots an organization publishes and the bookings residents make."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class ProceduresAppointmentSlot(Base):
    """A visit time at a counter; ``booked`` only grows by a conditional UPDATE below ``capacity``."""

    __tablename__ = "procedures_appointment_slots"
    __table_args__ = (
        UniqueConstraint(
            "organization_code", "procedure_id", "place", "starts_at", name="uq_procedures_appointment_slot"
        ),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
        Index("ix_procedures_appointment_slots_day", "organization_code", "starts_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organization_code: Mapped[str] = mapped_column(String(32))
    # "" = the counter's slot, open to every procedure of the organization that needs a visit
    procedure_id: Mapped[str] = mapped_column(String(64), default="")
    place: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    # booking, changing and cancelling end here (the cut-off before the visit)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ProceduresAppointmentBooking(Base):
    """One application's booking of a slot; ``active_application_id`` makes it one active per application."""

    __tablename__ = "procedures_appointment_bookings"
    __table_args__ = (
        UniqueConstraint("application_id", "idempotency_key", name="uq_procedures_appointment_key"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    slot_id: Mapped[str] = mapped_column(ForeignKey("procedures_appointment_slots.id"), index=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("procedures_applications.id"), index=True)
    # the application id while booked or attended, NULL otherwise (NULLs never collide)
    active_application_id: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    resident_id: Mapped[str] = mapped_column(String(64), index=True)
    booked_by: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
