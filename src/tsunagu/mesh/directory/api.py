"""Directory administration API: /api/v1/mesh/directory (staff with role 管理 at the operator;
the use cases in ``service.admin`` and ``keys`` check it).

Every change is audited (who, what, before/after) and raises the directory's version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TypeVar

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.deps import AppSettings, CurrentStaff
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.mesh.directory import keys, schemas, service

T = TypeVar("T")


router = APIRouter(
    prefix="/api/v1/mesh/directory", tags=["mesh: directory"], dependencies=[Depends(csrf.protect)]
)


def _same(path_value: str, body_value: str, field: str) -> None:
    if path_value != body_value:
        raise ValidationFailed(
            f"the path says {path_value!r} but the body says {body_value!r}",
            errors=[{"location": ["body", field], "message": "must match the path", "type": "path_mismatch"}],
        )


def _page(items: Sequence[T], page: PageParams) -> Page[T]:
    return Page[T](
        items=list(items[page.offset : page.offset + page.limit]),
        total=len(items),
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/version", response_model=schemas.DirectoryVersion)
def version(
    caller: CurrentStaff, settings: AppSettings, db: Session = TRANSACTION
) -> schemas.DirectoryVersion:
    """The directory's version: it grows with every change."""
    return schemas.DirectoryVersion(version=service.version_as(db, caller, settings.mesh.operator))


@router.get("/organizations", response_model=Page[schemas.Organization])
def organizations(
    caller: CurrentStaff,
    settings: AppSettings,
    page: PageParams = Depends(page_params),
    db: Session = TRANSACTION,
) -> Page[schemas.Organization]:
    """Member organizations with their node endpoints and signing keys (JWK)."""
    return _page(service.members_as(db, caller, settings.mesh.operator), page)


@router.post("/organizations", response_model=schemas.Organization, status_code=201)
def create_organization(
    body: schemas.OrganizationIn,
    caller: CurrentStaff,
    settings: AppSettings,
    db: Session = TRANSACTION,
) -> schemas.Organization:
    """Register a member (409 if the code is taken)."""
    return service.register_member_as(db, caller, settings.mesh.operator, body)


@router.put("/organizations/{code}", response_model=schemas.Organization)
def put_organization(
    code: str,
    body: schemas.OrganizationIn,
    caller: CurrentStaff,
    settings: AppSettings,
    db: Session = TRANSACTION,
) -> schemas.Organization:
    """Register or update a member; without ``keys`` its published keys stay as they are."""
    _same(code, body.code, "code")
    return service.put_member_as(db, caller, settings.mesh.operator, body)


@router.post("/organizations/{code}/deactivate", response_model=schemas.Organization)
def deactivate_organization(
    code: str,
    caller: CurrentStaff,
    settings: AppSettings,
    db: Session = TRANSACTION,
) -> schemas.Organization:
    """Its queries, answers and notifications are refused until it is activated again."""
    return service.set_member_active_as(db, caller, settings.mesh.operator, code, False)


@router.post("/organizations/{code}/activate", response_model=schemas.Organization)
def activate_organization(
    code: str,
    caller: CurrentStaff,
    settings: AppSettings,
    db: Session = TRANSACTION,
) -> schemas.Organization:
    return service.set_member_active_as(db, caller, settings.mesh.operator, code, True)


@router.get("/organizations/{code}/keys", response_model=list[schemas.SigningKey])
def signing_keys(
    code: str, caller: CurrentStaff, settings: AppSettings, db: Session = TRANSACTION
) -> list[schemas.SigningKey]:
    """A member's signing keys: kid, RFC 7638 fingerprint, validity and status."""
    return keys.keys_as(db, caller, settings.mesh.operator, code)


@router.post("/organizations/{code}/keys", response_model=schemas.SigningKey, status_code=201)
def rotate_key(
    code: str,
    body: schemas.KeyRotation,
    caller: CurrentStaff,
    settings: AppSettings,
    db: Session = TRANSACTION,
) -> schemas.SigningKey:
    """Rotate: a new current key; the previous ones verify until the overlap ends."""
    return keys.rotate_as(db, caller, settings.mesh.operator, code, timedelta(days=body.overlap_days))


@router.post("/organizations/{code}/keys/{kid}/revoke", response_model=schemas.SigningKey)
def revoke_key(
    *,
    code: str,
    kid: str,
    body: schemas.KeyRevocation,
    caller: CurrentStaff,
    settings: AppSettings,
    db: Session = TRANSACTION,
) -> schemas.SigningKey:
    """Refuse a key from now on (``kid`` URL-encoded: ``#`` is ``%23``)."""
    return keys.revoke_as(db, caller, settings.mesh.operator, code, kid, reason=body.reason)


@router.get("/services", response_model=Page[schemas.Service])
def services(
    caller: CurrentStaff,
    settings: AppSettings,
    page: PageParams = Depends(page_params),
    db: Session = TRANSACTION,
) -> Page[schemas.Service]:
    """Services with their data items (standard types) and response JSON Schemas."""
    return _page(service.services_as(db, caller, settings.mesh.operator), page)


@router.post("/services", response_model=schemas.Service, status_code=201)
def create_service(
    body: schemas.Service, caller: CurrentStaff, settings: AppSettings, db: Session = TRANSACTION
) -> schemas.Service:
    """Publish a new service version (409 if that version exists)."""
    return service.create_service_as(db, caller, settings.mesh.operator, body)


@router.put("/services/{provider}/{code}/{version}", response_model=schemas.Service)
def put_service(
    *,
    provider: str,
    code: str,
    version: str,
    body: schemas.Service,
    caller: CurrentStaff,
    settings: AppSettings,
    db: Session = TRANSACTION,
) -> schemas.Service:
    """Publish or change a service version."""
    for value, field in ((provider, "provider"), (code, "code"), (version, "version")):
        _same(value, getattr(body, field), field)
    return service.put_service_as(db, caller, settings.mesh.operator, body)


@router.get("/legal-bases", response_model=Page[schemas.LegalBasisEntry])
def legal_bases(
    caller: CurrentStaff,
    settings: AppSettings,
    page: PageParams = Depends(page_params),
    db: Session = TRANSACTION,
) -> Page[schemas.LegalBasisEntry]:
    """事務: which consumer may read which items of which service, and on which law or consent."""
    return _page(service.legal_bases_as(db, caller, settings.mesh.operator), page)


@router.post("/legal-bases", response_model=schemas.LegalBasisEntry, status_code=201)
def create_legal_basis(
    body: schemas.LegalBasis,
    caller: CurrentStaff,
    settings: AppSettings,
    db: Session = TRANSACTION,
) -> schemas.LegalBasisEntry:
    """Declare a new 事務 (409 if the id is taken)."""
    return service.create_legal_basis_as(db, caller, settings.mesh.operator, body)


@router.put("/legal-bases/{basis_id}", response_model=schemas.LegalBasisEntry)
def put_legal_basis(
    basis_id: str,
    body: schemas.LegalBasis,
    caller: CurrentStaff,
    settings: AppSettings,
    db: Session = TRANSACTION,
) -> schemas.LegalBasisEntry:
    """Declare or change a 事務."""
    _same(basis_id, body.id, "id")
    return service.put_legal_basis_as(db, caller, settings.mesh.operator, body)


@router.post("/legal-bases/{basis_id}/revoke", response_model=schemas.LegalBasisEntry)
def revoke_legal_basis(
    basis_id: str, caller: CurrentStaff, settings: AppSettings, db: Session = TRANSACTION
) -> schemas.LegalBasisEntry:
    """No query or notification may use the 事務 from now on."""
    return service.revoke_legal_basis_as(db, caller, settings.mesh.operator, basis_id)


@router.get("/subscriptions", response_model=Page[schemas.Subscription])
def subscriptions(
    caller: CurrentStaff,
    settings: AppSettings,
    page: PageParams = Depends(page_params),
    db: Session = TRANSACTION,
) -> Page[schemas.Subscription]:
    return _page(service.subscriptions_as(db, caller, settings.mesh.operator), page)


@router.post("/subscriptions", response_model=schemas.Subscription, status_code=201)
def add_subscription(
    body: schemas.SubscriptionIn,
    caller: CurrentStaff,
    settings: AppSettings,
    db: Session = TRANSACTION,
) -> schemas.Subscription:
    """Subscribe a member to a provider's events under a legal basis."""
    return service.add_subscription_as(db, caller, settings.mesh.operator, body)


@router.post("/subscriptions/{subscription_id}/pause", response_model=schemas.Subscription)
def pause_subscription(
    subscription_id: int, caller: CurrentStaff, settings: AppSettings, db: Session = TRANSACTION
) -> schemas.Subscription:
    """Route nothing to it until it is resumed."""
    return service.set_subscription_active_as(db, caller, settings.mesh.operator, subscription_id, False)


@router.post("/subscriptions/{subscription_id}/resume", response_model=schemas.Subscription)
def resume_subscription(
    subscription_id: int, caller: CurrentStaff, settings: AppSettings, db: Session = TRANSACTION
) -> schemas.Subscription:
    return service.set_subscription_active_as(db, caller, settings.mesh.operator, subscription_id, True)


@router.get("/audit", response_model=Page[schemas.AuditEntry])
def audit(
    caller: CurrentStaff,
    settings: AppSettings,
    page: PageParams = Depends(page_params),
    db: Session = TRANSACTION,
) -> Page[schemas.AuditEntry]:
    """Every change to the directory, newest first, with the record before and after."""
    items, total = service.audit_trail_as(db, caller, settings.mesh.operator, page.limit, page.offset)
    return Page[schemas.AuditEntry](items=items, total=total, limit=page.limit, offset=page.offset)
