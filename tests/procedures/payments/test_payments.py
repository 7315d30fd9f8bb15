"""Fees: pay on the test provider's checkout, signed idempotent callbacks, gating, refunds, certificate."""

from __future__ import annotations

import json
from urllib.parse import urlparse

from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import World
from tests.procedures.applying.test_pages import hidden, unescape
from tests.procedures.payments.conftest import Outbox

from tsunagu.core.database import Database
from tsunagu.notify import service as inbox
from tsunagu.procedures.payments import service, testprovider
from tsunagu.procedures.payments.provider import SIGNATURE_HEADER, sign

APPLY = "/api/v1/procedures/applications"
BODY = {"procedure_id": "juminhyo-utsushi", "data": {"scope": "self", "copies": 2, "purpose": "employment"}}
STAFF_ROLES = frozenset({"住基", "決裁"})


def apply(client: TestClient, key: str = "fee-key-0001") -> str:
    response = client.post(APPLY, json=BODY, headers={"Idempotency-Key": key})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def form_of(client: TestClient, url: str) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return {k: unescape(v) for k, v in hidden(page.text).items()}


def checkout(client: TestClient, application_id: str) -> str:
    """Press 手数料を支払う on the status page; returns the provider's checkout path."""
    response = client.post(
        f"/applications/{application_id}/payment",
        data=form_of(client, f"/applications/{application_id}"),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    path = urlparse(response.headers["location"]).path
    assert path.startswith(testprovider.CHECKOUT_PATH)
    return path


def press(client: TestClient, path: str, choice: str) -> str:
    response = client.post(path, data={**form_of(client, path), "choice": choice}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def deliver(client: TestClient, outbox: Outbox) -> list[dict[str, object]]:
    answers = []
    for url, body, headers in outbox.sent:
        response = client.post(urlparse(url).path, content=body, headers=headers)
        assert response.status_code == 200, response.text
        answers.append(response.json())
    return answers


def decide(client: TestClient, application_id: str, action: str, reason: str = "") -> object:
    return client.post(
        f"/api/v1/procedures/backoffice/applications/{application_id}/decision",
        json={"action": action, "reason": reason},
    )


def payment(database: Database, application_id: str) -> service.Payment:
    with database.session() as db:
        found = service.payment_for(db, application_id)
    assert found is not None
    return found


def test_the_status_page_asks_for_the_fee_per_copy(resident_client: TestClient) -> None:
    application_id = apply(resident_client)
    page = resident_client.get(f"/applications/{application_id}")
    assert "手数料を支払う" in page.text and "600 円" in page.text and "未払い" in page.text


def test_the_application_waits_until_the_fee_is_paid(
    resident_client: TestClient, database: Database, world: World, callbacks: Outbox
) -> None:
    application_id = apply(resident_client)
    path = checkout(resident_client, application_id)
    assert "600 円" in resident_client.get(path).text
    login_as(resident_client, database, world.staff(roles=STAFF_ROLES))
    refused = decide(resident_client, application_id, "start_review")
    assert refused.status_code == 409 and refused.json()["code"] == "payment-not-completed"  # type: ignore[attr-defined]


def test_a_signed_callback_marks_the_fee_paid_once(
    resident_client: TestClient, database: Database, world: World, callbacks: Outbox
) -> None:
    application_id = apply(resident_client)
    press(resident_client, checkout(resident_client, application_id), "pay")
    assert payment(database, application_id).status == "pending"  # the callback has not arrived yet
    assert len(callbacks.sent) == 1 and callbacks.sent[0][2][SIGNATURE_HEADER]
    first = deliver(resident_client, callbacks)[0]
    assert first["applied"] is True and first["duplicate"] is False
    again = deliver(resident_client, callbacks)[0]
    assert again["duplicate"] is True and payment(database, application_id).status == "paid"
    with database.session() as db:
        titles = [m.title for m in inbox.inbox(db, world.resident_id)[0]]
    assert sum("お支払い済み" in t for t in titles) == 1


def test_a_callback_with_a_wrong_signature_is_refused(
    resident_client: TestClient, database: Database, callbacks: Outbox
) -> None:
    application_id = apply(resident_client)
    press(resident_client, checkout(resident_client, application_id), "pay")
    url, body, headers = callbacks.sent[0]
    forged = json.dumps({**json.loads(body), "status": "refunded"}).encode()
    response = resident_client.post(urlparse(url).path, content=forged, headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "callback-signature-invalid"
    other_secret = sign("not-the-provider-secret", body)
    response = resident_client.post(
        urlparse(url).path, content=body, headers={SIGNATURE_HEADER: other_secret}
    )
    assert response.status_code == 401
    missing = resident_client.post(urlparse(url).path, content=body)
    assert missing.status_code == 401 and payment(database, application_id).status == "pending"


def test_coming_back_from_the_checkout_asks_the_provider(
    resident_client: TestClient, database: Database, callbacks: Outbox
) -> None:
    application_id = apply(resident_client)
    back = press(resident_client, checkout(resident_client, application_id), "pay")
    page = resident_client.get(urlparse(back).path)  # callback lost: the return page reconciles
    assert page.status_code == 200 and "お支払い済み" in page.text
    assert payment(database, application_id).status == "paid"
    assert deliver(resident_client, callbacks)[0]["applied"] is False  # late callback changes nothing


def test_a_failed_payment_can_be_tried_again(
    resident_client: TestClient, database: Database, callbacks: Outbox
) -> None:
    application_id = apply(resident_client)
    first = checkout(resident_client, application_id)
    resident_client.get(urlparse(press(resident_client, first, "fail")).path)
    assert payment(database, application_id).status == "failed"
    second = checkout(resident_client, application_id)
    assert second != first and payment(database, application_id).attempts == 2
    settled = resident_client.post(first, data={**form_of(resident_client, second), "choice": "pay"})
    assert settled.status_code == 409 and "payment-intent-not-pending" in settled.text


def test_paid_then_approved_issues_a_signed_certificate(
    resident_client: TestClient, database: Database, world: World, callbacks: Outbox
) -> None:
    application_id = apply(resident_client)
    press(resident_client, checkout(resident_client, application_id), "pay")
    deliver(resident_client, callbacks)
    login_as(resident_client, database, world.staff(roles=STAFF_ROLES))
    assert decide(resident_client, application_id, "start_review").status_code == 200  # type: ignore[attr-defined]
    assert decide(resident_client, application_id, "approve").status_code == 200  # type: ignore[attr-defined]
    with database.session() as db:
        messages = inbox.inbox(db, world.resident_id)[0]
    certificate = next(m for m in messages if m.kind == "document")
    assert certificate.document and "住民票の写し" in certificate.title
    verified = resident_client.post(
        "/api/v1/procedures/notices/verify", json={"document": certificate.document}
    )
    body = verified.json()
    assert body["valid"] is True and body["registered"] is True
    assert body["payload"]["type"] == "住民票の写し" and body["payload"]["records"][0]["name"] == "佐藤 花子"
    assert body["payload"]["copies"] == 2


def test_a_rejection_after_payment_is_refunded(
    resident_client: TestClient, database: Database, world: World, callbacks: Outbox
) -> None:
    application_id = apply(resident_client)
    press(resident_client, checkout(resident_client, application_id), "pay")
    deliver(resident_client, callbacks)
    callbacks.sent.clear()
    login_as(resident_client, database, world.staff(roles=STAFF_ROLES))
    decide(resident_client, application_id, "start_review")
    rejected = decide(resident_client, application_id, "reject", "本人確認ができませんでした")
    assert rejected.status_code == 200  # type: ignore[attr-defined]
    assert payment(database, application_id).status == "refunded"  # the refund ran after the decision
    # the provider retries the never-acknowledged "paid" callback, then sends its refund
    assert [json.loads(b)["status"] for _u, b, _h in callbacks.sent] == ["paid", "refunded"]
    redelivered, refund = deliver(resident_client, callbacks)
    assert redelivered["duplicate"] is True
    assert refund["applied"] is False  # already known from the refund call
    page = resident_client.get(f"/staff/applications/{application_id}")
    assert "返金済み" in page.text


def test_someone_else_cannot_pay_or_read_the_payment(
    client: TestClient, database: Database, world: World, resident_client: TestClient
) -> None:
    application_id = apply(resident_client)
    login_as(client, database, world.staff("142018"))
    assert client.get(f"{APPLY}/{application_id}/payment").status_code == 403
    login_as(client, database, World(world.other_resident_id, world.resident_id, world.secret).resident())
    assert client.post(f"{APPLY}/{application_id}/payment").status_code == 403


def test_the_api_starts_a_payment_once_and_reports_its_state(resident_client: TestClient) -> None:
    application_id = apply(resident_client)
    assert resident_client.get(f"{APPLY}/{application_id}/payment").json()["code"] == "payment-not-started"
    started = resident_client.post(f"{APPLY}/{application_id}/payment")
    assert started.status_code == 201 and started.json()["status"] == "pending"
    assert started.json()["amount_yen"] == 600
    again = resident_client.post(f"{APPLY}/{application_id}/payment")
    assert again.json()["intent_id"] == started.json()["intent_id"]
