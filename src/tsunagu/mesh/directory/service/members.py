"""Members (参加機関): registering, updating, deactivating and listing organizations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import NotFound
from tsunagu.mesh import crypto
from tsunagu.mesh.directory import records
from tsunagu.mesh.directory.models import (
    MeshOrganization,
)
from tsunagu.mesh.directory.service.changes import (
    AlreadyRegistered,
    OperatorRequired,
    _read,
    audit,
    check_endpoint,
    require_usable_key,
)


def _organization_summary(record: MeshOrganization | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return _read(records.Organization, record).model_dump(mode="json", exclude={"keys"}) | {
        "kids": [str(key.get("kid")) for key in record.keys]
    }


def put_organization(db: Session, data: records.OrganizationIn, actor: str) -> records.Organization:
    """Register or update a member (its name, kind, node endpoint and, if given, signing keys)."""
    endpoint = check_endpoint(data.endpoint)
    record = db.get(MeshOrganization, data.code)
    before = _organization_summary(record)
    if record is None:
        record = MeshOrganization(code=data.code, keys=[], active=True)
        db.add(record)
    record.name_ja, record.name_en, record.kind = data.name_ja, data.name_en, data.kind
    record.endpoint, record.updated_at = endpoint, clock.now()
    if data.keys is not None:
        if record.keys and record.active:  # an existing member: do not leave it without a key
            require_usable_key(data.code, data.keys, int(clock.now().timestamp()))
        record.keys = data.keys
    db.flush()
    audit(
        db,
        actor,
        "organization.update" if before else "organization.create",
        data.code,
        before=before,
        after=_organization_summary(record),
    )
    return _read(records.Organization, record)


def put_hosted_member(
    db: Session,
    member: tuple[str, str, str, records.OrganizationKind],
    secret: str,
    endpoint: str,
    actor: str,
) -> records.Organization:
    """Register a member whose node this installation runs: (code, name ja, name en, kind), its
    signing key derived from the installation ``secret`` (the demo's and the corporate registry's)."""
    code, name_ja, name_en, kind = member
    key = crypto.derive_signing_key(secret, code)
    data = records.OrganizationIn(
        code=code, name_ja=name_ja, name_en=name_en, kind=kind, endpoint=endpoint, keys=[key.public_jwk()]
    )
    return put_organization(db, data, actor)


def create_organization(db: Session, data: records.OrganizationIn, actor: str) -> records.Organization:
    if db.get(MeshOrganization, data.code) is not None:
        raise AlreadyRegistered(f"{data.code!r} is already a member organization")
    return put_organization(db, data, actor)


def set_organization_active(
    db: Session, code: str, active: bool, actor: str, *, operator: str
) -> records.Organization:
    """Deactivate a member (its exchanges are refused) or take it back; never the directory's
    ``operator`` (``TSUNAGU_MESH_OPERATOR``)."""
    record = db.get(MeshOrganization, code)
    if record is None:
        raise NotFound(f"no member organization {code!r}")
    if not active and code == operator:
        raise OperatorRequired(f"{code} runs the directory: deactivating it would stop every exchange")
    before = _organization_summary(record)
    record.active, record.updated_at = active, clock.now()
    audit(
        db,
        actor,
        "organization.activate" if active else "organization.deactivate",
        code,
        before=before,
        after=_organization_summary(record),
    )
    return _read(records.Organization, record)


def get_organization(db: Session, code: str) -> records.Organization | None:
    record = db.get(MeshOrganization, code)
    return None if record is None else _read(records.Organization, record)


def list_organizations(db: Session) -> list[records.Organization]:
    return [
        _read(records.Organization, r)
        for r in db.scalars(select(MeshOrganization).order_by(MeshOrganization.code))
    ]
