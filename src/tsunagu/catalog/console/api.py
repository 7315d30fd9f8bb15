"""The publisher API under ``/api/v1/catalog/manage``: staff with the 公開 (or 管理) role of an
organization write their publishers' datasets and code lists as drafts, publish and withdraw
them, and read each one's audit trail. Refusals are problem+json with the code of what was wrong
(``catalog-dataset-incomplete``, ``catalog-unknown-term``, ``catalog-distribution-url-invalid``,
``catalog-code-list-invalid``…) and the fields in ``errors``; nothing is half-saved."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from tsunagu.catalog import service
from tsunagu.catalog.api import base_url
from tsunagu.catalog.schemas import CodeListOut, DatasetOut
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_principal
from tsunagu.core.sessions import Principal

router = APIRouter(prefix="/api/v1/catalog/manage", tags=["catalog"], dependencies=[Depends(csrf.protect)])
STAFF = Depends(require_principal)
DATASET_BODY = Body(
    ...,
    description="A dataset as the catalog describes it (the shape of definitions/datasets/*.yaml): "
    "id, title, description, publisher, legal_basis, license, frequency, spatial, themes, keywords, "
    "contact, access, distributions (each id, title, format, url); temporal optional.",
)
CODE_LIST_BODY = Body(
    ...,
    description="A code list: id, title, description, publisher (a name), version, valid_from, codes "
    "(each code, label, optional valid_from/valid_to).",
)


class ManagedDatasetOut(BaseModel):
    id: str
    status: str  # draft | published | withdrawn
    origin: str  # registry | console
    version: int
    has_draft: bool
    dataset: DatasetOut  # the draft when there is one, else what the public sees
    published: DatasetOut | None


class ManagedCodeListOut(BaseModel):
    id: str
    publisher: str
    status: str
    version: int
    has_draft: bool
    code_list: CodeListOut


class EventOut(BaseModel):
    at: datetime
    action: str
    version: int
    actor: str
    organization: str


def _dataset_out(request: Request, row: service.DraftRow) -> ManagedDatasetOut:
    base = base_url(request)
    return ManagedDatasetOut(
        id=row.id,
        status=row.status,
        origin=row.origin,
        version=row.version,
        has_draft=row.has_draft,
        dataset=DatasetOut.of(row.dataset, base),
        published=DatasetOut.of(row.published, base) if row.published else None,
    )


def _code_list_out(row: service.ManagedCodeList) -> ManagedCodeListOut:
    return ManagedCodeListOut(
        id=row.id,
        publisher=row.publisher,
        status=row.status,
        version=row.version,
        has_draft=row.has_draft,
        code_list=CodeListOut.of(row.code_list),
    )


@router.get("/datasets", response_model=list[ManagedDatasetOut])
def my_datasets(
    request: Request, principal: Principal = STAFF, db: Session = TRANSACTION
) -> list[ManagedDatasetOut]:
    """Every dataset of the publishers the staff member writes for (drafts and withdrawn ones too)."""
    return [_dataset_out(request, r) for r in service.console_datasets(db, principal)]


@router.post("/datasets", response_model=ManagedDatasetOut, status_code=201)
def create_dataset(
    request: Request,
    payload: dict[str, Any] = DATASET_BODY,
    principal: Principal = STAFF,
    db: Session = TRANSACTION,
) -> ManagedDatasetOut:
    """A new dataset, saved as a draft (the public finds it once published)."""
    return _dataset_out(request, service.create_dataset(db, principal, payload))


@router.get("/datasets/{dataset_id}", response_model=ManagedDatasetOut)
def get_dataset(
    request: Request, dataset_id: str, principal: Principal = STAFF, db: Session = TRANSACTION
) -> ManagedDatasetOut:
    return _dataset_out(request, service.draft_of(db, principal, dataset_id))


@router.put("/datasets/{dataset_id}", response_model=ManagedDatasetOut)
def update_dataset(
    request: Request,
    dataset_id: str,
    payload: dict[str, Any] = DATASET_BODY,
    principal: Principal = STAFF,
    db: Session = TRANSACTION,
) -> ManagedDatasetOut:
    """A new draft; what the public sees stays until the draft is published."""
    return _dataset_out(request, service.update_dataset(db, principal, dataset_id, payload))


@router.post("/datasets/{dataset_id}/publish", response_model=ManagedDatasetOut)
def publish_dataset(
    request: Request, dataset_id: str, principal: Principal = STAFF, db: Session = TRANSACTION
) -> ManagedDatasetOut:
    """The draft becomes public, modified today (and so does the catalog)."""
    return _dataset_out(request, service.publish_dataset(db, principal, dataset_id))


@router.post("/datasets/{dataset_id}/withdraw", response_model=ManagedDatasetOut)
def withdraw_dataset(
    request: Request, dataset_id: str, principal: Principal = STAFF, db: Session = TRANSACTION
) -> ManagedDatasetOut:
    """Taken out of the public catalog (kept, to publish again)."""
    return _dataset_out(request, service.withdraw_dataset(db, principal, dataset_id))


@router.get("/datasets/{dataset_id}/history", response_model=list[EventOut])
def dataset_history(
    dataset_id: str, principal: Principal = STAFF, db: Session = TRANSACTION
) -> list[EventOut]:
    """The dataset's audit trail, newest first."""
    return [
        EventOut(at=e.at, action=e.action, version=e.version, actor=e.actor, organization=e.organization)
        for e in service.dataset_events(db, principal, dataset_id)
    ]


@router.get("/codelists", response_model=list[ManagedCodeListOut])
def my_code_lists(principal: Principal = STAFF, db: Session = TRANSACTION) -> list[ManagedCodeListOut]:
    return [_code_list_out(r) for r in service.console_code_lists(db, principal)]


@router.post("/codelists", response_model=ManagedCodeListOut, status_code=201)
def create_code_list(
    payload: dict[str, Any] = CODE_LIST_BODY, principal: Principal = STAFF, db: Session = TRANSACTION
) -> ManagedCodeListOut:
    """A new code list, saved as a draft. Codes may repeat only with validity periods that do not overlap."""
    return _code_list_out(service.create_code_list(db, principal, payload))


@router.put("/codelists/{list_id}", response_model=ManagedCodeListOut)
def update_code_list(
    list_id: str,
    payload: dict[str, Any] = CODE_LIST_BODY,
    principal: Principal = STAFF,
    db: Session = TRANSACTION,
) -> ManagedCodeListOut:
    return _code_list_out(service.update_code_list(db, principal, list_id, payload))


@router.post("/codelists/{list_id}/publish", response_model=ManagedCodeListOut)
def publish_code_list(
    list_id: str, principal: Principal = STAFF, db: Session = TRANSACTION
) -> ManagedCodeListOut:
    return _code_list_out(service.publish_code_list(db, principal, list_id))


@router.post("/codelists/{list_id}/withdraw", response_model=ManagedCodeListOut)
def withdraw_code_list(
    list_id: str, principal: Principal = STAFF, db: Session = TRANSACTION
) -> ManagedCodeListOut:
    return _code_list_out(service.withdraw_code_list(db, principal, list_id))
