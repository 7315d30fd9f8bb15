"""The resident's own mesh API: /api/v1/mesh/history (やりとり履歴) and /api/v1/mesh/consents (同意)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_resident
from tsunagu.core.http.deps import AppSettings
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.core.sessions import Principal
from tsunagu.mesh.history import service
from tsunagu.mesh.history.schemas import ConsentView, Exchange

router = APIRouter(prefix="/api/v1/mesh", tags=["mesh: history"], dependencies=[Depends(csrf.protect)])


@router.get("/history", response_model=Page[Exchange])
def my_exchanges(
    settings: AppSettings,
    principal: Principal = Depends(require_resident),
    page: PageParams = Depends(page_params),
    db: Session = TRANSACTION,
) -> Page[Exchange]:
    """Every exchange of the resident's data across organizations, newest first."""
    items, total = service.exchanges_for(
        db, principal.subject_id, page.limit, page.offset, operator=settings.mesh.operator
    )
    return Page[Exchange](
        items=[Exchange.model_validate(item) for item in items],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/consents", response_model=list[ConsentView])
def my_consents(
    principal: Principal = Depends(require_resident), db: Session = TRANSACTION
) -> list[ConsentView]:
    """The companies the resident let hear of their changes (同意), newest first, with each status."""
    return [ConsentView.model_validate(c) for c in service.consents_for(db, principal.subject_id)]


@router.post("/consents/{consent_id}/withdraw", response_model=ConsentView)
def withdraw_consent(
    consent_id: int, principal: Principal = Depends(require_resident), db: Session = TRANSACTION
) -> ConsentView:
    """Withdraw a consent (同意の撤回); withdrawing it again returns it unchanged. Another
    person's consent is answered 404, as if it did not exist."""
    return ConsentView.model_validate(service.withdraw(db, principal.subject_id, consent_id))
