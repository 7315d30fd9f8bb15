"""JSON API of 来庁予約: free slots (anyone), publishing and the counter's day (職員),
an application's booking (住民・代理人) under /api/v1/procedures/applications/{id}/appointment."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http.auth import TRANSACTION, require_principal, require_resident, require_staff
from tsunagu.core.http.deps import database_of
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.core.http.params import OptionalDay
from tsunagu.core.sessions import Principal
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.appointments import service
from tsunagu.procedures.appointments.schemas import (
    BookingIn,
    BookingOut,
    CancelledSlotOut,
    CancelSlotIn,
    OutcomeIn,
    PublishedOut,
    ScheduledSlotOut,
    SlotIn,
    SlotOut,
    WeekIn,
)
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(prefix="/api/v1/procedures", tags=["appointments"])
MAX_RANGE_DAYS = 62


def _procedure_or_counter(registry: LiveRegistry, procedure_id: str) -> Procedure | None:
    return catalogue.get_procedure(registry, procedure_id) if procedure_id else None


@router.get("/appointments/slots", response_model=Page[SlotOut])
def free_slots(
    *,
    organization: str = Query(max_length=32, description="Organization code, e.g. 142018"),
    procedure: str = Query("", max_length=64, description="Procedure id; counter slots are included"),
    first_day: OptionalDay = Query(None, alias="from", description="First JST day (default today)"),
    last_day: OptionalDay = Query(None, alias="to", description="Last JST day (default 13 days on)"),
    page: PageParams = Depends(page_params),
    db: Session = TRANSACTION,
) -> Page[SlotOut]:
    """空き枠: open slots with room left that can still be booked, earliest first."""
    start, end = service.window(clock.today_jst().date())
    start, end = first_day or start, last_day or (first_day or start) + (end - start)
    if end < start or (end - start).days > MAX_RANGE_DAYS:
        raise ValidationFailed(
            f"'to' must be on or after 'from' and at most {MAX_RANGE_DAYS} days later",
            errors=[{"location": ["query", "to"], "message": "bad range", "type": "appointment-range"}],
        )
    found, total = service.free_slots(
        db,
        organization,
        procedure or None,
        first_day=start,
        last_day=end,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(items=[SlotOut.of(s) for s in found], total=total, limit=page.limit, offset=page.offset)


@router.post("/appointments/slots", response_model=SlotOut, status_code=201)
def publish_slot(
    body: SlotIn,
    staff: Principal = Depends(require_staff()),
    registry: LiveRegistry = Depends(live_registry),
    db: Session = TRANSACTION,
) -> SlotOut:
    """枠の公開: one slot of the staff member's organization (管理 or 審査)."""
    procedure = _procedure_or_counter(registry, body.procedure_id)
    return SlotOut.of(service.publish(db, staff, procedure, body.plan()))


@router.post("/appointments/slots/week", response_model=PublishedOut, status_code=201)
def publish_week(
    body: WeekIn,
    staff: Principal = Depends(require_staff()),
    registry: LiveRegistry = Depends(live_registry),
    db: Session = TRANSACTION,
) -> PublishedOut:
    """A week of slots at once (weekdays × opening hours ÷ interval); existing ones are skipped."""
    procedure = _procedure_or_counter(registry, body.procedure_id)
    plans = service.plan_week(body.plan(), after=clock.now())
    created, skipped = service.publish_many(db, staff, procedure, plans)
    return PublishedOut(created=len(created), skipped=skipped)


@router.post("/appointments/slots/{slot_id}/cancel", response_model=CancelledSlotOut)
def cancel_slot(
    slot_id: str,
    body: CancelSlotIn,
    staff: Principal = Depends(require_staff()),
    db: Session = TRANSACTION,
) -> CancelledSlotOut:
    """枠の取消し: its bookings are cancelled and each person gets an お知らせ."""
    slot, count = service.cancel_slot(db, staff, slot_id, body.reason)
    return CancelledSlotOut(slot=SlotOut.of(slot), cancelled_bookings=count)


@router.get("/appointments/schedule", response_model=list[ScheduledSlotOut])
def schedule(
    day: OptionalDay = Query(None, description="JST day (default today; 1868-01-01 to 2199-12-31)"),
    staff: Principal = Depends(require_staff()),
    db: Session = TRANSACTION,
) -> list[ScheduledSlotOut]:
    """予約一覧: the organization's slots of one day and who comes for which application."""
    found = service.schedule(db, staff.organization_code or "", day or clock.today_jst().date())
    return [ScheduledSlotOut.of(s) for s in found]


@router.post("/appointments/bookings/{booking_id}/outcome", response_model=BookingOut)
def record_outcome(
    booking_id: str, body: OutcomeIn, staff: Principal = Depends(require_staff()), db: Session = TRANSACTION
) -> BookingOut:
    """来庁済み / 来庁なし (from the day of the visit on)."""
    return BookingOut.of(service.record_outcome(db, staff, booking_id, body.outcome))


@router.get("/applications/{application_id}/appointment", response_model=BookingOut)
def get_booking(
    application_id: str,
    principal: Principal = Depends(require_principal),
    registry: LiveRegistry = Depends(live_registry),
    db: Session = TRANSACTION,
) -> BookingOut:
    """The application's booked visit (404 ``appointment-not-found`` when there is none)."""
    procedure, app = service.of_application(db, registry, principal, application_id)
    found = service.active_booking(db, app.id)
    if found is None:
        raise service.BookingNotFound("this application has no booked visit")
    return BookingOut.of(found, service.bring(procedure))


@router.post("/applications/{application_id}/appointment", response_model=BookingOut, status_code=201)
def book(
    application_id: str,
    body: BookingIn,
    request: Request,
    response: Response,
    *,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
) -> BookingOut:
    """来庁予約をする, or change to another slot; the same Idempotency-Key returns the same booking."""
    key = applications.require_key(idempotency_key)
    database = database_of(request)
    booking, created = service.book_durably(
        database, registry, person, application_id, slot_id=body.slot_id, key=key
    )
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/procedures/applications/{application_id}/appointment"
    with database.session() as db:
        procedure, _app = service.of_application(db, registry, person, application_id)
    return BookingOut.of(booking, service.bring(procedure))


@router.delete("/applications/{application_id}/appointment", response_model=BookingOut)
def cancel(
    application_id: str,
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
    db: Session = TRANSACTION,
) -> BookingOut:
    """予約の取消し, until the slot's cut-off."""
    procedure, app = service.of_application(db, registry, person, application_id)
    return BookingOut.of(service.cancel(db, person, procedure, app), service.bring(procedure))
