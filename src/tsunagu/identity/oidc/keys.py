"""ID-token signing keys (ES256): rotation, the published JWKS, and the key that signs now.

Rotation makes a new key the signer and retires the old one; a retired key stays in the JWKS
until every token it signed has expired, so relying parties never meet an unknown ``kid``.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from joserfc.jwk import ECKey, KeySet
from sqlalchemy import ScalarSelect, delete, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.identity.oidc import sealing
from tsunagu.identity.oidc.models import SigningKey

ALGORITHM = "ES256"
PURPOSE = "oidc-signing-key"
#: Longest lifetime of anything a key signs (ID tokens); retired keys are published this long.
SIGNED_TOKEN_TTL = timedelta(minutes=10)
MAX_CACHED_KEYS = 16
#: The current key's id as a subquery, so a caller's own query can fetch it in passing.
CURRENT_KID: ScalarSelect[str] = (
    select(SigningKey.kid)
    .where(SigningKey.retired_at.is_(None))
    .order_by(SigningKey.created_at.desc())
    .limit(1)
    .scalar_subquery()
)


def rotate(db: Session, secret: str) -> str:
    """鍵の更新: make a new signing key current, retire the current one; returns the new kid."""
    at = clock.now()
    for key in db.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))):
        key.retired_at = at
    kid = f"{at:%Y%m%d}-{secrets.token_hex(4)}"
    private = ECKey.generate_key(
        "P-256", private=True, parameters={"kid": kid, "use": "sig", "alg": ALGORITHM}
    )
    db.add(
        SigningKey(
            kid=kid,
            algorithm=ALGORITHM,
            public_jwk={k: str(v) for k, v in private.as_dict(private=False).items()},
            private_encrypted=sealing.seal(secret, PURPOSE, private.as_pem(private=True), kid.encode()),
            created_at=at,
        )
    )
    _purge_expired(db, at)
    db.flush()
    return kid


def current(db: Session, secret: str) -> ECKey:
    """The key that signs now (one is created on first use)."""
    return signing_key(db, secret, db.scalar(select(CURRENT_KID)))


def signing_key(db: Session, secret: str, kid: str | None) -> ECKey:
    """The private key ``kid`` (decrypted once per process), or a new one when there is none yet.

    Keys never change once written, so caching by ``kid`` is never stale; which key is current
    is always read from the database, so a rotation takes effect at once in every process.
    """
    if kid is None:
        kid = rotate(db, secret)
    cached = _decrypted.get((secret, kid))
    if cached is None:
        row = db.get(SigningKey, kid)
        assert row is not None, "the current key is never purged"
        # Decrypting and parsing a PEM costs more than signing; a handful of keys are ever live.
        if len(_decrypted) >= MAX_CACHED_KEYS:
            _decrypted.clear()
        cached = _decrypted[(secret, kid)] = _decrypt(secret, row.kid, row.private_encrypted)
    return cached


def published(db: Session, secret: str) -> dict[str, Any]:
    """The JWKS document: the current key and retired keys whose tokens may still be live."""
    current(db, secret)
    horizon = clock.now() - SIGNED_TOKEN_TTL
    rows = db.scalars(
        select(SigningKey)
        .where((SigningKey.retired_at.is_(None)) | (SigningKey.retired_at > horizon))
        .order_by(SigningKey.created_at.desc())
    )
    return {"keys": [dict(row.public_jwk) for row in rows]}


def verification_keys(db: Session, secret: str) -> KeySet:
    return KeySet.import_key_set(published(db, secret))  # type: ignore[arg-type]


def _purge_expired(db: Session, at: datetime) -> None:
    db.execute(delete(SigningKey).where(SigningKey.retired_at <= at - SIGNED_TOKEN_TTL))


_decrypted: dict[tuple[str, str], ECKey] = {}


def _decrypt(secret: str, kid: str, sealed: bytes) -> ECKey:
    pem = sealing.unseal(secret, PURPOSE, sealed, kid.encode())
    return ECKey.import_key(pem, parameters={"kid": kid, "use": "sig", "alg": ALGORITHM})
