"""The registrations (出生, 転入, 転居, 転出, 死亡, 氏名の変更, 世帯主の変更).

Each updates the current record, appends a snapshot to the history and writes an outbox event,
all in the caller's transaction.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from datetime import date
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.local_government_code import LocalGovernmentCode
from tsunagu.core.types.name import PersonName
from tsunagu.core.types.sex import Sex
from tsunagu.core.types.text import normalize_width
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.residents.errors import (
    AlreadyRegistered,
    BirthAlreadyRegistered,
    BirthDateInFuture,
    EffectiveDateInFuture,
    EffectiveDateTooEarly,
    HeadOfHouseholdRequired,
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
    Change,
    ChangeEvent,
    Household,
    Resident,
)
from tsunagu.registry.residents.numbers import check_digit, vault
from tsunagu.registry.residents.service.informants import Informant, record_informant
from tsunagu.registry.residents.service.reading import _record, today
from tsunagu.registry.residents.service.records import (
    _CHOME,
    _KANJI_DIGITS,
    HEAD,
    LEGAL_BASIS,
    ChangeKind,
    NewResident,
    Residence,
    ResidentRecord,
)
from tsunagu.registry.residents.store import snapshot as _snapshot


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
    number_hash = vault(db).lookup_hash(number)
    if db.scalar(
        select(Resident.id).where(Resident.municipality_code == code, Resident.number_hash == number_hash)
    ):
        raise AlreadyRegistered(f"this 個人番号 is already registered in {code}")
    resident_id = uuid.uuid4().hex
    row = Resident(
        id=resident_id,
        municipality_code=code,
        number_hash=number_hash,
        number_ciphertext=vault(db).encrypt(number, resident_id),
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
            Resident.municipality_code == code, Resident.number_hash == vault(db).lookup_hash(number)
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
    _refuse_second_birth(db, person)
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


def _refuse_second_birth(db: Session, person: NewResident) -> None:
    """A second 出生届 of the same child (the household already holds someone living with this name
    and birth date) is refused: the register would otherwise hold one child twice."""
    if person.household_id is None:
        return
    same = db.scalars(
        select(Resident.id).where(
            Resident.household_id == person.household_id,
            Resident.birth_date == person.birth_date,
            Resident.family_name == person.name.family,
            Resident.given_name == person.name.given,
            Resident.status == "resident",
        )
    ).first()
    if same is not None:
        raise BirthAlreadyRegistered(
            "given_name",
            "the household already has a child with this name "
            "born on this day (a second 出生届 of the same birth)",
        )


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
    informant: Informant | None = None,
) -> ResidentRecord:
    """死亡: the record is closed (消除) and no further change is accepted.

    When the 世帯主 dies and others remain, ``new_head_id`` names the member who becomes head;
    that member's record gets a 世帯主変更 entry. (Other members' 続柄 stay as recorded: they are
    corrected on the 世帯変更届 that follows.) ``informant`` is the 届出人 of the 死亡届, stored
    with the death (a record carried over from another system may not know it).
    """
    row = changeable_row(db, resident_id, date_of_death)
    successor = _successor(db, row, new_head_id)
    if successor is not None:
        _check_effective_date(db, successor.id, date_of_death)
    reported = record_informant(db, row, informant) if informant is not None else None
    row.status, row.status_date = "deceased", date_of_death
    died = _append(
        db, row, "death", effective_date=date_of_death, actor=actor, legal_basis=legal_basis, details=reported
    )
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
