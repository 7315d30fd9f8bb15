"""Every read of a resident's record, kept with who, for which organization and why (閲覧の記録)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.registry.residents.models import (
    Access,
)
from tsunagu.registry.residents.service.records import AccessRecord


def record_access(
    db: Session, resident_id: str, actor: str, organization_code: str, purpose: str, *, role: str = ""
) -> None:
    """Remember who read whose record, when, why and in which role, so that the person can see it."""
    db.add(
        Access(
            resident_id=resident_id,
            actor=actor,
            organization_code=organization_code,
            purpose=purpose,
            accessed_at=clock.now(),
            role=role,
        )
    )


def accesses_of(
    db: Session, resident_id: str, *, limit: int | None = None, offset: int = 0
) -> list[AccessRecord]:
    """The recorded reads of one person's record, newest first (all of them without ``limit``)."""
    rows = db.scalars(
        select(Access)
        .where(Access.resident_id == resident_id)
        .order_by(Access.accessed_at.desc(), Access.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        AccessRecord(
            resident_id=a.resident_id,
            actor=a.actor,
            organization_code=a.organization_code,
            purpose=a.purpose,
            accessed_at=a.accessed_at,
            role=a.role,
        )
        for a in rows
    ]


def count_accesses(db: Session, resident_id: str) -> int:
    return db.scalar(select(func.count()).select_from(Access).where(Access.resident_id == resident_id)) or 0
