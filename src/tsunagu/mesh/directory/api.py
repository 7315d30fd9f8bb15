"""Directory administration API: /api/v1/mesh/directory (staff with role 管理 at the operator)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_same_organization, require_staff
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.core.sessions import Principal
from tsunagu.mesh.directory import schemas, service
from tsunagu.mesh.settings import get_mesh_settings

ADMIN_ROLE = "管理"


def require_operator_admin(principal: Principal = Depends(require_staff(ADMIN_ROLE))) -> Principal:
    """Only administrators of the directory operator (デジタル庁) manage the directory."""
    require_same_organization(principal, get_mesh_settings().operator)
    return principal


def actor_of(principal: Principal) -> str:
    return f"{principal.organization_code}:{principal.subject_id}"


router = APIRouter(prefix="/api/v1/mesh/directory", tags=["mesh: directory"],
                   dependencies=[Depends(csrf.protect)])


def _same(path_value: str, body_value: str, field: str) -> None:
    if path_value != body_value:
        raise ValidationFailed(f"the path says {path_value!r} but the body says {body_value!r}",
                               errors=[{"location": ["body", field], "message": "must match the path",
                                        "type": "path_mismatch"}])


@router.get("/organizations", response_model=list[schemas.Organization])
def organizations(_: Principal = Depends(require_operator_admin),
                  db: Session = TRANSACTION) -> list[schemas.Organization]:
    """Member organizations with their node endpoints and signing keys (JWK)."""
    return service.list_organizations(db)


@router.put("/organizations/{code}", response_model=schemas.Organization)
def put_organization(code: str, body: schemas.Organization,
                     principal: Principal = Depends(require_operator_admin),
                     db: Session = TRANSACTION) -> schemas.Organization:
    """Register or update a member (audited)."""
    _same(code, body.code, "code")
    return service.put_organization(db, body, actor_of(principal))


@router.get("/services", response_model=list[schemas.Service])
def services(_: Principal = Depends(require_operator_admin),
             db: Session = TRANSACTION) -> list[schemas.Service]:
    """Services with their data items (standard types) and response JSON Schemas."""
    return service.list_services(db)


@router.put("/services/{provider}/{code}/{version}", response_model=schemas.Service)
def put_service(*, provider: str, code: str, version: str, body: schemas.Service,
                principal: Principal = Depends(require_operator_admin),
                db: Session = TRANSACTION) -> schemas.Service:
    """Publish a service version (audited)."""
    for value, field in ((provider, "provider"), (code, "code"), (version, "version")):
        _same(value, getattr(body, field), field)
    return service.put_service(db, body, actor_of(principal))


@router.get("/legal-bases", response_model=list[schemas.LegalBasis])
def legal_bases(_: Principal = Depends(require_operator_admin),
                db: Session = TRANSACTION) -> list[schemas.LegalBasis]:
    """事務: which consumer may read which items of which service, and on which law."""
    return service.list_legal_bases(db)


@router.put("/legal-bases/{basis_id}", response_model=schemas.LegalBasis)
def put_legal_basis(basis_id: str, body: schemas.LegalBasis,
                    principal: Principal = Depends(require_operator_admin),
                    db: Session = TRANSACTION) -> schemas.LegalBasis:
    """Declare or change a 事務 (audited)."""
    _same(basis_id, body.id, "id")
    return service.put_legal_basis(db, body, actor_of(principal))


@router.get("/subscriptions", response_model=list[schemas.Subscription])
def subscriptions(_: Principal = Depends(require_operator_admin),
                  db: Session = TRANSACTION) -> list[schemas.Subscription]:
    return service.list_subscriptions(db)


@router.post("/subscriptions", response_model=schemas.Subscription, status_code=201)
def add_subscription(body: schemas.SubscriptionIn, principal: Principal = Depends(require_operator_admin),
                     db: Session = TRANSACTION) -> schemas.Subscription:
    """Subscribe a member to a provider's events under a legal basis (audited)."""
    return service.add_subscription(db, body, actor_of(principal))


@router.delete("/subscriptions/{subscription_id}", status_code=204)
def deactivate_subscription(subscription_id: int, principal: Principal = Depends(require_operator_admin),
                            db: Session = TRANSACTION) -> None:
    service.deactivate_subscription(db, subscription_id, actor_of(principal))


@router.get("/audit", response_model=Page[schemas.AuditEntry])
def audit(_: Principal = Depends(require_operator_admin), page: PageParams = Depends(page_params),
          db: Session = TRANSACTION) -> Page[schemas.AuditEntry]:
    """Every change to the directory, newest first."""
    items, total = service.audit_trail(db, page.limit, page.offset)
    return Page[schemas.AuditEntry](items=items, total=total, limit=page.limit, offset=page.offset)
