"""The counter (職員): cancelling a slot, recording whether a visitor came, the day's schedule, demo
slots.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import authz, clock
from tsunagu.core.authz import Operation
from tsunagu.core.sessions import Principal
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.appointments.models import ProceduresAppointmentBooking, ProceduresAppointmentSlot
from tsunagu.procedures.appointments.service.booking import _tell
from tsunagu.procedures.appointments.service.publishing import plan_week, publish_many
from tsunagu.procedures.appointments.service.reading import _booking, _slot
from tsunagu.procedures.appointments.service.records import (
    OUTCOMES,
    STATUS_NAMES,
    WINDOW_DAYS,
    Booking,
    BookingNotFound,
    OutcomeNotAllowed,
    ScheduledSlot,
    Slot,
    SlotClosed,
    SlotNotFound,
    Visit,
    WeekPlan,
)
from tsunagu.procedures.appointments.service.slots import day_start
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.models import ProceduresApplication
from tsunagu.registry.residents import service as residents


def _slot_of_staff(db: Session, staff: Principal, slot_id: str) -> ProceduresAppointmentSlot:
    authz.require(staff, Operation.PUBLISH_SLOTS)  # the role first: a 閲覧 learns nothing of slots
    row = db.get(ProceduresAppointmentSlot, slot_id, with_for_update=True)
    if row is None:
        raise SlotNotFound(f"no appointment slot {slot_id!r}")
    authz.require(staff, Operation.PUBLISH_SLOTS, organization=row.organization_code)
    return row


def cancel_slot(db: Session, staff: Principal, slot_id: str, reason: str) -> tuple[Slot, int]:
    """枠の取消し: every booking of the slot is cancelled and its person told; (slot, how many)."""
    row = _slot_of_staff(db, staff, slot_id)
    if row.status != "open":
        raise SlotClosed("the slot is already cancelled", slot=slot_id, reason="cancelled")
    now = clock.now()
    # closed first, so that no booking can slip in between reading the bookings and cancelling
    row.status, row.cancelled_at = "cancelled", now
    db.flush()
    slot = _slot(row)
    bookings = db.scalars(
        select(ProceduresAppointmentBooking).where(
            ProceduresAppointmentBooking.slot_id == slot_id, ProceduresAppointmentBooking.status == "booked"
        )
    ).all()
    why = reason.strip() or "窓口の都合"
    for booking in bookings:
        booking.status, booking.reason, booking.updated_at = "cancelled", f"枠の取消し: {why}", now
        booking.active_application_id = None
        app = applications.load(db, booking.application_id)
        applications.audit(
            db,
            app.id,
            staff,
            from_status=app.status,
            to_status=app.status,
            reason=f"来庁予約の枠を取消し: {slot.wareki}（{why}）",
        )
        _tell(
            db,
            app,
            f"来庁予約が取り消されました（受付番号 {app.receipt_number}）",
            f"{slot.wareki}の来庁予約は、{why}のため取り消されました。\n"
            "お手数ですが、別の日時をご予約ください。",
        )
    row.booked = 0
    db.flush()
    return _slot(row), len(bookings)


def record_outcome(db: Session, staff: Principal, booking_id: str, outcome: str) -> Booking:
    """来庁済み / 来庁なし, from the day of the visit on; a no-show may book again."""
    authz.require(staff, Operation.PUBLISH_SLOTS)
    if outcome not in OUTCOMES:
        raise OutcomeNotAllowed(f"unknown outcome {outcome!r}; use one of {', '.join(OUTCOMES)}")
    row = db.get(ProceduresAppointmentBooking, booking_id, with_for_update=True)
    if row is None:
        raise BookingNotFound(f"no booking {booking_id!r}")
    slot = _slot(_slot_of_staff(db, staff, row.slot_id))
    if row.status != "booked":
        raise OutcomeNotAllowed(f"the booking is {row.status}")
    if slot.day > clock.today_jst().date():
        raise OutcomeNotAllowed("a visit can be marked from its day on")
    row.status, row.updated_at = outcome, clock.now()
    if outcome == "no_show":
        row.active_application_id = None
    app = applications.load(db, row.application_id)
    applications.audit(
        db,
        app.id,
        staff,
        from_status=app.status,
        to_status=app.status,
        reason=f"{STATUS_NAMES[outcome]}: {slot.wareki}",
    )
    db.flush()
    return _booking(row, slot)


def schedule(db: Session, organization: str, day: date) -> list[ScheduledSlot]:
    """予約一覧 of one JST day: every slot, and who comes for which application."""
    slots = db.scalars(
        select(ProceduresAppointmentSlot)
        .where(
            ProceduresAppointmentSlot.organization_code == organization,
            ProceduresAppointmentSlot.starts_at >= day_start(day),
            ProceduresAppointmentSlot.starts_at < day_start(day + timedelta(days=1)),
        )
        .order_by(ProceduresAppointmentSlot.starts_at, ProceduresAppointmentSlot.place)
    ).all()
    found = db.execute(
        select(
            ProceduresAppointmentBooking,
            ProceduresApplication.receipt_number,
            ProceduresApplication.procedure_id,
        )
        .join(ProceduresApplication, ProceduresApplication.id == ProceduresAppointmentBooking.application_id)
        .where(ProceduresAppointmentBooking.slot_id.in_([s.id for s in slots]))
        .order_by(ProceduresAppointmentBooking.created_at)
    ).all()
    result = []
    for row in slots:
        slot = _slot(row)
        visits = tuple(
            Visit(_booking(b, slot), receipt, procedure_id, _name_of(db, b.resident_id))
            for b, receipt, procedure_id in found
            if b.slot_id == row.id
        )
        result.append(ScheduledSlot(slot, visits))
    return result


def _name_of(db: Session, resident_id: str) -> str:
    person = residents.get_resident(db, resident_id)
    return person.name.full if person is not None else resident_id


def seed_demo(db: Session, procedure: Procedure, organizations: Iterable[str]) -> int:
    """Demo slots for the next ``WINDOW_DAYS`` days (weekdays 9:00–16:00, every 30 minutes, 2 places).

    Relative to the clock and idempotent: slots that already exist are skipped; returns how many
    were created.
    """
    now = clock.now()
    plan = WeekPlan(
        procedure.id,
        "",
        clock.today_jst().date(),
        (0, 1, 2, 3, 4),
        time(9),
        time(16),
        30,
        2,
        days=WINDOW_DAYS,
    )
    created = 0
    for organization in organizations:
        publisher = Principal(
            kind="staff", subject_id="seed", organization_code=organization, roles=frozenset({"管理"})
        )
        created += len(publish_many(db, publisher, procedure, plan_week(plan, after=now))[0])
    return created
