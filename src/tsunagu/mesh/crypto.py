"""Signatures of the mesh: JWS compact serialization (RFC 7515) with ES256 over canonical JSON.

ES256 signatures are the fixed-width ``r || s`` form (RFC 7518 §3.4), not DER. Public keys
travel as JWKs (RFC 7517); a key id is ``<organization code>#<suffix>`` so that a verifier knows
whose key to look up before trusting anything in the payload. The suffix is the generation of a
key derived from the deployment secret, or the RFC 7638 thumbprint of a rotated key.

A published JWK may carry its validity like OpenID Federation's keys: ``nbf``/``exp`` (seconds
since the epoch) and ``revoked`` ({"revoked_at", "reason"}); verifiers refuse a key outside them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from tsunagu.core import ecdsa
from tsunagu.mesh.errors import BadSignature, KeyExpired, KeyRevoked, Unsigned

ALGORITHM = "ES256"
_COORDINATE_BYTES = 32
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def compact_encoder(*, sort_keys: bool) -> Callable[[Any], str]:
    """JSON without spaces or ASCII escapes, as ``json.dumps`` writes it, from one C encoder made
    once: ``json.dumps`` makes its encoder afresh on every call, a cost that showed on every
    message signed and every log entry hashed. (Without the C accelerator: ``json.dumps``.)"""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        options = {"ensure_ascii": False, "sort_keys": sort_keys, "separators": (",", ":")}
        return lambda value: json.dumps(value, **options)  # type: ignore[arg-type]
    chunks = make(None, _no_default, json.encoder.encode_basestring, None, ":", ",", sort_keys, False, True)
    return lambda value: "".join(chunks(value, 0))


def _no_default(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_canonical = compact_encoder(sort_keys=True)


def canonical_json(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8."""
    return _canonical(value).encode()


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class SigningKey:
    """A node's private key and its id."""

    kid: str
    private: ec.EllipticCurvePrivateKey

    @property
    def public(self) -> ec.EllipticCurvePublicKey:
        return self.private.public_key()

    def public_jwk(self) -> dict[str, str]:
        numbers = self.public.public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "alg": ALGORITHM,
            "use": "sig",
            "kid": self.kid,
            "x": b64url(numbers.x.to_bytes(_COORDINATE_BYTES, "big")),
            "y": b64url(numbers.y.to_bytes(_COORDINATE_BYTES, "big")),
        }


def derive_signing_key(secret: str, organization_code: str, generation: int = 1) -> SigningKey:
    """A development key derived from the deployment secret (production loads a key file)."""
    seed = hmac.new(
        secret.encode(), f"mesh-signing:{organization_code}:{generation}".encode(), hashlib.sha256
    ).digest()
    scalar = int.from_bytes(seed, "big") % (_P256_ORDER - 1) + 1
    return SigningKey(f"{organization_code}#{generation}", ec.derive_private_key(scalar, ec.SECP256R1()))


def load_signing_key(path: Path, organization_code: str, generation: int = 1) -> SigningKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError(f"{path} is not a P-256 private key")
    return SigningKey(f"{organization_code}#{generation}", key)


def new_signing_key(organization_code: str) -> SigningKey:
    """A fresh random key whose id ends in its RFC 7638 thumbprint (``tsunagu mesh rotate-key``)."""
    private = ec.generate_private_key(ec.SECP256R1())
    return SigningKey(f"{organization_code}#{jwk_thumbprint(SigningKey('', private).public_jwk())}", private)


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638: SHA-256 over the required EC members in lexicographic order, base64url."""
    required = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    return b64url(hashlib.sha256(canonical_json(required)).digest())


def check_usable(jwk: dict[str, Any], at: int) -> None:
    """Refuse a key that is revoked, not yet valid or expired at ``at`` (seconds since the epoch)."""
    kid = jwk.get("kid")
    if jwk.get("revoked"):
        raise KeyRevoked(f"the key {kid} was revoked")
    if at < int(jwk.get("nbf", at)) or at >= int(jwk.get("exp", at + 1)):
        raise KeyExpired(f"the key {kid} is not valid at this time")


def is_usable(jwk: dict[str, Any], at: int) -> bool:
    try:
        check_usable(jwk, at)
    except BadSignature:
        return False
    return True


def _store_password(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"mesh-private-key-store", hashlib.sha256).hexdigest().encode()


def encrypt_private_key(key: SigningKey, secret: str) -> str:
    """PKCS#8 PEM encrypted under a password derived from the deployment secret (at rest)."""
    return key.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_store_password(secret)),
    ).decode("ascii")


def decrypt_private_key(pem: str, secret: str, kid: str) -> SigningKey:
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=_store_password(secret))
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"the stored key {kid} is not an EC key")
    return SigningKey(kid, key)


def public_key_from_jwk(jwk: dict[str, Any]) -> ec.EllipticCurvePublicKey:
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ValueError("only EC P-256 keys are accepted")
    x = int.from_bytes(b64url_decode(str(jwk["x"])), "big")
    y = int.from_bytes(b64url_decode(str(jwk["y"])), "big")
    return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()


def organization_of_kid(kid: str) -> str:
    return kid.split("#", 1)[0]


def sign(key: SigningKey, payload: dict[str, Any], typ: str) -> str:
    header = {"alg": ALGORITHM, "kid": key.kid, "typ": typ}
    signing_input = f"{b64url(canonical_json(header))}.{b64url(canonical_json(payload))}"
    r, s = decode_dss_signature(key.private.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256())))
    # low-s (core.ecdsa): the high-s twin is refused by every verifier, one message one signature
    signature = r.to_bytes(_COORDINATE_BYTES, "big") + ecdsa.canonical_s(s).to_bytes(_COORDINATE_BYTES, "big")
    return f"{signing_input}.{b64url(signature)}"


KeyResolver = Callable[[str], ec.EllipticCurvePublicKey | None]


@dataclass(frozen=True)
class Verified:
    kid: str
    payload: dict[str, Any]

    @property
    def signer(self) -> str:
        return organization_of_kid(self.kid)


def unverified_header(token: str) -> dict[str, Any]:
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts):
        raise Unsigned("the body is not a JWS compact serialization (header.payload.signature)")
    try:
        header = json.loads(b64url_decode(parts[0]))
    except (ValueError, binascii.Error):
        raise Unsigned("the JWS header is not base64url JSON") from None
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM or not header.get("kid"):
        raise Unsigned(f"the JWS header must name alg {ALGORITHM} and a kid")
    return header


def verify(token: str, resolve: KeyResolver, typ: str) -> Verified:
    """Check the signature with the signer's registered key; return the payload."""
    header = unverified_header(token)
    if header.get("typ") != typ:
        raise Unsigned(f"expected a {typ} message, got {header.get('typ')!r}")
    kid = str(header["kid"])
    public_key = resolve(kid)
    if public_key is None:
        raise BadSignature(f"no registered key {kid!r}")
    header_part, payload_part, signature_part = token.strip().split(".")
    try:
        raw = b64url_decode(signature_part)
    except (ValueError, binascii.Error):
        raise BadSignature("the signature is not base64url") from None
    if len(raw) != 2 * _COORDINATE_BYTES:
        raise BadSignature("an ES256 signature is 64 bytes (r || s)")
    if not ecdsa.is_canonical(raw):
        raise BadSignature("the signature is not in canonical low-s form (s ≤ n/2)")
    der = encode_dss_signature(
        int.from_bytes(raw[:_COORDINATE_BYTES], "big"), int.from_bytes(raw[_COORDINATE_BYTES:], "big")
    )
    try:
        public_key.verify(der, f"{header_part}.{payload_part}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise BadSignature(f"the signature does not verify with {kid}") from None
    try:
        payload = json.loads(b64url_decode(payload_part))
    except (ValueError, binascii.Error):
        raise Unsigned("the JWS payload is not base64url JSON") from None
    if not isinstance(payload, dict):
        raise Unsigned("the JWS payload must be a JSON object")
    return Verified(kid, payload)


def local_token(secret: str, organization_code: str) -> str:
    """Bearer token of a node's local (in-organization) API, derived from the node's secret."""
    return hmac.new(secret.encode(), f"mesh-local:{organization_code}".encode(), hashlib.sha256).hexdigest()
