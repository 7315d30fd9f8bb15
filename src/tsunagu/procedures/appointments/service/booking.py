"""Booking, changing and cancelling a visit (住民・代理人), each confirmed in the お知らせ."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import Conflict
from tsunagu.core.sessions import Principal
from tsunagu.notify import service as inbox
from tsunagu.procedures import service as catalogue
from tsunagu.procedures import statemachine
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.appointments.models import ProceduresAppointmentBooking, ProceduresAppointmentSlot
from tsunagu.procedures.appointments.service.publishing import _require_appointment
from tsunagu.procedures.appointments.service.reading import _active_row, _booking, get_slot
from tsunagu.procedures.appointments.service.records import (
    BOOKING_ROUNDS,
    ApplicationClosed,
    Booking,
    BookingNotFound,
    ChangeClosed,
    Slot,
    SlotClosed,
    SlotFull,
    SlotNotForApplication,
)
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.models import ProceduresApplication
from tsunagu.procedures.registry import LiveRegistry


def _replayed(db: Session, application_id: str, key: str, slot_id: str) -> Booking | None:
    row = db.scalar(
        select(ProceduresAppointmentBooking).where(
            ProceduresAppointmentBooking.application_id == application_id,
            ProceduresAppointmentBooking.idempotency_key == key,
        )
    )
    if row is None:
        return None
    if row.slot_id != slot_id:
        raise applications.IdempotencyKeyReused(f"the key {key!r} was already used for another booking")
    return _booking(row, get_slot(db, row.slot_id))


def _matches(slot: Slot, app: applications.Application) -> None:
    if slot.organization_code != app.organization_code or slot.procedure_id not in ("", app.procedure_id):
        raise SlotNotForApplication(
            f"slot {slot.id} is not for {app.procedure_id} at {app.organization_code}", slot=slot.id
        )


def _still_open(slot: Slot, now: datetime) -> None:
    if slot.status != "open":
        raise SlotClosed("the slot was cancelled by the office", slot=slot.id, reason="cancelled")
    if slot.starts_at <= now:
        raise SlotClosed("the slot is in the past", slot=slot.id, reason="past")
    if slot.closes_at <= now:
        raise SlotClosed(f"booking closed at {slot.closes_at.isoformat()}", slot=slot.id, reason="cut-off")


def _take(db: Session, slot: Slot, now: datetime) -> None:
    """One place of the slot, or SlotFull: the WHERE is checked under the row's write lock."""
    taken = db.execute(
        update(ProceduresAppointmentSlot)
        .where(
            ProceduresAppointmentSlot.id == slot.id,
            ProceduresAppointmentSlot.status == "open",
            ProceduresAppointmentSlot.closes_at > now,
            ProceduresAppointmentSlot.booked < ProceduresAppointmentSlot.capacity,
        )
        .values(booked=ProceduresAppointmentSlot.booked + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 1:  # type: ignore[attr-defined]
        return
    _still_open(get_slot(db, slot.id), now)
    raise SlotFull("every place of this slot is taken; please choose another", slot=slot.id)


def _release(db: Session, row: ProceduresAppointmentBooking, status: str, reason: str) -> None:
    db.execute(
        update(ProceduresAppointmentSlot)
        .where(ProceduresAppointmentSlot.id == row.slot_id, ProceduresAppointmentSlot.booked > 0)
        .values(booked=ProceduresAppointmentSlot.booked - 1)
        .execution_options(synchronize_session=False)
    )
    row.status, row.reason, row.updated_at = status, reason, clock.now()
    row.active_application_id = None
    db.flush()


def _bring(procedure: Procedure) -> str:
    return "".join(f"\n・{item}" for item in bring(procedure))


def _tell(db: Session, app: applications.Application, title: str, body: str) -> None:
    """An お知らせ to the person, and to the proxy who applied for them."""
    for recipient in dict.fromkeys((app.subject_id, app.applicant_id)):
        inbox.deliver(
            db,
            recipient,
            sender=app.organization_code,
            kind="status",
            title=title,
            body=body,
            link=f"/applications/{app.id}/appointment",
        )


def _confirm(
    db: Session, procedure: Procedure, app: applications.Application, slot: Slot, *, changed: bool
) -> None:
    verb = "変更" if changed else "受付"
    _tell(
        db,
        app,
        f"来庁予約を{verb}しました（受付番号 {app.receipt_number}）",
        f"{procedure.name.ja}の来庁予約を{verb}しました。\n日時: {slot.wareki}（{slot.western}）\n"
        f"場所: {slot.place}\nお持ちいただくもの:{_bring(procedure) or ' なし'}\n"
        f"変更・取消しは {slot.local_closes:%Y-%m-%d %H:%M} まで",
    )


def book(
    db: Session,
    principal: Principal,
    procedure: Procedure,
    app: applications.Application,
    *,
    slot_id: str,
    key: str,
) -> tuple[Booking, bool]:
    """来庁予約をする (or change to ``slot_id``); (booking, created). The same key → the same booking."""
    _require_appointment(procedure)
    if app.status not in statemachine.OPEN:
        raise ApplicationClosed(f"the application is {app.status}")
    # bookings of one application queue here (PostgreSQL); SQLite writers are serialized anyway
    db.execute(select(ProceduresApplication.id).where(ProceduresApplication.id == app.id).with_for_update())
    earlier = _replayed(db, app.id, key, slot_id)
    if earlier is not None:
        return earlier, False
    now = clock.now()
    slot = get_slot(db, slot_id)
    current = _active_row(db, app.id)
    if current is not None and current.slot_id == slot_id:
        return _booking(current, slot), False
    if current is not None and not _booking(current, get_slot(db, current.slot_id)).changeable_at(now):
        raise ChangeClosed("the booked visit is past its cut-off and can no longer be changed")
    _matches(slot, app)
    _still_open(slot, now)
    _take(db, slot, now)
    if current is not None:
        _release(db, current, "changed", f"→ {slot_id}")
    row = ProceduresAppointmentBooking(
        id=uuid.uuid4().hex,
        slot_id=slot_id,
        application_id=app.id,
        active_application_id=app.id,
        resident_id=app.subject_id,
        booked_by=principal.subject_id,
        idempotency_key=key,
        status="booked",
        reason="",
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    db.flush()
    slot = get_slot(db, slot_id)
    applications.audit(
        db,
        app.id,
        principal,
        from_status=app.status,
        to_status=app.status,
        reason=f"来庁予約{'変更' if current else ''}: {slot.wareki}",
    )
    _confirm(db, procedure, app, slot, changed=current is not None)
    return _booking(row, slot), True


def of_application(
    db: Session, registry: LiveRegistry, principal: Principal, application_id: str
) -> tuple[Procedure, applications.Application]:
    """The principal's application (403 when not theirs) and its procedure's live definition."""
    app = applications.get_for(db, principal, application_id)
    return catalogue.get_procedure(registry, app.procedure_id), app


def bring(procedure: Procedure, locale: str = "ja") -> list[str]:
    """What to bring to the visit, from the definition."""
    return [item.text(locale) for item in (procedure.appointment.bring if procedure.appointment else ())]


def book_durably(
    database: Database,
    registry: LiveRegistry,
    principal: Principal,
    application_id: str,
    *,
    slot_id: str,
    key: str,
) -> tuple[Booking, bool]:
    """:func:`book` in its own transaction; a concurrent booking of the same application is retried.

    The retry sees the winner's booking: the same key replays it, another key changes it. Each
    round has a winner, so a few rounds settle even a burst of requests for one application.
    """
    for _attempt in range(BOOKING_ROUNDS):
        try:
            with database.session() as db:
                procedure, app = of_application(db, registry, principal, application_id)
                return book(db, principal, procedure, app, slot_id=slot_id, key=key)
        except IntegrityError:
            continue
    raise Conflict("the booking could not be stored; please try again")


def cancel(db: Session, principal: Principal, procedure: Procedure, app: applications.Application) -> Booking:
    """予約の取消し (by the person or their proxy) until the cut-off."""
    row = _active_row(db, app.id)
    if row is None or row.status != "booked":
        raise BookingNotFound("this application has no booked visit")
    slot = get_slot(db, row.slot_id)
    if not _booking(row, slot).changeable_at(clock.now()):
        raise ChangeClosed("the visit is past its cut-off; please call the office")
    _release(db, row, "cancelled", "取消し（申請者）")
    applications.audit(
        db,
        app.id,
        principal,
        from_status=app.status,
        to_status=app.status,
        reason=f"来庁予約取消し: {slot.wareki}",
    )
    _tell(
        db,
        app,
        f"来庁予約を取り消しました（受付番号 {app.receipt_number}）",
        f"{procedure.name.ja}の来庁予約（{slot.wareki}）を取り消しました。",
    )
    return _booking(row, get_slot(db, slot.id))
