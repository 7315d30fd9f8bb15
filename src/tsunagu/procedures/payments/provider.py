"""The payment-provider interface (決済代行) the platform codes against, and webhook signing.

A provider creates a payment intent the payer completes on the provider's own checkout, tells
its state on request, refunds, and reports changes by signed callbacks (webhooks):
``Tsunagu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` with a secret per
provider, refused when older than :data:`TOLERANCE_SECONDS`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Literal, Protocol

from tsunagu.core import clock
from tsunagu.core.errors import TsunaguError

IntentStatus = Literal["pending", "paid", "failed", "refunded"]
SIGNATURE_HEADER = "Tsunagu-Signature"
TOLERANCE_SECONDS = 300


class CallbackSignatureInvalid(TsunaguError):
    status = 401
    code = "callback-signature-invalid"
    title = "The callback's signature is missing, wrong or too old"


@dataclass(frozen=True)
class IntentRequest:
    reference: str
    amount_yen: int
    description: str
    return_url: str
    callback_url: str
    idempotency_key: str


@dataclass(frozen=True)
class Intent:
    id: str
    status: IntentStatus
    amount_yen: int
    checkout_url: str


@dataclass(frozen=True)
class CallbackEvent:
    id: str
    intent_id: str
    status: IntentStatus


class PaymentProvider(Protocol):
    """What the platform needs from a payment provider."""

    @property
    def name(self) -> str: ...

    def create_intent(self, request: IntentRequest) -> Intent:
        """A new intent (the same idempotency key → the same intent)."""
        ...

    def get_status(self, intent_id: str) -> Intent: ...

    def refund(self, intent_id: str) -> Intent: ...

    def parse_callback(self, body: bytes, signature: str) -> CallbackEvent:
        """The event of a callback whose signature holds, else :class:`CallbackSignatureInvalid`."""
        ...


def sign(secret: str, body: bytes, at: int | None = None) -> str:
    timestamp = int(clock.now().timestamp()) if at is None else at
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verified_body(secret: str, body: bytes, signature: str) -> dict[str, object]:
    """The JSON body when ``signature`` is this provider's and fresh."""
    parts = dict(p.split("=", 1) for p in signature.split(",") if "=" in p)
    timestamp, mac = parts.get("t", ""), parts.get("v1", "")
    if not timestamp.isdigit() or not mac:
        raise CallbackSignatureInvalid(f"the {SIGNATURE_HEADER} header is missing or malformed")
    expected = sign(secret, body, int(timestamp)).partition("v1=")[2]
    if not hmac.compare_digest(mac, expected):
        raise CallbackSignatureInvalid("the callback's signature does not match its body")
    if abs(clock.now().timestamp() - int(timestamp)) > TOLERANCE_SECONDS:
        raise CallbackSignatureInvalid("the callback's signature is too old (replayed?)")
    try:
        data = json.loads(body)
    except ValueError:
        raise CallbackSignatureInvalid("the signed body is not JSON") from None
    if not isinstance(data, dict):
        raise CallbackSignatureInvalid("the signed body is not a JSON object")
    return data
