"""お知らせ inbox tables: one row per message to one person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class NotifyMessage(Base):
    """One お知らせ: a status change, a decision notice (処分通知) with its signed document, …"""

    __tablename__ = "notify_messages"
    __table_args__ = (Index("ix_notify_messages_recipient", "recipient_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient_id: Mapped[str] = mapped_column(String(64))
    sender: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300), default="")
    document: Mapped[str | None] = mapped_column(Text, nullable=True)
    extra: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # 取り下げ: the sender took it back (e.g. a push-type notice whose situation changed); kept, marked
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_reason: Mapped[str] = mapped_column(String(300), default="")


class NotifyChannel(Base):
    """Where the person also wants お知らせ: an e-mail address, a mobile number, or a private app's
    webhook (民間送達サービス) they consented to. ``kinds`` are the message kinds sent there."""

    __tablename__ = "notify_channels"
    __table_args__ = (Index("ix_notify_channels_recipient", "recipient_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # email, sms, webhook
    address: Mapped[str] = mapped_column(String(300))  # e-mail address, E.164 number, https URL
    label: Mapped[str] = mapped_column(String(100), default="")  # the app's name for a webhook
    locale: Mapped[str] = mapped_column(String(2), default="ja")
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(64), default="")  # signs webhook calls
    status: Mapped[str] = mapped_column(String(16), default="active")  # unconfirmed, active, bouncing
    # an e-mail address gets nothing until its owner opened the link sent to it (確認)
    confirm_token_hash: Mapped[str] = mapped_column(String(64), default="")
    confirm_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # wrong one-time codes typed for an SMS number (the code stops working at CODE_ATTEMPTS)
    confirm_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotifyDelivery(Base):
    """One message sent (or being sent) to one channel: attempts, the next try, the outcome.
    Unique per message and channel, so nothing goes out twice."""

    __tablename__ = "notify_deliveries"
    __table_args__ = (
        UniqueConstraint("message_id", "channel_id", name="uq_notify_deliveries_message_channel"),
        Index("ix_notify_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(Integer)
    channel_id: Mapped[int] = mapped_column(Integer)
    recipient_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed, bounced
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")  # the provider's id for it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class NotifyTestSms(Base):
    """テスト用SMS事業者: the text messages the local test SMS provider accepted (what a phone got)."""

    __tablename__ = "notify_test_sms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    to: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    segments: Mapped[int] = mapped_column(Integer)
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotifyConfirmation(Base):
    """The confirmation e-mail of an address (アドレスの確認): sent by the delivery worker with the same
    retries and backoff as お知らせ. The token of its link is kept here only until the e-mail is
    sent (or given up); the channel keeps its hash."""

    __tablename__ = "notify_confirmations"
    __table_args__ = (Index("ix_notify_confirmations_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(Integer, index=True)
    recipient_id: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(String(64))  # cleared once sent: only the hash stays
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed, bounced
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
