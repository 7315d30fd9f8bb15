"""Prime accounts for corporations with a commercial registration: the signer must be a current
representative by the 登記, or hold a representative's signed delegation (電子委任状) that is valid."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from tests.identity.business.conftest import PASSWORD

from tsunagu.core.database import Database
from tsunagu.identity.business import service
from tsunagu.identity.cards import service as cards
from tsunagu.identity.cards.errors import SignatureInvalid
from tsunagu.registry.corporations import service as corporations
from tsunagu.registry.corporations.service import get_corporation as registry_look_up

CEO = ("代表　花子", "東京都千代田区丸の内一丁目１番１号")
CLERK = ("総務　次郎", "東京都港区芝公園四丁目２番８号")
KEYS = {CEO: ec.generate_private_key(ec.SECP256R1()), CLERK: ec.generate_private_key(ec.SECP256R1())}


@pytest.fixture
def company(database: Database, monkeypatch: pytest.MonkeyPatch) -> str:
    """A synthetic company whose 登記 names CEO as 代表取締役; certificates say who holds each key."""
    monkeypatch.setattr(corporations, "get_corporation", registry_look_up)  # the real one

    def verify(_db: object, data: bytes, signature: bytes, _pem: bytes) -> cards.SignatureCertificateInfo:
        for (name, address), key in KEYS.items():
            try:
                key.public_key().verify(signature, data, ec.ECDSA(hashes.SHA256()))
            except InvalidSignature:
                continue
            return cards.SignatureCertificateInfo(
                serial=f"{abs(hash(name)):x}",
                resident_id=None,
                name=name,
                name_kana="",
                sex="2",
                birth_date=date(1975, 5, 5),
                address=address,
                not_after=datetime(2030, 1, 1, tzinfo=UTC),
            )
        raise SignatureInvalid("the signature does not match the data")

    monkeypatch.setattr(cards, "verify_signature", verify)
    with database.session() as db:
        corporations.load_synthetic(db, 3, seed=11)
        found, _ = corporations.search(db, closed=False, limit=1)
        corporations.seed_commercial(db, 11, representatives={found[0].number: CEO})
        return found[0].number


def _signed(person: tuple[str, str], data: bytes) -> str:
    return base64.b64encode(KEYS[person].sign(data, ec.ECDSA(hashes.SHA256()))).decode()


def _application(number: str, signer: tuple[str, str], delegation: str | None = None) -> dict[str, object]:
    document = service.application_document(number, "office@company.example", signer[0])
    return {
        "corporate_number": number,
        "login_id": "office@company.example",
        "display_name": signer[0],
        "password": PASSWORD,
        "signature": _signed(signer, document),
        "certificate_pem": "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
        **({"delegation": delegation} if delegation else {}),
    }


def _delegation(
    number: str, *, by: tuple[str, str] = CEO, to: tuple[str, str] = CLERK, until: date = date(2027, 3, 31)
) -> str:
    document = service.delegation_document(number, to[0], to[1], until)
    return service.SignedDelegation(
        corporate_number=number,
        delegate_name=to[0],
        delegate_address=to[1],
        expires_on=until,
        signature=base64.b64decode(_signed(by, document)),
        certificate_pem=b"-----BEGIN CERTIFICATE-----\n",
    ).as_json()


def test_the_registered_representative_opens_the_prime_account(
    client: TestClient, database: Database, company: str
) -> None:
    opened = client.post("/api/v1/identity/business/prime", json=_application(company, CEO))
    assert opened.status_code == 201, opened.text
    with database.session() as db:
        assert service.registered_representatives(db, company)[0].name == CEO[0]  # type: ignore[index]


def test_someone_not_in_the_registry_is_refused(client: TestClient, company: str) -> None:
    refused = client.post("/api/v1/identity/business/prime", json=_application(company, CLERK))
    assert refused.status_code == 403
    assert refused.json()["code"] == "business-signer-not-representative"
    assert refused.json()["signer_name"] == CLERK[0]


def test_a_representative_who_resigned_can_no_longer_open_it(
    client: TestClient, database: Database, company: str
) -> None:
    with database.session() as db:
        ceo = corporations.current_representatives(db, company)[0]
        corporations.change_representative(
            db,
            company,
            resigning=ceo.id,
            title="代表取締役",
            name=CLERK[0],
            address=CLERK[1],
            on=date(2026, 10, 1),
        )
    refused = client.post("/api/v1/identity/business/prime", json=_application(company, CEO))
    assert refused.json()["code"] == "business-signer-not-representative"
    assert (
        client.post("/api/v1/identity/business/prime", json=_application(company, CLERK)).status_code == 201
    )


def test_a_delegate_with_a_valid_delegation_opens_it(client: TestClient, company: str) -> None:
    opened = client.post(
        "/api/v1/identity/business/prime", json=_application(company, CLERK, _delegation(company))
    )
    assert opened.status_code == 201, opened.text


@pytest.mark.parametrize(
    ("delegation", "status", "code"),
    [
        ({"until": date(2026, 1, 31)}, 403, "business-delegation-expired"),
        ({"by": CLERK}, 403, "business-delegator-not-representative"),
        ({"to": ("別人　三郎", "東京都新宿区西新宿二丁目８番１号")}, 403, "business-delegate-mismatch"),
    ],
)
def test_a_delegation_that_does_not_hold_is_refused(
    client: TestClient, company: str, delegation: dict[str, object], status: int, code: str
) -> None:
    signed = _delegation(company, **delegation)  # type: ignore[arg-type]
    refused = client.post("/api/v1/identity/business/prime", json=_application(company, CLERK, signed))
    assert (refused.status_code, refused.json()["code"]) == (status, code), refused.text


def test_an_unreadable_or_foreign_delegation(client: TestClient, company: str) -> None:
    for text in ("not json", '{"delegation": "something-else"}'):
        refused = client.post("/api/v1/identity/business/prime", json=_application(company, CLERK, text))
        assert (refused.status_code, refused.json()["code"]) == (422, "business-delegation-unreadable")
    other = _delegation("7000012050002")
    refused = client.post("/api/v1/identity/business/prime", json=_application(company, CLERK, other))
    assert refused.json()["code"] == "business-delegation-unreadable"


def test_a_bad_check_digit_is_refused_before_anything(client: TestClient, company: str) -> None:
    wrong = str((int(company[0]) + 1) % 10) + company[1:]  # the leading digit is the check digit
    refused = client.post("/api/v1/identity/business/prime", json=_application(wrong, CEO))
    assert (refused.status_code, refused.json()["code"]) == (422, "corporate-number-check-digit")
