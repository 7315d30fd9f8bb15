"""API shapes of the お知らせ inbox."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from tsunagu.notify.service import Message


class MessageOut(BaseModel):
    id: int
    sender: str
    kind: str
    title: str
    body: str
    link: str
    document: str | None
    created_at: datetime
    read: bool

    @classmethod
    def of(cls, message: Message) -> MessageOut:
        return cls(
            id=message.id,
            sender=message.sender,
            kind=message.kind,
            title=message.title,
            body=message.body,
            link=message.link,
            document=message.document,
            created_at=message.created_at,
            read=not message.unread,
        )


class ReadState(BaseModel):
    read: bool
