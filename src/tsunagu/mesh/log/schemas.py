"""Message log entries out (metadata only)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class LogEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    role: str
    kind: str
    request_id: str
    consumer: str
    provider: str
    service: str
    purpose: str
    subject_code: str
    items: list[str]
    result: str
    message_sha256: str
    entry_hash: str
