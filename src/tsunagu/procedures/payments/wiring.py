"""The payment provider of this deployment and the callback sender, as request dependencies."""

from __future__ import annotations

import httpx
from fastapi import Request

from tsunagu.core.http.deps import database_of, secret_of
from tsunagu.core.sessions import Principal
from tsunagu.procedures.payments import service, testprovider
from tsunagu.procedures.payments.provider import PaymentProvider
from tsunagu.procedures.registry import LiveRegistry

CALLBACK_PATH = "/api/v1/procedures/payments/callbacks"


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def callback_url(request: Request, provider: PaymentProvider) -> str:
    return f"{base_url(request)}{CALLBACK_PATH}/{provider.name}"


def http_send(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST a callback over HTTP, as a provider on the internet would."""
    try:
        return httpx.post(url, content=body, headers=headers, timeout=5).status_code
    except httpx.HTTPError as exc:
        raise OSError(str(exc)) from exc


def callback_sender(request: Request) -> testprovider.Sender:
    """How the test provider reaches the platform: HTTP, unless the deployment wired another way."""
    sender: testprovider.Sender = getattr(request.app.state, "payment_callback_sender", http_send)
    return sender


def payment_provider(request: Request) -> PaymentProvider:
    return testprovider.TestProvider(
        database_of(request), secret_of(request), base_url(request), callback_sender(request)
    )


def start_for(
    request: Request,
    person: Principal,
    application_id: str,
    provider: PaymentProvider,
    registry: LiveRegistry,
) -> service.Payment:
    """手数料を支払う for one of the person's applications, returning to its status page."""
    return service.pay_for(
        database_of(request),
        provider,
        registry,
        person,
        application_id,
        return_url=lambda app_id: f"{base_url(request)}/applications/{app_id}/payment/return",
        callback_url=callback_url(request, provider),
    )
