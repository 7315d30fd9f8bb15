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
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http.i18n import N_
from tsunagu.core.sessions import Principal
from tsunagu.mesh import errors as mesh_errors
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.node.context import NodeContext
from tsunagu.mesh.push import service as push
from tsunagu.procedures import meshlink
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.models import ProceduresApplication, ProceduresConsent
from tsunagu.procedures.registry import LiveRegistry

MOVING_OUT, MOVING_IN = "tenshutsu", "tennyu-yoyaku"
NOTICE_KIND = "moving_notice"
CONSENT_SCOPE = "moving"
CONSENT_VALID = timedelta(days=90)
# private services that take a moving notice through the mesh, with the 事務 (consent) they use
COMPANIES: dict[str, str] = {"tsunagu-power": "denki-tenkyo"}
CONSENT_STATUS_NAMES = {
    "consented": N_("同意済み"),
    "queued": N_("配信待ち"),
    "delivered": N_("通知済み"),
    "failed": N_("通知できませんでした"),
}
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


def bundle_id_for(resident_id: str, key: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"tsunagu:onestop:{resident_id}:{key}").hex


def _apply(
    database: Database,
    gateway: meshlink.MeshGateway,
    registry: LiveRegistry,
    person: Principal,
    *,
    procedure_id: str,
    data: dict[str, Any],
    key: str,
    bundle_id: str,
) -> applications.Application:
    procedure = registry.snapshot().procedures[procedure_id]
    part_key = f"{key}:{procedure_id}"
    with database.session() as db:
        earlier = applications.replay(db, person, procedure_id, part_key, data)
        if earlier is not None and not earlier.evidence_pending:
            return earlier
        prefilled, clean, organization, subject = applications.prepare(db, gateway, procedure, person, data)
    app, created = applications.submit(
        database,
        applications.Submission(
            procedure, person, subject, organization, clean, prefilled, part_key, data, bundle_id
        ),
    )
    if created or app.evidence_pending:
        app = applications.collect_evidence(database, gateway, procedure, app.id)
    return app


def move(
    database: Database,
    gateway: meshlink.MeshGateway,
    registry: LiveRegistry,
    person: Principal,
    *,
    node_of: Callable[[str], NodeContext | None],
    request: Move,
) -> Bundle:
    """Submit every part of the move; each part's outcome is recorded separately."""
    unknown = sorted(set(request.companies) - set(COMPANIES))
    if unknown:
        raise UnknownCompany(
            f"unknown companies: {', '.join(unknown)}",
            errors=[
                {"location": ["body", "companies"], "message": "unknown company", "type": UnknownCompany.code}
            ],
        )
    bundle = bundle_id_for(person.subject_id, applications.require_key(request.key))
    address = {"text": request.destination_address}
    _apply(
        database,
        gateway,
        registry,
        person,
        procedure_id=MOVING_OUT,
        data={
            "destination_address": address,
            "moving_date": request.moving_date,
            "movers": request.movers,
            "phone": request.phone,
        },
        key=request.key,
        bundle_id=bundle,
    )
    _apply(
        database,
        gateway,
        registry,
        person,
        procedure_id=MOVING_IN,
        data={
            "destination_address": address,
            "moving_date": request.moving_date,
            "visit_date": request.visit_date,
            "phone": request.phone,
        },
        key=request.key,
        bundle_id=bundle,
    )
    if request.companies:
        _notify_companies(database, node_of, person, bundle=bundle, request=request)
    return status_of(database, person, bundle)


def _notify_companies(
    database: Database,
    node_of: Callable[[str], NodeContext | None],
    person: Principal,
    *,
    bundle: str,
    request: Move,
) -> None:
    """Each consent first, recorded here and in the mesh directory (the company's own code for the
    person, scope ``moving``, an expiry), then one moving notice published by the current
    municipality's node: the directory routes it only to subscribers the person consented to
    (a consent-kind 事務), with only the address, and the person sees it in やりとり履歴."""
    now = clock.now()
    with database.session() as db:
        rows = {company: _consent_row(db, bundle, company) for company in request.companies}
        pending = [company for company, row in rows.items() if row is None or row.status != "queued"]
        if not pending:  # the same move submitted again: its notice is already on its way
            return
        record = applications.applicant_of(db, person)
        codes.code_for(db, record.municipality_code, record.id)  # the city's node publishes about them
        for company in pending:
            if rows[company] is None:
                db.add(ProceduresConsent(bundle_id=bundle, resident_id=person.subject_id, company=company,
                                         status="consented", detail="", consented_at=now, updated_at=now))
            directory.grant_consent(db, subscriber=company, resident_id=record.id, scope=CONSENT_SCOPE,
                                    expires_at=now + CONSENT_VALID, source=f"onestop:{bundle}")
    sender, event = node_of(record.municipality_code), _event_id(bundle)
    try:
        if sender is None:
            raise meshlink.MeshUnavailable(f"{record.municipality_code} cannot publish through the mesh here")
        push.publish(sender, NOTICE_KIND, record.id, {"address": {"text": request.destination_address},
                                                      "effective_date": request.moving_date}, event_id=event)
        failure = ""
    except (mesh_errors.MeshDenied, meshlink.MeshUnavailable) as exc:
        failure = f"{exc.code}: {exc.detail}"
    with database.session() as db:
        for company in pending:
            row = _consent_row(db, bundle, company)
            routed = not failure and push.delivery_status(db, record.municipality_code, event, company)
            if row is not None:
                row.status = "queued" if routed else "failed"
                row.detail = "" if routed else failure or "no consent-based subscription routes it"
                row.updated_at = clock.now()


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
    return db.scalar(select(ProceduresConsent).where(ProceduresConsent.bundle_id == bundle,
                                                     ProceduresConsent.company == company))


def status_of(database: Database, person: Principal, bundle: str) -> Bundle:
    """Each part of the move with its own status."""
    with database.session() as db:
        ids = db.scalars(
            select(ProceduresApplication.id)
            .where(
                ProceduresApplication.bundle_id == bundle,
                ProceduresApplication.subject_id == person.subject_id,
            )
            .order_by(ProceduresApplication.submitted_at)
        )
        # the move's own order (out, then in), not submission time (one flow submits both at once)
        apps = sorted((applications.load(db, i) for i in ids), key=lambda a: a.procedure_id != MOVING_OUT)
        consents = db.scalars(
            select(ProceduresConsent)
            .where(ProceduresConsent.bundle_id == bundle, ProceduresConsent.resident_id == person.subject_id)
            .order_by(ProceduresConsent.id)
        )
        parts = [
            PartStatus(
                a.procedure_id,
                a.status,
                "evidence pending" if a.evidence_pending else "",
                a.id,
                a.receipt_number,
            )
            for a in apps
        ]
        publisher = next((a.organization_code for a in apps if a.procedure_id == MOVING_OUT), None)
        parts += [PartStatus(c.company, _delivery(db, publisher, bundle, c), c.detail) for c in consents]
    if not parts:
        raise applications.ForeignApplication("no such move of yours")
    return Bundle(bundle, tuple(parts))
