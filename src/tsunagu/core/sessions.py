"""Server-side sessions: the cookie holds a random token, the database holds only its hash.

Identity establishes who the principal is (card, password + TOTP, ...); this module only keeps
the session, renews it at login (a new token, so a fixated one is worthless) and ends it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import JSON, Connection, String, bindparam, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tsunagu.core import clock
from tsunagu.core.database import Base, UTCDateTime
from tsunagu.core.direct import DirectSelect

PrincipalKind = Literal["resident", "staff", "business"]
DEFAULT_TTL = timedelta(hours=8)
# expired sessions are deleted by a login at most this often per process (monotonic seconds),
# so that the table does not grow with every session ever started and logins stay cheap
PURGE_EVERY_SECONDS = 600.0
_next_purge = 0.0


@dataclass(frozen=True)
class Principal:
    """Who is acting: a resident, a staff member of one organization, or a business member."""

    kind: PrincipalKind
    subject_id: str
    display_name: str = ""
    organization_code: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    def has_role(self, role: str) -> bool:
        return role in self.roles


class WebSession(Base):
    __tablename__ = "core_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    organization_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def start(
    db: Session,
    principal: Principal,
    *,
    previous_token: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
    data: dict[str, Any] | None = None,
) -> str:
    """Start a session for ``principal`` and return its token; any previous session ends."""
    if previous_token:
        end(db, previous_token)
    token = secrets.token_urlsafe(32)
    started = clock.now()
    db.add(
        WebSession(
            id=_hash(token),
            principal_kind=principal.kind,
            subject_id=principal.subject_id,
            display_name=principal.display_name,
            organization_code=principal.organization_code,
            roles=sorted(principal.roles),
            data=data or {},
            created_at=started,
            expires_at=started + ttl,
        )
    )
    db.flush()
    _purge_now_and_then(db)
    return token


def _purge_now_and_then(db: Session) -> None:
    global _next_purge
    if time.monotonic() < _next_purge:
        return
    _next_purge = time.monotonic() + PURGE_EVERY_SECONDS
    purge_expired(db)


# straight on the driver (core.direct): every request with a session cookie asks this, and
# SQLAlchemy's per-execution bookkeeping cost several times the indexed lookup itself
_PRINCIPAL_OF_TOKEN = DirectSelect(
    select(
        WebSession.principal_kind,
        WebSession.subject_id,
        WebSession.display_name,
        WebSession.organization_code,
        WebSession.roles,
        WebSession.expires_at,
    ).where(WebSession.id == bindparam("id")),
    {"id": WebSession.id},
)


def principal_for(db: Session | Connection, token: str | None) -> Principal | None:
    """The principal of a live session, or None for a missing, unknown or expired token (the
    middleware passes a bare connection: no ORM session per request)."""
    if not token:
        return None
    connection = db.connection() if isinstance(db, Session) else db
    record = _PRINCIPAL_OF_TOKEN.first(connection, id=_hash(token))
    if record is None or record[5] <= clock.now():
        return None
    kind, subject_id, display_name, organization_code, roles, _ = record
    return Principal(
        kind=kind,
        subject_id=subject_id,
        display_name=display_name,
        organization_code=organization_code,
        roles=frozenset(roles),
    )


def remaining(db: Session, token: str | None) -> timedelta | None:
    """How long the live session of ``token`` has left (a switch of who acts keeps the login's end)."""
    if not token:
        return None
    expires = db.scalar(select(WebSession.expires_at).where(WebSession.id == _hash(token)))
    left = None if expires is None else expires - clock.now()
    return left if left is not None and left > timedelta(0) else None


def end(db: Session, token: str) -> None:
    db.execute(delete(WebSession).where(WebSession.id == _hash(token)))


def purge_expired(db: Session) -> int:
    """Delete every expired session; the number deleted. Logins call it (see ``start``)."""
    result = db.execute(delete(WebSession).where(WebSession.expires_at <= clock.now()))
    return int(getattr(result, "rowcount", 0) or 0)
