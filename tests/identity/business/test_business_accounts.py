"""Business accounts: signed prime application, members and grants, password + TOTP login."""

from __future__ import annotations

import pyotp
from fastapi.testclient import TestClient
from tests.identity.business.conftest import CLOSED, NUMBER, PASSWORD, application, enrol_prime, log_in

from tsunagu.core.clock import FixedClock
from tsunagu.identity.business import service
from tsunagu.identity.cards.errors import SignatureInvalid


def test_prime_and_member_log_in_with_password_and_totp(client: TestClient) -> None:
    prime = enrol_prime(client)
    assert log_in(client, **prime)["kind"] == "prime"
    created = client.post(
        "/api/v1/identity/business/members",
        json={
            "login_id": "staff@power.example",
            "display_name": "担当 花子",
            "password": PASSWORD,
            "procedures": ["social-insurance", "tax-filing"],
        },
    )
    assert created.status_code == 201, created.text
    member = created.json()
    assert member["account"]["procedures"] == ["social-insurance", "tax-filing"]

    changed = client.put(
        f"/api/v1/identity/business/members/{member['account']['id']}/procedures",
        json={"procedures": ["tax-filing"]},
    )
    assert changed.json()["procedures"] == ["tax-filing"]

    client.cookies.clear()
    answer = log_in(client, "staff@power.example", member["totp_secret"])
    assert answer["status"] == 200 and answer["kind"] == "member"
    assert answer["corporate_number"] == NUMBER
    forbidden = client.post(
        "/api/v1/identity/business/members",
        json={"login_id": "x@power.example", "display_name": "x", "password": PASSWORD},
    )
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "business-not-prime"


def test_unknown_corporate_number(client: TestClient) -> None:
    response = client.post("/api/v1/identity/business/prime", json=application(number="1000000000001"))
    assert response.status_code == 404 and response.json()["code"] == "business-unknown-corporation"


def test_closed_corporate_number(client: TestClient) -> None:
    response = client.post("/api/v1/identity/business/prime", json=application(number=CLOSED))
    assert response.status_code == 409 and response.json()["code"] == "business-corporation-closed"


def test_application_signed_over_other_data_is_refused(client: TestClient) -> None:
    body = application()
    body["display_name"] = "別人"
    response = client.post("/api/v1/identity/business/prime", json=body)
    assert response.status_code >= 400 and response.json()["code"] == SignatureInvalid.code


def test_second_prime_account_is_refused(client: TestClient) -> None:
    enrol_prime(client)
    response = client.post("/api/v1/identity/business/prime", json=application(login_id="b@power.example"))
    assert response.status_code == 409 and response.json()["code"] == "business-prime-exists"


def test_missing_totp(client: TestClient) -> None:
    prime = enrol_prime(client)
    answer = log_in(client, **prime, totp="")
    assert answer["status"] == 401 and answer["code"] == "business-totp-missing"


def test_wrong_password_and_unknown_account_answer_alike(client: TestClient) -> None:
    prime = enrol_prime(client)
    wrong = log_in(client, **prime, password="not the password")
    unknown = log_in(client, "nobody@power.example", prime["totp_secret"])
    assert wrong["status"] == unknown["status"] == 401
    assert wrong["code"] == unknown["code"] == "business-login-failed"
    assert wrong["detail"] == unknown["detail"]


def test_totp_code_cannot_be_replayed(client: TestClient, fixed_clock: FixedClock) -> None:
    prime = enrol_prime(client)
    code = pyotp.TOTP(prime["totp_secret"]).at(fixed_clock.now())
    assert log_in(client, **prime, totp=code)["status"] == 200
    assert log_in(client, **prime, totp=code)["code"] == "business-login-failed"


def test_password_reset_does_not_reveal_accounts(client: TestClient) -> None:
    enrol_prime(client)
    known = client.post("/api/v1/identity/business/password-reset", json={"login_id": "ceo@power.example"})
    unknown = client.post("/api/v1/identity/business/password-reset", json={"login_id": "no@power.example"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()


def test_reset_token_changes_the_password_once(client: TestClient, app: object) -> None:
    prime = enrol_prime(client)
    database = client.app.state.database  # type: ignore[attr-defined]
    with database.session() as db:
        token = service.request_password_reset(db, prime["login_id"])
    assert token
    new_password = "a brand new passphrase"
    done = client.post(
        "/api/v1/identity/business/password-reset/complete",
        json={"token": token, "new_password": new_password},
    )
    assert done.status_code == 200
    again = client.post(
        "/api/v1/identity/business/password-reset/complete",
        json={"token": token, "new_password": new_password},
    )
    assert again.json()["code"] == "business-reset-token-invalid"
    assert log_in(client, **prime, password=new_password)["status"] == 200
