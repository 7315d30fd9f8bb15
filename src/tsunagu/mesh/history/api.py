"""やりとり履歴 API: /api/v1/mesh/history (the logged-in resident's own exchanges)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from tsunagu.core.http.auth import TRANSACTION, require_resident
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.core.sessions import Principal
from tsunagu.mesh.history import service
from tsunagu.mesh.history.schemas import Exchange

router = APIRouter(prefix="/api/v1/mesh/history", tags=["mesh: history"])


@router.get("", response_model=Page[Exchange])
def my_exchanges(principal: Principal = Depends(require_resident), page: PageParams = Depends(page_params),
                 db: Session = TRANSACTION) -> Page[Exchange]:
    """Every exchange of the resident's data across organizations, newest first."""
    items, total = service.exchanges_for(db, principal.subject_id, page.limit, page.offset)
    return Page[Exchange](items=items, total=total, limit=page.limit, offset=page.offset)
