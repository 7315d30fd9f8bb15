"""JSON API of fees: /api/v1/procedures/applications/{id}/payment and provider callbacks."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from tsunagu.core.http.deps import AppDatabase, CurrentPrincipal, CurrentResident
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.payments import service
from tsunagu.procedures.payments.provider import SIGNATURE_HEADER, PaymentProvider
from tsunagu.procedures.payments.schemas import CallbackOut, PaymentOut
from tsunagu.procedures.payments.wiring import payment_provider, start_for
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(prefix="/api/v1/procedures", tags=["payments"])


class PaymentNotStarted(service.UnknownIntent):
    code = "payment-not-started"
    title = "No payment was started for this application"


@router.get("/applications/{application_id}/payment", response_model=PaymentOut)
def get_payment(
    application_id: str,
    principal: CurrentPrincipal,
    database: AppDatabase,
    provider: PaymentProvider = Depends(payment_provider),
) -> PaymentOut:
    """The fee's state (asked again of the provider, so a lost callback does not matter)."""
    found = service.status_for(database, provider, principal, application_id)
    if found is None:
        raise PaymentNotStarted(f"no payment for application {application_id}")
    return PaymentOut.model_validate(found)


@router.post("/applications/{application_id}/payment", response_model=PaymentOut, status_code=201)
def start_payment(
    application_id: str,
    request: Request,
    person: CurrentResident,
    provider: PaymentProvider = Depends(payment_provider),
    registry: LiveRegistry = Depends(live_registry),
) -> PaymentOut:
    """手数料を支払う: a payment intent at the provider; send the payer to ``checkout_url``."""
    payment = start_for(request, person, application_id, provider, registry)
    return PaymentOut.model_validate(payment)


@router.post("/payments/callbacks/{provider_name}", response_model=CallbackOut)
async def callback(
    provider_name: str,
    request: Request,
    database: AppDatabase,
    provider: PaymentProvider = Depends(payment_provider),
) -> CallbackOut:
    """A provider's signed webhook (HMAC in ``Tsunagu-Signature``); redelivery is harmless."""
    if provider_name != provider.name:
        raise service.UnknownIntent(f"no payment provider {provider_name!r}")
    body = await request.body()
    outcome = service.receive_callback(database, provider, body, request.headers.get(SIGNATURE_HEADER, ""))
    return CallbackOut.model_validate(outcome)
