"""子育てワンストップ: after a birth registered at the counter, one filing for the new child.

The parent opens one form prefilled from the registers through the mesh (their name and address,
the newborn, the 公金受取口座), answers what only they know, confirms once and submits once:
児童手当 認定請求 always, 子ども医療費助成 and 保育所等の利用申込 (with the preferred facilities) when
chosen. Each part is an ordinary application of the general one-stop machinery
(:mod:`tsunagu.procedures.onestop.bundle`) and keeps its own status.

The bundle belongs to the birth (the child), not to the submission: the same submission sent
again (its Idempotency-Key) answers what it filed, while a second filing for the same birth — by
the same parent with another key, or by the other parent — is refused, naming the receipt.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import Conflict, NotFound, ValidationFailed
from tsunagu.core.sessions import Principal
from tsunagu.procedures import meshlink
from tsunagu.procedures.applications import household
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.definition import FormField, Procedure
from tsunagu.procedures.onestop import bundle as bundles
from tsunagu.procedures.registry import LiveRegistry

ALLOWANCE, MEDICAL, NURSERY = "jido-teate-nintei", "kodomo-iryohi-josei", "hoiku-riyo-moshikomi"
PARTS = (ALLOWANCE, MEDICAL, NURSERY)
OPTIONAL = (MEDICAL, NURSERY)  # the 児童手当 is always filed
CHILD_AGE = 18


class NoChild(NotFound):
    code = "kosodate-no-child"
    title = "No child of yours is registered in your household"


class UnknownPart(ValidationFailed):
    code = "kosodate-unknown-part"
    title = "This procedure is not part of the child-rearing bundle"


class BirthAlreadyFiled(Conflict):
    code = "kosodate-already-filed"
    title = "The child-rearing procedures for this birth were already filed"


@dataclass(frozen=True)
class Child:
    """The child the bundle is for: the household's youngest under 18 (after a 出生届, the newborn)."""

    id: str
    name: str
    birth_date: date


@dataclass(frozen=True)
class Request:
    """What the parent answers once for the whole bundle: the optional parts chosen (子ども医療費助成,
    保育所等の利用申込) and the answers, by field name (a field two forms ask is answered once)."""

    key: str
    chosen: tuple[str, ...]
    answers: Mapping[str, Any]

    def parts(self, procedures: Mapping[str, Procedure], child: Child) -> dict[str, dict[str, Any]]:
        """What each procedure of the bundle is asked; the child is the newborn, never a choice."""
        unknown = sorted(set(self.chosen) - set(OPTIONAL))
        if unknown:
            raise UnknownPart(f"not a part of the child-rearing bundle: {', '.join(unknown)}")
        parts: dict[str, dict[str, Any]] = {}
        for procedure_id in (ALLOWANCE, *(p for p in OPTIONAL if p in self.chosen)):
            procedure = procedures[procedure_id]
            values = {f.name: self.answers[f.name] for f in procedure.fields if f.name in self.answers}
            values |= {f.name: child.id for f in procedure.fields if f.type == "household_member"}
            parts[procedure_id] = values
        return parts


@dataclass(frozen=True)
class Review:
    """申請内容の確認: each chosen part as it will be filed (registry values included)."""

    child: Child
    parts: dict[str, dict[str, Any]]
    procedures: dict[str, Procedure]


@dataclass(frozen=True)
class Status:
    bundle: str
    child: Child | None
    parts: tuple[applications.Application, ...]


def bundle_id_for(child_id: str) -> str:
    """One bundle per birth, whoever files it."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"tsunagu:kosodate:{child_id}").hex


def child_of(database: Database, person: Principal) -> Child:
    """The newborn (the youngest child of the household), as the 児童手当's prefill names them."""
    today = clock.today_jst().date()
    with database.session() as db:
        members = household.members_of(db, applications.applicant_of(db, person))
    children = [m for m in members if m.id != person.subject_id and _age(m.birth_date, today) < CHILD_AGE]
    if not children:
        raise NoChild("no child under 18 is registered in your household")
    child = max(children, key=lambda m: m.birth_date)
    return Child(child.id, child.name, child.birth_date)


@dataclass(frozen=True)
class FormPart:
    """One procedure on the bundle's form: what the registers give and what the parent answers
    (a value or question an earlier part already has is not repeated)."""

    procedure: Procedure
    known: dict[str, Any]
    sources: dict[str, applications.Provenance]
    asked: tuple[FormField, ...]


@dataclass(frozen=True)
class Form:
    child: Child
    parts: tuple[FormPart, ...]
    filed: applications.Application | None  # this birth's 児童手当 as filed (by this or the other parent)
    bundle: str = ""

    @property
    def already_filed(self) -> bool:
        return self.filed is not None

    def filed_by(self, person: Principal) -> bool:
        """Whether the filing is the person's own (they can open its status)."""
        return self.filed is not None and self.filed.subject_id == person.subject_id


def open_bundle(
    database: Database,
    gateway: meshlink.MeshGateway,
    secret: str,
    registry: LiveRegistry,
    person: Principal,
) -> Form:
    """The bundle's one form for the household's newborn, prefilled through the mesh."""
    child = child_of(database, person)
    procedures = registry.snapshot().procedures
    parts, shown = [], set()
    for procedure_id in PARTS:
        procedure = procedures[procedure_id]
        opened = applications.open_form(database, gateway, secret, procedure, person)
        applications.require_eligible(opened.start.eligibility)
        values = opened.prefilled.values
        known = {name: value for name, value in values.items() if name not in shown}
        asked = tuple(
            f
            for f in procedure.fields
            if f.name not in values and f.name not in shown and f.type not in ("household_member", "file")
        )
        shown |= set(values) | {f.name for f in asked}
        parts.append(FormPart(procedure, known, dict(opened.prefilled.sources), asked))
    with database.session() as db:
        standing = bundles.standing(db, bundle_id_for(child.id))
    filed = next((a for a in standing if a.procedure_id == ALLOWANCE), standing[0] if standing else None)
    return Form(child, tuple(parts), filed, bundle_id_for(child.id))


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _filing(procedures: Mapping[str, Procedure], child: Child, request: Request) -> bundles.Filing:
    key = applications.require_key(request.key)
    return bundles.Filing(bundle_id_for(child.id), key, request.parts(procedures, child))


def _require_first(database: Database, person: Principal, filing: bundles.Filing) -> None:
    """Refuse a second filing for the same birth; the same submission again passes (a replay)."""
    with database.session() as db:
        standing = bundles.standing(db, filing.bundle)
        again = {
            procedure_id
            for procedure_id, data in filing.parts.items()
            if applications.replay(db, person, procedure_id, bundles.part_key(filing.key, procedure_id), data)
        }
    earlier = [a for a in standing if a.procedure_id not in again]
    if earlier:  # named by the 児童手当's receipt, the part every filing of a birth has
        first = next((a for a in earlier if a.procedure_id == ALLOWANCE), earlier[0])
        raise BirthAlreadyFiled(
            f"the procedures for this birth were already filed (receipt {first.receipt_number})",
            receipt_number=first.receipt_number,
        )


def _prepared(
    database: Database,
    gateway: meshlink.MeshGateway,
    registry: LiveRegistry,
    person: Principal,
    request: Request,
) -> tuple[Child, dict[str, bundles.Ready], Mapping[str, Procedure]]:
    child = child_of(database, person)
    procedures = registry.snapshot().procedures
    filing = _filing(procedures, child, request)
    _require_first(database, person, filing)
    return child, bundles.prepare(database, gateway, procedures, person, filing), procedures


def review(
    database: Database,
    gateway: meshlink.MeshGateway,
    registry: LiveRegistry,
    person: Principal,
    request: Request,
) -> Review:
    """Every chosen part checked and prefilled as it would be filed; nothing filed yet."""
    child, ready, procedures = _prepared(database, gateway, registry, person, request)
    chosen = [p for p in PARTS if p in ready]
    return Review(child, {p: ready[p].data for p in chosen}, {p: procedures[p] for p in chosen})


def file(
    database: Database,
    gateway: meshlink.MeshGateway,
    registry: LiveRegistry,
    person: Principal,
    request: Request,
) -> Status:
    """File every chosen part at once (each keeps its own status); the same key again answers
    the same applications."""
    child, ready, procedures = _prepared(database, gateway, registry, person, request)
    bundles.file(database, gateway, procedures, ready, PARTS)
    return status_of(database, person, bundle_id_for(child.id))


def status_of(database: Database, person: Principal, bundle: str) -> Status:
    """Each part of the person's filing for a birth, with its own status."""
    parts = bundles.parts_of(database, person, bundle, PARTS)
    if not parts:
        raise applications.ForeignApplication("no such child-rearing filing of yours")
    with database.session() as db:
        members = household.members_of(db, applications.applicant_of(db, person))
    found = next((m for m in members if bundle_id_for(m.id) == bundle), None)
    child = None if found is None else Child(found.id, found.name, found.birth_date)
    return Status(bundle, child, tuple(parts))
