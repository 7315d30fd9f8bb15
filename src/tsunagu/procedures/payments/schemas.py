"""API shapes of fees and provider callbacks."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from tsunagu.procedures.payments.service import CallbackOutcome, Payment


class PaymentOut(BaseModel):
    application_id: str
    provider: str
    intent_id: str
    amount_yen: int
    status: str = Field(description="pending, paid, failed, refund_pending or refunded")
    checkout_url: str = Field(description="Where the payer completes the payment (the provider's page)")
    attempts: int
    updated_at: datetime

    @classmethod
    def of(cls, p: Payment) -> PaymentOut:
        return cls(
            application_id=p.application_id,
            provider=p.provider,
            intent_id=p.intent_id,
            amount_yen=p.amount_yen,
            status=p.status,
            checkout_url=p.checkout_url,
            attempts=p.attempts,
            updated_at=p.updated_at,
        )


class CallbackOut(BaseModel):
    event_id: str
    intent_id: str
    applied: bool = Field(description="False when the event changed nothing (late or out of order)")
    duplicate: bool = Field(description="True when this event was received before")

    @classmethod
    def of(cls, o: CallbackOutcome) -> CallbackOut:
        return cls(event_id=o.event_id, intent_id=o.intent_id, applied=o.applied, duplicate=o.duplicate)
