"""Tables of fees (手数料): the platform's payments and received callbacks, and the local test
provider's own books (a separate system that happens to live in the same database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class ProceduresPayment(Base):
    """The fee of one application as the platform knows it (one row; a retry replaces the intent)."""

    __tablename__ = "procedures_payments"
    __table_args__ = (UniqueConstraint("provider", "intent_id", name="uq_procedures_payment_intent"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("procedures_applications.id"), unique=True)
    provider: Mapped[str] = mapped_column(String(32))
    intent_id: Mapped[str] = mapped_column(String(64))
    amount_yen: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    checkout_url: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProceduresPaymentEvent(Base):
    """A provider callback received once (the unique key makes redelivery harmless)."""

    __tablename__ = "procedures_payment_events"
    __table_args__ = (UniqueConstraint("provider", "event_id", name="uq_procedures_payment_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(64))
    intent_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    applied: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProceduresTestProviderIntent(Base):
    """The test provider's payment intent (決済): its own state, changed only by its checkout."""

    __tablename__ = "procedures_testprovider_intents"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_procedures_testprovider_key"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128))
    reference: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    amount_yen: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    return_url: Mapped[str] = mapped_column(Text)
    callback_url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProceduresTestProviderCallback(Base):
    """The test provider's webhook outbox: signed bodies, delivered with retries."""

    __tablename__ = "procedures_testprovider_callbacks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    intent_id: Mapped[str] = mapped_column(ForeignKey("procedures_testprovider_intents.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
