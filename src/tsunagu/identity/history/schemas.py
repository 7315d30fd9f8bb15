"""API shapes of the operation history and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class HistoryOut(BaseModel):
    id: int
    kind: str
    detail: dict[str, Any]
    occurred_at: datetime


class AuditOut(BaseModel):
    id: int
    occurred_at: datetime
    method: str
    outcome: str
    subject_kind: str | None
    subject_id: str | None
    client: str


class Me(BaseModel):
    kind: str
    subject_id: str
    display_name: str
    organization_code: str | None
    roles: list[str]
