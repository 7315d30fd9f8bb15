"""来庁予約: slots an organization publishes, and one booking per application that needs a visit.

A slot's ``booked`` counter grows only by a conditional UPDATE (``booked < capacity``), so
concurrent bookings can never exceed the capacity on either backend; the unique
``active_application_id`` keeps one active booking per application. Booking, changing and
cancelling close at the slot's cut-off (``closes_at``); each is audited on the application and
confirmed in the person's お知らせ.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import Conflict, NotFound, ValidationFailed
from tsunagu.core.http.auth import require_same_organization
from tsunagu.core.sessions import Principal
from tsunagu.core.types.wareki import format_wareki
from tsunagu.notify import service as inbox
from tsunagu.procedures import service as catalogue
from tsunagu.procedures import statemachine
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.appointments.models import ProceduresAppointmentBooking, ProceduresAppointmentSlot
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.models import ProceduresApplication
from tsunagu.procedures.registry import LiveRegistry
from tsunagu.registry.residents import service as residents

DEFAULT_CUTOFF = timedelta(hours=1)
WINDOW_DAYS = 14
MAX_CAPACITY = 100
MAX_CUTOFF_MINUTES = 7 * 24 * 60
WEEKDAYS = "月火水木金土日"
BOOKING_ROUNDS = 8
STATUS_NAMES = {
    "booked": "予約中",
    "cancelled": "取消し",
    "changed": "変更済み",
    "attended": "来庁済み",
    "no_show": "来庁なし",
}
OUTCOMES = ("attended", "no_show")


class AppointmentNotNeeded(Conflict):
    code = "appointment-not-required"
    title = "This procedure needs no visit, so there is nothing to book"


class ApplicationClosed(Conflict):
    code = "appointment-application-closed"
    title = "The application is decided or withdrawn; no visit can be booked"


class SlotNotFound(NotFound):
    code = "appointment-slot-not-found"
    title = "Appointment slot not found"


class SlotNotForApplication(Conflict):
    code = "appointment-slot-mismatch"
    title = "This slot is for another organization or procedure"


class SlotFull(Conflict):
    code = "appointment-slot-full"
    title = "The slot is fully booked"


class SlotClosed(Conflict):
    code = "appointment-slot-closed"
    title = "The slot can no longer be booked (past, after its cut-off, or cancelled)"


class ChangeClosed(Conflict):
    code = "appointment-change-closed"
    title = "The booking can no longer be changed or cancelled (its cut-off has passed)"


class BookingNotFound(NotFound):
    code = "appointment-not-found"
    title = "No active booking"


class OutcomeNotAllowed(Conflict):
    code = "appointment-outcome-not-allowed"
    title = "The visit cannot be marked now"


class InvalidSlot(ValidationFailed):
    code = "appointment-invalid-slot"
    title = "The slot is not valid"


@dataclass(frozen=True)
class Slot:
    id: str
    organization_code: str
    procedure_id: str
    place: str
    starts_at: datetime
    ends_at: datetime
    closes_at: datetime
    capacity: int
    booked: int
    status: str

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0) if self.status == "open" else 0

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(clock.JST)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(clock.JST)

    @property
    def day(self) -> date:
        return self.local_start.date()

    @property
    def hours(self) -> str:
        return f"{self.local_start:%H:%M}〜{self.local_end:%H:%M}"

    @property
    def local_closes(self) -> datetime:
        return self.closes_at.astimezone(clock.JST)

    @property
    def wareki_day(self) -> str:
        """令和8年11月25日（水）"""
        return f"{format_wareki(self.day)}（{WEEKDAYS[self.day.weekday()]}）"

    @property
    def wareki(self) -> str:
        """令和8年11月25日（水） 10:00〜10:30"""
        return f"{self.wareki_day} {self.hours}"

    @property
    def western(self) -> str:
        """2026-11-25 10:00–10:30 (JST)"""
        return f"{self.day.isoformat()} {self.local_start:%H:%M}–{self.local_end:%H:%M} (JST)"


@dataclass(frozen=True)
class Booking:
    id: str
    slot: Slot
    application_id: str
    resident_id: str
    booked_by: str
    status: str
    reason: str
    created_at: datetime
    updated_at: datetime

    def changeable_at(self, at: datetime) -> bool:
        return self.status == "booked" and at < self.slot.closes_at


@dataclass(frozen=True)
class Visit:
    """A booking as the counter sees it: who comes for which application."""

    booking: Booking
    receipt_number: str
    procedure_id: str
    resident_name: str


@dataclass(frozen=True)
class ScheduledSlot:
    slot: Slot
    visits: tuple[Visit, ...]


@dataclass(frozen=True)
class SlotPlan:
    """One slot to publish; ``procedure_id`` "" makes it a counter slot for every such procedure."""

    procedure_id: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    cutoff_minutes: int = int(DEFAULT_CUTOFF.total_seconds() // 60)


@dataclass(frozen=True)
class WeekPlan:
    """A week of slots from a form: which weekdays, opening hours, slot length and capacity."""

    procedure_id: str
    place: str
    first_day: date
    weekdays: tuple[int, ...]
    opens: time
    closes: time
    interval_minutes: int
    capacity: int
    days: int = 7
    cutoff_minutes: int = int(DEFAULT_CUTOFF.total_seconds() // 60)


# ------------------------------------------------------------------ rows → values


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


# ------------------------------------------------------------------ publishing (職員)


def needs_appointment(procedure: Procedure) -> bool:
    return procedure.appointment is not None and procedure.appointment.required


def _require_appointment(procedure: Procedure) -> None:
    if not needs_appointment(procedure):
        raise AppointmentNotNeeded(
            f"{procedure.id} is done without a visit (its definition does not ask for an appointment)",
            procedure=procedure.id,
        )


def _problem(field: str, message: str) -> dict[str, object]:
    return {"location": ["body", field], "message": message, "type": "appointment-slot"}


def _check(plan: SlotPlan, now: datetime) -> None:
    errors = []
    if plan.starts_at <= now:
        errors.append(_problem("starts_at", "the slot must start in the future"))
    if plan.ends_at <= plan.starts_at:
        errors.append(_problem("ends_at", "the slot must end after it starts"))
    if not 1 <= plan.capacity <= MAX_CAPACITY:
        errors.append(_problem("capacity", f"between 1 and {MAX_CAPACITY} visitors"))
    if not 0 <= plan.cutoff_minutes <= MAX_CUTOFF_MINUTES:
        errors.append(_problem("cutoff_minutes", f"between 0 and {MAX_CUTOFF_MINUTES} minutes"))
    if not plan.place.strip() or len(plan.place) > 200:
        errors.append(_problem("place", "1 to 200 characters"))
    if errors:
        raise InvalidSlot("the slot is not valid: " + "; ".join(str(e["message"]) for e in errors), errors)


def _with_place(procedure: Procedure | None, plan: SlotPlan) -> SlotPlan:
    """A slot without a place takes the definition's (the counter the YAML names)."""
    if plan.place.strip() or procedure is None or procedure.appointment is None:
        return plan
    place = procedure.appointment.place
    return replace(plan, place=place.ja if place is not None else "")


def publish(db: Session, staff: Principal, procedure: Procedure | None, plan: SlotPlan) -> Slot:
    """枠の公開: one slot of the staff member's organization (409 when it already exists)."""
    created, _skipped = publish_many(db, staff, procedure, [plan])
    if not created:
        raise Conflict("a slot at this place and time already exists")
    return created[0]


def publish_many(
    db: Session, staff: Principal, procedure: Procedure | None, plans: Sequence[SlotPlan]
) -> tuple[list[Slot], int]:
    """Publish every plan; (created slots, skipped because the same slot already exists)."""
    if procedure is not None:
        _require_appointment(procedure)
    organization = staff.organization_code or ""
    now = clock.now()
    plans = [_with_place(procedure, p) for p in plans]
    for plan in plans:
        _check(plan, now)
    existing: set[tuple[str, str, datetime]] = {
        (procedure_id, place, starts_at)
        for procedure_id, place, starts_at in db.execute(
            select(ProceduresAppointmentSlot.procedure_id, ProceduresAppointmentSlot.place,
                   ProceduresAppointmentSlot.starts_at).where(
                ProceduresAppointmentSlot.organization_code == organization,
                ProceduresAppointmentSlot.starts_at.in_([p.starts_at for p in plans]),
            )
        )
    }
    created: list[Slot] = []
    for plan in plans:
        if (plan.procedure_id, plan.place, plan.starts_at) in existing:
            continue
        existing.add((plan.procedure_id, plan.place, plan.starts_at))
        row = ProceduresAppointmentSlot(
            id=uuid.uuid4().hex,
            organization_code=organization,
            procedure_id=plan.procedure_id,
            place=plan.place,
            starts_at=plan.starts_at,
            ends_at=plan.ends_at,
            closes_at=plan.starts_at - timedelta(minutes=plan.cutoff_minutes),
            capacity=plan.capacity,
            booked=0,
            status="open",
            created_by=staff.subject_id,
            created_at=now,
        )
        db.add(row)
        created.append(_slot(row))
    db.flush()
    return created, len(plans) - len(created)


def plan_week(plan: WeekPlan, *, after: datetime) -> list[SlotPlan]:
    """The slots of a week plan that start after ``after`` (JST opening hours, back to UTC)."""
    problems = []
    if not 5 <= plan.interval_minutes <= 480:
        problems.append(_problem("interval_minutes", "between 5 and 480 minutes"))
    if plan.closes <= plan.opens:
        problems.append(_problem("closes", "closing time must be after opening time"))
    if not plan.weekdays or any(not 0 <= d <= 6 for d in plan.weekdays):
        problems.append(_problem("weekdays", "choose at least one weekday"))
    if not 1 <= plan.days <= 31:
        problems.append(_problem("days", "between 1 and 31 days"))
    if problems:
        raise InvalidSlot("the week plan is not valid", problems)
    step = timedelta(minutes=plan.interval_minutes)
    slots = []
    for offset in range(plan.days):
        day = plan.first_day + timedelta(days=offset)
        if day.weekday() not in plan.weekdays:
            continue
        start = datetime.combine(day, plan.opens, clock.JST)
        closing = datetime.combine(day, plan.closes, clock.JST)
        while start + step <= closing:
            if start > after:
                slots.append(
                    SlotPlan(plan.procedure_id, plan.place, start.astimezone(UTC),
                             (start + step).astimezone(UTC), plan.capacity, plan.cutoff_minutes)
                )
            start += step
    return slots


# ------------------------------------------------------------------ finding free slots


def _for_procedure(organization: str, procedure_id: str | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [ProceduresAppointmentSlot.organization_code == organization]
    if procedure_id:
        where.append(ProceduresAppointmentSlot.procedure_id.in_([procedure_id, ""]))
    return where


def day_start(day: date) -> datetime:
    """The first moment of a JST day, in UTC."""
    return datetime.combine(day, time(0), clock.JST).astimezone(UTC)


def free_slots(
    db: Session,
    organization: str,
    procedure_id: str | None,
    *,
    first_day: date,
    last_day: date,
    limit: int,
    offset: int,
) -> tuple[list[Slot], int]:
    """Open slots with room left that can still be booked, between two JST days, earliest first."""
    where = [
        *_for_procedure(organization, procedure_id),
        ProceduresAppointmentSlot.status == "open",
        ProceduresAppointmentSlot.booked < ProceduresAppointmentSlot.capacity,
        ProceduresAppointmentSlot.closes_at > clock.now(),
        ProceduresAppointmentSlot.starts_at >= day_start(first_day),
        ProceduresAppointmentSlot.starts_at < day_start(last_day + timedelta(days=1)),
    ]
    total = db.scalar(select(func.count()).select_from(ProceduresAppointmentSlot).where(*where)) or 0
    rows = db.scalars(
        select(ProceduresAppointmentSlot)
        .where(*where)
        .order_by(ProceduresAppointmentSlot.starts_at, ProceduresAppointmentSlot.place)
        .limit(limit)
        .offset(offset)
    )
    return [_slot(r) for r in rows], total


def window(today: date, not_before: date | None = None) -> tuple[date, date]:
    """The days a resident chooses from: ``WINDOW_DAYS`` days from today, or from ``not_before``
    when the visit cannot come earlier (a 転入 visit on or after the move date)."""
    first = max(today, not_before) if not_before is not None else today
    return first, first + timedelta(days=WINDOW_DAYS - 1)


def earliest_visit(procedure: Procedure, data: Mapping[str, Any]) -> date | None:
    """The first day a visit may be, from the definition's date rules: a date field bound to
    another (来庁希望日 on or after the 転入予定日) keeps visits on or after that day."""
    days = []
    for form_field in procedure.fields:
        rule = form_field.dates.from_field if form_field.dates else None
        base = data.get(rule.field) if rule else None
        if rule is not None and isinstance(base, str):
            days.append(date.fromisoformat(base) + timedelta(days=rule.min_days or 0))
    return max(days, default=None)


def by_day(slots: Iterable[Slot]) -> list[tuple[date, list[Slot]]]:
    return [(day, list(group)) for day, group in groupby(slots, key=lambda s: s.day)]


# ------------------------------------------------------------------ booking (住民・代理人)


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
            db, recipient, sender=app.organization_code, kind="status", title=title, body=body,
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
        db, app.id, principal, from_status=app.status, to_status=app.status,
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
    database: Database, registry: LiveRegistry, principal: Principal, application_id: str, *,
    slot_id: str, key: str,
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
        db, app.id, principal, from_status=app.status, to_status=app.status,
        reason=f"来庁予約取消し: {slot.wareki}",
    )
    _tell(
        db, app, f"来庁予約を取り消しました（受付番号 {app.receipt_number}）",
        f"{procedure.name.ja}の来庁予約（{slot.wareki}）を取り消しました。",
    )
    return _booking(row, get_slot(db, slot.id))


# ------------------------------------------------------------------ the counter (職員)


def _slot_of_staff(db: Session, staff: Principal, slot_id: str) -> ProceduresAppointmentSlot:
    row = db.get(ProceduresAppointmentSlot, slot_id, with_for_update=True)
    if row is None:
        raise SlotNotFound(f"no appointment slot {slot_id!r}")
    require_same_organization(staff, row.organization_code)
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
            db, app.id, staff, from_status=app.status, to_status=app.status,
            reason=f"来庁予約の枠を取消し: {slot.wareki}（{why}）",
        )
        _tell(
            db, app, f"来庁予約が取り消されました（受付番号 {app.receipt_number}）",
            f"{slot.wareki}の来庁予約は、{why}のため取り消されました。\n"
            "お手数ですが、別の日時をご予約ください。",
        )
    row.booked = 0
    db.flush()
    return _slot(row), len(bookings)


def record_outcome(db: Session, staff: Principal, booking_id: str, outcome: str) -> Booking:
    """来庁済み / 来庁なし, from the day of the visit on; a no-show may book again."""
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
        db, app.id, staff, from_status=app.status, to_status=app.status,
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
        select(ProceduresAppointmentBooking, ProceduresApplication.receipt_number,
               ProceduresApplication.procedure_id)
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
    plan = WeekPlan(procedure.id, "", clock.today_jst().date(), (0, 1, 2, 3, 4), time(9), time(16), 30, 2,
                    days=WINDOW_DAYS)
    created = 0
    for organization in organizations:
        publisher = Principal(kind="staff", subject_id="seed", organization_code=organization,
                              roles=frozenset({"管理"}))
        created += len(publish_many(db, publisher, procedure, plan_week(plan, after=now))[0])
    return created
