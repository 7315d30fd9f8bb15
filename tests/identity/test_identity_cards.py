"""Virtual cards: issuance, the card app's PIN rules, challenge–response login and its failures."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from tests.conftest import send_csrf_header
from tests.identity.conftest import AUTH_PIN, SIGN_PIN, World, b64url, card_login, issue
from tests.plumbing import find_plumbing

from tsunagu.core import clock
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http.auth import SESSION_COOKIE
from tsunagu.identity.cards import ca, certificates, service
from tsunagu.identity.cards.errors import CardTampered, PinLocked, WrongPin
from tsunagu.identity.cards.virtualcard import VirtualCard
from tsunagu.identity.history import service as history


def test_issued_card_holds_two_certificates_like_the_real_card(world: World) -> None:
    card = issue(world, world.hanako)
    auth = x509.load_pem_x509_certificate(card.certificate_pem("authentication"))
    sign = x509.load_pem_x509_certificate(card.certificate_pem("signature"))
    assert certificates.usage_of(auth) == "authentication"
    assert certificates.usage_of(sign) == "signature"
    assert "佐藤" not in auth.subject.rfc4514_string()  # no personal data in 利用者証明用
    basic_four = certificates.basic_four_of(sign)
    assert basic_four.name == "佐藤 花子"
    assert basic_four.sex == "2"
    assert basic_four.address.startswith("東京都千代田区")
    assert "private" not in card.dumps().lower().split("private_key")[0]
    assert "BEGIN PRIVATE KEY" not in card.dumps()


def test_pin_rules(world: World) -> None:
    with world.database.session() as db, pytest.raises(ValidationFailed):
        service.issue_card(db, world.authority, world.hanako, "12345", SIGN_PIN)
    with world.database.session() as db, pytest.raises(ValidationFailed):
        service.issue_card(db, world.authority, world.hanako, AUTH_PIN, "short")


def test_three_wrong_pins_lock_the_certificate(world: World) -> None:
    card = issue(world, world.hanako)
    with pytest.raises(WrongPin) as first:
        card.sign("authentication", "0000", b"x")
    assert first.value.extra["attempts_left"] == 2
    with pytest.raises(WrongPin):
        card.sign("authentication", "0001", b"x")
    with pytest.raises(PinLocked):
        card.sign("authentication", "0002", b"x")
    reopened = VirtualCard.loads(card.dumps())
    with pytest.raises(PinLocked):  # even the right PIN, after a reload
        reopened.sign("authentication", AUTH_PIN, b"x")
    assert reopened.sign("signature", SIGN_PIN, b"x")  # the other certificate is unaffected


def test_right_pin_resets_the_counter(world: World) -> None:
    card = issue(world, world.hanako)
    with pytest.raises(WrongPin):
        card.sign("authentication", "0000", b"x")
    card.sign("authentication", AUTH_PIN, b"x")
    assert card.failures("authentication") == 0


def test_editing_the_counter_is_detected(world: World) -> None:
    card = issue(world, world.hanako)
    with pytest.raises(WrongPin):
        card.sign("authentication", "0000", b"x")
    document = json.loads(card.dumps())
    document["failures"]["authentication"] = 0
    with pytest.raises(CardTampered):
        VirtualCard(document).sign("authentication", AUTH_PIN, b"x")


def test_direct_api_login_starts_a_renewed_session(world: World, client: TestClient) -> None:
    card = issue(world, world.hanako)
    client.cookies.set(SESSION_COOKIE, "a-fixated-token", domain="testserver.local")
    result = card_login(client, card)
    assert result["status"] == 200, result
    assert result["subject_id"] == world.hanako
    assert result["display_name"] == "佐藤 花子"
    assert client.cookies.get(SESSION_COOKIE) != "a-fixated-token"
    assert client.get("/api/v1/identity/me").json()["subject_id"] == world.hanako
    with world.database.session() as db:
        events, _ = history.events_of(db, "resident", world.hanako)
        assert "login" in [event.kind for event in events]
        assert history.audit_entries(db)[0].outcome == "success"


def _answer(
    client: TestClient,
    card: VirtualCard,
    *,
    nonce: str | None = None,
    data: bytes | None = None,
    usage: str = "authentication",
) -> dict[str, object]:
    challenge = client.post("/api/v1/identity/card-login/challenge").json()
    pin = AUTH_PIN if usage == "authentication" else SIGN_PIN
    signed = data if data is not None else challenge["nonce"].encode()
    signature = card.sign_raw(usage, pin, signed)  # type: ignore[arg-type]
    body = {
        "challenge_id": challenge["challenge_id"],
        "nonce": nonce or challenge["nonce"],
        "certificate": card.certificate_pem(usage).decode(),
        "signature": b64url(signature),
    }  # type: ignore[arg-type]
    response = client.post("/api/v1/identity/card-login/verify", json=body)
    assert response.headers["content-type"] == "application/problem+json"
    return {"status": response.status_code, **response.json(), "body": body}


def test_signature_over_other_data_is_refused(world: World, client: TestClient) -> None:
    result = _answer(client, issue(world, world.hanako), data=b"something else")
    assert (result["status"], result["code"]) == (401, "signature-invalid")


def test_signature_certificate_cannot_log_in(world: World, client: TestClient) -> None:
    result = _answer(client, issue(world, world.hanako), usage="signature")
    assert result["code"] == "certificate-wrong-usage"


def test_replayed_answer_is_refused(world: World, client: TestClient) -> None:
    card = issue(world, world.hanako)
    challenge = client.post("/api/v1/identity/card-login/challenge").json()
    body = {
        "challenge_id": challenge["challenge_id"],
        "nonce": challenge["nonce"],
        "certificate": card.certificate_pem("authentication").decode(),
        "signature": b64url(card.sign_raw("authentication", AUTH_PIN, challenge["nonce"].encode())),
    }
    assert client.post("/api/v1/identity/card-login/verify", json=body).status_code == 200
    send_csrf_header(client)  # the new session's token: the replay is refused for being a replay
    replay = client.post("/api/v1/identity/card-login/verify", json=body)
    assert (replay.status_code, replay.json()["code"]) == (401, "challenge-used")


def test_expired_nonce_is_refused(world: World, client: TestClient, fixed_clock: clock.FixedClock) -> None:
    card = issue(world, world.hanako)
    challenge = client.post("/api/v1/identity/card-login/challenge").json()
    fixed_clock.advance(service.CHALLENGE_TTL + timedelta(seconds=1))
    response = client.post(
        "/api/v1/identity/card-login/verify",
        json={
            "challenge_id": challenge["challenge_id"],
            "nonce": challenge["nonce"],
            "certificate": card.certificate_pem("authentication").decode(),
            "signature": b64url(card.sign_raw("authentication", AUTH_PIN, challenge["nonce"].encode())),
        },
    )
    assert response.json()["code"] == "challenge-expired"


def test_challenge_is_bound_to_the_browser_that_asked(world: World, client: TestClient) -> None:
    card = issue(world, world.hanako)
    challenge = client.post("/api/v1/identity/card-login/challenge").json()
    client.cookies.clear()
    response = client.post(
        "/api/v1/identity/card-login/verify",
        json={
            "challenge_id": challenge["challenge_id"],
            "nonce": challenge["nonce"],
            "certificate": card.certificate_pem("authentication").decode(),
            "signature": b64url(card.sign_raw("authentication", AUTH_PIN, challenge["nonce"].encode())),
        },
    )
    assert response.json()["code"] == "challenge-unknown"
    assert SESSION_COOKIE not in client.cookies


def test_expired_certificate_is_refused(
    world: World, client: TestClient, fixed_clock: clock.FixedClock
) -> None:
    card = issue(world, world.hanako)
    fixed_clock.advance(certificates.VALIDITY + timedelta(days=1))
    assert card_login(client, card)["code"] == "certificate-expired"


def test_revoked_card_is_refused_via_the_published_crl(world: World, client: TestClient) -> None:
    card = issue(world, world.hanako)
    assert card_login(client, card)["status"] == 200
    with world.database.session() as db:
        service.revoke_card(db, world.authority, card.card_id, "lost")
    crl = x509.load_der_x509_crl(client.get("/identity/crl.der").content)
    serial = x509.load_pem_x509_certificate(card.certificate_pem("authentication")).serial_number
    assert crl.get_revoked_certificate_by_serial_number(serial) is not None
    assert crl.is_signature_valid(world.authority.key.public_key())
    assert card_login(client, card)["code"] == "certificate-revoked"


def test_foreign_ca_certificate_is_refused(
    world: World, client: TestClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    foreign = ca.init_ca(tmp_path_factory.mktemp("foreign"))
    with world.database.session() as db, pytest.raises(ca.CaMissing):
        service.issue_card(db, foreign, world.hanako, AUTH_PIN, SIGN_PIN)
    genuine = issue(world, world.hanako)  # the forger copies a real card's id and key, not its CA
    key = ec.generate_private_key(ec.SECP256R1())
    forged_certificate = certificates.issue(
        foreign, "authentication", genuine.card_id, key.public_key(), start=clock.now()
    )
    forged = VirtualCard.build(
        genuine.card_id,
        foreign.certificate_pem,
        {"authentication": (key, certificates.pem(forged_certificate), AUTH_PIN)},
        iterations=1_000,
    )
    assert card_login(client, forged)["code"] == "certificate-untrusted"


def test_failed_logins_are_audited_and_rate_limited(world: World, client: TestClient) -> None:
    card = issue(world, world.hanako)
    codes = [_answer(client, card, data=b"wrong")["code"] for _ in range(30)]
    assert set(codes) == {"signature-invalid"}
    result = card_login(client, card)
    assert (result["status"], result["code"]) == (429, "too-many-attempts")
    with world.database.session() as db:
        outcomes = [entry.outcome for entry in history.audit_entries(db, limit=200)]
    assert outcomes.count("signature-invalid") == 30


@pytest.mark.parametrize(
    ("next_path", "lands_on"),
    [
        ("", "/mypage"),
        ("/procedures/tenshutsu/apply", "/procedures/tenshutsu/apply"),
        ("https://evil.example/", "/mypage"),
    ],
)
def test_qr_login_with_the_card_app(world: World, client: TestClient, next_path: str, lands_on: str) -> None:
    card = issue(world, world.hanako)
    page = client.get(
        "/identity/login", params={"next": next_path} if next_path else None, headers={"accept": "text/html"}
    )
    assert page.status_code == 200
    assert "<svg" in page.text
    url = html.unescape(page.text).split("tsunagu card login '")[1].split("'")[0]
    challenge_id = url.split("challenge=")[1].split("&")[0]
    nonce = url.split("nonce=")[1]
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    waiting = client.post(
        "/identity/login/complete",
        data={"challenge_id": challenge_id, "csrf_token": csrf},
        headers={"accept": "text/html"},
    )
    assert waiting.status_code == 409  # the card has not answered yet
    phone = TestClient(client.app)  # the card app runs on another device, without the browser's cookies
    answer = phone.post(
        "/api/v1/identity/card-login/respond",
        json={
            "challenge_id": challenge_id,
            "nonce": nonce,
            "certificate": card.certificate_pem("authentication").decode(),
            "signature": b64url(card.sign_raw("authentication", AUTH_PIN, nonce.encode())),
        },
    )
    assert answer.status_code == 200, answer.text
    next_field = html.unescape(page.text.split('name="next" value="')[1].split('"')[0])
    done = client.post(
        "/identity/login/complete",
        follow_redirects=False,
        data={"challenge_id": challenge_id, "csrf_token": csrf, "next": next_field},
    )
    assert done.status_code == 303
    assert done.headers["location"] == lands_on
    assert client.get("/api/v1/identity/me").json()["subject_id"] == world.hanako
    history_page = client.get("/identity/history", headers={"accept": "text/html"})
    assert "ログイン" in history_page.text and "方法: マイナンバーカード" in history_page.text
    assert "カードの発行" in history_page.text  # the line, without the card's record id
    assert "card_id" not in history_page.text and "my-number-card" not in history_page.text
    assert not re.search(r"[0-9a-f]{32}", re.sub(r"<[^>]+>", "", history_page.text))
    # the time in Japan as every page writes it (it read 2026-11-22 10:00)
    assert find_plumbing(re.sub(r"<[^>]+>", " ", history_page.text)) == []


def test_verify_signature_returns_the_basic_four(world: World, client: TestClient) -> None:
    card = issue(world, world.hanako)
    document = "転出届".encode()
    signature = card.sign("signature", SIGN_PIN, document)
    with world.database.session() as db:
        info = service.verify_signature(db, document, signature, card.certificate_pem("signature"))
        assert (info.name, info.resident_id) == ("佐藤 花子", world.hanako)
        with pytest.raises(history.AuthenticationFailed) as wrong:
            service.verify_signature(db, b"forged", signature, card.certificate_pem("signature"))
        assert wrong.value.code == "signature-invalid"
