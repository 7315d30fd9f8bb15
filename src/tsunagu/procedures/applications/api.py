"""JSON API of applications: /api/v1/procedures/applications (resident), …/backoffice (staff),
…/notices (anyone verifies a signed notice)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Depends, File, Header, Request, Response, UploadFile
from sqlalchemy.orm import Session

from tsunagu.core.http.deps import (
    AppDatabase,
    CurrentPrincipal,
    CurrentResident,
    CurrentStaff,
    SecretKey,
    Transaction,
    database_of,
)
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.core.sessions import Principal
from tsunagu.mesh.deps import MeshNodes, mesh_nodes_of
from tsunagu.procedures import meshlink
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications import attachments, correction, service
from tsunagu.procedures.applications.schemas import (
    ApplicationIn,
    ApplicationOut,
    AttachmentOut,
    DecisionIn,
    DocumentIn,
    PrefillOut,
    ResubmitIn,
    VerificationOut,
    WithdrawIn,
)
from tsunagu.procedures.backoffice import service as backoffice
from tsunagu.procedures.notices import service as notices
from tsunagu.procedures.notices.download import pdf_response
from tsunagu.procedures.payments.provider import PaymentProvider
from tsunagu.procedures.payments.wiring import payment_provider
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(prefix="/api/v1/procedures", tags=["applications"])


async def gateway(request: Request) -> meshlink.MeshGateway:
    """The mesh as this deployment reaches it: through each organization's own node (async: no
    thread-pool hop; nothing here waits)."""
    return meshlink.NodeGateway(database_of(request), mesh_nodes_of(request).context)


def issuers(request: Request) -> list[str]:
    return list(mesh_nodes_of(request).served())


def receipt(app: service.Application, status_code: int) -> Response:
    """The application as JSON with its Location, serialized once here: a model returned by a
    sync route would be validated again, in another thread-pool hop, on the hottest path."""
    return Response(
        ApplicationOut.of(app, backoffice.today()).model_dump_json(),
        status_code=status_code,
        media_type="application/json",
        headers={"Location": f"/api/v1/procedures/applications/{app.id}"},
    )


@router.post(
    "/applications",
    response_model=ApplicationOut,
    status_code=201,
    responses={200: {"model": ApplicationOut, "description": "The same key and body again"}},
)
def submit_application(
    body: ApplicationIn,
    *,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    person: CurrentResident,
    database: AppDatabase,
    secret: SecretKey,
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> Response:
    """申請: stored before it is acknowledged; the same Idempotency-Key returns the same receipt."""
    key = service.require_key(idempotency_key)
    procedure = catalogue.get_procedure(registry, body.procedure_id)
    draft = service.Draft(
        procedure,
        person,
        body.data,
        key,
        body.request(),
        seal=body.prefill_seal,
        on_behalf_of=body.on_behalf_of,
    )
    app, created = service.apply(database, mesh, secret, draft)
    return receipt(app, 201 if created else 200)


@router.get("/{procedure_id}/prefill", response_model=PrefillOut)
def application_prefill(
    procedure_id: str,
    *,
    person: CurrentResident,
    database: AppDatabase,
    secret: SecretKey,
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> PrefillOut:
    """申請書の事前入力: the registry values of a new application, fetched through the mesh, sealed.

    Submitting with the seal (``prefill_seal``) uses these values instead of fetching them again.
    """
    procedure = catalogue.get_procedure(registry, procedure_id)
    opened = service.open_form(database, mesh, secret, procedure, person)
    service.require_eligible(opened.start.eligibility)
    return PrefillOut.of(procedure.id, opened.start.organization, opened.prefilled, opened.seal)


@router.get("/applications", response_model=Page[ApplicationOut])
def my_applications(
    *,
    page: PageParams = Depends(page_params),
    person: CurrentResident,
    db: Transaction,
) -> Page[ApplicationOut]:
    return applications_of(db, person.subject_id, page)


def applications_of(db: Session, subject: str, page: PageParams) -> Page[ApplicationOut]:
    """A page of one applicant's applications (a resident, or a corporation whichever of its
    accounts applied), newest first."""
    found, total = service.list_mine(db, subject, limit=page.limit, offset=page.offset)
    today = backoffice.today()
    return Page(
        items=[ApplicationOut.of(a, today) for a in found], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/applications/{application_id}", response_model=ApplicationOut)
def get_application(application_id: str, principal: CurrentPrincipal, db: Transaction) -> ApplicationOut:
    """One application: the applicant's own, or one sent to the staff member's organization."""
    return ApplicationOut.of(service.get_for(db, principal, application_id), backoffice.today())


@router.post("/applications/{application_id}/evidence/retry", response_model=ApplicationOut)
def retry_evidence(
    application_id: str,
    request: Request,
    *,
    database: AppDatabase,
    person: CurrentResident,
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> ApplicationOut:
    """Fetch again the evidence a provider could not give at submission."""
    app = service.retry_evidence(database, mesh, registry, person, application_id)
    return ApplicationOut.of(app, backoffice.today())


@router.post("/applications/{application_id}/resubmit", response_model=ApplicationOut)
def resubmit_application(
    application_id: str,
    body: ResubmitIn,
    *,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    person: CurrentResident,
    registry: LiveRegistry = Depends(live_registry),
    db: Transaction,
) -> ApplicationOut:
    """再提出 after a return for correction: send only the corrected fields (409 unless returned)."""
    key = service.require_key(idempotency_key)
    done = correction.resubmit(db, registry, person, application_id, body.data, key=key)
    return ApplicationOut.of(done, backoffice.today())


@router.post("/applications/{application_id}/withdraw", response_model=ApplicationOut)
def withdraw_application(
    *,
    application_id: str,
    body: WithdrawIn,
    person: CurrentResident,
    registry: LiveRegistry = Depends(live_registry),
    db: Transaction,
) -> ApplicationOut:
    """取下げ: end an application not yet decided (409 once decided; repeating it changes nothing)."""
    done = correction.withdraw(db, registry, person, application_id, reason=body.reason)
    return ApplicationOut.of(done, backoffice.today())


@router.get("/applications/{application_id}/attachments", response_model=list[AttachmentOut])
def application_attachments(
    application_id: str, principal: CurrentPrincipal, db: Transaction
) -> list[AttachmentOut]:
    """The files uploaded with an application (their type as recognised from their bytes)."""
    service.get_for(db, principal, application_id)
    return [AttachmentOut(**a.__dict__) for a in attachments.of_application(db, application_id)]


@router.get(
    "/applications/{application_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}}}},
)
def application_attachment(
    application_id: str,
    attachment_id: str,
    principal: CurrentPrincipal,
    db: Transaction,
) -> Response:
    """One uploaded file, for its applicant or the receiving organization's staff."""
    return attachment_response(db, principal, application_id, attachment_id)


def attachment_response(
    db: Session, principal: Principal, application_id: str, attachment_id: str
) -> Response:
    service.get_for(db, principal, application_id)
    info, content = attachments.content_of(db, application_id, attachment_id)
    return Response(
        content,
        media_type=info.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(info.filename)}",
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/backoffice/applications", response_model=Page[ApplicationOut])
def organization_inbox(
    *,
    procedure_id: str | None = None,
    status: str | None = None,
    page: PageParams = Depends(page_params),
    staff: CurrentStaff,
    db: Transaction,
) -> Page[ApplicationOut]:
    """The staff member's organization's applications, the earliest due first."""
    found, total = backoffice.organization_inbox(
        db,
        staff.organization_code or "",
        backoffice.InboxFilter(procedure_id, status),
        limit=page.limit,
        offset=page.offset,
    )
    today = backoffice.today()
    return Page(
        items=[ApplicationOut.of(a, today) for a in found], total=total, limit=page.limit, offset=page.offset
    )


@router.post("/backoffice/applications/{application_id}/decision", response_model=ApplicationOut)
def decide(
    application_id: str,
    body: DecisionIn,
    request: Request,
    tasks: BackgroundTasks,
    *,
    secret: SecretKey,
    nodes: MeshNodes,
    database: AppDatabase,
    staff: CurrentStaff,
    registry: LiveRegistry = Depends(live_registry),
    provider: PaymentProvider = Depends(payment_provider),
    mesh: meshlink.MeshGateway = Depends(gateway),
    db: Transaction,
) -> ApplicationOut:
    """審査・決裁: one step of the state machine (409 with a specific code when not allowed)."""
    app = service.get_for(db, staff, application_id)
    procedure = catalogue.get_procedure(registry, app.procedure_id)
    decided = backoffice.decide(
        db,
        secret,
        procedure,
        staff,
        application_id,
        action=body.action,
        reason=body.reason,
        fields=body.fields,
    )
    db.commit()  # the refund task must see the decision, whenever the dependency's exit runs
    tasks.add_task(
        backoffice.follow_decision,
        database,
        provider=provider,
        gateway=mesh,
        registry=registry,
        node_of=nodes.context,
        application_id=application_id,
    )
    return ApplicationOut.of(decided, backoffice.today())


@router.post("/notices/verify", response_model=VerificationOut)
def verify_notice(body: DocumentIn, request: Request, secret: SecretKey, db: Transaction) -> VerificationOut:
    """Anyone: is this 処分通知 genuine, and who issued it?"""
    result = notices.verify(db, secret, body.document, issuers(request))
    return VerificationOut.of(result)


@router.post("/notices/verify-pdf", response_model=VerificationOut)
async def verify_notice_pdf(
    request: Request,
    secret: SecretKey,
    database: AppDatabase,
    file: UploadFile = File(description="A notice PDF downloaded from Tsunagu"),
) -> VerificationOut:
    """Anyone: verify the signed document embedded in a notice PDF (422 when it carries none)."""
    content = await file.read()
    with database.session() as db:
        result, _document = notices.verify_pdf(db, secret, content, issuers(request))
    return VerificationOut.of(result)


@router.get(
    "/notices/{notice_id}.pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}}
)
def notice_pdf(
    notice_id: str,
    request: Request,
    principal: CurrentPrincipal,
    db: Transaction,
) -> Response:
    """The signed notice or certificate as PDF (its JWS attached), for the addressee or the issuer."""
    return pdf_response(request, db, principal, notice_id)


@router.get("/notices/keys")
def notice_keys(request: Request, secret: SecretKey) -> dict[str, Any]:
    """JWKS of the organizations that sign notices here (to verify offline)."""
    return notices.public_keys(secret, issuers(request))
