"""Finding free slots for a procedure within the booking window."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.procedures.appointments.models import ProceduresAppointmentSlot
from tsunagu.procedures.appointments.service.reading import _slot
from tsunagu.procedures.appointments.service.records import WINDOW_DAYS, Slot
from tsunagu.procedures.definition import Procedure


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
