"""The download of a signed document as PDF, shared by the page and the API."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from tsunagu.core.http.deps import settings_of
from tsunagu.core.sessions import Principal
from tsunagu.procedures.notices import pdf, service


def pdf_response(request: Request, db: Session, principal: Principal, notice_id: str) -> Response:
    """The notice as PDF, for the addressee (or proxy) or the issuing organization's staff (else 403)."""
    notice = service.document_for(db, principal, notice_id)
    content = pdf.render(notice.document, service.verify_url(settings_of(request).base_url, notice.id))
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="notice-{notice.id}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )
