"""やりとり履歴 page for the logged-in resident."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.http.auth import TRANSACTION, require_resident
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.mesh.history import service

router = APIRouter(prefix="/mesh/history", include_in_schema=False)
PAGE_SIZE = 20


@router.get("", response_class=HTMLResponse)
def history_page(request: Request, offset: int = Query(0, ge=0),
                 principal: Principal = Depends(require_resident),
                 db: Session = TRANSACTION) -> HTMLResponse:
    """やりとり履歴: who used my data, when, and why."""
    exchanges, total = service.exchanges_for(db, principal.subject_id, PAGE_SIZE, offset)
    return render(request, "mesh/history.html", {"exchanges": exchanges, "total": total, "jst": clock.JST,
                                                  "offset": offset, "page_size": PAGE_SIZE})
