"""A registration sent twice under one Idempotency-Key is recorded once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagu.core import authz, clock
from tsunagu.core.authz import Operation
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.sessions import Principal
from tsunagu.registry.residents.errors import (
    IdempotencyKeyReused,
)
from tsunagu.registry.residents.models import (
    RegistrationKey,
)
from tsunagu.registry.residents.service.reading import get_change, latest_change
from tsunagu.registry.residents.service.records import ChangeRecord, ResidentRecord


def _fingerprint(request: Mapping[str, Any]) -> str:
    text = json.dumps(request, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def require_registrar(staff: Principal, municipality_code: str) -> str:
    """The staff member's id, if they record 届出 (住基) for ``municipality_code``."""
    authz.require(staff, Operation.REGISTER_CHANGE, organization=municipality_code)
    return staff.subject_id


def register_once(
    db: Session,
    registrar: Principal,
    municipality_code: str,
    *,
    key: str | None,
    request: Mapping[str, Any],
    register: Callable[[str], ResidentRecord],
) -> tuple[ChangeRecord, bool]:
    """Run ``register`` (given the registrar's id) for a registrar of ``municipality_code``,
    unless they already sent ``key``: then (the same change, False).

    The key is stored with the change in the caller's transaction; a key reused for another
    ``request`` is refused, as in the procedures' submissions.
    """
    actor = require_registrar(registrar, municipality_code)
    if key is not None and not (8 <= len(key) <= 128 and key.isascii()):
        raise ValidationFailed(
            "an Idempotency-Key has 8 to 128 ASCII characters",
            errors=[
                {
                    "location": ["header", "Idempotency-Key"],
                    "message": "8 to 128 ASCII characters",
                    "type": "idempotency-key",
                }
            ],
        )
    digest = _fingerprint(request)
    if key:
        earlier = db.scalars(
            select(RegistrationKey).where(RegistrationKey.actor == actor, RegistrationKey.key == key)
        ).first()
        if earlier is not None:
            if earlier.request_sha256 != digest:
                raise IdempotencyKeyReused(f"the key {key!r} was already used for another registration")
            return cast(ChangeRecord, get_change(db, earlier.change_id)), False
    change = latest_change(db, register(actor).id)
    if key:
        try:
            with db.begin_nested():
                db.add(
                    RegistrationKey(
                        actor=actor,
                        key=key,
                        request_sha256=digest,
                        change_id=change.id,
                        created_at=clock.now(),
                    )
                )
        except IntegrityError:  # a concurrent request with the same key won; this one must not count
            raise IdempotencyKeyReused(f"the key {key!r} is being used by another request") from None
    return change, True
