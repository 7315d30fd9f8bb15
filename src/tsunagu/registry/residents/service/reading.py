"""Reading the registry: the 住民票 now or as of a date, its history, households, search, 個人番号."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.types.address import Address
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.local_government_code import LocalGovernmentCode
from tsunagu.core.types.name import PersonName
from tsunagu.core.types.text import normalize_width, to_katakana
from tsunagu.registry.residents import store
from tsunagu.registry.residents.errors import (
    ResidentNotFound,
)
from tsunagu.registry.residents.models import (
    Change,
    Resident,
)
from tsunagu.registry.residents.numbers import vault
from tsunagu.registry.residents.service.records import HEAD, ChangeRecord, ResidentRecord, SearchQuery


def today() -> date:
    """Today in Asia/Tokyo: the register's dates are Japanese calendar days."""
    return clock.today_jst().date()


@lru_cache(maxsize=65_536)
def _name(family: str, given: str, family_kana: str, given_kana: str) -> PersonName:
    """Stored names repeat a lot: each distinct one is validated once, not at every read."""
    return PersonName(family=family, given=given, family_kana=family_kana, given_kana=given_kana)


_municipality_code = lru_cache(maxsize=4096)(LocalGovernmentCode)


def _day(value: date | str | None) -> date | None:
    """A date of a row (a date) or of a history snapshot (ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _record(resident_id: str, values: Mapping[Any, Any]) -> ResidentRecord:
    municipality_code = values["municipality_code"]
    address = Address(
        prefecture=values["prefecture"],
        municipality=values["municipality"],
        town=values["town"],
        chome=values["chome"],
        koaza=values["koaza"],
        banchi=values["banchi"],
        go=values["go"],
        building=values["building"],
        prefecture_code=municipality_code[:2],
        municipality_code=_municipality_code(municipality_code),
        town_id=values["town_id"],
    )
    return ResidentRecord(
        id=resident_id,
        municipality_code=municipality_code,
        name=_name(values["family_name"], values["given_name"], values["family_kana"], values["given_kana"]),
        birth_date=cast(date, _day(values["birth_date"])),
        sex=values["sex"],
        address=address,
        town_id=values["town_id"],
        household_id=values["household_id"],
        relationship=values["relationship"],
        status=values["status"],
        status_date=_day(values["status_date"]),
        destination=values["destination"],
    )


def get_resident(db: Session, resident_id: str) -> ResidentRecord | None:
    """The current record, or None."""
    row = store.current_values(db, resident_id)
    return _record(resident_id, row) if row else None


def require_resident(db: Session, resident_id: str) -> ResidentRecord:
    record = get_resident(db, resident_id)
    if record is None:
        raise ResidentNotFound(f"no resident with id {resident_id}", resident_id=resident_id)
    return record


def get_resident_as_of(db: Session, resident_id: str, at: date) -> ResidentRecord | None:
    """The record as it stood at the end of ``at``, rebuilt from the history; None before it existed."""
    change = db.scalars(
        select(Change)
        .where(Change.resident_id == resident_id, Change.effective_date <= at)
        .order_by(Change.effective_date.desc(), Change.id.desc())
        .limit(1)
    ).first()
    return _record(resident_id, change.snapshot) if change else None


def _change_record(c: Change) -> ChangeRecord:
    return ChangeRecord(
        id=c.id,
        resident_id=c.resident_id,
        kind=c.kind,  # type: ignore[arg-type]
        effective_date=c.effective_date,
        recorded_at=c.recorded_at,
        actor=c.actor,
        legal_basis=c.legal_basis,
        record=_record(c.resident_id, c.snapshot),
        details=c.details or {},
    )


def history_of(db: Session, resident_id: str) -> list[ChangeRecord]:
    """Every change of one resident, oldest first."""
    changes = db.scalars(
        select(Change).where(Change.resident_id == resident_id).order_by(Change.effective_date, Change.id)
    )
    return [_change_record(c) for c in changes]


def get_change(db: Session, change_id: int) -> ChangeRecord | None:
    """One history entry by its id."""
    change = db.get(Change, change_id)
    return _change_record(change) if change else None


def latest_change(db: Session, resident_id: str) -> ChangeRecord:
    """The last entry of a resident's history (changes are appended in date order)."""
    change = db.scalars(
        select(Change)
        .where(Change.resident_id == resident_id)
        .order_by(Change.effective_date.desc(), Change.id.desc())
        .limit(1)
    ).first()
    if change is None:
        raise ResidentNotFound(f"no history for resident {resident_id}", resident_id=resident_id)
    return _change_record(change)


def household_members(db: Session, household_id: str) -> list[ResidentRecord]:
    """Current members of a 世帯, the head first."""
    rows = db.scalars(
        select(Resident)
        .where(Resident.household_id == household_id, Resident.status == "resident")
        .order_by((Resident.relationship != HEAD), Resident.birth_date)
    )
    return [_record(row.id, store.snapshot(row)) for row in rows]


def deceased_members(db: Session, household_id: str) -> list[ResidentRecord]:
    """Members of a 世帯 whose records were closed by a death (消除), the latest death first."""
    rows = db.scalars(
        select(Resident)
        .where(Resident.household_id == household_id, Resident.status == "deceased")
        .order_by(Resident.status_date.desc(), Resident.id)
    )
    return [_record(row.id, store.snapshot(row)) for row in rows]


def _search_text(text: str) -> str:
    return normalize_width(text).replace(" ", "")


def find_residents(
    db: Session, municipality_code: str, query: SearchQuery, *, limit: int = 50, offset: int = 0
) -> tuple[list[ResidentRecord], int]:
    """Residents of one municipality whose name or kana starts with the query (spaces ignored)."""
    conditions = [
        Resident.municipality_code == LocalGovernmentCode(municipality_code),
        Resident.status.in_(query.statuses),
    ]
    if query.name.strip():
        conditions.append(Resident.search_name.startswith(_search_text(query.name), autoescape=True))
    if query.kana.strip():
        kana = to_katakana(query.kana).replace(" ", "")
        conditions.append(Resident.search_kana.startswith(kana, autoescape=True))
    if query.birth_date is not None:
        conditions.append(Resident.birth_date == query.birth_date)
    total = db.scalar(select(func.count()).select_from(Resident).where(*conditions)) or 0
    rows = db.scalars(
        select(Resident)
        .where(*conditions)
        .order_by(Resident.search_kana, Resident.birth_date, Resident.id)
        .limit(limit)
        .offset(offset)
    )
    return [_record(row.id, store.snapshot(row)) for row in rows], total


def individual_number_of(db: Session, resident_id: str) -> str:
    """個人番号 in clear: only for the registry's own procedures and for the person themself."""
    row = db.get(Resident, resident_id)
    if row is None:
        raise ResidentNotFound(f"no resident with id {resident_id}", resident_id=resident_id)
    return vault(db).decrypt(row.number_ciphertext, row.id)


def find_by_individual_number(
    db: Session, municipality_code: str, number: IndividualNumber
) -> ResidentRecord | None:
    """Exact look-up through the keyed hash; the number itself is never searched in clear."""
    row = db.scalars(
        select(Resident).where(
            Resident.municipality_code == LocalGovernmentCode(municipality_code),
            Resident.number_hash == vault(db).lookup_hash(number.reveal()),
        )
    ).first()
    return _record(row.id, store.snapshot(row)) if row else None
