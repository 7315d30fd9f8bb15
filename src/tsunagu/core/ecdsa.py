"""One document, one signature: ECDSA P-256 signatures in their canonical (low-s) form.

An ECDSA signature (r, s) has a twin (r, n − s) that verifies just as well (malleability). A
signed document whose signature can be changed without the key is two documents with one
meaning: hashes of "the signed message" (logs, receipts, registers) would then differ. Signers
here always emit the low-s form (s ≤ n/2, as Bitcoin's BIP 62/146 and libsecp256k1 require) and
verifiers refuse the high-s twin before checking the signature.
"""

from __future__ import annotations

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_HALF_ORDER = P256_ORDER // 2
COORDINATE_BYTES = 32


def canonical_s(s: int) -> int:
    """The low-s twin of ``s`` (itself if it already is low)."""
    return P256_ORDER - s if s > _HALF_ORDER else s


def is_canonical(raw: bytes) -> bool:
    """Whether an ``r || s`` P-256 signature (64 bytes) is in low-s form, with 0 < r, s < n."""
    if len(raw) != 2 * COORDINATE_BYTES:
        return False
    r = int.from_bytes(raw[:COORDINATE_BYTES], "big")
    s = int.from_bytes(raw[COORDINATE_BYTES:], "big")
    return 0 < r < P256_ORDER and 0 < s <= _HALF_ORDER


def canonical_raw(raw: bytes) -> bytes:
    """An ``r || s`` signature with s brought to low-s form."""
    s = int.from_bytes(raw[COORDINATE_BYTES:], "big")
    return raw[:COORDINATE_BYTES] + canonical_s(s).to_bytes(COORDINATE_BYTES, "big")
