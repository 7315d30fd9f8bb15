"""ID-token signing keys (ES256): rotation, the published JWKS, and the key that signs now.

Rotation makes a new key the signer and retires the old one; a retired key stays in the JWKS
until every token it signed has expired, so relying parties never meet an unknown ``kid``.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from joserfc.jwk import ECKey, KeySet
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.identity.oidc import sealing
from tsunagu.identity.oidc.models import SigningKey

ALGORITHM = "ES256"
PURPOSE = "oidc-signing-key"
#: Longest lifetime of anything a key signs (ID tokens); retired keys are published this long.
SIGNED_TOKEN_TTL = timedelta(minutes=10)


def rotate(db: Session, secret: str) -> str:
    """鍵の更新: make a new signing key current, retire the current one; returns the new kid."""
    at = clock.now()
    for key in db.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))):
        key.retired_at = at
    kid = f"{at:%Y%m%d}-{secrets.token_hex(4)}"
    private = ECKey.generate_key("P-256", private=True,
                                 parameters={"kid": kid, "use": "sig", "alg": ALGORITHM})
    db.add(SigningKey(
        kid=kid, algorithm=ALGORITHM,
        public_jwk={k: str(v) for k, v in private.as_dict(private=False).items()},
        private_encrypted=sealing.seal(secret, PURPOSE, private.as_pem(private=True), kid.encode()),
        created_at=at,
    ))
    _purge_expired(db, at)
    db.flush()
    return kid


def current(db: Session, secret: str) -> ECKey:
    """The key that signs now (one is created on first use)."""
    row = db.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))
                     .order_by(SigningKey.created_at.desc()).limit(1)).first()
    if row is None:
        kid = rotate(db, secret)
        row = db.get(SigningKey, kid)
        assert row is not None
    return _private_key(secret, row.kid, row.private_encrypted)


def published(db: Session, secret: str) -> dict[str, Any]:
    """The JWKS document: the current key and retired keys whose tokens may still be live."""
    current(db, secret)
    horizon = clock.now() - SIGNED_TOKEN_TTL
    rows = db.scalars(select(SigningKey)
                      .where((SigningKey.retired_at.is_(None)) | (SigningKey.retired_at > horizon))
                      .order_by(SigningKey.created_at.desc()))
    return {"keys": [dict(row.public_jwk) for row in rows]}


def verification_keys(db: Session, secret: str) -> KeySet:
    return KeySet.import_key_set(published(db, secret))  # type: ignore[arg-type]


def _purge_expired(db: Session, at: datetime) -> None:
    db.execute(delete(SigningKey).where(SigningKey.retired_at <= at - SIGNED_TOKEN_TTL))


@lru_cache(maxsize=8)
def _private_key(secret: str, kid: str, sealed: bytes) -> ECKey:
    # Decrypting and parsing a PEM costs more than signing; keys are immutable, so cache them.
    pem = sealing.unseal(secret, PURPOSE, sealed, kid.encode())
    return ECKey.import_key(pem, parameters={"kid": kid, "use": "sig", "alg": ALGORITHM})
