"""JSON API: who am I, logout, my operation history, and the platform's authentication audit log."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from tsunagu.core.http.auth import require_principal, require_staff
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.core.sessions import Principal
from tsunagu.identity.history import service
from tsunagu.identity.history.http import COMMITTED, end_session
from tsunagu.identity.history.schemas import AuditOut, HistoryOut, Me

router = APIRouter(prefix="/api/v1/identity", tags=["identity: sessions and history"])
PLATFORM_OPERATOR = service.PLATFORM_OPERATOR


@router.get("/me", response_model=Me)
def me(principal: Principal = Depends(require_principal)) -> Me:
    return Me(
        kind=principal.kind,
        subject_id=principal.subject_id,
        display_name=principal.display_name,
        organization_code=principal.organization_code,
        roles=sorted(principal.roles),
    )


@router.post("/logout", status_code=204)
def logout(request: Request, db: Session = COMMITTED) -> Response:
    response = Response(status_code=204)
    end_session(request, response, db)
    return response


@router.get("/history", response_model=Page[HistoryOut])
def my_history(
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(require_principal),
    db: Session = COMMITTED,
) -> Page[HistoryOut]:
    """操作履歴 of the logged-in person: logins, consents, proxy actions, cards."""
    items, total = service.events_of(
        db, principal.kind, principal.subject_id, limit=params.limit, offset=params.offset
    )
    lines = [HistoryOut(id=i.id, kind=i.kind, detail=i.detail, occurred_at=i.occurred_at) for i in items]
    return Page[HistoryOut](items=lines, total=total, limit=params.limit, offset=params.offset)


@router.get("/audit", response_model=list[AuditOut])
def audit_log(
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(require_staff()),
    db: Session = COMMITTED,
) -> list[AuditOut]:
    """Authentication events, for administrators of the platform operator only."""
    return [
        AuditOut(**vars(entry))
        for entry in service.audit_log(db, principal, limit=params.limit, offset=params.offset)
    ]
