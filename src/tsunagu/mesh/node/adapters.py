"""Local adapters: how a provider's node reads its own organization's data for a service."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tsunagu.mesh.node.models import MeshNodeRecord


def fetch(db: Session, organization_code: str, local_id: str, service_code: str) -> dict[str, Any] | None:
    """The organization's data about one person for one service, or None if it has none."""
    record = db.get(MeshNodeRecord, (organization_code, local_id, service_code))
    return None if record is None else dict(record.data)


def put_record(db: Session, organization_code: str, local_id: str, service_code: str,
               data: dict[str, Any]) -> None:
    """Store an organization's own synthetic data (pension records, income) for a service."""
    record = db.get(MeshNodeRecord, (organization_code, local_id, service_code))
    if record is None:
        db.add(MeshNodeRecord(organization_code=organization_code, local_id=local_id,
                              service_code=service_code, data=data))
    else:
        record.data = data
    db.flush()
