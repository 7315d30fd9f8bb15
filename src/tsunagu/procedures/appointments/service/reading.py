"""Rows to values: a slot, a booking, the active booking of an application."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.procedures.appointments.models import ProceduresAppointmentBooking, ProceduresAppointmentSlot
from tsunagu.procedures.appointments.service.records import Booking, Slot, SlotNotFound


def _slot(row: ProceduresAppointmentSlot) -> Slot:
    return Slot(
        row.id,
        row.organization_code,
        row.procedure_id,
        row.place,
        row.starts_at,
        row.ends_at,
        row.closes_at,
        row.capacity,
        row.booked,
        row.status,
    )


def _booking(row: ProceduresAppointmentBooking, slot: Slot) -> Booking:
    return Booking(
        row.id,
        slot,
        row.application_id,
        row.resident_id,
        row.booked_by,
        row.status,
        row.reason,
        row.created_at,
        row.updated_at,
    )


def get_slot(db: Session, slot_id: str) -> Slot:
    row = db.get(ProceduresAppointmentSlot, slot_id)
    if row is None:
        raise SlotNotFound(f"no appointment slot {slot_id!r}")
    return _slot(row)


def _active_row(db: Session, application_id: str) -> ProceduresAppointmentBooking | None:
    return db.scalar(
        select(ProceduresAppointmentBooking).where(
            ProceduresAppointmentBooking.active_application_id == application_id
        )
    )


def active_booking(db: Session, application_id: str) -> Booking | None:
    """The application's booked (or attended) visit, if any."""
    row = _active_row(db, application_id)
    return _booking(row, get_slot(db, row.slot_id)) if row is not None else None
