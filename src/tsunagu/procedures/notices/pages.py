"""電子文書の検証: anyone pastes a notice and sees whether it is genuine and who issued it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.templating import render
from tsunagu.procedures.applications.api import issuers
from tsunagu.procedures.notices import service

router = APIRouter(prefix="/notices", include_in_schema=False, dependencies=[Depends(csrf.protect)])


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request) -> HTMLResponse:
    return render(request, "procedures/verify.html", {"result": None, "document": ""})


@router.post("/verify", response_class=HTMLResponse)
def verify(
    request: Request,
    document: str = Form("", max_length=service.MAX_DOCUMENT_CHARS),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    try:
        result = service.verify(db, request.app.state.secret_key, document, issuers(request))
    except service.NoticeMalformed:
        return render(
            request, "procedures/verify.html", {"result": None, "document": document, "malformed": True}, 422
        )
    return render(request, "procedures/verify.html", {"result": result, "document": document})
