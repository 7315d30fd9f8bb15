"""JSON API of applications by businesses: /api/v1/procedures/business (a gBizID-style account)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Request, Response

from tsunagu.core.errors import Forbidden
from tsunagu.core.http.deps import AppDatabase, CurrentPrincipal, SecretKey, Transaction
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.core.sessions import Principal
from tsunagu.mesh import corporate
from tsunagu.procedures import meshlink
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications import service
from tsunagu.procedures.applications.api import gateway
from tsunagu.procedures.applications.schemas import ApplicationIn, ApplicationOut, PrefillOut
from tsunagu.procedures.applications.service import business
from tsunagu.procedures.backoffice import service as backoffice
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(prefix="/api/v1/procedures/business", tags=["applications: businesses"])


def _business(principal: Principal) -> Principal:
    if principal.kind != "business":
        raise business.NotABusiness("log in with a business account (gBizID) to apply for a corporation")
    return principal


@router.get("/{procedure_id}/prefill", response_model=PrefillOut,
            responses={403: {"description": "procedures-resident-only, procedures-not-granted, "
                                            "procedures-business-account-required"},
                       409: {"description": "procedures-corporation-closed"}})
def business_prefill(procedure_id: str, request: Request, principal: CurrentPrincipal,
                     registry: LiveRegistry = Depends(live_registry),
                     mesh: meshlink.MeshGateway = Depends(gateway)) -> PrefillOut:
    """The corporation's registry values for a new application, through the mesh, sealed."""
    procedure = catalogue.get_procedure(registry, procedure_id)
    state = request.app.state
    form = business.open_form(state.database, mesh, state.secret_key, procedure, _business(principal))
    return PrefillOut.of(procedure.id, form.organization, form.prefilled, form.seal)


@router.post("/applications", response_model=ApplicationOut, status_code=201,
             responses={200: {"model": ApplicationOut, "description": "The same key and body again"}})
def submit_business_application(
    body: ApplicationIn, *, idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    principal: CurrentPrincipal, database: AppDatabase, secret: SecretKey,
    registry: LiveRegistry = Depends(live_registry), mesh: meshlink.MeshGateway = Depends(gateway),
) -> Response:
    """申請 by a business for its corporation; the account is recorded as the acting person."""
    key = service.require_key(idempotency_key)
    if body.on_behalf_of:
        raise Forbidden("a business applies for its own corporation only")
    procedure = catalogue.get_procedure(registry, body.procedure_id)
    draft = business.BusinessDraft(procedure, _business(principal), body.data, key, body.request(),
                                   seal=body.prefill_seal)
    app, created = business.apply(database, mesh, secret, draft)
    return Response(ApplicationOut.of(app, backoffice.today()).model_dump_json(),
                    status_code=201 if created else 200, media_type="application/json",
                    headers={"Location": f"/api/v1/procedures/applications/{app.id}"})


@router.get("/applications", response_model=Page[ApplicationOut])
def business_applications(*, page: PageParams = Depends(page_params), principal: CurrentPrincipal,
                          db: Transaction) -> Page[ApplicationOut]:
    """The corporation's applications, whichever of its accounts made them, newest first."""
    subject = corporate.subject_of(_business(principal).organization_code or "")
    found, total = service.list_mine(db, subject, limit=page.limit, offset=page.offset)
    today = backoffice.today()
    return Page(items=[ApplicationOut.of(a, today) for a in found], total=total, limit=page.limit,
                offset=page.offset)
