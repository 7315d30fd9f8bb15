"""What every change of the directory shares: the audit (its newest entry's id is the version),
the checks of members, keys and endpoints, and reading records from their rows.
"""

from __future__ import annotations

import ipaddress
import itertools
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tsunagu.core import authz, clock
from tsunagu.core.authz import Operation
from tsunagu.core.errors import Conflict, ValidationFailed
from tsunagu.core.sessions import Principal
from tsunagu.mesh import crypto
from tsunagu.mesh.directory import records
from tsunagu.mesh.directory.models import (
    MeshDirectoryAudit,
    MeshOrganization,
)

ModelT = TypeVar("ModelT", bound=BaseModel)


_changes = itertools.count(1)


_generation = 0


def generation() -> int:
    """Bumped after every committed directory change in this process (for the desk's cache)."""
    return _generation


def _bump(_session: Session) -> None:
    global _generation
    _generation = next(_changes)


def operator_admin(caller: Principal, operator: str) -> str:
    """The audit's name for ``caller``, if it administers the directory: role 管理 at the operator
    (デジタル庁, ``Settings.mesh.operator``); no other organization's administrator manages it."""
    authz.require(caller, Operation.MANAGE_DIRECTORY, organization=operator)
    return f"{caller.organization_code}:{caller.subject_id}"


def audit(
    db: Session,
    actor: str,
    action: str,
    target: str,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Every change is audited, and cached catalogs are dropped once it is committed."""
    db.add(
        MeshDirectoryAudit(
            at=clock.now(),
            actor=actor,
            action=action,
            target=target,
            detail={"before": before, "after": after},
        )
    )
    if not event.contains(db, "after_commit", _bump):
        event.listen(db, "after_commit", _bump, once=True)


def version(db: Session) -> int:
    """The directory's version: it grows with every change (nodes compare it to refresh)."""
    return db.scalar(select(func.max(MeshDirectoryAudit.id))) or 0


class OperatorRequired(Conflict):
    """The directory operator itself cannot be deactivated: every node would lose its directory."""

    code = "mesh-operator-required"
    title = "The directory operator cannot be deactivated"


class AlreadyRegistered(Conflict):
    """A member, a service version or a 事務 created again under a code the directory holds."""

    code = "mesh-directory-already-registered"
    title = "Already registered in the directory"


class AlreadyRevoked(Conflict):
    code = "mesh-legal-basis-revoked"
    title = "The 事務 is already revoked"


class LastKey(Conflict):
    """A change that would leave a member without a usable signing key (its node would stop)."""

    code = "mesh-last-key"
    title = "The member would have no usable signing key"


def require_usable_key(code: str, jwks: list[dict[str, Any]], at: int) -> None:
    """Refuse a change that leaves an active member with no usable key: rotate first (a new key is
    published and current), then revoke the old one."""
    if not any(crypto.is_usable(jwk, at) for jwk in jwks):
        raise LastKey(
            f"{code} would have no usable signing key: rotate to a new key first, then revoke the old one"
        )


def invalid(field: str, message: str, kind: str) -> ValidationFailed:
    return ValidationFailed(
        f"{field}: {message}", errors=[{"location": ["body", field], "message": message, "type": kind}]
    )


def _require_member(db: Session, code: str, field: str) -> MeshOrganization:
    record = db.get(MeshOrganization, code)
    if record is None:
        raise invalid(field, f"{code!r} is not a member organization", "unknown_organization")
    return record


def check_endpoint(url: str, field: str = "endpoint") -> str:
    """Nodes are reached over http(s) on loopback addresses only in this environment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme not in ("http", "https") or not loopback:
        raise invalid(
            field,
            "must be an http(s) URL on a loopback address (127.0.0.1, ::1, localhost)",
            "endpoint_not_allowed",
        )
    return url.rstrip("/")


def _dump(model: BaseModel | None) -> dict[str, Any] | None:
    return None if model is None else model.model_dump(mode="json")


def _read(model: type[ModelT], record: object) -> ModelT:
    return model.model_validate(record)


def audit_trail(db: Session, limit: int, offset: int) -> tuple[list[records.AuditEntry], int]:
    total = db.scalar(select(func.count()).select_from(MeshDirectoryAudit)) or 0
    rows = db.scalars(
        select(MeshDirectoryAudit).order_by(MeshDirectoryAudit.id.desc()).limit(limit).offset(offset)
    )
    return [_read(records.AuditEntry, r) for r in rows], total
