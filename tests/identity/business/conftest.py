"""Fixtures of the business account tests: a corporate registry and a representative's signature."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

import pyotp
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from tests.conftest import send_csrf_header

from tsunagu.core.database import Database
from tsunagu.identity.business import service
from tsunagu.identity.cards import service as cards
from tsunagu.identity.cards.errors import SignatureInvalid
from tsunagu.registry.corporations import service as corporations

NUMBER = "7000012050002"  # 国税庁 (a real 法人番号 with a valid check digit)
CLOSED = "2021001052596"
REPRESENTATIVE_KEY = ec.generate_private_key(ec.SECP256R1())
PASSWORD = "correct horse battery"


def _corporation(number: str, status: str) -> corporations.CorporationRecord:
    return corporations.CorporationRecord(
        number=number,
        name="つなぐ電力株式会社",
        furigana="ツナグデンリョク",
        en_name="",
        kind="301",
        kind_label="株式会社",
        prefecture_code="13",
        prefecture_name="東京都",
        city_code="101",
        city_name="千代田区",
        street_number="丸の内1-1",
        post_code="1000005",
        address_outside="",
        assignment_date=date(2015, 10, 5),
        change_date=None,
        update_date=date(2015, 10, 5),
        status=status,
        close_date=None,
        close_cause="",
        close_cause_label="",
        successor_number="",
        last_process="01",
    )  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def registries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The corporate registry knows one live and one closed corporation; the representative's
    certificate verifies signatures made with REPRESENTATIVE_KEY only."""
    known = {NUMBER: _corporation(NUMBER, "active"), CLOSED: _corporation(CLOSED, "closed")}
    monkeypatch.setattr(corporations, "get_corporation", lambda _db, number: known.get(number))

    def verify(_db: object, data: bytes, signature: bytes, _pem: bytes) -> cards.SignatureCertificateInfo:
        try:
            REPRESENTATIVE_KEY.public_key().verify(signature, data, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise SignatureInvalid("the signature does not match the data") from None
        return cards.SignatureCertificateInfo(
            serial="01ab",
            resident_id=None,
            name="代表 太郎",
            name_kana="ダイヒョウ タロウ",
            birth_date=date(1970, 1, 1),
            sex="1",
            address="東京都千代田区丸の内一丁目1",
            not_after=datetime(2030, 1, 1, tzinfo=UTC),
        )

    monkeypatch.setattr(cards, "verify_signature", verify)


@pytest.fixture(autouse=True)
def representative(database: Database, registries: None) -> service.RepresentativeRecord:
    """The 代表者確認記録 of the live corporation: the holder of REPRESENTATIVE_KEY's certificate."""
    with database.session() as db:
        return service.record_representative(
            db,
            corporate_number=NUMBER,
            name="代表　太郎",
            address="東京都千代田区丸の内一丁目１",
            title="代表取締役",
            source="登記事項証明書（テスト）",
            recorded_by="test",
        )


def application(number: str = NUMBER, login_id: str = "ceo@power.example") -> dict[str, str]:
    document = service.application_document(number, login_id, "代表 太郎")
    signature = REPRESENTATIVE_KEY.sign(document, ec.ECDSA(hashes.SHA256()))
    return {
        "corporate_number": number,
        "login_id": login_id,
        "display_name": "代表 太郎",
        "password": PASSWORD,
        "signature": base64.b64encode(signature).decode(),
        "certificate_pem": "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
    }


def enrol_prime(client: TestClient) -> dict[str, str]:
    response = client.post("/api/v1/identity/business/prime", json=application())
    assert response.status_code == 201, response.text
    return {"login_id": "ceo@power.example", "totp_secret": response.json()["totp_secret"]}


def log_in(
    client: TestClient, login_id: str, totp_secret: str, *, password: str = PASSWORD, totp: str | None = None
) -> dict[str, object]:
    code = pyotp.TOTP(totp_secret).now() if totp is None else totp
    response = client.post(
        "/api/v1/identity/business/login", json={"login_id": login_id, "password": password, "totp": code}
    )
    send_csrf_header(client)  # the token of the new session, as the page's script would fetch it
    return {"status": response.status_code, **response.json()}
