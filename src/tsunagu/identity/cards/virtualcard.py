"""The virtual card file and the card app logic that guards it (the chip's job on a real card).

A card file is JSON holding, for each of the two certificates, the X.509 certificate and the
private key (PKCS#8 DER) encrypted with AES-256-GCM under a key derived from its PIN with
PBKDF2-HMAC-SHA256 — a format WebCrypto can also open, so the mobile card page works the same
way. The PIN-failure counters sit in the file under an HMAC keyed from the card's own chip
secret: editing a counter by hand is detected and locks the card. A file can still be copied
back from a backup, which a chip forbids; docs/operations.md explains this limit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from tsunagu.core.errors import ValidationFailed
from tsunagu.identity.cards.errors import CardTampered, PinLocked, WrongPin

FORMAT = "tsunagu-virtual-card/1"
Usage = Literal["authentication", "signature"]
USAGES: tuple[Usage, Usage] = ("authentication", "signature")
MAX_PIN_FAILURES = 3
DEFAULT_KDF_ITERATIONS = 310_000


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def check_pin(usage: Usage, pin: str) -> None:
    """利用者証明用: exactly 4 digits. 署名用: 6–16 ASCII capital letters and digits."""
    if usage == "authentication":
        ok = len(pin) == 4 and pin.isascii() and pin.isdigit()
        rule = "the user-authentication PIN is 4 digits"
    else:
        ok = 6 <= len(pin) <= 16 and pin.isascii() and pin.isalnum() and pin == pin.upper()
        rule = "the signature PIN is 6–16 capital letters and digits"
    if not ok:
        raise ValidationFailed(
            rule, errors=[{"location": [f"{usage}_pin"], "message": rule, "type": "pin-format"}]
        )


def _pin_key(pin: str, salt: bytes, iterations: int) -> bytes:
    return PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations).derive(
        pin.encode("ascii")
    )


def seal_key(
    card_id: str, usage: Usage, key: ec.EllipticCurvePrivateKey, pin: str, iterations: int
) -> dict[str, Any]:
    check_pin(usage, pin)
    salt, iv = secrets.token_bytes(16), secrets.token_bytes(12)
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    sealed = AESGCM(_pin_key(pin, salt, iterations)).encrypt(iv, der, f"{card_id}|{usage}".encode())
    return {
        "kdf": "PBKDF2-SHA256",
        "iterations": iterations,
        "salt": _b64(salt),
        "iv": _b64(iv),
        "ciphertext": _b64(sealed),
    }


def counter_mac(chip_secret: bytes, card_id: str, failures: dict[str, int]) -> str:
    """HMAC-SHA256 over ``<card id>|authentication=<n>|signature=<m>`` (same in card-core.js)."""
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"tsunagu-card-counter|{card_id}".encode()
    ).derive(chip_secret)
    message = f"{card_id}|authentication={failures['authentication']}|signature={failures['signature']}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


@dataclass
class VirtualCard:
    """A card file opened by the card app."""

    document: dict[str, Any]

    @classmethod
    def build(
        cls,
        card_id: str,
        ca_certificate_pem: bytes,
        sections: dict[Usage, tuple[ec.EllipticCurvePrivateKey, bytes, str]],
        iterations: int = DEFAULT_KDF_ITERATIONS,
    ) -> VirtualCard:
        """A new card from (key, certificate PEM, PIN) per usage."""
        chip_secret = secrets.token_bytes(32)
        failures: dict[str, int] = dict.fromkeys(USAGES, 0)
        document: dict[str, Any] = {
            "format": FORMAT,
            "card_id": card_id,
            "ca_certificate": ca_certificate_pem.decode(),
            "chip_secret": _b64(chip_secret),
            "failures": failures,
            "counter_mac": counter_mac(chip_secret, card_id, failures),
        }
        for usage, (key, certificate_pem, pin) in sections.items():
            document[usage] = {
                "certificate": certificate_pem.decode(),
                "private_key": seal_key(card_id, usage, key, pin, iterations),
            }
        return cls(document)

    @classmethod
    def loads(cls, text: str | bytes) -> VirtualCard:
        try:
            document = json.loads(text)
        except ValueError:
            raise CardTampered("this is not a virtual card file (not JSON)") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise CardTampered(f"this is not a {FORMAT} file")
        return cls(document)

    @classmethod
    def load(cls, path: Path) -> VirtualCard:
        return cls.loads(path.read_bytes())

    def dumps(self) -> str:
        return json.dumps(self.document, ensure_ascii=False, indent=2) + "\n"

    def save(self, path: Path) -> None:
        path.write_text(self.dumps(), encoding="utf-8")
        path.chmod(0o600)

    @property
    def card_id(self) -> str:
        return str(self.document["card_id"])

    def certificate_pem(self, usage: Usage) -> bytes:
        return str(self.document[usage]["certificate"]).encode()

    def failures(self, usage: Usage) -> int:
        self._check_counters()
        return int(self.document["failures"][usage])

    def sign(self, usage: Usage, pin: str, data: bytes) -> bytes:
        """Sign ``data`` (ECDSA P-256, SHA-256, DER) after the PIN check; save the card afterwards."""
        key = self._unlock(usage, pin)
        return key.sign(data, ec.ECDSA(hashes.SHA256()))

    def sign_raw(self, usage: Usage, pin: str, data: bytes) -> bytes:
        """As ``sign`` but as r‖s (64 bytes), the form WebCrypto and JOSE use; used for login."""
        r, s = decode_dss_signature(self.sign(usage, pin, data))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def _check_counters(self) -> dict[str, int]:
        try:
            failures: dict[str, int] = {u: int(self.document["failures"][u]) for u in USAGES}
            expected = counter_mac(_unb64(self.document["chip_secret"]), self.card_id, failures)
            intact = hmac.compare_digest(expected, str(self.document["counter_mac"]))
        except (KeyError, TypeError, ValueError):
            intact = False
        if not intact:
            raise CardTampered("the card file's PIN counter has been altered; the card is locked")
        return failures

    def _unlock(self, usage: Usage, pin: str) -> ec.EllipticCurvePrivateKey:
        failures = self._check_counters()
        if failures[usage] >= MAX_PIN_FAILURES:
            raise PinLocked(
                f"the {usage} PIN is locked after {MAX_PIN_FAILURES} wrong PINs; "
                "ask your municipality to reset it"
            )
        sealed = self.document[usage]["private_key"]
        try:
            key_bytes = _pin_key(pin, _unb64(sealed["salt"]), int(sealed["iterations"]))
            der = AESGCM(key_bytes).decrypt(
                _unb64(sealed["iv"]), _unb64(sealed["ciphertext"]), f"{self.card_id}|{usage}".encode()
            )
        except (InvalidTag, UnicodeEncodeError):
            self._set_failures(usage, failures[usage] + 1)
            left = MAX_PIN_FAILURES - failures[usage] - 1
            if left == 0:
                raise PinLocked(f"wrong PIN; the {usage} PIN is now locked") from None
            raise WrongPin(
                f"wrong PIN; {left} attempt(s) left before the PIN locks", attempts_left=left
            ) from None
        if failures[usage]:
            self._set_failures(usage, 0)
        key = serialization.load_der_private_key(der, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise CardTampered("the card's key is not an EC key")
        return key

    def _set_failures(self, usage: Usage, count: int) -> None:
        failures: dict[str, int] = {u: int(self.document["failures"][u]) for u in USAGES}
        failures[usage] = count
        self.document["failures"] = failures
        self.document["counter_mac"] = counter_mac(
            _unb64(self.document["chip_secret"]), self.card_id, failures
        )
