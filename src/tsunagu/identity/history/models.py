"""Tables of the operation history, the authentication audit log and abuse counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime

_ID = BigInteger().with_variant(Integer, "sqlite")


class HistoryEvent(Base):
    """One line of a person's 操作履歴 (login, consent, proxy action, ...)."""

    __tablename__ = "identity_history_events"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuthAuditEntry(Base):
    """One authentication event (success or failure) for operators and investigations."""

    __tablename__ = "identity_auth_audit"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    method: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(64))
    subject_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    subject_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    client: Mapped[str] = mapped_column(String(64), default="")


class AttemptCounter(Base):
    """Failed attempts under one key (account, client address, card) in the current window."""

    __tablename__ = "identity_attempt_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
