"""代表者確認記録: the representatives staff recorded from a 登記事項証明書, for corporations
without a 商業登記 in the registry (the registry's own officers take precedence)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import NotFound, ValidationFailed
from tsunagu.identity.business.models import Representative
from tsunagu.identity.business.service.accounts import UnknownCorporationError
from tsunagu.registry.corporations import service as corporations

__all__ = [
    "RepresentativeNotFoundError",
    "RepresentativeRecord",
    "end_representative",
    "has_representatives",
    "record_representative",
    "registered_representatives",
    "representatives_of",
]


class RepresentativeNotFoundError(NotFound):
    code = "business-representative-not-found"


@dataclass(frozen=True)
class RepresentativeRecord:
    id: int
    corporate_number: str
    name: str
    address: str
    title: str
    source: str
    recorded_by: str
    recorded_at: datetime
    ended_at: datetime | None


def record_representative(
    db: Session, *, corporate_number: str, name: str, address: str, title: str, source: str, recorded_by: str
) -> RepresentativeRecord:
    """Record a representative as the corporation's 登記事項証明書 shows them (staff, or the seed)."""
    corporation = corporations.get_corporation(db, corporate_number)
    if corporation is None:
        raise UnknownCorporationError(f"no corporation has the corporate number {corporate_number}")
    errors: list[dict[str, object]] = []
    for field, value, limit in (
        ("name", name, 200),
        ("address", address, 300),
        ("title", title, 50),
        ("source", source, 300),
    ):
        if not value.strip():
            errors.append({"location": [field], "message": f"the {field} is required"})
        elif len(value.strip()) > limit:
            errors.append({"location": [field], "message": f"the {field} has at most {limit} characters"})
    if errors:
        raise ValidationFailed("the representative record is incomplete", errors=errors)
    row = Representative(
        corporate_number=corporation.number,
        name=name.strip(),
        address=address.strip(),
        title=title.strip(),
        source=source.strip(),
        recorded_by=recorded_by,
        recorded_at=clock.now(),
    )
    db.add(row)
    db.flush()
    return _representative(row)


def end_representative(db: Session, representative_id: int) -> RepresentativeRecord:
    """退任: the person no longer represents the corporation (the record stays, ended)."""
    row = db.get(Representative, representative_id)
    if row is None or row.ended_at is not None:
        raise RepresentativeNotFoundError(f"no current representative record {representative_id}")
    row.ended_at = clock.now()
    db.flush()
    return _representative(row)


def registered_representatives(db: Session, corporate_number: str) -> list[corporations.Officer] | None:
    """The current representatives by the corporation's 登記, or None when it has no 商業登記
    (then the 代表者確認記録 kept by staff are what applications are checked against)."""
    if not corporations.has_registration(db, corporate_number):
        return None
    return corporations.current_representatives(db, corporate_number)


def has_representatives(db: Session) -> bool:
    return db.scalars(select(Representative.id).limit(1)).first() is not None


def representatives_of(db: Session, corporate_number: str) -> list[RepresentativeRecord]:
    """The corporation's current representatives, oldest record first."""
    rows = db.scalars(
        select(Representative)
        .where(Representative.corporate_number == corporate_number, Representative.ended_at.is_(None))
        .order_by(Representative.id)
    )
    return [_representative(row) for row in rows]


def _representative(row: Representative) -> RepresentativeRecord:
    return RepresentativeRecord(
        id=row.id,
        corporate_number=row.corporate_number,
        name=row.name,
        address=row.address,
        title=row.title,
        source=row.source,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        ended_at=row.ended_at,
    )
