"""転出 over time and 転入 from a 転出証明書情報: who moves, on which date, into which 世帯.

A 転出届 names the members who move (世帯全員, or the chosen members of 世帯の一部) and the
planned date. Its acceptance is recorded at once as a :class:`PlannedMove` (転出予定) with the
転出証明書情報 made from the register, but each member's record stays current until the
declared date: only then does :func:`apply_due` close it with that date as the 異動日 (and, when
the head leaves the others behind, make the declared member the new 世帯主). Reads "as of" a
date on or after it already show the move (:func:`as_of`). A move declared for today or a past
day is applied on acceptance.

At the destination, :func:`register_move_in` records each person of the certificate as a
resident of a new 世帯 there (the head and 続柄 carried), with the same 個人番号: the register
moves it internally; it never leaves this package.

Production runs ``tsunagu registry apply-moves`` once a day after midnight (Asia/Tokyo); the demo
server applies due moves on its background pass.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import Conflict, NotFound
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.core.types.sex import Sex
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.residents import service
from tsunagu.registry.residents.errors import EffectiveDateInFuture, EffectiveDateTooEarly, InvalidField
from tsunagu.registry.residents.models import Household, PlannedMove, Resident
from tsunagu.registry.residents.numbers import vault

__all__ = [
    "Certificate",
    "MoveAlreadyPlanned",
    "Mover",
    "PlannedMoveRecord",
    "apply_due",
    "arrivals",
    "as_of",
    "cancel",
    "certificate_for",
    "plan_move_out",
    "planned_move_of",
    "register_move_in",
]

PLANNED, DONE, CANCELLED = "planned", "done", "cancelled"
MOVE_OUT_BASIS = "住民基本台帳法第24条"
MOVE_IN_BASIS = "住民基本台帳法第22条・第24条の2"


class NotHouseholdMembers(InvalidField):
    code = "move-members-not-in-household"
    title = "Not members of the household"


class NoMembersChosen(InvalidField):
    code = "move-members-required"
    title = "Choose who is moving"


class RemainingHeadRequired(InvalidField):
    """The 世帯主 leaves and several members stay: the 届出 must say who heads the household."""

    code = "move-remaining-head-required"
    title = "Name the new head of the household that stays"


class MoveAlreadyPlanned(Conflict):
    code = "move-already-planned"
    title = "A move of this person is already recorded"


class CertificateNotFound(NotFound):
    code = "moving-certificate-not-found"
    title = "No moving-out certificate information for this person"


class CertificateAlreadyUsed(Conflict):
    code = "moving-certificate-used"
    title = "The people of this certificate are already registered here"


@dataclass(frozen=True)
class Mover:
    """One person of a 転出証明書情報."""

    name: PersonName
    birth_date: date
    sex: str
    relationship: str
    card_holder: bool


@dataclass(frozen=True)
class Certificate:
    """転出証明書情報 (住民基本台帳法第24条の2, 施行令第23条): what the destination needs."""

    reference: str
    origin_code: str
    origin_name: str
    previous_address: str
    head: PersonName | None
    destination: str
    moving_date: date
    whole_household: bool
    movers: tuple[Mover, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "origin": {"code": self.origin_code, "name": self.origin_name},
            "previous_address": self.previous_address,
            "head": _name_json(self.head) if self.head else None,
            "destination": self.destination,
            "moving_date": self.moving_date.isoformat(),
            "whole_household": self.whole_household,
            "movers": [
                {
                    "name": _name_json(m.name),
                    "birth_date": m.birth_date.isoformat(),
                    "sex": m.sex,
                    "sex_label": Sex(m.sex).label_ja,
                    "relationship": m.relationship,
                    "card_holder": m.card_holder,
                }
                for m in self.movers
            ],
        }

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Certificate:
        head = data.get("head")
        return cls(
            reference=str(data["reference"]),
            origin_code=str(data["origin"]["code"]),
            origin_name=str(data["origin"]["name"]),
            previous_address=str(data["previous_address"]),
            head=_name_of(head) if head else None,
            destination=str(data["destination"]),
            moving_date=date.fromisoformat(data["moving_date"]),
            whole_household=bool(data["whole_household"]),
            movers=tuple(
                Mover(
                    _name_of(m["name"]),
                    date.fromisoformat(m["birth_date"]),
                    str(m["sex"]),
                    str(m["relationship"]),
                    bool(m["card_holder"]),
                )
                for m in data["movers"]
            ),
        )


def _name_json(name: PersonName) -> dict[str, str]:
    return {
        "family": name.family,
        "given": name.given,
        "family_kana": name.family_kana,
        "given_kana": name.given_kana,
    }


def _name_of(data: Mapping[str, str]) -> PersonName:
    return PersonName(data["family"], data["given"], data["family_kana"], data["given_kana"])


@dataclass(frozen=True)
class PlannedMoveRecord:
    id: str
    municipality_code: str
    members: tuple[str, ...]
    whole_household: bool
    remaining_head_id: str | None
    destination: str
    effective_date: date
    status: str
    source: str
    certificate: Certificate


def _planned(row: PlannedMove) -> PlannedMoveRecord:
    return PlannedMoveRecord(
        row.id,
        row.municipality_code,
        tuple(row.members),
        row.whole_household,
        row.remaining_head_id,
        row.destination,
        row.effective_date,
        row.status,
        row.source,
        Certificate.of(row.certificate),
    )


# ---------------------------------------------------------------- 転出予定


def _chosen(
    db: Session, applicant: Resident, whole_household: bool, members: Sequence[str]
) -> tuple[list[Resident], list[Resident], bool]:
    """(movers, members who stay, whole household?) — exactly what the 届出 declared."""
    household = db.scalars(
        select(Resident)
        .where(Resident.household_id == applicant.household_id, Resident.status == "resident")
        .order_by(Resident.relationship != service.HEAD, Resident.birth_date)
    ).all()
    if whole_household:
        return list(household), [], True
    wanted = list(dict.fromkeys(members))
    if not wanted:
        raise NoMembersChosen("members", "choose the members of the household who are moving")
    known = {m.id for m in household}
    strangers = [m for m in wanted if m not in known]
    if strangers:
        raise NotHouseholdMembers("members", f"not living members of the household: {', '.join(strangers)}")
    movers = [m for m in household if m.id in wanted]
    stay = [m for m in household if m.id not in wanted]
    return movers, stay, not stay


def _remaining_head(movers: list[Resident], stay: list[Resident], named: str | None) -> Resident | None:
    """Who heads the 世帯 that stays when its head leaves (only one member left: that one)."""
    if not stay or all(m.relationship != service.HEAD for m in movers):
        return None
    if len(stay) == 1 and not named:
        return stay[0]
    found = next((m for m in stay if m.id == named), None)
    if found is None:
        raise RemainingHeadRequired(
            "remaining_head", "the head of household is moving: name who heads the household that stays"
        )
    return found


def plan_move_out(
    db: Session,
    applicant_id: str,
    *,
    whole_household: bool,
    members: Sequence[str],
    destination: str,
    effective_date: date,
    source: str,
    actor: str,
    card_holders: Iterable[str] = (),
    remaining_head_id: str | None = None,
    legal_basis: str = MOVE_OUT_BASIS,
) -> PlannedMoveRecord:
    """Record an accepted 転出届: the declared members on the declared date (applied on that date).

    The same ``source`` again answers the move already recorded. A member with another move
    still planned is refused (:class:`MoveAlreadyPlanned`): a second 転出届 must not overwrite
    the first.
    """
    existing = db.scalar(select(PlannedMove).where(PlannedMove.source == source))
    if existing is not None:
        return _planned(existing)
    applicant = service.changeable_row(db, applicant_id, effective_date, allow_future=True)
    movers, stay, whole = _chosen(db, applicant, whole_household, members)
    for mover in movers:
        service.changeable_row(db, mover.id, effective_date, allow_future=True)
        if planned_move_of(db, mover.id) is not None:
            raise MoveAlreadyPlanned(
                f"a move of {mover.family_name} {mover.given_name} is already recorded", resident_id=mover.id
            )
    successor = _remaining_head(movers, stay, remaining_head_id)
    holders = set(card_holders)
    head = db.get(Household, applicant.household_id)
    head_row = db.get(Resident, head.head_id) if head else None
    origin = addresses.get_municipality(db, applicant.municipality_code)
    move_id = uuid.uuid4().hex
    certificate = Certificate(
        reference=move_id,
        origin_code=applicant.municipality_code,
        origin_name=origin.prefecture + origin.name if origin else applicant.municipality,
        previous_address=service.get_resident(db, applicant.id).address.label(),  # type: ignore[union-attr]
        head=_person(head_row) if head_row else None,
        destination=destination,
        moving_date=effective_date,
        whole_household=whole,
        movers=tuple(Mover(_person(m), m.birth_date, m.sex, m.relationship, m.id in holders) for m in movers),
    )
    row = PlannedMove(
        id=move_id,
        municipality_code=applicant.municipality_code,
        household_id=applicant.household_id,
        members=[m.id for m in movers],
        whole_household=whole,
        remaining_head_id=successor.id if successor else None,
        destination=destination,
        effective_date=effective_date,
        status=PLANNED,
        source=source,
        actor=actor,
        legal_basis=legal_basis,
        certificate=certificate.as_json(),
        recorded_at=clock.now(),
    )
    db.add(row)
    db.flush()
    if effective_date <= service.today():
        _apply(db, row)
    return _planned(row)


def _person(row: Resident) -> PersonName:
    return PersonName(row.family_name, row.given_name, row.family_kana, row.given_kana)


def _apply(db: Session, row: PlannedMove) -> None:
    """Close each mover's record on the declared date; a remaining 世帯 gets its declared head."""
    for resident_id in row.members:
        service.move_out(
            db,
            resident_id,
            destination=row.destination,
            effective_date=row.effective_date,
            actor=row.actor,
            legal_basis=row.legal_basis,
        )
    if row.remaining_head_id:
        service.make_head(db, row.remaining_head_id, effective_date=row.effective_date, actor=row.actor)
    row.status, row.applied_at = DONE, clock.now()
    db.flush()


def apply_due(db: Session, today: date | None = None) -> int:
    """Apply every planned move whose date has come; the number applied."""
    day = today or service.today()
    due = db.scalars(
        select(PlannedMove)
        .where(PlannedMove.status == PLANNED, PlannedMove.effective_date <= day)
        .order_by(PlannedMove.effective_date, PlannedMove.recorded_at)
        .with_for_update()
    ).all()
    for row in due:
        _apply(db, row)
    return len(due)


def cancel(db: Session, source: str) -> bool:
    """転出の取消 before the date: nothing is recorded in the members' records. True if cancelled."""
    row = db.scalar(select(PlannedMove).where(PlannedMove.source == source).with_for_update())
    if row is None or row.status != PLANNED:
        return False
    row.status = CANCELLED
    db.flush()
    return True


def planned_move_of(db: Session, resident_id: str) -> PlannedMoveRecord | None:
    """The move of this person recorded but not yet applied (転出予定), if any."""
    rows = db.scalars(
        select(PlannedMove).where(
            PlannedMove.status == PLANNED, PlannedMove.household_id == _household_of(db, resident_id)
        )
    ).all()
    return next((_planned(r) for r in rows if resident_id in r.members), None)


def _household_of(db: Session, resident_id: str) -> str:
    return db.scalar(select(Resident.household_id).where(Resident.id == resident_id)) or ""


def as_of(db: Session, resident_id: str, at: date) -> service.ResidentRecord | None:
    """The record at the end of ``at``, with a planned move whose date has come already shown."""
    record = service.get_resident_as_of(db, resident_id, at)
    planned = planned_move_of(db, resident_id)
    if record is None or planned is None or planned.effective_date > at:
        return record
    return replace(
        record, status="moved_out", status_date=planned.effective_date, destination=planned.destination
    )


def certificate_for(db: Session, municipality_code: str, resident_id: str) -> Certificate | None:
    """The newest 転出証明書情報 this municipality made that names the person, if any."""
    rows = db.scalars(
        select(PlannedMove)
        .where(
            PlannedMove.municipality_code == municipality_code,
            PlannedMove.status != CANCELLED,
            PlannedMove.household_id == _household_of(db, resident_id),
        )
        .order_by(PlannedMove.recorded_at.desc())
    ).all()
    return next((Certificate.of(r.certificate) for r in rows if resident_id in r.members), None)


# ---------------------------------------------------------------- 転入 from the certificate


def arrivals(db: Session, municipality_code: str, reference: str) -> list[service.ResidentRecord]:
    """The people of certificate ``reference`` already registered in ``municipality_code``."""
    row = db.get(PlannedMove, reference)
    if row is None:
        return []
    hashes = db.scalars(select(Resident.number_hash).where(Resident.id.in_(row.members))).all()
    found = db.scalars(
        select(Resident.id)
        .where(Resident.municipality_code == municipality_code, Resident.number_hash.in_(hashes))
        .order_by(Resident.relationship != service.HEAD, Resident.birth_date)
    ).all()
    return [r for r in (service.get_resident(db, i) for i in found) if r is not None]


def register_move_in(
    db: Session,
    municipality_code: str,
    reference: str,
    residence: service.Residence,
    *,
    moved_in_on: date,
    actor: str,
    relationships: Mapping[int, str] | None = None,
    head_index: int | None = None,
) -> list[service.ResidentRecord]:
    """転入届 (特例転入) at the destination for every person of the certificate ``reference``.

    They form one new 世帯 at ``residence``. The head is the certificate's head when they move
    too, else the mover at ``head_index`` (the 届出 says so at the counter); 続柄 are carried unless
    ``relationships`` (by mover position) say otherwise. The 転入日 must not be before the 転出
    date nor in the future.
    """
    row = db.get(PlannedMove, reference)
    if row is None or row.status == CANCELLED:
        raise CertificateNotFound(f"no moving-out certificate {reference}")
    certificate = Certificate.of(row.certificate)
    if moved_in_on > service.today():
        raise EffectiveDateInFuture("moved_in_on", f"the date {moved_in_on} is in the future")
    if moved_in_on < row.effective_date:
        raise EffectiveDateTooEarly(
            "moved_in_on", f"the move-in date {moved_in_on} is before the move-out date {row.effective_date}"
        )
    if row.status == PLANNED:
        _apply(db, row)  # the destination's 転入 proves the move happened on the declared date
    origin_rows = [db.get(Resident, resident_id) for resident_id in row.members]
    people = [r for r in origin_rows if r is not None]
    for person in people:
        if db.scalar(
            select(Resident.id).where(
                Resident.municipality_code == municipality_code, Resident.number_hash == person.number_hash
            )
        ):
            raise CertificateAlreadyUsed(
                f"{person.family_name} {person.given_name} is already registered here"
            )
    relationships = dict(relationships or {})
    leader = next((i for i, m in enumerate(certificate.movers) if m.relationship == service.HEAD), head_index)
    if leader is None:
        leader = 0 if len(people) == 1 else None
    if leader is None or not 0 <= leader < len(people):
        raise RemainingHeadRequired("head_index", "name who heads the new household")
    order = [leader, *(i for i in range(len(people)) if i != leader)]
    created: list[service.ResidentRecord] = []
    household_id: str | None = None
    for index in order:
        person, mover = people[index], certificate.movers[index]
        relationship = service.HEAD if index == leader else relationships.get(index, mover.relationship)
        number = IndividualNumber(vault(db).decrypt(person.number_ciphertext, person.id))
        record = service.register_move_in(
            db,
            municipality_code,
            service.NewResident(
                name=mover.name,
                birth_date=mover.birth_date,
                sex=mover.sex,
                individual_number=number,
                relationship=relationship,
                household_id=household_id,
            ),
            residence,
            moved_in_on=moved_in_on,
            actor=actor,
            legal_basis=MOVE_IN_BASIS,
            previous_address=certificate.previous_address,
            certificate=f"転出証明書情報 {certificate.origin_name} {certificate.moving_date.isoformat()}",
        )
        household_id = household_id or record.household_id
        created.append(record)
    return created
