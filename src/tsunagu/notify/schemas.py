"""API shapes of the お知らせ inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from tsunagu.notify.channels import Channel, as_json
from tsunagu.notify.dispatch import DeliveryState
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
    withdrawn_at: datetime | None = Field(None, description="取り下げ: when the sender took it back")
    withdrawn_reason: str = ""

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
            withdrawn_at=message.withdrawn_at,
            withdrawn_reason=message.withdrawn_reason,
        )


class ReadState(BaseModel):
    read: bool


class ChannelIn(BaseModel):
    kind: Literal["email", "sms", "webhook"]
    address: str = Field(max_length=300, description="E-mail address, mobile number, or the app's https URL")
    kinds: list[str] | None = Field(
        None, description="Message kinds sent there (default notice, document, info)"
    )
    label: str = Field("", max_length=100, description="The app's name (webhook)")
    locale: Literal["ja", "en"] = "ja"
    consent: bool = Field(False, description="Consent to send the sender, title and link to the app")


class ChannelOut(BaseModel):
    id: int
    kind: str
    address: str = Field(description="Shown in part (e-mail local part cut, last 4 digits of a number)")
    label: str
    locale: str
    kinds: list[str]
    status: str = Field(description="active, or bouncing after the address refused a message")
    consented_at: datetime

    @classmethod
    def of(cls, channel: Channel) -> ChannelOut:
        return cls.model_validate(as_json(channel))


class DeliveryOut(BaseModel):
    channel_kind: str
    status: str = Field(description="pending, sent, failed, bounced or cancelled")
    attempts: int
    sent_at: datetime | None

    @classmethod
    def of(cls, state: DeliveryState) -> DeliveryOut:
        return cls(
            channel_kind=state.channel_kind,
            status=state.status,
            attempts=state.attempts,
            sent_at=state.sent_at,
        )
