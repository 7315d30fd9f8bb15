"""Signing keys of members: rotation with an overlap, revocation, and which key a node signs with.

A member's published keys are JWKs in the directory, each with its validity (``nbf``/``exp``,
``revoked``). Rotating generates a fresh key (kid ``<org>#<RFC 7638 thumbprint>``), publishes it
as current and gives the previous keys an ``exp`` at the end of the overlap, so messages signed a
moment before the switch still verify. The private half is stored PKCS#8-encrypted under a key
derived from the deployment secret; it never leaves the database in clear.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database, installation_secret
from tsunagu.core.errors import Conflict, NotFound
from tsunagu.core.sessions import Principal
from tsunagu.mesh import crypto
from tsunagu.mesh.directory import records, service
from tsunagu.mesh.directory.models import MeshOrganization, MeshPrivateKey

RELOAD_SECONDS = 10.0


def _moment(seconds: object) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(int(str(seconds)), tz=UTC)


def current_kid(jwks: list[dict[str, Any]], at: int) -> str | None:
    """The key a member signs with now: its newest usable key (the latest ``nbf``, then the last)."""
    usable = [
        (int(jwk.get("nbf", 0)), position, str(jwk["kid"]))
        for position, jwk in enumerate(jwks)
        if crypto.is_usable(jwk, at)
    ]
    return max(usable)[2] if usable else None


def _status(jwk: dict[str, Any], current: str | None, at: int) -> records.KeyStatus:
    if jwk.get("revoked"):
        return "revoked"
    if at < int(jwk.get("nbf", at)):
        return "pending"
    if at >= int(jwk.get("exp", at + 1)):
        return "expired"
    return "current" if jwk.get("kid") == current else "verification-only"


def list_keys(db: Session, organization_code: str) -> list[records.SigningKey]:
    record = _member(db, organization_code)
    at = int(clock.now().timestamp())
    current = current_kid(record.keys, at)
    return [
        records.SigningKey(
            kid=str(jwk["kid"]),
            fingerprint=crypto.jwk_thumbprint(jwk),
            not_before=_moment(jwk.get("nbf")),
            not_after=_moment(jwk.get("exp")),
            status=_status(jwk, current, at),
        )
        for jwk in record.keys
    ]


def _member(db: Session, organization_code: str) -> MeshOrganization:
    record = db.get(MeshOrganization, organization_code)
    if record is None:
        raise NotFound(f"no member organization {organization_code!r}")
    return record


def rotate(db: Session, organization_code: str, overlap: timedelta, actor: str) -> records.SigningKey:
    """署名鍵の更新: publish a fresh current key; earlier keys stay valid for verification until the
    overlap ends. Its private half is kept encrypted under the installation secret of ``db``."""
    secret = installation_secret(db)
    record = _member(db, organization_code)
    before = list(record.keys)
    now = clock.now()
    at, until = int(now.timestamp()), int((now + overlap).timestamp())
    key = crypto.new_signing_key(organization_code)
    retired = [
        jwk | {"exp": min(int(jwk.get("exp", until)), until)} if crypto.is_usable(jwk, at) else jwk
        for jwk in record.keys
    ]
    record.keys = [*retired, key.public_jwk() | {"iat": at, "nbf": at}]
    record.updated_at = now
    db.add(
        MeshPrivateKey(
            kid=key.kid,
            organization_code=organization_code,
            encrypted_pem=crypto.encrypt_private_key(key, secret),
            created_at=now,
        )
    )
    service.audit(
        db,
        actor,
        "key.rotate",
        organization_code,
        before={"kids": [j["kid"] for j in before]},
        after={
            "kids": [j["kid"] for j in record.keys],
            "current": key.kid,
            "overlap_days": overlap / timedelta(days=1),
        },
    )
    db.flush()
    return next(info for info in list_keys(db, organization_code) if info.kid == key.kid)


def revoke(db: Session, organization_code: str, kid: str, reason: str, actor: str) -> records.SigningKey:
    """Withdraw a key at once (e.g. compromised): signatures made with it are refused from now on."""
    record = _member(db, organization_code)
    found = next((jwk for jwk in record.keys if jwk.get("kid") == kid), None)
    if found is None:
        raise NotFound(f"{organization_code} has no key {kid!r}")
    if found.get("revoked"):
        raise Conflict(f"the key {kid} is already revoked")
    revoked = found | {"revoked": {"revoked_at": int(clock.now().timestamp()), "reason": reason}}
    keys = [revoked if jwk is found else jwk for jwk in record.keys]
    if record.active:
        service.require_usable_key(organization_code, keys, int(clock.now().timestamp()))
    record.keys = keys
    record.updated_at = clock.now()
    service.audit(
        db,
        actor,
        "key.revoke",
        f"{organization_code} {kid}",
        before={"status": "valid"},
        after={"status": "revoked", "reason": reason},
    )
    db.flush()
    return next(info for info in list_keys(db, organization_code) if info.kid == kid)


def keys_as(
    db: Session, caller: Principal, operator: str, organization_code: str
) -> list[records.SigningKey]:
    """A member's signing keys, for the directory's administrators (管理 at the operator)."""
    service.operator_admin(caller, operator)
    return list_keys(db, organization_code)


def rotate_as(
    db: Session, caller: Principal, operator: str, organization_code: str, overlap: timedelta
) -> records.SigningKey:
    """署名鍵の更新 by an administrator of the directory."""
    return rotate(db, organization_code, overlap, service.operator_admin(caller, operator))


def revoke_as(
    db: Session, caller: Principal, operator: str, organization_code: str, kid: str, *, reason: str
) -> records.SigningKey:
    """署名鍵の失効 by an administrator of the directory."""
    return revoke(db, organization_code, kid, reason, service.operator_admin(caller, operator))


def signing_key_of(
    db: Session, organization_code: str, secret: str, configured: crypto.SigningKey
) -> crypto.SigningKey:
    """The member's current key if this deployment holds its private half, else the configured one."""
    record = db.get(MeshOrganization, organization_code)
    kid = current_kid(record.keys, int(clock.now().timestamp())) if record else None
    if kid is None or kid == configured.kid:
        return configured
    stored = db.scalar(select(MeshPrivateKey.encrypted_pem).where(MeshPrivateKey.kid == kid))
    return configured if stored is None else crypto.decrypt_private_key(stored, secret, kid)


def published_key(db: Session, kid: str) -> ec.EllipticCurvePublicKey | None:
    """A key as published, whatever its validity today (to check old signed log checkpoints)."""
    record = db.get(MeshOrganization, crypto.organization_of_kid(kid))
    jwk = next((j for j in record.keys if j.get("kid") == kid), None) if record else None
    return None if jwk is None else crypto.public_key_from_jwk(jwk)


class NodeSigner:
    """A node's signing key, re-read after a directory change made in this process and otherwise
    every few seconds, so a rotation takes effect without restarting the node."""

    def __init__(
        self, database: Database, secret: str, organization_code: str, configured: crypto.SigningKey
    ) -> None:
        self.database, self.secret, self.organization_code = database, secret, organization_code
        self.configured = configured
        self._key, self._until, self._generation = configured, 0.0, -1
        self._guard = threading.Lock()

    @property
    def current(self) -> crypto.SigningKey:
        if self._until > time.monotonic() and self._generation == service.generation():
            return self._key
        with self._guard:
            generation = service.generation()
            with self.database.session() as db:
                key = signing_key_of(db, self.organization_code, self.secret, self.configured)
            self._key, self._until, self._generation = key, time.monotonic() + RELOAD_SECONDS, generation
            return key
