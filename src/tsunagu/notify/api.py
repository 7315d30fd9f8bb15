"""JSON API of the お知らせ inbox: /api/v1/notify/messages (the logged-in resident's own)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tsunagu.core.http.auth import TRANSACTION, require_resident
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.core.http.problems import problem
from tsunagu.core.sessions import Principal
from tsunagu.notify import channels, dispatch, service
from tsunagu.notify.schemas import ChannelIn, ChannelOut, DeliveryOut, MessageOut, ReadState

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


@router.get("/messages/{message_id}/deliveries", response_model=list[DeliveryOut])
def list_deliveries(
    message_id: int, person: Principal = Depends(require_resident), db: Session = TRANSACTION
) -> list[DeliveryOut]:
    """送達状況: how the message went out to each of the person's channels."""
    service.get_message(db, person.subject_id, message_id)
    return [DeliveryOut.of(s) for s in dispatch.states_of(db, person.subject_id, message_id)]


@router.get("/channels", response_model=list[ChannelOut])
def list_channels(
    person: Principal = Depends(require_resident), db: Session = TRANSACTION
) -> list[ChannelOut]:
    """The person's e-mail, SMS and app channels (addresses shown in part)."""
    return [ChannelOut.of(c) for c in channels.channels_of(db, person.subject_id)]


@router.post("/channels", response_model=ChannelOut, status_code=201)
def add_channel(
    body: ChannelIn, person: Principal = Depends(require_resident), db: Session = TRANSACTION
) -> ChannelOut:
    """Add a channel; an app's webhook needs ``consent: true`` (422 ``validation-failed`` otherwise)."""
    added = channels.add_channel(
        db,
        person.subject_id,
        body.kind,
        body.address,
        kinds=body.kinds,
        label=body.label,
        locale=body.locale,
        consent=body.consent,
    )
    return ChannelOut.of(added)


@router.delete("/channels/{channel_id}", status_code=204)
def remove_channel(
    channel_id: int, person: Principal = Depends(require_resident), db: Session = TRANSACTION
) -> Response:
    channels.remove_channel(db, person.subject_id, channel_id)
    return Response(status_code=204)


class CodeIn(BaseModel):
    code: str = Field(min_length=1, max_length=20, description="The six digits the SMS brought")


@router.post(
    "/channels/{channel_id}/code",
    response_model=ChannelOut,
    responses={422: {"description": "`notify-code-invalid`: wrong, expired or used up; `remaining` tries"}},
)
def confirm_code(
    channel_id: int,
    body: CodeIn,
    request: Request,
    person: Principal = Depends(require_resident),
    db: Session = TRANSACTION,
) -> ChannelOut | JSONResponse:
    """確認コード of an SMS number: 200 with the channel, now active. A wrong code is counted (the
    problem is answered, not raised, so the count is committed); after 5, or 10 minutes, a new code
    must be sent (``POST /notify/preferences/channels/{id}/confirm`` on the page)."""
    checked = channels.confirm_code(db, person.subject_id, channel_id, body.code)
    if checked.channel is None:
        return problem(
            422,
            channels.CodeInvalid.code,
            channels.CodeInvalid.title,
            "the confirmation code is wrong, expired or used up; see message_id",
            request.url.path,
            message_id=checked.problem,
            remaining=checked.remaining,
        )
    return ChannelOut.of(checked.channel)
