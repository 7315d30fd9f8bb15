"""操作履歴 and the authentication audit log.

``record_event`` is the one way any part writes a line of a person's history (logins, consents,
proxy actions); ``audit`` records every authentication attempt, successful or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core import authz, clock, sessions
from tsunagu.core.authz import Operation
from tsunagu.core.errors import Forbidden, TsunaguError
from tsunagu.identity.history.models import AuthAuditEntry, HistoryEvent


@dataclass(frozen=True)
class HistoryRecord:
    id: int
    subject_kind: str
    subject_id: str
    kind: str
    detail: dict[str, Any]
    occurred_at: datetime


@dataclass(frozen=True)
class AuditRecord:
    id: int
    occurred_at: datetime
    method: str
    outcome: str
    subject_kind: str | None
    subject_id: str | None
    client: str


def record_event(
    db: Session, subject_kind: str, subject_id: str, kind: str, detail: dict[str, Any] | None = None
) -> HistoryRecord:
    """Add a line to the 操作履歴 of one person (resident, staff or business member)."""
    row = HistoryEvent(
        subject_kind=subject_kind,
        subject_id=subject_id,
        kind=kind,
        detail=dict(detail or {}),
        occurred_at=clock.now(),
    )
    db.add(row)
    db.flush()
    return _history(row)


def events_of(
    db: Session, subject_kind: str, subject_id: str, *, limit: int = 50, offset: int = 0
) -> tuple[list[HistoryRecord], int]:
    """A person's history, newest first, and how many lines it has in all."""
    where = (HistoryEvent.subject_kind == subject_kind, HistoryEvent.subject_id == subject_id)
    rows = db.scalars(
        select(HistoryEvent).where(*where).order_by(HistoryEvent.id.desc()).limit(limit).offset(offset)
    )
    total = db.scalar(select(func.count()).select_from(HistoryEvent).where(*where)) or 0
    return [_history(row) for row in rows], int(total)


def audit(
    db: Session,
    method: str,
    outcome: str,
    *,
    subject_kind: str | None = None,
    subject_id: str | None = None,
    client: str = "",
) -> None:
    """Record an authentication event; ``outcome`` is "success" or the error code."""
    db.add(
        AuthAuditEntry(
            occurred_at=clock.now(),
            method=method,
            outcome=outcome,
            subject_kind=subject_kind,
            subject_id=subject_id,
            client=client[:64],
        )
    )
    db.flush()


PLATFORM_OPERATOR = "digital-agency"  # デジタル庁: runs the login and keeps its audit log


def audit_log(db: Session, principal: sessions.Principal, *, limit: int, offset: int) -> list[AuditRecord]:
    """認証の監査ログ: for administrators (管理) of the platform operator only."""
    authz.require(principal, Operation.READ_AUTH_AUDIT)
    if principal.organization_code != PLATFORM_OPERATOR:
        raise Forbidden("only the platform operator's administrators can read the authentication audit log")
    return audit_entries(db, limit=limit, offset=offset)


def audit_entries(db: Session, *, limit: int = 50, offset: int = 0) -> list[AuditRecord]:
    rows = db.scalars(select(AuthAuditEntry).order_by(AuthAuditEntry.id.desc()).limit(limit).offset(offset))
    return [
        AuditRecord(
            id=r.id,
            occurred_at=r.occurred_at,
            method=r.method,
            outcome=r.outcome,
            subject_kind=r.subject_kind,
            subject_id=r.subject_id,
            client=r.client,
        )
        for r in rows
    ]


def _history(row: HistoryEvent) -> HistoryRecord:
    return HistoryRecord(
        id=row.id,
        subject_kind=row.subject_kind,
        subject_id=row.subject_id,
        kind=row.kind,
        detail=dict(row.detail),
        occurred_at=row.occurred_at,
    )


class AuthenticationFailed(TsunaguError):
    """Base of every failed login or card operation.

    What the service wrote before raising it (the audit entry, failure counters, a consumed
    nonce) is meant to persist: ``history.http.auth_session`` commits instead of rolling back.
    """

    status = 401
    code = "authentication-failed"
    title = "Authentication failed"
