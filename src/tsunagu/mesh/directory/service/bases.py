"""Legal bases (事務): which consumer may read which items of which provider's service."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import NotFound
from tsunagu.mesh.directory import records
from tsunagu.mesh.directory.models import (
    MeshLegalBasis,
    MeshService,
)
from tsunagu.mesh.directory.service.changes import (
    AlreadyRegistered,
    AlreadyRevoked,
    _dump,
    _read,
    _require_member,
    audit,
    invalid,
)


def put_legal_basis(db: Session, data: records.LegalBasis, actor: str) -> records.LegalBasisEntry:
    """Declare or change a 事務: which consumer may read which items of which provider's service."""
    _require_member(db, data.consumer, "consumer")
    _require_member(db, data.provider, "provider")
    offered = {
        item["name"]
        for service in db.scalars(
            select(MeshService).where(
                MeshService.provider == data.provider, MeshService.code == data.service_code
            )
        )
        for item in service.items
    }
    unknown = sorted(set(data.items) - offered)
    if unknown:
        raise invalid(
            "items", f"the service does not offer these items: {', '.join(unknown)}", "unknown_item"
        )
    record = db.get(MeshLegalBasis, data.id)
    before = None if record is None else _dump(_read(records.LegalBasisEntry, record))
    if record is None:
        record = MeshLegalBasis(id=data.id)
        db.add(record)
    for key, value in data.model_dump().items():
        setattr(record, key, value)
    db.flush()
    after = _read(records.LegalBasisEntry, record)
    audit(db, actor, "legal_basis.put", data.id, before=before, after=_dump(after))
    return after


def create_legal_basis(db: Session, data: records.LegalBasis, actor: str) -> records.LegalBasisEntry:
    if db.get(MeshLegalBasis, data.id) is not None:
        raise AlreadyRegistered(f"the 事務 {data.id!r} already exists")
    return put_legal_basis(db, data, actor)


def revoke_legal_basis(db: Session, basis_id: str, actor: str) -> records.LegalBasisEntry:
    """Withdraw a 事務: no query or notification may use it from now on (the record stays)."""
    record = db.get(MeshLegalBasis, basis_id)
    if record is None:
        raise NotFound(f"no 事務 {basis_id!r}")
    if record.revoked_at is not None:
        raise AlreadyRevoked(f"the 事務 {basis_id!r} is already revoked")
    before = _dump(_read(records.LegalBasisEntry, record))
    record.revoked_at = clock.now()
    after = _read(records.LegalBasisEntry, record)
    audit(db, actor, "legal_basis.revoke", basis_id, before=before, after=_dump(after))
    return after


def list_legal_bases(db: Session) -> list[records.LegalBasisEntry]:
    return [
        _read(records.LegalBasisEntry, r)
        for r in db.scalars(select(MeshLegalBasis).order_by(MeshLegalBasis.id))
    ]


def get_legal_basis(db: Session, basis_id: str) -> records.LegalBasisEntry | None:
    record = db.get(MeshLegalBasis, basis_id)
    return None if record is None else _read(records.LegalBasisEntry, record)
