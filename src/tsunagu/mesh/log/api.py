"""A node's own message log: /api/v1/mesh/log (staff of that organization)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from tsunagu.core.http.auth import TRANSACTION, require_staff
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.core.sessions import Principal
from tsunagu.mesh.log import service
from tsunagu.mesh.log.schemas import LogEntry

router = APIRouter(prefix="/api/v1/mesh/log", tags=["mesh: log"])


@router.get("", response_model=Page[LogEntry])
def my_log(
    principal: Principal = Depends(require_staff()),
    page: PageParams = Depends(page_params),
    db: Session = TRANSACTION,
) -> Page[LogEntry]:
    """The hash-chained log of the staff member's own organization, newest first."""
    entries, total = service.own_log(db, principal, page.limit, page.offset)
    return Page[LogEntry](
        items=[LogEntry.model_validate(e) for e in entries], total=total, limit=page.limit, offset=page.offset
    )
