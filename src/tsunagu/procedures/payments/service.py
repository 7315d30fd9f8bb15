"""手数料の納付: the fee of an application through a payment provider.

pending → paid | failed; failed → pending (a new attempt); paid → refund_pending → refunded.
An application whose definition asks for payment before issue moves on only when paid; a
rejection after payment is refunded. Callbacks are verified by the provider's signature and
applied once (the event id is unique); a late or out-of-order callback changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import Conflict, NotFound
from tsunagu.core.sessions import Principal
from tsunagu.notify import service as inbox
from tsunagu.procedures import service as catalogue
from tsunagu.procedures import statemachine
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.payments.models import ProceduresPayment, ProceduresPaymentEvent
from tsunagu.procedures.payments.provider import IntentRequest, PaymentProvider
from tsunagu.procedures.registry import LiveRegistry

STATUS_NAMES = {
    "pending": "お支払い待ち",
    "paid": "お支払い済み",
    "failed": "お支払いできませんでした",
    "refund_pending": "返金手続中",
    "refunded": "返金済み",
}
# (from, to): the moves a payment may make; anything else (a late callback) is ignored
MOVES: frozenset[tuple[str, str]] = frozenset(
    {
        ("pending", "paid"),
        ("pending", "failed"),
        ("failed", "pending"),
        ("paid", "refund_pending"),
        ("paid", "refunded"),
        ("refund_pending", "refunded"),
    }
)


class PaymentNotCompleted(Conflict):
    code = "payment-not-completed"
    title = "The fee has not been paid yet"


class PaymentAlreadyCompleted(Conflict):
    code = "payment-already-completed"
    title = "The fee is already paid"


class NoFee(Conflict):
    code = "payment-not-required"
    title = "This procedure has no fee to pay"


class PaymentClosed(Conflict):
    code = "payment-application-closed"
    title = "The application is closed; nothing can be paid"


class UnknownIntent(NotFound):
    code = "payment-unknown-intent"
    title = "The callback names a payment the platform did not create"


@dataclass(frozen=True)
class Payment:
    application_id: str
    provider: str
    intent_id: str
    amount_yen: int
    status: str
    checkout_url: str
    attempts: int
    updated_at: datetime

    @property
    def payable(self) -> bool:
        return self.status in ("pending", "failed")


def fee_for(procedure: Procedure, data: dict[str, Any]) -> int:
    """The amount to pay: the definition's fee, times the number of copies when charged per copy."""
    if procedure.fee is None:
        return 0
    copies = data.get("copies")
    count = int(copies) if procedure.fee.per is not None and isinstance(copies, int | str) else 1
    return procedure.fee.amount_yen * max(count, 1)


def required_before(procedure: Procedure) -> bool:
    return procedure.fee is not None and procedure.fee.payment == "before" and procedure.fee.amount_yen > 0


def _payment(row: ProceduresPayment) -> Payment:
    return Payment(
        row.application_id,
        row.provider,
        row.intent_id,
        row.amount_yen,
        row.status,
        row.checkout_url,
        row.attempts,
        row.updated_at,
    )


def payment_for(db: Session, application_id: str) -> Payment | None:
    row = db.scalar(select(ProceduresPayment).where(ProceduresPayment.application_id == application_id))
    return _payment(row) if row is not None else None


def ensure_paid(db: Session, procedure: Procedure, application_id: str) -> None:
    """Refuse to move an application on while a fee due before issue is unpaid (409)."""
    if not required_before(procedure):
        return
    found = payment_for(db, application_id)
    if found is None or found.status != "paid":
        raise PaymentNotCompleted(
            "the fee must be paid before the application is processed",
            payment_status=found.status if found else "none",
        )


def start(
    database: Database,
    provider: PaymentProvider,
    procedure: Procedure,
    app: applications.Application,
    *,
    return_url: str,
    callback_url: str,
) -> Payment:
    """Create (or reuse) the provider's intent for the fee; the payer goes to its checkout."""
    amount = fee_for(procedure, app.data)
    if amount <= 0:
        raise NoFee(f"{procedure.id} has no fee")
    if app.status not in statemachine.OPEN:
        raise PaymentClosed("the application is already decided or withdrawn")
    with database.session() as db:
        current = payment_for(db, app.id)
    if current is not None and current.status == "pending":
        return current
    if current is not None and not current.payable:
        raise PaymentAlreadyCompleted(f"the fee is {current.status}", payment_status=current.status)
    attempt = 1 if current is None else current.attempts + 1
    intent = provider.create_intent(
        IntentRequest(
            reference=app.id,
            amount_yen=amount,
            description=f"{procedure.name.ja}（受付番号 {app.receipt_number}）",
            return_url=return_url,
            callback_url=callback_url,
            idempotency_key=f"{app.id}:{attempt}",
        )
    )
    now = clock.now()
    with database.session() as db:
        row = db.scalar(
            select(ProceduresPayment).where(ProceduresPayment.application_id == app.id).with_for_update()
        )
        if row is None:
            row = ProceduresPayment(application_id=app.id, created_at=now)
            db.add(row)
        row.provider, row.intent_id, row.amount_yen = provider.name, intent.id, intent.amount_yen
        row.status, row.checkout_url, row.attempts, row.updated_at = (
            "pending",
            intent.checkout_url,
            attempt,
            now,
        )
        db.flush()
        return _payment(row)


def _move(db: Session, row: ProceduresPayment, status: str) -> bool:
    if row.status == status or (row.status, status) not in MOVES:
        return False
    row.status, row.updated_at = status, clock.now()
    if status in ("paid", "failed", "refunded"):
        app = applications.load(db, row.application_id)
        inbox.deliver(
            db,
            app.subject_id,
            sender=app.organization_code,
            kind="status",
            title=f"手数料 {row.amount_yen} 円: {STATUS_NAMES[status]}",
            body=f"手数料 {row.amount_yen} 円の状況が「{STATUS_NAMES[status]}」になりました。",
            link=f"/applications/{row.application_id}",
        )
    return True


def apply_status(db: Session, provider: str, intent_id: str, status: str) -> bool:
    """Record the provider's state of an intent; False when it changes nothing (late, repeated)."""
    row = db.scalar(
        select(ProceduresPayment)
        .where(ProceduresPayment.provider == provider, ProceduresPayment.intent_id == intent_id)
        .with_for_update()
    )
    if row is None:
        return False  # an earlier attempt's intent: the payer started again
    return _move(db, row, status)


def reconcile(database: Database, provider: PaymentProvider, application_id: str) -> Payment | None:
    """Ask the provider for the intent's state (on return from its checkout, or on request)."""
    with database.session() as db:
        current = payment_for(db, application_id)
    if current is None or current.provider != provider.name:
        return current
    intent = provider.get_status(current.intent_id)
    with database.session() as db:
        apply_status(db, provider.name, intent.id, intent.status)
        return payment_for(db, application_id)


def status_for(
    database: Database, provider: PaymentProvider, principal: Principal, application_id: str
) -> Payment | None:
    """The fee of an application the principal may see, asked again of the provider (so a lost
    callback does not matter); None when no payment was started."""
    with database.session() as db:
        app = applications.get_for(db, principal, application_id)
    return reconcile(database, provider, app.id)


def pay_for(
    database: Database,
    provider: PaymentProvider,
    registry: LiveRegistry,
    principal: Principal,
    application_id: str,
    *,
    return_url: Callable[[str], str],
    callback_url: str,
) -> Payment:
    """手数料を支払う for an application the principal may see; ``return_url`` of its id."""
    with database.session() as db:
        app = applications.get_for(db, principal, application_id)
    procedure = catalogue.get_procedure(registry, app.procedure_id)
    return start(database, provider, procedure, app, return_url=return_url(app.id), callback_url=callback_url)


@dataclass(frozen=True)
class CallbackOutcome:
    event_id: str
    intent_id: str
    applied: bool
    duplicate: bool


def receive_callback(
    database: Database, provider: PaymentProvider, body: bytes, signature: str
) -> CallbackOutcome:
    """A provider's webhook: verified, recorded once, applied; redelivery answers the same."""
    event = provider.parse_callback(body, signature)
    try:
        with database.session() as db:
            row = db.scalar(
                select(ProceduresPayment).where(
                    ProceduresPayment.provider == provider.name,
                    ProceduresPayment.intent_id == event.intent_id,
                )
            )
            if row is None:
                raise UnknownIntent(f"no payment with intent {event.intent_id}", intent=event.intent_id)
            applied = apply_status(db, provider.name, event.intent_id, event.status)
            db.add(
                ProceduresPaymentEvent(
                    provider=provider.name,
                    event_id=event.id,
                    intent_id=event.intent_id,
                    status=event.status,
                    applied="applied" if applied else "ignored",
                    received_at=clock.now(),
                )
            )
            db.flush()
    except IntegrityError:
        return CallbackOutcome(event.id, event.intent_id, applied=False, duplicate=True)
    return CallbackOutcome(event.id, event.intent_id, applied=applied, duplicate=False)


def request_refund(db: Session, application_id: str) -> bool:
    """Mark a paid fee for refund (in the decision's transaction); the provider is asked after."""
    row = db.scalar(
        select(ProceduresPayment).where(ProceduresPayment.application_id == application_id).with_for_update()
    )
    if row is None or row.status != "paid":
        return False
    row.status, row.updated_at = "refund_pending", clock.now()
    return True


def process_refunds(database: Database, provider: PaymentProvider) -> int:
    """Ask the provider to refund every fee marked for refund; returns how many were refunded."""
    with database.session() as db:
        due = list(
            db.scalars(
                select(ProceduresPayment.application_id).where(
                    ProceduresPayment.status == "refund_pending", ProceduresPayment.provider == provider.name
                )
            ).all()
        )
    done = 0
    for application_id in due:
        with database.session() as db:
            current = payment_for(db, application_id)
        if current is None:
            continue
        intent = provider.refund(current.intent_id)
        with database.session() as db:
            done += apply_status(db, provider.name, intent.id, intent.status)
    return done
