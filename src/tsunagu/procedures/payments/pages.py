"""People's pages of fees: pay (→ the provider's checkout), come back, see the state.

And the local test provider's own checkout under /payments/test-provider/… (支払う / 失敗させる,
no JavaScript): a separate system's page that happens to be served by this app.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.background import BackgroundTask

from tsunagu.core.http import csrf
from tsunagu.core.http.deps import AppDatabase, CurrentResident, database_of, secret_of
from tsunagu.core.http.templating import render
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.payments import service, testprovider
from tsunagu.procedures.payments.provider import PaymentProvider
from tsunagu.procedures.payments.wiring import callback_sender, payment_provider, start_for
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.protect)])


@router.post("/applications/{application_id}/payment")
def pay(
    request: Request,
    application_id: str,
    person: CurrentResident,
    provider: PaymentProvider = Depends(payment_provider),
    registry: LiveRegistry = Depends(live_registry),
) -> RedirectResponse:
    """手数料を支払う: off to the provider's checkout."""
    payment = start_for(request, person, application_id, provider, registry)
    return RedirectResponse(payment.checkout_url, status_code=303)


@router.get("/applications/{application_id}/payment/return")
def returned(
    application_id: str,
    person: CurrentResident,
    database: AppDatabase,
    provider: PaymentProvider = Depends(payment_provider),
) -> RedirectResponse:
    """Back from the checkout: the provider is asked for the state (the callback may be late)."""
    service.status_for(database, provider, person, application_id)
    return RedirectResponse(f"/applications/{application_id}#payment", status_code=303)


@router.get(testprovider.CHECKOUT_PATH + "/{intent_id}", response_class=HTMLResponse)
def checkout(request: Request, database: AppDatabase, intent_id: str) -> HTMLResponse:
    """テスト決済: the provider's page where the payer pays or makes the payment fail."""
    with database.session() as db:
        found = testprovider.checkout(db, intent_id)
    return render(
        request, "procedures/payment_checkout.html", {"c": found, "payment_names": service.STATUS_NAMES}
    )


@router.post(testprovider.CHECKOUT_PATH + "/{intent_id}")
def settle(
    request: Request, intent_id: str, choice: str = Form(..., pattern="^(pay|fail)$")
) -> RedirectResponse:
    """The payer's choice; the callback to the platform is sent after the answer (asynchronously)."""
    database = database_of(request)
    with database.session() as db:
        done = testprovider.settle(db, intent_id, paid=choice == "pay")
    secret = testprovider.provider_secret(secret_of(request))
    deliver = BackgroundTask(testprovider.deliver, database, secret, callback_sender(request))
    return RedirectResponse(done.return_url, status_code=303, background=deliver)
