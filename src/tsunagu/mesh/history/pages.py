"""やりとり履歴 and 同意の管理 pages for the logged-in resident."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_resident
from tsunagu.core.http.deps import AppSettings
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.mesh.history import service

router = APIRouter(prefix="/mesh", include_in_schema=False, dependencies=[Depends(csrf.protect)])
PAGE_SIZE = 20


@router.get("/history", response_class=HTMLResponse)
def history_page(
    request: Request,
    settings: AppSettings,
    offset: int = Query(0, ge=0),
    principal: Principal = Depends(require_resident),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """やりとり履歴: who used my data, when, and why."""
    exchanges, total = service.exchanges_for(
        db, principal.subject_id, PAGE_SIZE, offset, operator=settings.mesh.operator
    )
    return render(
        request,
        "mesh/history.html",
        {"exchanges": exchanges, "total": total, "jst": clock.JST, "offset": offset, "page_size": PAGE_SIZE},
    )


@router.get("/consents", response_class=HTMLResponse)
def consents_page(
    request: Request,
    withdrawn: int | None = Query(None),
    principal: Principal = Depends(require_resident),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """同意の管理: which companies hear of my changes, and a button to stop each."""
    consents = service.consents_for(db, principal.subject_id)
    done = next((c for c in consents if c.id == withdrawn and c.status == "withdrawn"), None)
    return render(request, "mesh/consents.html", {"consents": consents, "withdrawn": done, "jst": clock.JST})


@router.post("/consents/{consent_id}/withdraw")
def withdraw_consent(
    consent_id: int, principal: Principal = Depends(require_resident), db: Session = TRANSACTION
) -> RedirectResponse:
    service.withdraw(db, principal.subject_id, consent_id)
    return RedirectResponse(f"/mesh/consents?withdrawn={consent_id}", status_code=303)
