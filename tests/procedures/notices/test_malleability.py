"""A notice has one signature: its ECDSA twin (s → n − s) is refused, as a changed document."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tsunagu.core import ecdsa
from tsunagu.core.database import Database
from tsunagu.procedures.notices import service

SECRET = "notice-malleability-test-secret"
ISSUER = "131016"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_a_malleated_notice_signature_does_not_verify(database: Database) -> None:
    public = service.signing_key(SECRET, ISSUER).get_op_key("verify")
    for n in range(20):
        token = service.sign(SECRET, ISSUER, {"type": "処分通知", "id": f"n-{n}", "issuer": ISSUER})
        signing_input, signature = token.rsplit(".", 1)
        raw = _unb64(signature)
        assert ecdsa.is_canonical(raw)
        r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
        twin = f"{signing_input}.{_b64(raw[:32] + (ecdsa.P256_ORDER - s).to_bytes(32, 'big'))}"
        # the twin is valid ECDSA over the same bytes (checked with cryptography itself)…
        public.verify(
            encode_dss_signature(r, ecdsa.P256_ORDER - s), signing_input.encode(), ec.ECDSA(hashes.SHA256())
        )
        with database.session() as db:
            assert service.verify(db, SECRET, token, [ISSUER]).valid
            refused = service.verify(db, SECRET, twin, [ISSUER])
        # …and not the notice as issued
        assert not refused.valid
        assert refused.reason == "the signature does not match: the document was changed"
