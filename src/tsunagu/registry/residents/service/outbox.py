"""The outbox of change events that the mesh pushes to subscribers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.registry.residents.models import (
    ChangeEvent,
)
from tsunagu.registry.residents.service.records import EventKind, EventRecord


def announce(
    db: Session, resident_id: str, municipality_code: str, kind: EventKind, payload: dict[str, Any]
) -> str:
    """Put an event about a resident that is no change of the register (a 住民税 assessment) into
    the same outbox, in the caller's transaction; its id."""
    event_id = uuid.uuid4().hex
    db.add(
        ChangeEvent(
            event_id=event_id,
            resident_id=resident_id,
            municipality_code=municipality_code,
            kind=kind,
            created_at=clock.now(),
            payload={"kind": kind, "resident_id": resident_id, **payload},
        )
    )
    db.flush()
    return event_id


def pending_events(db: Session, after_id: int = 0, limit: int = 100) -> list[EventRecord]:
    """Undelivered change events with ``sequence`` > ``after_id``, oldest first."""
    rows = db.scalars(
        select(ChangeEvent)
        .where(ChangeEvent.delivered_at.is_(None), ChangeEvent.id > after_id)
        .order_by(ChangeEvent.id)
        .limit(limit)
    )
    return [
        EventRecord(
            sequence=e.id,
            event_id=e.event_id,
            resident_id=e.resident_id,
            municipality_code=e.municipality_code,
            kind=e.kind,  # type: ignore[arg-type]
            payload=e.payload,
            created_at=e.created_at,
        )
        for e in rows
    ]


def events_after(db: Session, after_id: int, limit: int = 500) -> list[EventRecord]:
    """Every change event with ``sequence`` > ``after_id``, delivered or not, oldest first (for
    readers that keep their own place, such as the push-type notices)."""
    rows = db.scalars(
        select(ChangeEvent).where(ChangeEvent.id > after_id).order_by(ChangeEvent.id).limit(limit)
    )
    return [
        EventRecord(
            sequence=e.id,
            event_id=e.event_id,
            resident_id=e.resident_id,
            municipality_code=e.municipality_code,
            kind=e.kind,  # type: ignore[arg-type]
            payload=e.payload,
            created_at=e.created_at,
        )
        for e in rows
    ]


def mark_delivered(db: Session, event_ids: Sequence[str]) -> int:
    """Mark events delivered (idempotent); returns how many were newly marked."""
    if not event_ids:
        return 0
    result = db.execute(
        update(ChangeEvent)
        .where(ChangeEvent.event_id.in_(event_ids), ChangeEvent.delivered_at.is_(None))
        .values(delivered_at=clock.now())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def events_of(db: Session, resident_id: str, kind: str) -> list[EventRecord]:
    """The change events of one kind about one person (a death: one), oldest first."""
    rows = db.scalars(
        select(ChangeEvent)
        .where(ChangeEvent.resident_id == resident_id, ChangeEvent.kind == kind)
        .order_by(ChangeEvent.id)
    )
    return [
        EventRecord(
            sequence=e.id,
            event_id=e.event_id,
            resident_id=e.resident_id,
            municipality_code=e.municipality_code,
            kind=e.kind,  # type: ignore[arg-type]
            payload=e.payload,
            created_at=e.created_at,
        )
        for e in rows
    ]
