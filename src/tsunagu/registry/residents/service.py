"""Every rule of the resident registry (住民基本台帳).

Other parts use only this module: ``ResidentRecord``, ``get_resident``, ``get_resident_as_of``,
``find_residents``, the registrations (``register_birth``, ``register_move_in``,
``change_address``, ``move_out``, ``register_death``, ``change_name``) and ``register_once``
(Idempotency-Key), ``history_of`` / ``get_change``, ``individual_number_of``,
``record_access`` / ``accesses_of`` and the outbox (``pending_events`` / ``mark_delivered``).

Each registration updates the current record, appends a snapshot to the history and writes a
change event to the outbox, all in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache
from json.encoder import encode_basestring
from typing import Any, Literal, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Base
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.progress import ProgressReporter
from tsunagu.core.types.address import Address
from tsunagu.core.types.individual_number import IndividualNumber, InvalidIndividualNumber
from tsunagu.core.types.local_government_code import LocalGovernmentCode
from tsunagu.core.types.name import PersonName
from tsunagu.core.types.sex import Sex
from tsunagu.core.types.text import normalize_width, to_katakana
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.residents.bulk import encode_json, insert_rows, loading, savepoint
from tsunagu.registry.residents.errors import (
    AlreadyRegistered,
    BirthDateInFuture,
    EffectiveDateInFuture,
    EffectiveDateTooEarly,
    HeadOfHouseholdRequired,
    IdempotencyKeyReused,
    NewHeadNotNeeded,
    NotAHouseholdMember,
    PreviousAddressInMunicipality,
    ResidentDeceased,
    ResidentMovedOut,
    ResidentNotFound,
    TownOutsideMunicipality,
    UnknownHousehold,
    UnknownPreviousAddress,
    UnknownTown,
)
from tsunagu.registry.residents.models import (
    Access,
    Change,
    ChangeEvent,
    Household,
    RegistrationKey,
    Resident,
)
from tsunagu.registry.residents.numbers import NumberVault, check_digit, vault

_CHOME = re.compile(r"([一二三四五六七八九十]+)丁目$")
_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}

Status = Literal["resident", "moved_out", "deceased"]
ChangeKind = Literal["birth", "move_in", "address_change", "move_out", "death", "name_change", "head_change"]
HEAD = "世帯主"

LEGAL_BASIS: dict[ChangeKind, str] = {
    "birth": "住民基本台帳法第8条",  # 職権記載 on the 出生届 (戸籍法第49条)
    "move_in": "住民基本台帳法第22条",
    "address_change": "住民基本台帳法第23条",
    "move_out": "住民基本台帳法第24条",
    "death": "住民基本台帳法第8条",  # 職権消除 on the 死亡届 (戸籍法第86条)
    "name_change": "住民基本台帳法第9条第2項",  # 戸籍の届出に基づく記載の修正
    "head_change": "住民基本台帳法第25条",  # 世帯主の変更 (here: on the death of the head)
}


@dataclass(frozen=True)
class ResidentRecord:
    """住民票 of one person: 基本4情報, household and status (never the 個人番号)."""

    id: str
    municipality_code: str
    name: PersonName
    birth_date: date
    sex: str
    address: Address
    town_id: int | None
    household_id: str
    relationship: str
    status: Status
    status_date: date | None = None
    destination: str = ""


@dataclass(frozen=True)
class ChangeRecord:
    """One history entry: the change, who recorded it, when and under which law."""

    id: int
    resident_id: str
    kind: ChangeKind
    effective_date: date
    recorded_at: datetime
    actor: str
    legal_basis: str
    record: ResidentRecord
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AccessRecord:
    resident_id: str
    actor: str
    organization_code: str
    purpose: str
    accessed_at: datetime
    role: str = ""


@dataclass(frozen=True)
class EventRecord:
    """A change event in the outbox; ``sequence`` orders events for ``pending_events``."""

    sequence: int
    event_id: str
    resident_id: str
    municipality_code: str
    kind: ChangeKind
    payload: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class Residence:
    """Where someone lives: a 町字 of the address registry plus 番地・号 and building."""

    town_id: int
    banchi: str = ""
    go: str = ""
    building: str = ""


@dataclass(frozen=True)
class NewResident:
    """What a birth or move-in registers. ``household_id`` None starts a household (世帯主)."""

    name: PersonName
    birth_date: date
    sex: str
    individual_number: IndividualNumber
    household_id: str | None = None
    relationship: str = HEAD


@dataclass(frozen=True)
class SearchQuery:
    name: str = ""
    kana: str = ""
    birth_date: date | None = None
    statuses: tuple[Status, ...] = field(default=("resident",))


# ---------------------------------------------------------------- reading


def today() -> date:
    """Today in Asia/Tokyo: the register's dates are Japanese calendar days."""
    return clock.today_jst().date()


SNAPSHOT_FIELDS = (
    "municipality_code",
    "family_name",
    "given_name",
    "family_kana",
    "given_kana",
    "birth_date",
    "sex",
    "prefecture",
    "municipality",
    "town",
    "chome",
    "koaza",
    "banchi",
    "go",
    "building",
    "town_id",
    "household_id",
    "relationship",
    "status",
    "status_date",
    "destination",
)


def _snapshot_of(values: dict[str, Any]) -> dict[str, Any]:
    """The JSON form of a record's columns (dates as ISO text), as kept in the history."""
    snapshot = {name: values[name] for name in SNAPSHOT_FIELDS}
    for name in ("birth_date", "status_date"):
        if snapshot[name] is not None:
            snapshot[name] = snapshot[name].isoformat()
    return snapshot


def _snapshot(row: Resident) -> dict[str, Any]:
    return _snapshot_of({name: getattr(row, name) for name in SNAPSHOT_FIELDS})


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


# One statement, compiled once (and prepared by the server driver after a few uses).
_CURRENT = select(*(Resident.__table__.c[name] for name in SNAPSHOT_FIELDS)).where(
    Resident.__table__.c.id == bindparam("resident_id")
)


def get_resident(db: Session, resident_id: str) -> ResidentRecord | None:
    """The current record, or None."""
    db.flush()  # what the session has changed but not yet written is part of the record
    row = db.connection().execute(_CURRENT, {"resident_id": resident_id}).mappings().first()
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
    return [_record(row.id, _snapshot(row)) for row in rows]


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
    return [_record(row.id, _snapshot(row)) for row in rows], total


def individual_number_of(db: Session, resident_id: str) -> str:
    """個人番号 in clear: only for the registry's own procedures and for the person themself."""
    row = db.get(Resident, resident_id)
    if row is None:
        raise ResidentNotFound(f"no resident with id {resident_id}", resident_id=resident_id)
    return vault().decrypt(row.number_ciphertext, row.id)


def find_by_individual_number(
    db: Session, municipality_code: str, number: IndividualNumber
) -> ResidentRecord | None:
    """Exact look-up through the keyed hash; the number itself is never searched in clear."""
    row = db.scalars(
        select(Resident).where(
            Resident.municipality_code == LocalGovernmentCode(municipality_code),
            Resident.number_hash == vault().lookup_hash(number.reveal()),
        )
    ).first()
    return _record(row.id, _snapshot(row)) if row else None


# ---------------------------------------------------------------- accesses


def record_access(
    db: Session, resident_id: str, actor: str, organization_code: str, purpose: str, *, role: str = ""
) -> None:
    """Remember who read whose record, when, why and in which role, so that the person can see it."""
    db.add(
        Access(
            resident_id=resident_id,
            actor=actor,
            organization_code=organization_code,
            purpose=purpose,
            accessed_at=clock.now(),
            role=role,
        )
    )


def record_accesses(
    db: Session,
    resident_ids: Iterable[str],
    actor: str,
    organization_code: str,
    purpose: str,
    *,
    role: str = "",
) -> None:
    """``record_access`` for every record of a search result, in one statement."""
    at = clock.now()
    rows = [
        {
            "resident_id": rid,
            "actor": actor,
            "organization_code": organization_code,
            "purpose": purpose,
            "accessed_at": at,
            "role": role,
        }
        for rid in resident_ids
    ]
    if rows:
        db.execute(insert(Access), rows)


def accesses_of(
    db: Session, resident_id: str, *, limit: int | None = None, offset: int = 0
) -> list[AccessRecord]:
    """The recorded reads of one person's record, newest first (all of them without ``limit``)."""
    rows = db.scalars(
        select(Access)
        .where(Access.resident_id == resident_id)
        .order_by(Access.accessed_at.desc(), Access.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        AccessRecord(
            resident_id=a.resident_id,
            actor=a.actor,
            organization_code=a.organization_code,
            purpose=a.purpose,
            accessed_at=a.accessed_at,
            role=a.role,
        )
        for a in rows
    ]


def count_accesses(db: Session, resident_id: str) -> int:
    return db.scalar(select(func.count()).select_from(Access).where(Access.resident_id == resident_id)) or 0


# ---------------------------------------------------------------- outbox


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


# ---------------------------------------------------------------- changes


def _append(
    db: Session,
    row: Resident,
    kind: ChangeKind,
    *,
    effective_date: date,
    actor: str,
    legal_basis: str | None,
    details: Mapping[str, str] | None = None,
) -> ResidentRecord:
    """Write the new state to the history and the outbox; the one way every change ends."""
    now = clock.now()
    row.updated_at = now
    snapshot = _snapshot(row)
    db.add(
        Change(
            resident_id=row.id,
            kind=kind,
            effective_date=effective_date,
            recorded_at=now,
            actor=actor,
            legal_basis=legal_basis or LEGAL_BASIS[kind],
            snapshot=snapshot,
            details={k: v for k, v in (details or {}).items() if v} or None,
        )
    )
    db.add(
        ChangeEvent(
            event_id=uuid.uuid4().hex,
            resident_id=row.id,
            municipality_code=row.municipality_code,
            kind=kind,
            created_at=now,
            payload={
                "kind": kind,
                "resident_id": row.id,
                "effective_date": effective_date.isoformat(),
                "record": snapshot,
            },
        )
    )
    db.flush()
    return _record(row.id, snapshot)


def _check_effective_date(
    db: Session, resident_id: str, effective_date: date, *, allow_future: bool = False
) -> None:
    if effective_date > today() and not allow_future:
        raise EffectiveDateInFuture("effective_date", f"the date {effective_date} is in the future")
    last = db.scalar(select(func.max(Change.effective_date)).where(Change.resident_id == resident_id))
    if last is not None and effective_date < last:
        raise EffectiveDateTooEarly(
            "effective_date", f"the date {effective_date} is before the last recorded change ({last})"
        )


def changeable_row(
    db: Session, resident_id: str, effective_date: date, *, allow_future: bool = False
) -> Resident:
    """The row of a living resident of the municipality, locked for the change.

    ``allow_future`` admits a date ahead (a 転出予定 recorded now and applied on its date)."""
    row = db.get(Resident, resident_id, with_for_update=True)
    if row is None:
        raise ResidentNotFound(f"no resident with id {resident_id}", resident_id=resident_id)
    if row.status == "deceased":
        raise ResidentDeceased(f"resident {resident_id} is deceased; the record is closed")
    if row.status == "moved_out":
        raise ResidentMovedOut(f"resident {resident_id} has moved out of {row.municipality_code}")
    _check_effective_date(db, resident_id, effective_date, allow_future=allow_future)
    return row


def _town_in(db: Session, municipality_code: str, town_id: int) -> addresses.TownRecord:
    town = addresses.get_town(db, town_id)
    if town is None:
        raise UnknownTown("town_id", f"no town with id {town_id} in the address registry")
    if town.municipality_code != municipality_code:
        raise TownOutsideMunicipality(
            "town_id",
            f"{town.prefecture}{town.municipality}{town.town} is not in municipality {municipality_code}",
        )
    return town


@cache
def chome_of(town: str) -> int | None:
    """The 丁目 of a 町字 name as a number (``飯田橋三丁目`` → 3, ``二十一丁目`` → 21), else None."""
    match = _CHOME.search(town)
    if match is None:
        return None
    tens, _, units = match.group(1).rpartition("十")
    if "十" not in match.group(1):
        return _KANJI_DIGITS[units]
    return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[units] if units else 0)


def _place(row: Resident, town: addresses.TownRecord, residence: Residence) -> None:
    row.prefecture, row.municipality = town.prefecture, town.municipality
    row.town, row.koaza, row.chome = town.town, town.koaza, chome_of(town.town)
    row.banchi, row.go = normalize_width(residence.banchi), normalize_width(residence.go)
    row.building, row.town_id = normalize_width(residence.building), town.id


def _set_name(row: Resident, name: PersonName) -> None:
    row.family_name, row.given_name = name.family, name.given
    row.family_kana, row.given_kana = name.family_kana, name.given_kana
    row.search_name = name.family + name.given
    row.search_kana = name.family_kana + name.given_kana


def _new_row(db: Session, municipality_code: str, person: NewResident, status_date: date) -> Resident:
    code = LocalGovernmentCode(municipality_code)
    addresses.require_municipality(db, code)
    number = person.individual_number.reveal()
    if person.birth_date > today():
        raise BirthDateInFuture("birth_date", f"the birth date {person.birth_date} is in the future")
    number_hash = vault().lookup_hash(number)
    if db.scalar(
        select(Resident.id).where(Resident.municipality_code == code, Resident.number_hash == number_hash)
    ):
        raise AlreadyRegistered(f"this 個人番号 is already registered in {code}")
    resident_id = uuid.uuid4().hex
    row = Resident(
        id=resident_id,
        municipality_code=code,
        number_hash=number_hash,
        number_ciphertext=vault().encrypt(number, resident_id),
        birth_date=person.birth_date,
        sex=Sex.parse(person.sex).value,
        status="resident",
        status_date=status_date,
        destination="",
        relationship=person.relationship,
    )
    _set_name(row, person.name)
    if person.household_id is None:
        household = Household(
            id=uuid.uuid4().hex, municipality_code=code, head_id=resident_id, created_at=clock.now()
        )
        db.add(household)
        row.household_id, row.relationship = household.id, HEAD
    else:
        household_row = db.get(Household, person.household_id)
        if household_row is None or household_row.municipality_code != code:
            raise UnknownHousehold("household_id", f"no household {person.household_id} in {code}")
        row.household_id = household_row.id
    return row


def assign_individual_number(db: Session, municipality_code: str) -> IndividualNumber:
    """個人番号の指定 for a newborn (番号法第7条): a random number with its check digit, not yet
    registered here. Nationwide uniqueness is the 地方公共団体情報システム機構's job, out of scope."""
    code = LocalGovernmentCode(municipality_code)
    while True:
        eleven = f"{secrets.randbelow(10**11):011d}"
        number = eleven + check_digit(eleven)
        taken = select(Resident.id).where(
            Resident.municipality_code == code, Resident.number_hash == vault().lookup_hash(number)
        )
        if db.scalar(taken) is None:
            return IndividualNumber(number)


def register_birth(
    db: Session,
    municipality_code: str,
    person: NewResident,
    *,
    actor: str,
    legal_basis: str | None = None,
    residence: Residence | None = None,
) -> ResidentRecord:
    """出生: a newborn joins a household and lives at its head's address, or (without
    ``household_id``) starts a household of their own at ``residence``."""
    if person.household_id is None and residence is None:
        raise UnknownHousehold("household_id", "name the household, or the address of a new household")
    row = _new_row(db, municipality_code, person, person.birth_date)
    if residence is None:
        head = db.scalars(
            select(Resident).where(Resident.household_id == row.household_id, Resident.relationship == HEAD)
        ).first()
        if head is None or head.town_id is None:
            raise UnknownHousehold(
                "household_id", f"household {row.household_id} has no head with an address"
            )
        residence = Residence(head.town_id, head.banchi, head.go, head.building)
    _place(row, _town_in(db, row.municipality_code, residence.town_id), residence)
    db.add(row)
    return _append(db, row, "birth", effective_date=person.birth_date, actor=actor, legal_basis=legal_basis)


def register_move_in(
    db: Session,
    municipality_code: str,
    person: NewResident,
    residence: Residence,
    *,
    moved_in_on: date,
    actor: str,
    legal_basis: str | None = None,
    previous_address: str = "",
    certificate: str = "",
) -> ResidentRecord:
    """転入: a person who moved here from another municipality.

    ``previous_address`` (前住所) is normalized with the address registry and kept in the history
    with the 転出証明書 reference ``certificate``.
    """
    if moved_in_on > today():
        raise EffectiveDateInFuture("effective_date", f"the date {moved_in_on} is in the future")
    details = {"certificate": normalize_width(certificate)}
    if previous_address.strip():
        details["previous_address"] = _previous_address(db, municipality_code, previous_address)
    row = _new_row(db, municipality_code, person, moved_in_on)
    _place(row, _town_in(db, row.municipality_code, residence.town_id), residence)
    db.add(row)
    return _append(
        db, row, "move_in", effective_date=moved_in_on, actor=actor, legal_basis=legal_basis, details=details
    )


def _previous_address(db: Session, municipality_code: str, text: str) -> str:
    """前住所 as one normalized line; it must name a municipality, and not this one."""
    found = addresses.normalize(db, text)
    if found.address is None or found.level in ("unmatched", "prefecture"):
        raise UnknownPreviousAddress("previous_address", f"{text!r} does not name a known municipality")
    if found.address.municipality_code == municipality_code:
        raise PreviousAddressInMunicipality(
            "previous_address", f"{text!r} is in {municipality_code}: a move within it is a 転居"
        )
    return found.address.label()


def change_address(
    db: Session,
    resident_id: str,
    residence: Residence,
    *,
    effective_date: date,
    actor: str,
    legal_basis: str | None = None,
) -> ResidentRecord:
    """転居: a move within the municipality, to a town of the address registry."""
    row = changeable_row(db, resident_id, effective_date)
    _place(row, _town_in(db, row.municipality_code, residence.town_id), residence)
    return _append(
        db, row, "address_change", effective_date=effective_date, actor=actor, legal_basis=legal_basis
    )


def move_out(
    db: Session,
    resident_id: str,
    *,
    destination: str,
    effective_date: date,
    actor: str,
    legal_basis: str | None = None,
) -> ResidentRecord:
    """転出: the person leaves the municipality; the record stays, closed, with where they went."""
    row = changeable_row(db, resident_id, effective_date)
    row.status, row.status_date, row.destination = "moved_out", effective_date, normalize_width(destination)
    return _append(db, row, "move_out", effective_date=effective_date, actor=actor, legal_basis=legal_basis)


def register_death(
    db: Session,
    resident_id: str,
    *,
    date_of_death: date,
    actor: str,
    legal_basis: str | None = None,
    new_head_id: str | None = None,
) -> ResidentRecord:
    """死亡: the record is closed (消除) and no further change is accepted.

    When the 世帯主 dies and others remain, ``new_head_id`` names the member who becomes head;
    that member's record gets a 世帯主変更 entry. (Other members' 続柄 stay as recorded: they are
    corrected on the 世帯変更届 that follows.)
    """
    row = changeable_row(db, resident_id, date_of_death)
    successor = _successor(db, row, new_head_id)
    if successor is not None:
        _check_effective_date(db, successor.id, date_of_death)
    row.status, row.status_date = "deceased", date_of_death
    died = _append(db, row, "death", effective_date=date_of_death, actor=actor, legal_basis=legal_basis)
    if successor is not None:
        household = db.get(Household, row.household_id, with_for_update=True)
        if household is not None:
            household.head_id = successor.id
        successor.relationship = HEAD
        _append(
            db,
            successor,
            "head_change",
            effective_date=date_of_death,
            actor=actor,
            legal_basis=None,
            details={"previous_head": row.family_name + " " + row.given_name},
        )
    return died


def _successor(db: Session, row: Resident, new_head_id: str | None) -> Resident | None:
    """The member who becomes 世帯主 when ``row``, the head, dies; None if no one remains."""
    others = db.scalars(
        select(Resident).where(
            Resident.household_id == row.household_id, Resident.status == "resident", Resident.id != row.id
        )
    ).all()
    if row.relationship != HEAD or not others:
        if new_head_id:
            raise NewHeadNotNeeded("new_head_id", "a new head is named only when the head of household dies")
        return None
    if not new_head_id:
        raise HeadOfHouseholdRequired("new_head_id", "the head of household died: name the new head")
    successor = next((m for m in others if m.id == new_head_id), None)
    if successor is None:
        raise NotAHouseholdMember("new_head_id", f"{new_head_id} is not a living member of the household")
    return successor


def make_head(db: Session, resident_id: str, *, effective_date: date, actor: str) -> ResidentRecord:
    """世帯主変更 on a 転出届: the declared member heads the 世帯 the old head left."""
    row = changeable_row(db, resident_id, effective_date)
    household = db.get(Household, row.household_id, with_for_update=True)
    previous = db.get(Resident, household.head_id) if household else None
    if household is not None:
        household.head_id = row.id
    row.relationship = HEAD
    return _append(
        db,
        row,
        "head_change",
        effective_date=effective_date,
        actor=actor,
        legal_basis=None,
        details={"previous_head": f"{previous.family_name} {previous.given_name}" if previous else ""},
    )


def change_name(
    db: Session,
    resident_id: str,
    name: PersonName,
    *,
    effective_date: date,
    actor: str,
    legal_basis: str | None = None,
    reason: str = "",
) -> ResidentRecord:
    """氏名変更: after a 戸籍 event (marriage, adoption, ...); ``reason`` names it (婚姻)."""
    row = changeable_row(db, resident_id, effective_date)
    _set_name(row, name)
    return _append(
        db,
        row,
        "name_change",
        effective_date=effective_date,
        actor=actor,
        legal_basis=legal_basis,
        details={"reason": normalize_width(reason)},
    )


# ---------------------------------------------------------------- idempotency


def _fingerprint(request: Mapping[str, Any]) -> str:
    text = json.dumps(request, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def register_once(
    db: Session,
    actor: str,
    key: str | None,
    request: Mapping[str, Any],
    register: Callable[[], ResidentRecord],
) -> tuple[ChangeRecord, bool]:
    """Run ``register`` unless ``actor`` already sent ``key``: then (the same change, False).

    The key is stored with the change in the caller's transaction; a key reused for another
    ``request`` is refused, as in the procedures' submissions.
    """
    if key is not None and not (8 <= len(key) <= 128 and key.isascii()):
        raise ValidationFailed(
            "an Idempotency-Key has 8 to 128 ASCII characters",
            errors=[
                {
                    "location": ["header", "Idempotency-Key"],
                    "message": "8 to 128 ASCII characters",
                    "type": "idempotency-key",
                }
            ],
        )
    digest = _fingerprint(request)
    if key:
        earlier = db.scalars(
            select(RegistrationKey).where(RegistrationKey.actor == actor, RegistrationKey.key == key)
        ).first()
        if earlier is not None:
            if earlier.request_sha256 != digest:
                raise IdempotencyKeyReused(f"the key {key!r} was already used for another registration")
            return cast(ChangeRecord, get_change(db, earlier.change_id)), False
    change = latest_change(db, register().id)
    if key:
        try:
            with db.begin_nested():
                db.add(
                    RegistrationKey(
                        actor=actor,
                        key=key,
                        request_sha256=digest,
                        change_id=change.id,
                        created_at=clock.now(),
                    )
                )
        except IntegrityError:  # a concurrent request with the same key won; this one must not count
            raise IdempotencyKeyReused(f"the key {key!r} is being used by another request") from None
    return change, True


# ---------------------------------------------------------------- bulk import


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One person of a bulk load (移行): an existing record with how it was first registered."""

    id: str
    municipality_code: str
    individual_number: str
    name: PersonName
    birth_date: date
    sex: str
    town: addresses.TownRecord
    banchi: str
    go: str
    building: str
    household_id: str
    relationship: str
    registered_kind: Literal["birth", "move_in"]
    registered_on: date


def _checked_number(text: str, line: int) -> str:
    """The 個人番号 check of the bulk path: the check digit, without the width normalization
    of ``IndividualNumber`` that machine-written rows do not need (a quarter of the cost)."""
    if len(text) == 12 and text.isascii() and text.isdigit() and check_digit(text[:11]) == text[11]:
        return text
    raise InvalidIndividualNumber(
        "individual_number", f"row {line}: an individual number is 12 digits with a valid check digit"
    )


def _table(model: type[Base]) -> Table:
    """The Core table of a model: bulk inserts skip the ORM's per-row bookkeeping."""
    return cast(Table, model.__table__)


# Bulk rows are tuples in these orders; the two protected 個人番号 columns come last.
_PEOPLE_COLUMNS = (
    "id",
    *SNAPSHOT_FIELDS,
    "search_name",
    "search_kana",
    "updated_at",
    "number_hash",
    "number_ciphertext",
)
_HOUSEHOLD_COLUMNS = ("id", "municipality_code", "head_id", "created_at")
_CHANGE_COLUMNS = ("resident_id", "kind", "effective_date", "recorded_at", "actor", "legal_basis", "snapshot")


_PlaceColumns = tuple[str, str, str, int | None, str]


def _place_of(town: addresses.TownRecord) -> _PlaceColumns:
    return town.prefecture, town.municipality, town.town, chome_of(town.town), town.koaza


@cache
def _json_text(value: str | int | None) -> str:
    """``encode_json(value)`` of the values that repeat (codes, places, relationships)."""
    return encode_json(value)


def _place_json(town: addresses.TownRecord) -> tuple[str, str]:
    """The snapshot's address members of ``town``: prefecture to koaza, and town_id."""
    prefecture, municipality, town_name, chome, koaza = _place_of(town)
    return (
        f'"prefecture":{_json_text(prefecture)},"municipality":{_json_text(municipality)},'
        f'"town":{_json_text(town_name)},"chome":{_json_text(chome)},"koaza":{_json_text(koaza)}',
        f'"town_id":{_json_text(town.id)}',
    )


def _import_snapshot(row: ImportRow, place_json: tuple[str, str]) -> str:
    """``encode_json(_snapshot_of(...))`` of a newly imported resident, built from pieces:
    the snapshot's members are fixed, and only names, dates and the 番地 vary per row."""
    name, (place, town_id) = row.name, place_json
    return (
        f'{{"municipality_code":{_json_text(row.municipality_code)},'
        f'"family_name":{encode_basestring(name.family)},"given_name":{encode_basestring(name.given)},'
        f'"family_kana":{encode_basestring(name.family_kana)},'
        f'"given_kana":{encode_basestring(name.given_kana)},'
        f'"birth_date":"{_iso(row.birth_date)}","sex":{_json_text(row.sex)},{place},'
        f'"banchi":{encode_basestring(row.banchi)},"go":{encode_basestring(row.go)},'
        f'"building":{encode_basestring(row.building)},{town_id},'
        f'"household_id":{encode_basestring(row.household_id)},'
        f'"relationship":{_json_text(row.relationship)},"status":"resident",'
        f'"status_date":"{_iso(row.registered_on)}","destination":""}}'
    )


class _ImportBatch:
    """The rows of one bulk-import batch, as tuples for ``bulk.insert_rows``."""

    def __init__(self, actor: str, now: datetime) -> None:
        self.actor, self.now = actor, now
        self.people: list[tuple[Any, ...]] = []
        self.numbers: list[str] = []
        self.households: list[tuple[Any, ...]] = []
        self.changes: list[tuple[Any, ...]] = []
        # By identity: rows share a few TownRecords, whose generated __hash__ is slow.
        self.places: dict[int, tuple[addresses.TownRecord, _PlaceColumns, tuple[str, str]]] = {}

    def add(self, row: ImportRow, number: str) -> None:
        name, code = row.name, row.municipality_code
        place = self.places.get(id(row.town))
        if place is None or place[0] is not row.town:
            place = self.places[id(row.town)] = (row.town, _place_of(row.town), _place_json(row.town))
        prefecture, municipality, town, chome, koaza = place[1]
        current = (
            code, name.family, name.given, name.family_kana, name.given_kana, row.birth_date, row.sex,
            prefecture, municipality, town, chome, koaza, row.banchi, row.go, row.building, row.town.id,
            row.household_id, row.relationship, "resident", row.registered_on, "",
        )  # fmt: skip
        self.people.append(
            (row.id, *current, name.family + name.given, name.family_kana + name.given_kana, self.now)
        )
        self.numbers.append(number)
        kind, snapshot = row.registered_kind, _import_snapshot(row, place[2])
        self.changes.append(
            (row.id, kind, row.registered_on, self.now, self.actor, LEGAL_BASIS[kind], snapshot)
        )
        if row.relationship == HEAD:
            self.households.append((row.household_id, code, row.id, self.now))

    def write(self, db: Session, numbers: NumberVault) -> int:
        protected = numbers.protect(self.numbers, [person[0] for person in self.people])
        people = [person + keys for person, keys in zip(self.people, protected, strict=True)]
        insert_rows(db, _table(Household), _HOUSEHOLD_COLUMNS, self.households)
        insert_rows(db, _table(Resident), _PEOPLE_COLUMNS, people)
        insert_rows(db, _table(Change), _CHANGE_COLUMNS, self.changes, encoded=frozenset({"snapshot"}))
        written = len(people)
        for batch in (self.people, self.numbers, self.households, self.changes):
            batch.clear()
        return written


@cache
def _iso(day: date) -> str:
    return day.isoformat()


def import_residents(
    db: Session,
    rows: Iterable[ImportRow],
    progress: ProgressReporter,
    *,
    total: int | None = None,
    actor: str = "import",
    batch_size: int = 20_000,
) -> int:
    """Bulk-load residents (移行): many rows per INSERT, 個人番号 encrypted on the way in.

    Each person gets the registration (出生 or 転入) as the first history entry so that "as of"
    reads work from the day they were registered. No change events are written: a migration
    loads records that other organizations already know. All or nothing: the caller's
    transaction holds every row, and a bad row (line numbers count from 1) stops the load.
    Into an empty registry the indexes are rebuilt once at the end (see ``bulk.loading``).
    """
    day, numbers = today(), vault()
    progress.start("residents", total)
    batch = _ImportBatch(actor, clock.now())
    count = 0
    tables = [_table(Household), _table(Resident), _table(Change)]
    # The savepoint opens SQLite's transaction before the index drops, so that they roll back too.
    with savepoint(db), loading(db, tables, empty=not has_residents(db)):
        for count, row in enumerate(rows, start=1):
            number = _checked_number(row.individual_number, count)
            if row.birth_date > day or row.registered_on > day:
                raise BirthDateInFuture("birth_date", f"row {count}: a date lies in the future")
            batch.add(row, number)
            if len(batch.people) >= batch_size:
                progress.advance(batch.write(db, numbers))
        progress.advance(batch.write(db, numbers))
    return count


def has_residents(db: Session) -> bool:
    return db.scalar(select(Resident.id).limit(1)) is not None
