"""引越しワンストップ: one flow submits 転出届 to the current municipality and 転入予約 to the new
one (which fetches the 転出証明書情報 through the mesh in advance) and, only for the companies
the person explicitly consents to, records the consent in the mesh directory and publishes the
new address as a push notice that the mesh routes only to those companies (同意に基づく提供).

Each part keeps its own status; a part that fails does not undo the others, and the whole flow
can be submitted again with the same key without creating anything twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.messages import N_
from tsunagu.core.sessions import Principal
from tsunagu.mesh import errors as mesh_errors
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.node.context import NodeContext
from tsunagu.mesh.push import service as push
from tsunagu.procedures import meshlink
from tsunagu.procedures.applications import household
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.applications.validation import NOT_SERVED, FieldError, InvalidApplication
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.models import ProceduresApplication, ProceduresConsent
from tsunagu.procedures.onestop import bundle as bundles
from tsunagu.procedures.registry import LiveRegistry
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.residents import moving

MOVING_OUT, MOVING_IN = "tenshutsu", "tennyu-yoyaku"
NOTICE_KIND = "moving_notice"
CONSENT_SCOPE = "moving"
CONSENT_VALID = timedelta(days=90)
# private services that take a moving notice through the mesh, with the 事務 (consent) they use
COMPANIES: dict[str, str] = {"tsunagu-power": "denki-tenkyo"}
CONSENT_STATUS_NAMES = {
    "consented": N_("同意済み（転出の受理後、引越しの日にお知らせします）"),
    "cancelled": N_("取りやめ（お知らせしていません）"),
    "queued": N_("配信待ち"),
    "delivered": N_("通知済み"),
    "failed": N_("通知できませんでした"),
}
UNKNOWN_DESTINATION = "転入先の市区町村が見つかりません。"
EVIDENCE_PENDING = N_("転出証明書情報は、転出届が受理されると転入先へ届きます。")
# where the mesh's push delivery of the notice stands, as the person sees it
DELIVERY_STATUS = {push.DELIVERED: "delivered", push.DEAD: "failed"}


class UnknownCompany(ValidationFailed):
    code = "onestop-unknown-company"
    title = "This company does not take moving notices here"


def prepare_directory(db: Session, municipalities: tuple[str, ...], actor: str) -> int:
    """The 事務 moving needs in the mesh directory (idempotent)."""
    return meshlink.register_bases(db, municipalities, actor)


def company_names(database: Database, locale: str) -> dict[str, str]:
    """The companies a person may tell of the move, by their names in the mesh directory."""
    with database.session() as db:
        found = {code: directory.get_organization(db, code) for code in COMPANIES}
    return {
        code: code if org is None else (org.name_en if locale == "en" else org.name_ja)
        for code, org in found.items()
    }


@dataclass(frozen=True)
class Move:
    destination_address: str
    moving_date: str
    visit_date: str
    phone: str
    movers: str
    companies: tuple[str, ...]
    key: str
    members: tuple[str, ...] = ()
    remaining_head: str = ""

    def parts(self) -> dict[str, dict[str, Any]]:
        """What each procedure of the move is asked (転出届, 転入予約)."""
        address = {"text": self.destination_address}
        moving_out: dict[str, Any] = {
            "destination_address": address,
            "moving_date": self.moving_date,
            "movers": self.movers,
            "phone": self.phone,
        }
        if self.movers == "some-members":
            moving_out["members"] = list(self.members)
        if self.remaining_head:
            moving_out["remaining_head"] = self.remaining_head
        moving_in = {
            "destination_address": address,
            "moving_date": self.moving_date,
            "visit_date": self.visit_date,
            "phone": self.phone,
        }
        return {MOVING_OUT: moving_out, MOVING_IN: moving_in}


@dataclass(frozen=True)
class PartStatus:
    name: str
    status: str
    detail: str = ""
    application_id: str | None = None
    receipt_number: str = ""


@dataclass(frozen=True)
class Bundle:
    id: str
    parts: tuple[PartStatus, ...]


@dataclass(frozen=True)
class Review:
    """申請内容の確認: every part checked and prefilled, nothing filed yet."""

    parts: dict[str, dict[str, Any]]
    movers: tuple[household.Member, ...]  # who moves, as the 転出届 declares
    remaining_head: household.Member | None
    destination: Destination


@dataclass(frozen=True)
class Destination:
    """The new address as the address registry reads it: what the person can check before
    filing (もしかして), and whether its 町字 was found at all."""

    reading: str
    town_found: bool
    candidates: tuple[str, ...]


def _destination(db: Session, text: str) -> Destination:
    found = addresses.normalize(db, text)
    reading = found.address.label() if found.address is not None else ""
    places = tuple(f"{c.prefecture}{c.municipality}{c.town}" for c in found.candidates)
    return Destination(reading, found.level in ("town", "block"), places)


def bundle_id_for(resident_id: str, key: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"tsunagu:onestop:{resident_id}:{key}").hex


def _check_companies(request: Move) -> None:
    unknown = sorted(set(request.companies) - set(COMPANIES))
    if unknown:
        raise UnknownCompany(
            f"unknown companies: {', '.join(unknown)}",
            errors=[
                {"location": ["body", "companies"], "message": "unknown company", "type": UnknownCompany.code}
            ],
        )


def _prepared(
    database: Database,
    gateway: meshlink.MeshGateway,
    registry: LiveRegistry,
    person: Principal,
    request: Move,
) -> dict[str, bundles.Ready]:
    """Each part checked (and prefilled) before any is filed: a problem in one files none.

    A part the same key already filed answers its application (nothing more to file).
    """
    _check_companies(request)
    key = applications.require_key(request.key)
    return bundles.prepare(
        database,
        gateway,
        registry.snapshot().procedures,
        person,
        bundles.Filing(bundle_id_for(person.subject_id, key), key, request.parts()),
        check=_require_served,
        unknown_organization=FieldError("destination_address", UNKNOWN_DESTINATION),
    )


def _require_served(db: Session, procedure: Procedure, person: Principal, data: dict[str, Any]) -> None:
    """A destination that is not on the platform cannot take a 転入予約 here: said at the address,
    not as missing registry values the form never asks for."""
    if procedure.responsible.rule != "municipality_of_destination":
        return
    organization = applications.responsible_organization(
        db, procedure, applications.applicant_of(db, person), data
    )
    if directory.get_organization(db, organization) is None:
        raise InvalidApplication([FieldError("destination_address", NOT_SERVED)])


def review(
    database: Database,
    gateway: meshlink.MeshGateway,
    registry: LiveRegistry,
    person: Principal,
    request: Move,
) -> Review:
    """Check the whole move as it would be filed, without filing it (the confirmation page)."""
    ready = _prepared(database, gateway, registry, person, request)
    with database.session() as db:
        members = household.members_of(db, applications.applicant_of(db, person))
        destination = _destination(db, request.destination_address)
    moving_out = ready[MOVING_OUT].data
    chosen = set(moving_out.get("members") or [])
    movers = tuple(m for m in members if moving_out.get("movers") != "some-members" or m.id in chosen)
    head = next((m for m in members if m.id == moving_out.get("remaining_head")), None)
    return Review({name: part.data for name, part in ready.items()}, movers, head, destination)


def household_of(database: Database, person: Principal) -> list[household.Member]:
    """The members the form offers as 転出する方."""
    with database.session() as db:
        return household.members_of(db, applications.applicant_of(db, person))


def move(
    database: Database,
    gateway: meshlink.MeshGateway,
    registry: LiveRegistry,
    person: Principal,
    *,
    node_of: Callable[[str], NodeContext | None],
    request: Move,
) -> Bundle:
    """File every part of the move (each keeps its own status) and record the consents given.

    Companies are told nothing now: only when the 転出届 is accepted and its date has come
    (:func:`publish_due`); a move refused or withdrawn tells them nothing.
    """
    ready = _prepared(database, gateway, registry, person, request)
    bundle = bundle_id_for(person.subject_id, request.key)
    # the 転入予約's 転出証明書情報 exists only once the 転出届 is accepted (fetched again then)
    bundles.file(database, gateway, registry.snapshot().procedures, ready, (MOVING_OUT, MOVING_IN))
    if request.companies:
        _record_consents(database, person, bundle, request.companies)
    publish_due(database, node_of, bundle=bundle)
    return status_of(database, person, bundle)


def _record_consents(database: Database, person: Principal, bundle: str, companies: tuple[str, ...]) -> None:
    now = clock.now()
    with database.session() as db:
        for company in companies:
            if _consent_row(db, bundle, company) is None:
                db.add(
                    ProceduresConsent(
                        bundle_id=bundle,
                        resident_id=person.subject_id,
                        company=company,
                        status="consented",
                        detail="",
                        consented_at=now,
                        updated_at=now,
                    )
                )


def _moving_out_of(db: Session, bundle: str) -> ProceduresApplication | None:
    return db.scalar(
        select(ProceduresApplication).where(
            ProceduresApplication.bundle_id == bundle, ProceduresApplication.procedure_id == MOVING_OUT
        )
    )


def publish_due(
    database: Database,
    node_of: Callable[[str], NodeContext | None],
    *,
    bundle: str | None = None,
    today: date | None = None,
) -> int:
    """Tell the consented companies of each move accepted and due (its date has come); a move
    refused or withdrawn cancels its consents unsent. The number of moves published."""
    day = today or clock.today_jst().date()
    with database.session() as db:
        query = select(ProceduresConsent.bundle_id).where(ProceduresConsent.status == "consented").distinct()
        bundles = [bundle] if bundle else list(db.scalars(query))
        due: list[_DueMove] = []
        for candidate in bundles:
            moving_out = _moving_out_of(db, candidate)
            if moving_out is None:
                continue
            if moving_out.status in ("rejected", "withdrawn"):
                _settle(db, candidate, "cancelled", "")
                continue
            moving_date = str(moving_out.data.get("moving_date", ""))
            if moving_out.status == "approved" and date.fromisoformat(moving_date) <= day:
                address = str((moving_out.data.get("destination_address") or {}).get("text", ""))
                due.append(
                    _DueMove(
                        candidate, moving_out.subject_id, moving_out.organization_code, address, moving_date
                    )
                )
    for move in due:
        _notify_companies(database, node_of, move)
    return len(due)


def _settle(db: Session, bundle: str, status: str, detail: str) -> None:
    for row in db.scalars(
        select(ProceduresConsent).where(
            ProceduresConsent.bundle_id == bundle, ProceduresConsent.status == "consented"
        )
    ):
        row.status, row.detail, row.updated_at = status, detail, clock.now()


@dataclass(frozen=True)
class _DueMove:
    """An accepted move whose date has come: who moved, which city publishes, where to."""

    bundle: str
    resident_id: str
    publisher: str
    address: str
    moving_date: str


def _notify_companies(
    database: Database, node_of: Callable[[str], NodeContext | None], move: _DueMove
) -> None:
    """Each consent into the mesh directory (the company's own code for the person, scope
    ``moving``, an expiry), then one moving notice published by the former municipality's node:
    the directory routes it only to subscribers the person consented to (a consent-kind 事務),
    with only the address, and the person sees it in やりとり履歴."""
    bundle, resident_id, publisher = move.bundle, move.resident_id, move.publisher
    now = clock.now()
    with database.session() as db:
        pending = [
            row.company
            for row in db.scalars(
                select(ProceduresConsent).where(
                    ProceduresConsent.bundle_id == bundle, ProceduresConsent.status == "consented"
                )
            )
        ]
        if not pending:
            return
        codes.code_for(db, publisher, resident_id)  # the city's node publishes about them
        codes.relate(db, publisher, resident_id, "resident")
        for company in pending:
            directory.grant_consent(
                db,
                subscriber=company,
                resident_id=resident_id,
                scope=CONSENT_SCOPE,
                expires_at=now + CONSENT_VALID,
                source=f"onestop:{bundle}",
            )
    sender, event = node_of(publisher), _event_id(bundle)
    try:
        if sender is None:
            raise meshlink.MeshUnavailable(f"{publisher} cannot publish through the mesh here")
        push.publish(
            sender,
            NOTICE_KIND,
            resident_id,
            {"address": {"text": move.address}, "effective_date": move.moving_date},
            event_id=event,
        )
        failure = ""
    except (mesh_errors.MeshDenied, meshlink.MeshUnavailable) as exc:
        failure = f"{exc.code}: {exc.detail}"
    with database.session() as db:
        for company in pending:
            row = _consent_row(db, bundle, company)
            routed = not failure and push.delivery_status(db, publisher, event, company)
            if row is not None:
                row.status = "queued" if routed else "failed"
                row.detail = "" if routed else failure or "no consent-based subscription routes it"
                row.updated_at = clock.now()


def after_decision(
    database: Database,
    gateway: meshlink.MeshGateway,
    registry: LiveRegistry,
    node_of: Callable[[str], NodeContext | None],
    application_id: str,
) -> None:
    """What follows a decision on a 転出届 of a move: once accepted, the 転出証明書情報 exists and
    the destination's 転入予約 fetches it through the mesh (sent ahead); the companies are told
    if the date has come (or cancelled, if refused)."""
    with database.session() as db:
        app = applications.load(db, application_id)
        if app.procedure_id != MOVING_OUT or app.bundle_id is None:
            return
        moving_in = db.scalar(
            select(ProceduresApplication.id).where(
                ProceduresApplication.bundle_id == app.bundle_id,
                ProceduresApplication.procedure_id == MOVING_IN,
            )
        )
    if app.status == "approved" and moving_in is not None:
        procedure = registry.snapshot().procedures[MOVING_IN]
        applications.collect_evidence(database, gateway, procedure, moving_in)
    publish_due(database, node_of, bundle=app.bundle_id)


def run_due(
    database: Database, node_of: Callable[[str], NodeContext | None], today: date | None = None
) -> int:
    """The daily pass: apply the planned moves whose date has come, then tell the companies."""
    with database.session() as db:
        applied = moving.apply_due(db, today)
    publish_due(database, node_of, today=today)
    return applied


def _delivery(db: Session, publisher: str | None, bundle: str, consent: ProceduresConsent) -> str:
    """A queued notice's live state in the publishing municipality's push outbox."""
    if consent.status != "queued" or publisher is None:
        return consent.status
    state = push.delivery_status(db, publisher, _event_id(bundle), consent.company)
    return DELIVERY_STATUS.get(state or "", consent.status)


def _event_id(bundle: str) -> str:
    """One moving notice per move, whatever the number of submissions."""
    return uuid.uuid5(uuid.NAMESPACE_URL, bundle).hex


def _consent_row(db: Session, bundle: str, company: str) -> ProceduresConsent | None:
    return db.scalar(
        select(ProceduresConsent).where(
            ProceduresConsent.bundle_id == bundle, ProceduresConsent.company == company
        )
    )


def status_of(database: Database, person: Principal, bundle: str) -> Bundle:
    """Each part of the move with its own status."""
    apps = bundles.parts_of(database, person, bundle, (MOVING_OUT, MOVING_IN))
    with database.session() as db:
        consents = db.scalars(
            select(ProceduresConsent)
            .where(ProceduresConsent.bundle_id == bundle, ProceduresConsent.resident_id == person.subject_id)
            .order_by(ProceduresConsent.id)
        )
        parts = [
            PartStatus(
                a.procedure_id,
                a.status,
                EVIDENCE_PENDING if a.evidence_pending else "",
                a.id,
                a.receipt_number,
            )
            for a in apps
        ]
        moving_out = next((a for a in apps if a.procedure_id == MOVING_OUT), None)
        publisher = moving_out.organization_code if moving_out else None
        refused = moving_out is not None and moving_out.status in ("rejected", "withdrawn")
        parts += [
            PartStatus(
                c.company,
                "cancelled" if refused and c.status == "consented" else _delivery(db, publisher, bundle, c),
                c.detail,
            )
            for c in consents
        ]
    if not parts:
        raise applications.ForeignApplication("no such move of yours")
    return Bundle(bundle, tuple(parts))
