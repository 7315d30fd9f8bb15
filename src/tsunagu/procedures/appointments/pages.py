"""来庁予約 pages: the person books, changes or cancels a visit; the counter publishes slots,
sees the day's visitors and marks them. No JavaScript: every action is a form."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import TsunaguError
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_resident, require_staff
from tsunagu.core.http.deps import AppDatabase, database_of
from tsunagu.core.http.params import Day, OptionalDay
from tsunagu.core.http.templating import locale_of, render
from tsunagu.core.sessions import Principal
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.appointments import service
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.protect)])
STAFF = "/staff/appointments"
# what the person reads when a booking is refused (the problem code → a message id)
REFUSALS = {
    service.SlotFull.code: "この枠は満員になりました。別の枠を選んでください。",
    service.SlotClosed.code: "この枠は予約の受付を終了しました。別の枠を選んでください。",
    service.ChangeClosed.code: "変更・取消しの期限を過ぎています。窓口へお電話ください。",
    service.SlotNotFound.code: "この枠は見つかりません。別の枠を選んでください。",
    service.SlotNotForApplication.code: "この枠はこの申請では予約できません。",
    service.BookingNotFound.code: "取り消す予約がありません。",
}
WEEKDAY_NAMES = ("月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日")
DONE = {"booked": "来庁予約を受け付けました。", "cancelled": "来庁予約を取り消しました。"}


def _booking_page(
    request: Request,
    db: Session,
    registry: LiveRegistry,
    person: Principal,
    application_id: str,
    *,
    day: str = "",
    not_before: date | None = None,
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """A phone-sized picker in two steps without JavaScript: the days with free times, then the times
    of the chosen ``day``. ``not_before`` keeps the days on or after a date the application sets."""
    procedure, app = service.of_application(db, registry, person, application_id)
    if not service.needs_appointment(procedure):
        raise service.AppointmentNotNeeded(f"{procedure.id} is done without a visit")
    not_before = not_before or service.earliest_visit(procedure, app.data)
    first, last = service.window(clock.today_jst().date(), not_before)
    slots, _total = service.free_slots(
        db, app.organization_code, app.procedure_id, first_day=first, last_day=last, limit=500, offset=0
    )
    days = service.by_day(slots)
    chosen = next((d for d in days if d[0].isoformat() == day), None)
    current = service.active_booking(db, app.id)
    return render(
        request,
        "procedures/appointments/book.html",
        {
            "app": app,
            "p": procedure,
            "days": days,
            "chosen": chosen,
            "first_day": first,
            "last_day": last,
            "booking": current,
            "can_change": current is not None and current.changeable_at(clock.now()),
            "bring": service.bring(procedure, locale_of(request)),
            "key": uuid.uuid4().hex,
            "message": message,
            "error": error,
            "names": service.STATUS_NAMES,
        },
        status_code,
    )


@router.get("/applications/{application_id}/appointment", response_class=HTMLResponse)
def booking_page(
    request: Request,
    application_id: str,
    *,
    done: str = Query("", pattern="^(|booked|cancelled)$"),
    day: str = Query("", max_length=10),
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """来庁予約をする: the days with free times (14 days), then the times of the chosen day; the booked
    visit, where it is and what to bring."""
    return _booking_page(request, db, registry, person, application_id, day=day, message=DONE.get(done, ""))


def _refused(
    request: Request, registry: LiveRegistry, person: Principal, application_id: str, exc: TsunaguError
) -> HTMLResponse:
    with database_of(request).session() as db:
        return _booking_page(
            request, db, registry, person, application_id, error=REFUSALS[exc.code], status_code=exc.status
        )


@router.post("/applications/{application_id}/appointment")
def book(
    request: Request,
    database: AppDatabase,
    application_id: str,
    *,
    slot_id: str = Form(..., max_length=32),
    idempotency_key: str = Form(..., max_length=128),
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
) -> Response:
    try:
        service.book_durably(
            database,
            registry,
            person,
            application_id,
            slot_id=slot_id,
            key=idempotency_key,
        )
    except (
        service.SlotFull,
        service.SlotClosed,
        service.ChangeClosed,
        service.SlotNotFound,
        service.SlotNotForApplication,
    ) as exc:
        return _refused(request, registry, person, application_id, exc)
    return RedirectResponse(f"/applications/{application_id}/appointment?done=booked", status_code=303)


@router.post("/applications/{application_id}/appointment/cancel")
def cancel(
    request: Request,
    database: AppDatabase,
    application_id: str,
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
) -> Response:
    try:
        with database.session() as db:
            procedure, app = service.of_application(db, registry, person, application_id)
            service.cancel(db, person, procedure, app)
    except (service.ChangeClosed, service.BookingNotFound) as exc:
        return _refused(request, registry, person, application_id, exc)
    return RedirectResponse(f"/applications/{application_id}/appointment?done=cancelled", status_code=303)


# ------------------------------------------------------------------ the counter (職員)


def _day_page(
    request: Request, db: Session, staff: Principal, day: date, registry: LiveRegistry
) -> HTMLResponse:
    return render(
        request,
        "procedures/appointments/staff_day.html",
        {
            "day": day,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "slots": service.schedule(db, staff.organization_code or "", day),
            "procedures": registry.snapshot().procedures,
            "names": service.STATUS_NAMES,
            "today": clock.today_jst().date(),
            "can_publish": service.may_publish(staff),
        },
    )


@router.get(STAFF, response_class=HTMLResponse)
def day_view(
    request: Request,
    day: OptionalDay = Query(None),
    staff: Principal = Depends(require_staff()),
    registry: LiveRegistry = Depends(live_registry),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """予約一覧: the day's slots, who comes for which application, 来庁済み / 来庁なし."""
    return _day_page(request, db, staff, day or clock.today_jst().date(), registry)


def _publish_page(
    request: Request, registry: LiveRegistry, *, errors: list[str] | None = None, status_code: int = 200
) -> HTMLResponse:
    procedures = {k: p for k, p in registry.snapshot().procedures.items() if service.needs_appointment(p)}
    return render(
        request,
        "procedures/appointments/publish.html",
        {
            "procedures": procedures,
            "first_day": clock.today_jst().date() + timedelta(days=1),
            "weekdays": WEEKDAY_NAMES,
            "errors": errors or [],
        },
        status_code,
    )


@router.get(STAFF + "/publish", response_class=HTMLResponse)
def publish_form(
    request: Request,
    staff: Principal = Depends(require_staff()),
    registry: LiveRegistry = Depends(live_registry),
) -> HTMLResponse:
    """枠の公開: a week of slots from a form (days, times, interval, capacity)."""
    service.require_publisher(staff)
    return _publish_page(request, registry)


@router.post(STAFF + "/publish")
def publish_week(
    request: Request,
    database: AppDatabase,
    *,
    procedure_id: str = Form("", max_length=64),
    place: str = Form("", max_length=200),
    first_day: Day = Form(...),
    days: int = Form(7, ge=1, le=31),
    weekdays: list[int] = Form(default_factory=list),
    opens: time = Form(...),
    closes: time = Form(...),
    interval_minutes: int = Form(30, ge=5, le=480),
    capacity: int = Form(..., ge=1, le=service.MAX_CAPACITY),
    cutoff_minutes: int = Form(60, ge=0, le=service.MAX_CUTOFF_MINUTES),
    staff: Principal = Depends(require_staff()),
    registry: LiveRegistry = Depends(live_registry),
) -> Response:
    plan = service.WeekPlan(
        procedure_id,
        place,
        first_day,
        tuple(weekdays),
        opens,
        closes,
        interval_minutes,
        capacity,
        days,
        cutoff_minutes,
    )
    procedure = registry.snapshot().procedures.get(procedure_id) if procedure_id else None
    try:
        with database.session() as db:
            service.publish_many(db, staff, procedure, service.plan_week(plan, after=clock.now()))
    except service.InvalidSlot as exc:
        return _publish_page(
            request, registry, errors=[str(e["message"]) for e in exc.errors], status_code=422
        )
    return RedirectResponse(f"{STAFF}?day={first_day.isoformat()}", status_code=303)


@router.post(STAFF + "/slots/{slot_id}/cancel")
def cancel_slot(
    slot_id: str,
    reason: str = Form("", max_length=500),
    staff: Principal = Depends(require_staff()),
    db: Session = TRANSACTION,
) -> RedirectResponse:
    """枠の取消し: the booked people are told in their お知らせ."""
    slot, _count = service.cancel_slot(db, staff, slot_id, reason)
    return RedirectResponse(f"{STAFF}?day={slot.day.isoformat()}", status_code=303)


@router.post(STAFF + "/bookings/{booking_id}/outcome")
def record_outcome(
    booking_id: str,
    outcome: str = Form(..., pattern="^(attended|no_show)$"),
    staff: Principal = Depends(require_staff()),
    db: Session = TRANSACTION,
) -> RedirectResponse:
    booking = service.record_outcome(db, staff, booking_id, outcome)
    return RedirectResponse(f"{STAFF}?day={booking.slot.day.isoformat()}", status_code=303)
