"""JSON API of applications by businesses: /api/v1/procedures/business (a gBizID-style account)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Response
from pydantic import BaseModel, Field

from tsunagu.core.errors import Forbidden
from tsunagu.core.http.deps import AppDatabase, CurrentPrincipal, SecretKey, Transaction
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.core.sessions import Principal
from tsunagu.procedures import meshlink
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications import service
from tsunagu.procedures.applications.api import applications_of, gateway, receipt
from tsunagu.procedures.applications.schemas import ApplicationIn, ApplicationOut, PrefillOut
from tsunagu.procedures.applications.service import business
from tsunagu.procedures.applications.service import company_setup as company_setup_service
from tsunagu.procedures.applications.service.acting import business_subject
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(prefix="/api/v1/procedures/business", tags=["applications: businesses"])


def _business(principal: Principal) -> Principal:
    if principal.kind != "business":
        raise business.NotABusiness("log in with a business account (gBizID) to apply for a corporation")
    return principal


@router.get(
    "/{procedure_id}/prefill",
    response_model=PrefillOut,
    responses={
        403: {
            "description": "procedures-resident-only, procedures-not-granted, "
            "procedures-business-account-required"
        },
        409: {"description": "procedures-corporation-closed"},
    },
)
def business_prefill(
    procedure_id: str,
    *,
    principal: CurrentPrincipal,
    database: AppDatabase,
    secret: SecretKey,
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> PrefillOut:
    """The corporation's registry values for a new application, through the mesh, sealed."""
    procedure = catalogue.get_procedure(registry, procedure_id)
    form = business.open_form(database, mesh, secret, procedure, _business(principal))
    return PrefillOut.of(procedure.id, form.organization, form.prefilled, form.seal)


@router.post(
    "/applications",
    response_model=ApplicationOut,
    status_code=201,
    responses={
        200: {"model": ApplicationOut, "description": "The same key and body again"},
        404: {"description": "procedure-not-found"},
        409: {"description": "procedures-corporation-closed, idempotency-key-reused"},
    },
)
def submit_business_application(
    body: ApplicationIn,
    *,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    principal: CurrentPrincipal,
    database: AppDatabase,
    secret: SecretKey,
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> Response:
    """申請 by a business for its corporation; the account is recorded as the acting person."""
    key = service.require_key(idempotency_key)
    if body.on_behalf_of:
        raise Forbidden("a business applies for its own corporation only")
    procedure = catalogue.get_procedure(registry, body.procedure_id)
    draft = business.BusinessDraft(
        procedure, _business(principal), body.data, key, body.request(), seal=body.prefill_seal
    )
    app, created = business.apply(database, mesh, secret, draft)
    return receipt(app, 201 if created else 200)


@router.get("/applications", response_model=Page[ApplicationOut])
def business_applications(
    *, page: PageParams = Depends(page_params), principal: CurrentPrincipal, db: Transaction
) -> Page[ApplicationOut]:
    """The corporation's applications, whichever of its accounts made them, newest first."""
    return applications_of(db, business_subject(_business(principal)), page)


class CompanySetupIn(BaseModel):
    data: dict[str, Any] = Field(
        default_factory=dict, description="The answers of every set-up form (fields not from the registry)"
    )


class CompanySetupPartOut(BaseModel):
    procedure_id: str
    organization_code: str | None
    status: str | None = Field(description="The application's state, or null when the part was not filed")
    receipt_number: str | None
    application_id: str | None
    problem: str | None = Field(description="Why the part was not filed (an error code), else null")
    detail: str | None


class CompanySetupOut(BaseModel):
    bundle_id: str
    parts: list[CompanySetupPartOut]


def _part(
    procedure_id: str, app: service.Application | None, problem: str = "", detail: str = ""
) -> CompanySetupPartOut:
    return CompanySetupPartOut(
        procedure_id=procedure_id,
        organization_code=app.organization_code if app else None,
        status=app.status if app else None,
        receipt_number=app.receipt_number if app else None,
        application_id=app.id if app else None,
        problem=problem or None,
        detail=detail or None,
    )


@router.post("/company-setup", response_model=CompanySetupOut, status_code=201)
def company_setup(
    body: CompanySetupIn,
    *,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    principal: CurrentPrincipal,
    database: AppDatabase,
    secret: SecretKey,
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> CompanySetupOut:
    """法人設立ワンストップ: the post-registration filings to every organization at once, each part with
    its own status (a part that cannot be filed says why; the others are filed)."""
    key = service.require_key(idempotency_key)
    procedures = [catalogue.get_procedure(registry, code) for code in company_setup_service.PROCEDURES]
    bundle, parts = company_setup_service.file_all(
        database,
        mesh,
        secret,
        procedures,
        principal=_business(principal),
        answers=body.data,
        key=key,
    )
    return CompanySetupOut(
        bundle_id=bundle, parts=[_part(p.procedure_id, p.application, p.problem, p.detail) for p in parts]
    )


@router.get(
    "/company-setup/{bundle_id}",
    response_model=CompanySetupOut,
    responses={404: {"description": "company-setup-not-found"}},
)
def company_setup_status(bundle_id: str, principal: CurrentPrincipal, db: Transaction) -> CompanySetupOut:
    """Where each organization's part of a set-up filing stands."""
    found = company_setup_service.status(db, _business(principal), bundle_id)
    return CompanySetupOut(bundle_id=bundle_id, parts=[_part(a.procedure_id, a) for a in found])
