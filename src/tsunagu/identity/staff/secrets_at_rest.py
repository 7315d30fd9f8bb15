"""TOTP secrets at rest: AES-256-GCM under a key derived (HKDF) from the installation secret.

A database dump alone then cannot mint one-time codes. Changing ``TSUNAGU_SECRET_KEY`` makes
stored TOTP secrets unreadable: staff must enrol again (``tsunagu identity create-staff``).
"""

from __future__ import annotations

import base64
import secrets
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tsunagu.core.errors import ConfigurationError

_INFO = b"tsunagu identity staff totp-secret v1"


@lru_cache(maxsize=4)
def _aead(installation_secret: str) -> AESGCM:
    return AESGCM(
        HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(installation_secret.encode())
    )


def seal(installation_secret: str, totp_secret: str, account_id: str) -> str:
    """The base32 secret, encrypted and bound to its account (64 base64 characters)."""
    nonce = secrets.token_bytes(12)
    raw = base64.b32decode(totp_secret)
    sealed = _aead(installation_secret).encrypt(nonce, raw, account_id.encode())
    return base64.b64encode(nonce + sealed).decode()


def unseal(installation_secret: str, sealed: str, account_id: str) -> str:
    blob = base64.b64decode(sealed)
    try:
        raw = _aead(installation_secret).decrypt(blob[:12], blob[12:], account_id.encode())
    except InvalidTag:
        raise ConfigurationError(
            "a staff TOTP secret cannot be decrypted: TSUNAGU_SECRET_KEY has "
            "changed since the account was created; enrol the account again"
        ) from None
    return base64.b32encode(raw).decode()
