"""お知らせ pages: the inbox and one message (opening it marks it read)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_resident
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.notify import service

router = APIRouter(prefix="/inbox", include_in_schema=False, dependencies=[Depends(csrf.protect)])
PAGE_SIZE = 20


@router.get("", response_class=HTMLResponse)
def inbox_page(
    request: Request,
    offset: int = Query(0, ge=0),
    person: Principal = Depends(require_resident),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    found, total = service.inbox(db, person.subject_id, limit=PAGE_SIZE, offset=offset)
    return render(
        request,
        "notify/inbox.html",
        {
            "messages": found,
            "total": total,
            "offset": offset,
            "page_size": PAGE_SIZE,
            "unread": service.unread_count(db, person.subject_id),
        },
    )


@router.get("/{message_id}", response_class=HTMLResponse)
def message_page(
    request: Request,
    message_id: int,
    person: Principal = Depends(require_resident),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    message = service.mark_read(db, person.subject_id, message_id)
    return render(request, "notify/message.html", {"message": message})


@router.post("/{message_id}/unread")
def mark_unread(
    message_id: int,
    read: bool = Form(False),
    person: Principal = Depends(require_resident),
    db: Session = TRANSACTION,
) -> RedirectResponse:
    service.mark_read(db, person.subject_id, message_id, read=read)
    return RedirectResponse("/inbox", status_code=303)
