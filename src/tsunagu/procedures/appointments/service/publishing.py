"""Publishing slots (職員): one, many, or a week planned from a pattern."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import authz, clock
from tsunagu.core.authz import Operation
from tsunagu.core.errors import Conflict
from tsunagu.core.sessions import Principal
from tsunagu.procedures.appointments.models import ProceduresAppointmentSlot
from tsunagu.procedures.appointments.service.reading import _slot
from tsunagu.procedures.appointments.service.records import (
    MAX_CAPACITY,
    MAX_CUTOFF_MINUTES,
    AppointmentNotNeeded,
    InvalidSlot,
    Slot,
    SlotPlan,
    WeekPlan,
)
from tsunagu.procedures.definition import Procedure


def needs_appointment(procedure: Procedure) -> bool:
    return procedure.appointment is not None and procedure.appointment.required


def _require_appointment(procedure: Procedure) -> None:
    if not needs_appointment(procedure):
        raise AppointmentNotNeeded(
            f"{procedure.id} is done without a visit (its definition does not ask for an appointment)",
            procedure=procedure.id,
        )


def require_publisher(staff: Principal) -> Principal:
    """Staff who publish and cancel slots and record visits (審査・管理), e.g. before the form."""
    return authz.require(staff, Operation.PUBLISH_SLOTS)


def may_publish(staff: Principal) -> bool:
    return authz.allows(staff, Operation.PUBLISH_SLOTS)


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
    organization = staff.organization_code or ""
    authz.require(staff, Operation.PUBLISH_SLOTS, organization=organization)
    if procedure is not None:
        _require_appointment(procedure)
    now = clock.now()
    plans = [_with_place(procedure, p) for p in plans]
    for plan in plans:
        _check(plan, now)
    existing: set[tuple[str, str, datetime]] = {
        (procedure_id, place, starts_at)
        for procedure_id, place, starts_at in db.execute(
            select(
                ProceduresAppointmentSlot.procedure_id,
                ProceduresAppointmentSlot.place,
                ProceduresAppointmentSlot.starts_at,
            ).where(
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
                    SlotPlan(
                        plan.procedure_id,
                        plan.place,
                        start.astimezone(UTC),
                        (start + step).astimezone(UTC),
                        plan.capacity,
                        plan.cutoff_minutes,
                    )
                )
            start += step
    return slots
