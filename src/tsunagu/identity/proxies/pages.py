"""People's pages: register and withdraw proxies."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core.http import csrf
from tsunagu.core.http.auth import require_resident
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.identity.history.http import COMMITTED
from tsunagu.identity.proxies import service

router = APIRouter(prefix="/identity/proxies", include_in_schema=False, dependencies=[Depends(csrf.protect)])


@router.get("", response_class=HTMLResponse)
def proxies_page(request: Request, principal: Principal = Depends(require_resident),
                 db: Session = COMMITTED) -> HTMLResponse:
    grants = service.proxies_of(db, principal.subject_id)
    return render(request, "identity/proxies/proxies.html", {"grants": grants})


@router.post("", response_model=None)
def register(proxy_id: str = Form(..., max_length=64), procedures: str = Form("", max_length=500),
             ends_on: date = Form(...), principal: Principal = Depends(require_resident),
             db: Session = COMMITTED) -> Response:
    named = [p for p in procedures.split(",") if p.strip()] or None
    service.register_proxy(db, principal.subject_id, proxy_id.strip(), procedures=named, ends_on=ends_on)
    return RedirectResponse("/identity/proxies", status_code=303)


@router.post("/{grant_id}/withdraw", response_model=None)
def withdraw(grant_id: str, principal: Principal = Depends(require_resident),
             db: Session = COMMITTED) -> Response:
    service.withdraw_proxy(db, principal.subject_id, grant_id)
    return RedirectResponse("/identity/proxies", status_code=303)
