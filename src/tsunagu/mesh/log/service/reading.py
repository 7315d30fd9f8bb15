"""Reading a log: an organization's latest entries, and every organization's entries about one exchange."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core import authz, sessions
from tsunagu.core.authz import Operation
from tsunagu.mesh.log.models import MeshLogEntry


def own_log(
    db: Session, principal: sessions.Principal, limit: int, offset: int
) -> tuple[list[MeshLogEntry], int]:
    """The log of the staff member's own organization (やりとり履歴, 閲覧/審査/管理), newest first."""
    authz.require(principal, Operation.READ_EXCHANGE_LOG)
    return recent(db, principal.organization_code or "", limit, offset)


def recent(db: Session, organization_code: str, limit: int, offset: int) -> tuple[list[MeshLogEntry], int]:
    where = MeshLogEntry.organization_code == organization_code
    total = db.scalar(select(func.count()).select_from(MeshLogEntry).where(where)) or 0
    rows = db.scalars(
        select(MeshLogEntry).where(where).order_by(MeshLogEntry.seq.desc()).limit(limit).offset(offset)
    )
    return list(rows), total


def entries_of_request(db: Session, request_id: str) -> list[MeshLogEntry]:
    """Every organization's entries about one exchange (a staff member sees what their query left)."""
    return list(
        db.scalars(
            select(MeshLogEntry)
            .where(MeshLogEntry.request_id == request_id)
            .order_by(MeshLogEntry.organization_code, MeshLogEntry.seq)
        )
    )
