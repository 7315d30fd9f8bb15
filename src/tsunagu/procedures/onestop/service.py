"""引越しワンストップ: one flow submits 転出届 to the current municipality and 転入予約 to the new
one (which fetches the 転出証明書情報 through the mesh in advance) and, only for the companies
the person explicitly consents to, sends the new address through the mesh (a signed notice).

Each part keeps its own status; a part that fails does not undo the others, and the whole flow
can be submitted again with the same key without creating anything twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http.i18n import N_
from tsunagu.core.sessions import Principal
from tsunagu.mesh import crypto
from tsunagu.mesh import errors as mesh_errors
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node.context import NodeContext
from tsunagu.mesh.push import service as push
from tsunagu.procedures import meshlink
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.models import ProceduresApplication, ProceduresConsent
from tsunagu.procedures.registry import LiveRegistry

MOVING_OUT, MOVING_IN = "tenshutsu", "tennyu-yoyaku"
NOTICE_KIND = "moving-notice"
# private services that take a moving notice through the mesh, with the 事務 (consent) they use
COMPANIES: dict[str, str] = {"tsunagu-power": "denki-tenkyo"}
CONSENT_STATUS_NAMES = {
    "consented": N_("同意済み"),
    "sent": N_("通知済み"),
    "failed": N_("通知できませんでした"),
}


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
    earlier = applications.replay(database, person, procedure_id, part_key, data)
    if earlier is not None and not earlier.evidence_pending:
        return earlier
    with database.session() as db:
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
    for company in request.companies:
        _notify_company(
            database, node_of, person, bundle=bundle, company=company, new_address=request.destination_address
        )
    return status_of(database, person, bundle)


def _notify_company(
    database: Database,
    node_of: Callable[[str], NodeContext | None],
    person: Principal,
    *,
    bundle: str,
    company: str,
    new_address: str,
) -> None:
    """Consent first (recorded), then a signed notice from the current municipality's node to the
    company's node, under the company's consent-based 事務 and with only the address.

    The mesh's ``push.publish`` fans out to every subscriber of an event kind; a notice that only
    the consented company may receive is therefore signed and handed to that company's node here.
    """
    now = clock.now()
    with database.session() as db:
        consent = db.scalar(
            select(ProceduresConsent).where(
                ProceduresConsent.bundle_id == bundle, ProceduresConsent.company == company
            )
        )
        if consent is not None and consent.status == "sent":
            return
        if consent is None:
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
        record = applications.applicant_of(db, person)
        subject = codes.issue_for_resident(db, company, record.id)
        member = directory.get_organization(db, company)
    sender, receiver = node_of(record.municipality_code), node_of(company)
    try:
        if sender is None or receiver is None or member is None:
            raise meshlink.MeshUnavailable(f"{company} cannot be reached through the mesh here")
        event = uuid.uuid5(uuid.NAMESPACE_URL, f"{bundle}:{company}").hex
        message = wire.PushMessage(
            idempotency_key=f"{record.municipality_code}:{event}:{company}",
            event_id=event,
            iat=int(now.timestamp()),
            provider=record.municipality_code,
            subscriber=company,
            kind=NOTICE_KIND,
            subject=subject,
            legal_basis=f"{COMPANIES[company]}-{record.municipality_code}",
            data={"address": {"text": new_address}},
        )
        push.receive(receiver, crypto.sign(sender.key, message.model_dump(mode="json"), wire.PUSH_TYP))
        status, detail = "sent", ""
    except (mesh_errors.MeshDenied, meshlink.MeshUnavailable) as exc:
        status, detail = "failed", f"{exc.code}: {exc.detail}"
    with database.session() as db:
        row = db.scalar(
            select(ProceduresConsent).where(
                ProceduresConsent.bundle_id == bundle, ProceduresConsent.company == company
            )
        )
        if row is not None:
            row.status, row.detail, row.updated_at = status, detail, clock.now()


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
        parts += [PartStatus(c.company, c.status, c.detail) for c in consents]
    if not parts:
        raise applications.ForeignApplication("no such move of yours")
    return Bundle(bundle, tuple(parts))
