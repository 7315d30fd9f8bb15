"""電子文書の検証: anyone pastes a notice (or uploads its PDF) and sees whether it is genuine and
who issued it; the addressee and the issuing office download the notice as PDF."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_principal
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.procedures.applications.api import issuers
from tsunagu.procedures.notices import service
from tsunagu.procedures.notices.download import pdf_response

router = APIRouter(prefix="/notices", include_in_schema=False, dependencies=[Depends(csrf.protect)])


@router.get("/{notice_id}.pdf")
def notice_pdf(
    request: Request,
    notice_id: str,
    principal: Principal = Depends(require_principal),
    db: Session = TRANSACTION,
) -> Response:
    return pdf_response(request, db, principal, notice_id)


@router.get("/verify", response_class=HTMLResponse)
def verify_form(
    request: Request, id: str = Query("", max_length=32), db: Session = TRANSACTION
) -> HTMLResponse:
    """The page a PDF's QR code opens: with ``id`` it checks the document on record."""
    result = service.verify_registered(db, request.app.state.secret_key, id, issuers(request)) if id else None
    return render(request, "procedures/verify.html", {"result": result, "document": ""})


@router.post("/verify", response_class=HTMLResponse)
async def verify(request: Request, db: Session = TRANSACTION) -> HTMLResponse:
    form = await request.form()
    upload = form.get("file")
    document = str(form.get("document", ""))[: service.MAX_DOCUMENT_CHARS + 1]
    secret, known = request.app.state.secret_key, issuers(request)
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            result, document = service.verify_pdf(db, secret, await upload.read(), known)
        else:
            result = service.verify(db, secret, document, known)
    except service.PdfWithoutDocument:
        return render(
            request, "procedures/verify.html", {"result": None, "document": "", "no_pdf": True}, 422
        )
    except service.NoticeMalformed:
        return render(
            request, "procedures/verify.html", {"result": None, "document": document, "malformed": True}, 422
        )
    return render(request, "procedures/verify.html", {"result": result, "document": document})
