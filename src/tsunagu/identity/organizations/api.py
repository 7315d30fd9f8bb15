"""JSON API of organizations: a public directory (no personal data)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from tsunagu.core.errors import NotFound
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.identity.history.http import COMMITTED
from tsunagu.identity.organizations import service
from tsunagu.identity.organizations.schemas import OrganizationOut

router = APIRouter(prefix="/api/v1/identity/organizations", tags=["identity: organizations"])


@router.get("", response_model=Page[OrganizationOut])
def list_organizations(
    params: PageParams = Depends(page_params), db: Session = COMMITTED
) -> Page[OrganizationOut]:
    """組織一覧: every organization on the platform."""
    records = service.list_organizations(db, limit=params.limit, offset=params.offset)
    return Page[OrganizationOut](
        items=[OrganizationOut(**asdict(r)) for r in records],
        total=service.count_organizations(db),
        limit=params.limit,
        offset=params.offset,
    )


@router.get("/{code}", response_model=OrganizationOut)
def get_organization(code: str, db: Session = COMMITTED) -> OrganizationOut:
    record = service.get_organization(db, code)
    if record is None:
        raise NotFound(f"no organization with code {code}")
    return OrganizationOut(**asdict(record))
