"""The population of a municipality on a reference date (基準日における住民), read page by page.

A benefit run asks "who lived here on day X" for up to millions of people; the answer comes from
the history (the last snapshot effective on or before X, as :func:`get_resident_as_of` reads it
for one person), a page of people at a time, so memory stays flat however large the town.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core.progress import ProgressReporter
from tsunagu.registry.residents import store
from tsunagu.registry.residents.models import Change, Resident
from tsunagu.registry.residents.service.reading import _record
from tsunagu.registry.residents.service.records import ResidentRecord


def count_people(db: Session, municipality_code: str) -> int:
    """How many people the municipality's register holds (in any status): the pages' total."""
    return int(
        db.scalar(
            select(func.count()).select_from(Resident).where(Resident.municipality_code == municipality_code)
        )
        or 0
    )


def born_on(db: Session, day: date) -> list[ResidentRecord]:
    """The people living in any municipality served here who were born on ``day`` (the push-type
    notices of an age reached: one indexed look-up per municipality, not a scan of everyone)."""
    municipalities = db.scalars(select(Resident.municipality_code).distinct())
    rows = db.scalars(
        select(Resident)
        .where(
            Resident.municipality_code.in_(list(municipalities)),
            Resident.birth_date == day,
            Resident.status == "resident",
        )
        .order_by(Resident.id)
    )
    return [_record(row.id, store.snapshot(row)) for row in rows]


def residents_on(
    db: Session,
    municipality_code: str,
    day: date,
    *,
    page_size: int = 5_000,
    progress: ProgressReporter | None = None,
) -> Iterator[list[ResidentRecord]]:
    """Pages of the people recorded in ``municipality_code``'s register as they stood at the end of
    ``day`` and living there then (status ``resident``); people registered later are left out.
    ``progress`` advances by every person read (the total is :func:`count_people`)."""
    after = ""
    while True:
        ids = list(
            db.scalars(
                select(Resident.id)
                .where(Resident.municipality_code == municipality_code, Resident.id > after)
                .order_by(Resident.id)
                .limit(page_size)
            )
        )
        if not ids:
            return
        after = ids[-1]
        if progress is not None:
            progress.advance(len(ids))
        latest: dict[str, tuple[date, int, dict[str, object]]] = {}
        rows = db.execute(
            select(Change.resident_id, Change.effective_date, Change.id, Change.snapshot).where(
                Change.resident_id.in_(ids), Change.effective_date <= day
            )
        )
        for resident_id, effective, change_id, snapshot in rows:
            found = latest.get(resident_id)
            if found is None or (effective, change_id) > found[:2]:
                latest[resident_id] = (effective, change_id, snapshot)
        page = [_record(resident_id, snapshot) for resident_id, (_, _, snapshot) in sorted(latest.items())]
        yield [
            person
            for person in page
            if person.status == "resident" and person.municipality_code == municipality_code
        ]
