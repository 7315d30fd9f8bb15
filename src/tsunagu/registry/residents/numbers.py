"""個人番号 at rest: AES-GCM encryption and a keyed hash (HMAC) for exact look-up.

Both keys are derived with HKDF-SHA256 from the installation secret (``TSUNAGU_SECRET_KEY``), with
different ``info`` labels, so that the look-up hash reveals nothing about the encryption key and
neither can be recomputed without the secret. Changing the secret makes stored numbers unreadable:
rotate by re-encrypting with both keys available.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from functools import lru_cache
from operator import mul

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

from tsunagu.core.database import installation_secret
from tsunagu.core.errors import ConfigurationError

NONCE_BYTES = 12
_SHA256_BLOCK = 64
_ENCRYPTION_INFO = b"tsunagu registry residents individual-number encryption v1"
_LOOKUP_INFO = b"tsunagu registry residents individual-number lookup v1"


def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())


_CHECK_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_CHECK_OFFSET = ord("0") * sum(_CHECK_WEIGHTS)


def check_digit(eleven: str) -> str:
    """検査用数字 of the first 11 digits (the same rule as ``stdnum.jp.in_``, without its
    per-digit generator: a bulk load computes a million of them), weighing the digits' code
    points and taking off what the "0"s add. ``eleven`` must be ASCII digits."""
    return str(-(sum(map(mul, eleven.encode("ascii"), _CHECK_WEIGHTS)) - _CHECK_OFFSET) % 11 % 10)


class NumberVault:
    """Encrypts, decrypts and hashes 個人番号 under keys derived from one secret."""

    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(_derive(secret, _ENCRYPTION_INFO))
        lookup_key = _derive(secret, _LOOKUP_INFO)
        self._lookup = hmac.new(lookup_key, digestmod=hashlib.sha256)
        # RFC 2104 by hand for bulk loads: SHA-256 states after the padded key, copied per number,
        # cost a third of ``hmac.HMAC.copy`` (the result is the same; a test compares them).
        padded = lookup_key.ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in padded))
        self._outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in padded))

    def encrypt(self, number: str, resident_id: str) -> bytes:
        """Nonce + ciphertext; the resident id is bound as associated data (no swapping rows)."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, number.encode("ascii"), resident_id.encode("ascii"))

    def decrypt(self, blob: bytes, resident_id: str) -> str:
        try:
            clear = self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], resident_id.encode("ascii"))
        except InvalidTag:
            raise ConfigurationError(
                "a stored 個人番号 cannot be decrypted: TSUNAGU_SECRET_KEY differs from the one "
                "it was written with"
            ) from None
        return clear.decode("ascii")

    def lookup_hash(self, number: str) -> str:
        keyed = self._lookup.copy()  # the key schedule is done once, in __init__
        keyed.update(number.encode("ascii"))
        return keyed.hexdigest()

    def protect(self, numbers: Sequence[str], resident_ids: Sequence[str]) -> list[tuple[str, bytes]]:
        """``(lookup_hash, encrypt)`` of many numbers, with one call for all the nonces."""
        nonces = os.urandom(NONCE_BYTES * len(numbers))
        inner, outer, seal = self._inner.copy, self._outer.copy, self._aead.encrypt
        protected = []
        for start, number, resident_id in zip(
            range(0, len(nonces), NONCE_BYTES), numbers, resident_ids, strict=True
        ):
            clear = number.encode("ascii")
            keyed, outside = inner(), outer()
            keyed.update(clear)
            outside.update(keyed.digest())
            nonce = nonces[start : start + NONCE_BYTES]
            protected.append((outside.hexdigest(), nonce + seal(nonce, clear, resident_id.encode("ascii"))))
        return protected


@lru_cache(maxsize=8)
def _vault_of(secret: str) -> NumberVault:
    return NumberVault(secret)


def vault(db: Session) -> NumberVault:
    """The vault of the installation secret bound to this session's database
    (``core.database.installation_secret``), kept per secret so that its keys are derived once."""
    return _vault_of(installation_secret(db))
