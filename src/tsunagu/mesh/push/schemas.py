"""Push deliveries out."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Delivery(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    provider: str
    subscriber: str
    kind: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
