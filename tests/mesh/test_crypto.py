"""ES256 JWS: round trip, tampering, wrong keys, malformed input."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tsunagu.core import ecdsa
from tsunagu.mesh import crypto
from tsunagu.mesh.errors import BadSignature, Unsigned

KEY = crypto.derive_signing_key("unit-test-secret", "131016")
OTHER = crypto.derive_signing_key("unit-test-secret", "142018")


def _resolver(*keys: crypto.SigningKey) -> crypto.KeyResolver:
    known = {key.kid: crypto.public_key_from_jwk(key.public_jwk()) for key in keys}
    return known.get


def test_a_signed_payload_verifies_with_the_registered_key() -> None:
    token = crypto.sign(KEY, {"subject": "符号", "n": 1}, "t+jws")
    verified = crypto.verify(token, _resolver(KEY), "t+jws")
    assert verified.payload == {"subject": "符号", "n": 1}
    assert verified.signer == "131016"
    assert len(crypto.b64url_decode(token.split(".")[2])) == 64  # r || s, not DER


def test_derived_keys_are_stable_and_distinct_per_organization() -> None:
    again = crypto.derive_signing_key("unit-test-secret", "131016")
    assert again.public_jwk() == KEY.public_jwk()
    assert OTHER.public_jwk()["x"] != KEY.public_jwk()["x"]


@pytest.mark.parametrize("tamper", ["payload", "signature", "header-kid"])
def test_any_change_breaks_the_signature(tamper: str) -> None:
    header, payload, signature = crypto.sign(KEY, {"items": ["name"]}, "t+jws").split(".")
    if tamper == "payload":
        payload = crypto.b64url(crypto.canonical_json({"items": ["name", "address"]}))
    elif tamper == "signature":
        signature = crypto.b64url(bytes(64))
    else:
        header = crypto.b64url(crypto.canonical_json({"alg": "ES256", "kid": OTHER.kid, "typ": "t+jws"}))
    with pytest.raises(BadSignature):
        crypto.verify(f"{header}.{payload}.{signature}", _resolver(KEY, OTHER), "t+jws")


def test_an_unknown_key_is_a_bad_signature() -> None:
    with pytest.raises(BadSignature):
        crypto.verify(crypto.sign(OTHER, {}, "t+jws"), _resolver(KEY), "t+jws")


@pytest.mark.parametrize("token", ["", "a.b", "not base64.x.y", "e30.e30.e30"])
def test_malformed_messages_are_unsigned(token: str) -> None:
    with pytest.raises(Unsigned):
        crypto.verify(token, _resolver(KEY), "t+jws")


def test_a_message_of_another_type_is_refused() -> None:
    with pytest.raises(Unsigned):
        crypto.verify(crypto.sign(KEY, {}, "push+jws"), _resolver(KEY), "query+jws")


def _malleated(token: str) -> str:
    """The same signature's twin (r, n − s): valid ECDSA for the same message and key."""
    signing_input, signature = token.rsplit(".", 1)
    raw = crypto.b64url_decode(signature)
    twin = ecdsa.P256_ORDER - int.from_bytes(raw[32:], "big")
    return f"{signing_input}.{crypto.b64url(raw[:32] + twin.to_bytes(32, 'big'))}"


def test_a_malleated_signature_is_refused_and_signatures_are_low_s() -> None:
    for n in range(40):  # half of raw ECDSA signatures are high-s: every one here is low-s
        token = crypto.sign(KEY, {"n": n}, "t+jws")
        assert ecdsa.is_canonical(crypto.b64url_decode(token.rsplit(".", 1)[1]))
        twin = _malleated(token)
        # the twin is a mathematically valid ECDSA signature over the same bytes (cryptography says so)…
        signing_input, signature = twin.rsplit(".", 1)
        raw = crypto.b64url_decode(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        KEY.public.verify(der, signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        # …and the mesh refuses it: one message, one signature
        with pytest.raises(BadSignature, match="low-s"):
            crypto.verify(twin, _resolver(KEY), "t+jws")
        assert crypto.verify(token, _resolver(KEY), "t+jws").payload == {"n": n}
