"""API shapes of proxy registrations."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class ProxyCreate(BaseModel):
    proxy_id: str = Field(max_length=64, description="Resident id of the proxy.")
    procedures: list[str] | None = Field(default=None, description="Procedure ids; null for all.")
    ends_on: date


class ProxyOut(BaseModel):
    id: str
    principal_id: str
    proxy_id: str
    procedures: list[str] | None
    ends_on: date
    created_at: datetime
    withdrawn_at: datetime | None
