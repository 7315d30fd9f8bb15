"""Encryption at rest of private material (signing keys, TOTP seeds) under the platform secret.

The AES-256-GCM key is derived with HKDF from ``TSUNAGU_SECRET_KEY`` and a purpose label, so a
database dump alone reveals no private key, and each kind of material has its own key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tsunagu.core.errors import ConfigurationError

NONCE_BYTES = 12


@lru_cache(maxsize=16)
def derive_key(secret: str, purpose: str) -> bytes:
    """A 32-byte key for ``purpose`` derived from the platform secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tsunagu-identity", info=purpose.encode()).derive(
        secret.encode()
    )


def seal(secret: str, purpose: str, plaintext: bytes, associated: bytes) -> bytes:
    """Encrypt ``plaintext``, bound to ``associated`` (e.g. the key id) so rows cannot be swapped."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(derive_key(secret, purpose)).encrypt(nonce, plaintext, associated)


def unseal(secret: str, purpose: str, sealed: bytes, associated: bytes) -> bytes:
    try:
        return AESGCM(derive_key(secret, purpose)).decrypt(
            sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated
        )
    except InvalidTag:
        raise ConfigurationError(
            f"cannot decrypt stored {purpose} material: TSUNAGU_SECRET_KEY differs from the one "
            "it was sealed with"
        ) from None


def keyed_digest(secret: str, purpose: str, message: str) -> bytes:
    """HMAC-SHA256 of ``message`` under a key derived for ``purpose``."""
    return hmac.new(derive_key(secret, purpose), message.encode(), hashlib.sha256).digest()
