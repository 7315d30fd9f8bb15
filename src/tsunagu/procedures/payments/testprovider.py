"""A local test payment provider that behaves like a real one (テスト用決済代行).

Its intents change only through its own checkout (the payer presses 支払う or 失敗させる), its
changes reach the platform as signed callbacks from an outbox (retried until delivered), and a
refund is possible only after payment. The platform talks to it through :class:`TestProvider`,
an implementation of :class:`~tsunagu.procedures.payments.provider.PaymentProvider`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import Conflict, NotFound
from tsunagu.procedures.payments import provider as api
from tsunagu.procedures.payments.models import ProceduresTestProviderCallback, ProceduresTestProviderIntent

NAME = "test"
CHECKOUT_PATH = "/payments/test-provider/checkout"
MAX_DELIVERY_ATTEMPTS = 8

# body, headers → HTTP status of the platform's answer
Sender = Callable[[str, bytes, dict[str, str]], int]


class IntentNotFound(NotFound):
    code = "payment-intent-not-found"
    title = "No such payment at the test provider"


class IntentNotPending(Conflict):
    code = "payment-intent-not-pending"
    title = "This payment is already settled"


class RefundNotAllowed(Conflict):
    code = "payment-refund-not-allowed"
    title = "Only a paid payment can be refunded"


def provider_secret(app_secret: str) -> str:
    """The webhook secret shared by the platform and this provider (per provider)."""
    return hmac.new(app_secret.encode(), b"payments:test-provider:webhook", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Checkout:
    id: str
    description: str
    amount_yen: int
    status: str
    return_url: str


def _checkout(row: ProceduresTestProviderIntent) -> Checkout:
    return Checkout(row.id, row.description, row.amount_yen, row.status, row.return_url)


def _row(db: Session, intent_id: str) -> ProceduresTestProviderIntent:
    row = db.get(ProceduresTestProviderIntent, intent_id, with_for_update=True)
    if row is None:
        raise IntentNotFound(f"no payment {intent_id}")
    return row


def create(db: Session, request: api.IntentRequest) -> ProceduresTestProviderIntent:
    existing = db.scalar(
        select(ProceduresTestProviderIntent).where(
            ProceduresTestProviderIntent.idempotency_key == request.idempotency_key
        )
    )
    if existing is not None:
        return existing
    now = clock.now()
    row = ProceduresTestProviderIntent(
        id="pi_" + uuid.uuid4().hex,
        idempotency_key=request.idempotency_key,
        reference=request.reference,
        description=request.description,
        amount_yen=request.amount_yen,
        status="pending",
        return_url=request.return_url,
        callback_url=request.callback_url,
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    db.flush()
    return row


def checkout(db: Session, intent_id: str) -> Checkout:
    return _checkout(_row(db, intent_id))


def _change(db: Session, row: ProceduresTestProviderIntent, status: str) -> None:
    now = clock.now()
    row.status, row.updated_at = status, now
    event_id = "evt_" + uuid.uuid4().hex
    body = json.dumps(
        {
            "id": event_id,
            "type": f"payment_intent.{status}",
            "intent": row.id,
            "status": status,
            "amount_yen": row.amount_yen,
            "reference": row.reference,
            "created": now.isoformat(),
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    db.add(
        ProceduresTestProviderCallback(
            id=event_id,
            intent_id=row.id,
            url=row.callback_url,
            body=body,
            attempts=0,
            last_error="",
            created_at=now,
            delivered_at=None,
        )
    )
    db.flush()


def settle(db: Session, intent_id: str, *, paid: bool) -> Checkout:
    """The payer's choice on the checkout: pay, or make the payment fail (e.g. card declined)."""
    row = _row(db, intent_id)
    if row.status != "pending":
        raise IntentNotPending(f"payment {intent_id} is already {row.status}", intent_status=row.status)
    _change(db, row, "paid" if paid else "failed")
    return _checkout(row)


def refund(db: Session, intent_id: str) -> ProceduresTestProviderIntent:
    row = _row(db, intent_id)
    if row.status == "refunded":
        return row
    if row.status != "paid":
        raise RefundNotAllowed(f"payment {intent_id} is {row.status}", intent_status=row.status)
    _change(db, row, "refunded")
    return row


@dataclass(frozen=True)
class OutgoingCallback:
    id: str
    url: str
    body: bytes
    headers: dict[str, str]


def undelivered(db: Session, secret: str) -> list[OutgoingCallback]:
    """Callbacks still to deliver, each freshly signed (a real provider re-signs every attempt)."""
    rows = db.scalars(
        select(ProceduresTestProviderCallback)
        .where(
            ProceduresTestProviderCallback.delivered_at.is_(None),
            ProceduresTestProviderCallback.attempts < MAX_DELIVERY_ATTEMPTS,
        )
        .order_by(ProceduresTestProviderCallback.created_at)
    )
    return [
        OutgoingCallback(
            r.id,
            r.url,
            r.body.encode(),
            {"Content-Type": "application/json", api.SIGNATURE_HEADER: api.sign(secret, r.body.encode())},
        )
        for r in rows
    ]


def record_attempt(db: Session, callback_id: str, *, status: int | None, error: str = "") -> None:
    row = db.get(ProceduresTestProviderCallback, callback_id)
    if row is None:
        return
    row.attempts += 1
    if status is not None and 200 <= status < 300:
        row.delivered_at = clock.now()
    else:
        row.last_error = error or f"HTTP {status}"


def deliver(database: Database, secret: str, send: Sender) -> int:
    """Post every undelivered callback; returns how many the platform acknowledged."""
    with database.session() as db:
        outgoing = undelivered(db, secret)
    delivered = 0
    for callback in outgoing:
        try:
            status: int | None = send(callback.url, callback.body, callback.headers)
            error = ""
        except OSError as exc:
            status, error = None, str(exc)
        with database.session() as db:
            record_attempt(db, callback.id, status=status, error=error)
        delivered += status is not None and 200 <= status < 300
    return delivered


class TestProvider:
    """The platform's client of the test provider (what a real provider's SDK would be)."""

    __test__ = False  # not a pytest class

    def __init__(self, database: Database, app_secret: str, base_url: str, send: Sender) -> None:
        self._database = database
        self._secret = provider_secret(app_secret)
        self._base_url = base_url.rstrip("/")
        self._send = send

    @property
    def name(self) -> str:
        return NAME

    def _intent(self, row: ProceduresTestProviderIntent) -> api.Intent:
        status: api.IntentStatus = row.status  # type: ignore[assignment]
        return api.Intent(row.id, status, row.amount_yen, f"{self._base_url}{CHECKOUT_PATH}/{row.id}")

    def create_intent(self, request: api.IntentRequest) -> api.Intent:
        for _attempt in range(2):
            try:
                with self._database.session() as db:
                    return self._intent(create(db, request))
            except IntegrityError:
                continue  # the same key created concurrently: the second read finds it
        raise Conflict("the payment could not be created; please try again")

    def get_status(self, intent_id: str) -> api.Intent:
        with self._database.session() as db:
            return self._intent(_row(db, intent_id))

    def refund(self, intent_id: str) -> api.Intent:
        with self._database.session() as db:
            refunded = self._intent(refund(db, intent_id))
        deliver(self._database, self._secret, self._send)  # the provider's own webhook, as after a payment
        return refunded

    def parse_callback(self, body: bytes, signature: str) -> api.CallbackEvent:
        data = api.verified_body(self._secret, body, signature)
        status = str(data.get("status", ""))
        if status not in ("pending", "paid", "failed", "refunded"):
            raise api.CallbackSignatureInvalid(f"unknown status {status!r} in a signed callback")
        return api.CallbackEvent(str(data.get("id", "")), str(data.get("intent", "")), status)  # type: ignore[arg-type]
