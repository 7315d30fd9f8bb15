"""JSON API of the お知らせ inbox: /api/v1/notify/messages (the logged-in resident's own)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from tsunagu.core.http.auth import TRANSACTION, require_resident
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.core.sessions import Principal
from tsunagu.notify import service
from tsunagu.notify.schemas import MessageOut, ReadState

router = APIRouter(prefix="/api/v1/notify", tags=["notify"])


@router.get("/messages", response_model=Page[MessageOut])
def list_messages(
    unread: bool = Query(False, description="Only unread messages."),
    page: PageParams = Depends(page_params),
    person: Principal = Depends(require_resident),
    db: Session = TRANSACTION,
) -> Page[MessageOut]:
    """お知らせ一覧, newest first."""
    found, total = service.inbox(
        db, person.subject_id, limit=page.limit, offset=page.offset, unread_only=unread
    )
    return Page(items=[MessageOut.of(m) for m in found], total=total, limit=page.limit, offset=page.offset)


@router.get("/messages/{message_id}", response_model=MessageOut)
def get_message(
    message_id: int, person: Principal = Depends(require_resident), db: Session = TRANSACTION
) -> MessageOut:
    return MessageOut.of(service.get_message(db, person.subject_id, message_id))


@router.put("/messages/{message_id}/read", response_model=MessageOut)
def set_read(
    message_id: int,
    state: ReadState,
    person: Principal = Depends(require_resident),
    db: Session = TRANSACTION,
) -> MessageOut:
    """Mark a message read or unread."""
    return MessageOut.of(service.mark_read(db, person.subject_id, message_id, read=state.read))
