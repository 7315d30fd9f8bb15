"""やりとり履歴 out (Pydantic v2), read from the service's records (``from_attributes``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Party(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_ja: str
    name_en: str


class Exchange(BaseModel):
    """One use of the person's data, in the person's words."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    kind: str = Field(description="query (照会) or notification (通知)")
    requester: Party = Field(description="Who asked for (or received) the data")
    holder: Party = Field(description="Who answered (or sent) it")
    items: list[str] = Field(description="Data items, in Japanese")
    purpose_ja: str = Field(description="The 事務 it was used for")
    law_ja: str = Field(description="The law and article, or 同意に基づく提供 (with the person's consent)")
    basis_kind: Literal["law", "consent"] = "law"


class ConsentView(BaseModel):
    """A consent the person gave a company (同意), as the person sees it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    company: Party = Field(description="Who may receive the person's changes")
    scope: str
    scope_ja: str = Field(description="What the consent covers, in Japanese")
    granted_at: datetime
    expires_at: datetime
    withdrawn_at: datetime | None
    status: Literal["active", "withdrawn", "expired"]
