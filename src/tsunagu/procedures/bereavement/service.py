"""おくやみ: the family member's personal list after a death, and one flow to file what is online.

Who may act is proven from the resident register: a living member of the 世帯 the deceased person
belonged to (the register's 続柄 says how they are related), or the relative who reported the
death (死亡届の届出人, with the 続柄 the 届出 gave) when they live here in another 世帯. The list is the
checklist's entries that apply to the deceased's situation — from the register (age, 世帯主, who
remains), the applications the person made (児童手当, 介護認定) and the mesh (whether 日本年金機構 paid a
pension). The online entries are filed together as one bundle; the deceased's particulars in them
come from the register, never from the form, and each is filed once per death whoever files it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import Forbidden, NotFound, TsunaguError, ValidationFailed
from tsunagu.core.sessions import Principal
from tsunagu.mesh import errors as mesh_errors
from tsunagu.procedures import meshlink, rules
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.applications.validation import FieldError, InvalidApplication
from tsunagu.procedures.bereavement import checklist
from tsunagu.procedures.definition import Localized, Procedure
from tsunagu.procedures.models import ProceduresApplication
from tsunagu.procedures.registry import LiveRegistry
from tsunagu.registry.residents import service as residents

#: fields of a bereavement procedure the flow fills from the register (never typed, never sent)
DECEASED_FIELDS = ("deceased_name", "deceased_birth_date", "date_of_death", "relationship_to_deceased")
#: a part of the flow not filed because the family filed it for this death already
ALREADY_FILED = "bereavement-already-filed"
#: applications that no longer stand (a new filing for the same death is allowed)
_ENDED = ("withdrawn", "rejected")


class DeceasedCannotFile(Forbidden):
    code = "bereavement-deceased-principal"
    title = "The record of a deceased person cannot be used to file"


class NotFamily(Forbidden):
    code = "bereavement-not-family"
    title = "The register does not show you in the deceased person's household"


class NoDeathRegistered(NotFound):
    code = "bereavement-no-death"
    title = "No death is registered for this person"


class NothingChosen(ValidationFailed):
    code = "bereavement-nothing-to-file"
    title = "None of the chosen procedures can be filed now"


@dataclass(frozen=True)
class Death:
    deceased: residents.ResidentRecord
    died_on: date
    event_id: str
    new_head: residents.ResidentRecord | None  # who heads the 世帯 now, when the head died


@dataclass(frozen=True)
class Successor:
    """The family member acting, and how the register relates them to the deceased."""

    person: residents.ResidentRecord
    relationship: str  # as stored in the applications (亡くなった方との関係)


@dataclass(frozen=True)
class Item:
    entry: checklist.Entry
    procedure: Procedure | None  # online entries
    name: Localized
    text: Localized | None
    deadline: date | None
    filed: applications.Application | None = None  # online: filed for this death already
    unconfirmed: bool = False  # shown because the mesh could not say whether it applies


@dataclass(frozen=True)
class Checklist:
    death: Death
    successor: Successor
    items: tuple[Item, ...]
    situation: Mapping[str, object] = field(default_factory=dict)

    @property
    def online(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.entry.kind == "online")

    @property
    def to_file(self) -> tuple[Item, ...]:
        return tuple(i for i in self.online if i.filed is None)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _person(db: Session, principal: Principal) -> residents.ResidentRecord:
    person = applications.applicant_of(db, principal)
    if person.status == "deceased":
        raise DeceasedCannotFile("this login belongs to a person whose death is registered")
    return person


def deaths_for(db: Session, principal: Principal) -> list[residents.ResidentRecord]:
    """The deaths registered in the person's own 世帯, and those they reported as a relative
    living elsewhere (whom they may act for)."""
    person = _person(db, principal)
    if person.status != "resident":
        return []
    found = residents.deceased_members(db, person.household_id)
    for deceased_id in residents.deaths_reported_by(db, person.id):
        reported = residents.informant_of(db, deceased_id)
        deceased = residents.get_resident(db, deceased_id)
        relative = reported is not None and reported.qualification in residents.RELATIVES
        if deceased is not None and relative and all(d.id != deceased.id for d in found):
            found.append(deceased)
    return found


def death_of(db: Session, deceased_id: str) -> Death:
    deceased = residents.get_resident(db, deceased_id)
    events = residents.events_of(db, deceased_id, "death") if deceased else []
    if deceased is None or deceased.status != "deceased" or not events or deceased.status_date is None:
        raise NoDeathRegistered(f"no death is registered for {deceased_id}")
    new_head = None
    if deceased.relationship == residents.HEAD:
        new_head = next(
            (
                m
                for m in residents.household_members(db, deceased.household_id)
                if m.relationship == residents.HEAD
            ),
            None,
        )
    return Death(deceased, deceased.status_date, events[0].event_id, new_head)


def successor_of(db: Session, principal: Principal, death: Death) -> Successor:
    """The person acting, if the register shows them in the deceased's 世帯 (:class:`NotFamily` else)."""
    person = _person(db, principal)
    deceased = death.deceased
    reported = residents.informant_of(db, deceased.id)
    if (
        person.status == "resident"
        and person.household_id != deceased.household_id
        and reported is not None
        and reported.informant_id == person.id
        and reported.qualification in residents.RELATIVES
    ):  # the relative who reported the death, living elsewhere: the 届出 recorded the 続柄
        return Successor(person, f"{reported.relationship}（死亡届の届出人）")
    if person.status != "resident" or person.household_id != deceased.household_id:
        raise NotFamily("only a member of the deceased person's household can file online")
    # the 続柄 the day before the death (a new 世帯主 was 妻・子… of the head until then)
    before = residents.get_resident_as_of(db, person.id, death.died_on - timedelta(days=1)) or person
    if deceased.relationship == residents.HEAD:
        relationship = f"{before.relationship}（同一世帯）"
    else:
        relationship = (
            f"同一世帯（世帯主との続柄 本人: {before.relationship}・亡くなった方: {deceased.relationship}）"
        )
    return Successor(person, relationship)


def bundle_of(deceased_id: str) -> str:
    """The bundle every filing for one death shares (whoever in the family files it)."""
    return hashlib.sha256(f"okuyami\n{deceased_id}".encode()).hexdigest()[:32]


def _filed(db: Session, deceased_id: str) -> dict[str, applications.Application]:
    ids = db.scalars(
        select(ProceduresApplication.id)
        .where(
            ProceduresApplication.bundle_id == bundle_of(deceased_id),
            ProceduresApplication.status.not_in(_ENDED),
        )
        .order_by(ProceduresApplication.submitted_at)
    )
    return {a.procedure_id: a for a in (applications.load(db, i) for i in ids)}


def _applied_for(db: Session, person_id: str, procedure_id: str) -> bool:
    """Whether the person's own applications (or a proxy's for them) include one of ``procedure_id``
    that was not withdrawn or refused."""
    return (
        db.scalar(
            select(ProceduresApplication.id).where(
                ProceduresApplication.subject_id == person_id,
                ProceduresApplication.procedure_id == procedure_id,
                ProceduresApplication.status.not_in(_ENDED),
            )
        )
        is not None
    )


def _pension(gateway: meshlink.MeshGateway, death: Death) -> bool | None:
    """Whether 日本年金機構 paid the person a pension; None when the mesh could not say."""
    deceased = death.deceased
    try:
        got = gateway.fetch(
            "pension.status",
            consumer=deceased.municipality_code,
            resident_id=deceased.id,
            resident_municipality=deceased.municipality_code,
            items=("pension_type",),
        )
    except mesh_errors.UnknownSubject:
        return False  # the pension organization holds no record of the person
    except (mesh_errors.MeshDenied, meshlink.MeshUnavailable, meshlink.SourceNotConnected):
        return None
    return bool(got.data.get("pension_type", "なし") != "なし")


def situation(
    db: Session, gateway: meshlink.MeshGateway, death: Death
) -> tuple[dict[str, object], frozenset[str]]:
    """The deceased's situation (:data:`checklist.SITUATION`) and what the mesh could not confirm
    (taken as applying: the family is told rather than left uninformed)."""
    deceased = death.deceased
    pension = _pension(gateway, death)
    found: dict[str, object] = {
        "age": _age(deceased.birth_date, death.died_on),
        "was_head": deceased.relationship == residents.HEAD,
        "remaining": len(residents.household_members(db, deceased.household_id)),
        "pension": True if pension is None else pension,
        "child_allowance": _applied_for(db, deceased.id, "jido-teate-nintei"),
        "care_certified": _applied_for(db, deceased.id, "kaigo-nintei"),
    }
    return found, frozenset({"pension"} if pension is None else set())


def _text(entry: checklist.Entry, death: Death) -> Localized | None:
    if entry.text is None:
        return None
    head = death.new_head.name.full if death.new_head else ""
    return Localized(
        ja=entry.text.ja.replace("{new_head}", head), en=entry.text.en.replace("{new_head}", head)
    )


def checklist_for(
    database: Database,
    gateway: meshlink.MeshGateway,
    registry: LiveRegistry,
    principal: Principal,
    deceased_id: str,
) -> Checklist:
    """The acting family member's list for one death: what applies, what was filed, by when."""
    with database.session() as db:
        death = death_of(db, deceased_id)
        successor = successor_of(db, principal, death)
        filed = _filed(db, deceased_id)
    with database.session() as db:  # the mesh look-up writes its logs in its own transactions
        found, unconfirmed = situation(db, gateway, death)
    return Checklist(death, successor, entries_for(registry, death, found, unconfirmed, filed), found)


def entries_for(
    registry: LiveRegistry,
    death: Death,
    found: Mapping[str, object],
    unconfirmed: frozenset[str],
    filed: Mapping[str, applications.Application] | None = None,
) -> tuple[Item, ...]:
    """The checklist's entries that apply to the situation, in the checklist's order."""
    procedures = registry.snapshot().procedures
    items = []
    for entry in checklist.load():
        if entry.when is not None and not rules.evaluate(entry.when, found):
            continue
        procedure = procedures.get(entry.procedure) if entry.kind == "online" else None
        if entry.kind == "online" and procedure is None:
            continue  # a procedure withdrawn from the catalogue is not offered
        name = procedure.name if procedure is not None else entry.name
        assert name is not None  # checked at load
        items.append(
            Item(
                entry,
                procedure,
                name,
                procedure.summary if procedure is not None and entry.text is None else _text(entry, death),
                None if entry.deadline_days is None else death.died_on + timedelta(days=entry.deadline_days),
                (filed or {}).get(entry.procedure) if procedure is not None else None,
                unconfirmed=entry.when is not None and bool(_names(entry.when) & unconfirmed),
            )
        )
    return tuple(items)


def _names(rule: Mapping[str, Any]) -> set[str]:
    if "attribute" in rule:
        return {str(rule["attribute"])}
    parts = rule.get("all") or rule.get("any") or [rule.get("not") or {}]
    return set().union(*(_names(p) for p in parts))


def deceased_values(death: Death, successor: Successor) -> dict[str, Any]:
    """The deceased's particulars as a bereavement form's values, from the register."""
    name = death.deceased.name
    return {
        "deceased_name": {
            "family": name.family,
            "given": name.given,
            "family_kana": name.family_kana,
            "given_kana": name.given_kana,
        },
        "deceased_birth_date": death.deceased.birth_date.isoformat(),
        "date_of_death": death.died_on.isoformat(),
        "relationship_to_deceased": successor.relationship,
    }


@dataclass(frozen=True)
class Part:
    """One online procedure of the flow: its application, or why it was not filed."""

    procedure: Procedure
    application: applications.Application | None
    created: bool = False
    problem: str = ""  # the error code when not filed
    detail: str = ""
    fields: tuple[FieldError, ...] = ()  # the fields to correct, when that is why


def file_online(
    database: Database,
    gateway: meshlink.MeshGateway,
    secret: str,
    listed: Checklist,
    *,
    principal: Principal,
    chosen: tuple[str, ...],
    answers: Mapping[str, Any],
    key: str,
) -> list[Part]:
    """File the chosen online procedures of ``listed`` in one go, as one bundle for the death.

    Each is an ordinary application of the acting family member (their own particulars and
    公金受取口座 prefilled through the mesh), with the deceased's particulars from the register.
    One already filed for this death (by anyone in the family) is reported, not filed again; a
    part refused (a field missing) is reported with its reason while the others are filed.
    """
    wanted = [i for i in listed.online if i.procedure is not None and i.procedure.id in chosen]
    if not wanted:
        raise NothingChosen("choose at least one of the procedures that can be filed online")
    given = deceased_values(listed.death, listed.successor)
    bundle = bundle_of(listed.death.deceased.id)
    parts = []
    for item in wanted:
        procedure = item.procedure
        assert procedure is not None
        values = {f.name: answers[f.name] for f in procedure.fields if f.name in answers}
        values |= {name: value for name, value in given.items() if procedure.field(name) is not None}
        part_key = f"{key}-{procedure.id}"[:128]
        request = {"bereavement": listed.death.deceased.id, "answers": dict(answers)}
        with database.session() as db:
            earlier = _filed(db, listed.death.deceased.id).get(procedure.id)
            again = applications.replay(db, principal, procedure.id, part_key, request) is not None
        if earlier is not None and not again:  # filed for this death before, by anyone
            parts.append(Part(procedure, earlier, problem=ALREADY_FILED))
            continue
        draft = applications.Draft(procedure, principal, values, part_key, request, bundle_id=bundle)
        try:
            application, created = applications.apply(database, gateway, secret, draft)
        except InvalidApplication as invalid:
            parts.append(Part(procedure, None, problem=invalid.code, fields=tuple(invalid.problems)))
            continue
        except applications.AlreadyFiledInBundle as first:  # another family member's filing won the race
            with database.session() as db:
                won = applications.load(db, str(first.extra["application_id"]))
            parts.append(Part(procedure, won, problem=ALREADY_FILED))
            continue
        except TsunaguError as problem:
            if problem.status >= 500:
                raise
            parts.append(Part(procedure, None, problem=problem.code, detail=problem.detail))
            continue
        parts.append(Part(procedure, application, created))
    return parts


def today() -> date:
    return clock.today_jst().date()
