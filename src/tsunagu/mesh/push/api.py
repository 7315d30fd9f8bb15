"""Dead letters of push delivery: /api/v1/mesh/push (directory administrators)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.deps import AppSettings, CurrentStaff
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.mesh.push import service
from tsunagu.mesh.push.schemas import Delivery

router = APIRouter(prefix="/api/v1/mesh/push", tags=["mesh: push"], dependencies=[Depends(csrf.protect)])


@router.get("/dead-letters", response_model=Page[Delivery])
def dead_letters(
    caller: CurrentStaff,
    settings: AppSettings,
    page: PageParams = Depends(page_params),
    db: Session = TRANSACTION,
) -> Page[Delivery]:
    """Notifications that failed every attempt."""
    rows, total = service.dead_letters(db, caller, settings.mesh.operator, page.limit, page.offset)
    return Page[Delivery](
        items=[Delivery.model_validate(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.post("/dead-letters/{delivery_id}/requeue", status_code=204)
def requeue(delivery_id: int, caller: CurrentStaff, settings: AppSettings, db: Session = TRANSACTION) -> None:
    """Try a dead letter again (after its receiver is fixed)."""
    service.requeue(db, caller, settings.mesh.operator, delivery_id)
