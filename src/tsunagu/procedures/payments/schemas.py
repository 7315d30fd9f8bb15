"""API shapes of fees and provider callbacks."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class PaymentOut(BaseModel):
    """A fee's state (``PaymentOut.model_validate(payment)``)."""

    model_config = ConfigDict(from_attributes=True)

    application_id: str
    provider: str
    intent_id: str
    amount_yen: int
    status: str = Field(description="pending, paid, failed, refund_pending or refunded")
    checkout_url: str = Field(description="Where the payer completes the payment (the provider's page)")
    attempts: int
    updated_at: datetime


class CallbackOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    event_id: str
    intent_id: str
    applied: bool = Field(description="False when the event changed nothing (late or out of order)")
    duplicate: bool = Field(description="True when this event was received before")
