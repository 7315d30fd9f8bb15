"""Directory data in and out (Pydantic v2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

OrganizationKind = Literal["national", "municipal", "agency", "private"]
EventKind = Literal["address_changed", "died", "name_changed", "moved_out"]
CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{1,31}$"


class Organization(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(pattern=CODE_PATTERN, description="全国地方公共団体コード or a short code")
    name_ja: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    kind: OrganizationKind
    endpoint: str = Field(pattern=r"^https?://", max_length=500, description="Base URL of its node")
    keys: list[dict[str, Any]] = Field(default_factory=list, description="Signing public keys (JWK)")


class DataItem(BaseModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    type: str = Field(min_length=1, max_length=64, description="Standard type, e.g. PersonName, date")
    title_ja: str = Field(min_length=1, max_length=100)


class Service(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    provider: str
    code: str = Field(pattern=CODE_PATTERN)
    version: str = Field(pattern=r"^v[0-9]{1,3}$")
    title_ja: str = Field(min_length=1, max_length=200)
    items: list[DataItem] = Field(min_length=1)
    response_schema: dict[str, Any] = Field(description="JSON Schema (2020-12) of the response items")


class LegalBasis(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(pattern=CODE_PATTERN, description="事務 id")
    title_ja: str = Field(min_length=1, max_length=200)
    law_ja: str = Field(min_length=1, description="The law and article, in words")
    consumer: str
    provider: str
    service_code: str
    items: list[str] = Field(min_length=1)
    withheld_category: str | None = Field(
        default=None, description="A category the law withholds from the person, e.g. 犯則調査")
    withheld_days: int = Field(default=0, ge=0, le=3650, description="Hidden from the person this long")


class SubscriptionIn(BaseModel):
    subscriber: str
    provider: str
    event_kinds: list[EventKind] = Field(min_length=1)
    legal_basis_id: str
    endpoint: str = Field(pattern=r"^https?://", max_length=500)


class Subscription(SubscriptionIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    active: bool


class AuditEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
