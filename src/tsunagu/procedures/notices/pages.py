"""電子文書の検証: anyone pastes a notice (or uploads its PDF) and sees whether it is genuine and
who issued it; the addressee and the issuing office download the notice as PDF."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from tsunagu.core.errors import TsunaguError
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, current_principal, require_principal
from tsunagu.core.http.deps import SecretKey, secret_of
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.procedures.applications.api import issuers
from tsunagu.procedures.notices import service
from tsunagu.procedures.notices.download import pdf_response

router = APIRouter(prefix="/notices", include_in_schema=False, dependencies=[Depends(csrf.protect)])
#: why a document is not valid, in the person's words (the service's reasons are for developers)
VERIFY_REASONS = {
    "the document is damaged (its parts do not decode)": N_(
        "文書が壊れています（読み取れない部分があります）。"
    ),
    "not issued by an organization known here": N_("この基盤に登録された機関が発行した文書ではありません。"),
    "the signature does not match: the document was changed": N_(
        "署名が一致しません。文書が書き換えられています。"
    ),
    "the issuer inside differs from the signer": N_("文書に書かれた発行元と、署名した機関が異なります。"),
    "no document with this id is on record here": N_("この文書は、この基盤の発行記録にありません。"),
    "": N_("この文書の署名を確認できませんでした。"),
}


def _verify_page(request: Request, *, status_code: int = 200, **values: Any) -> HTMLResponse:
    return render(request, "procedures/verify.html", {"reasons": VERIFY_REASONS, **values}, status_code)


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
    request: Request, secret: SecretKey, id: str = Query("", max_length=32), db: Session = TRANSACTION
) -> HTMLResponse:
    """The page a PDF's QR code opens: with ``id`` it checks the document on record.

    Anyone with the id learns only whether the document is genuine, who issued it and when; its
    title and receipt number (what the decision was about) are shown to those who may read the
    document itself — the addressee, their proxy, the issuing office — or who paste or upload it."""
    result = service.verify_registered(db, secret, id, issuers(request)) if id else None
    return _verify_page(
        request,
        result=result,
        document="",
        details=bool(result and result.valid and _may_read(db, request, id)),
    )


def _may_read(db: Session, request: Request, notice_id: str) -> bool:
    principal = current_principal(request)
    if principal is None:
        return False
    try:
        service.document_for(db, principal, notice_id)
    except TsunaguError:
        return False
    return True


@router.post("/verify", response_class=HTMLResponse)
async def verify(request: Request, db: Session = TRANSACTION) -> HTMLResponse:
    form = await request.form()
    upload = form.get("file")
    document = str(form.get("document", ""))[: service.MAX_DOCUMENT_CHARS + 1]
    secret, known = secret_of(request), issuers(request)
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            result, document = service.verify_pdf(db, secret, await upload.read(), known)
        else:
            result = service.verify(db, secret, document, known)
    except service.PdfWithoutDocument:
        return _verify_page(request, status_code=422, result=None, document="", no_pdf=True)
    except service.NoticeMalformed:
        return _verify_page(request, status_code=422, result=None, document=document, malformed=True)
    return _verify_page(request, result=result, document=document, details=True)  # they hold it
