"""gビズIDプライムの申請 on the web: the representative downloads the application, signs it with the
card's 署名用 certificate and uploads it; the platform checks the signer against the corporation's
代表者確認記録 and refuses, in Japanese, anyone else."""

from __future__ import annotations

import re

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from httpx import Response
from tests.identity.business.conftest import CLOSED, NUMBER, PASSWORD, REPRESENTATIVE_KEY, enrol_prime
from tests.identity.business.test_pages import HTML, csrf, page_login

from tsunagu.core.database import Database
from tsunagu.identity.business import service

LOGIN_ID = "ceo@power.example"
NAME = "代表 太郎"


def step_one(client: TestClient, number: str = NUMBER, login_id: str = LOGIN_ID) -> Response:
    return client.post(
        "/business/apply",
        headers=HTML,
        data={
            "csrf_token": csrf(client, "/business/apply"),
            "corporate_number": number,
            "login_id": login_id,
            "display_name": NAME,
        },
    )


def signed_file(
    client: TestClient, *, key: ec.EllipticCurvePrivateKey = REPRESENTATIVE_KEY, login_id: str = LOGIN_ID
) -> bytes:
    """The application as the page hands it out, signed the way the card app signs it."""
    document = client.post(
        "/business/apply/document",
        data={
            "csrf_token": csrf(client, "/business/apply"),
            "corporate_number": NUMBER,
            "login_id": login_id,
            "display_name": NAME,
        },
    )
    assert document.status_code == 200
    assert "attachment" in document.headers["content-disposition"]
    signature = key.sign(document.content, ec.ECDSA(hashes.SHA256()))
    return (
        service.SignedApplication(
            corporate_number=NUMBER,
            login_id=login_id,
            display_name=NAME,
            signature=signature,
            certificate_pem=b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
        )
        .as_json()
        .encode()
    )


def submit(
    client: TestClient,
    content: bytes,
    *,
    password: str = PASSWORD,
    confirm: str | None = None,
    login_id: str = LOGIN_ID,
) -> Response:
    return client.post(
        "/business/apply/submit",
        headers=HTML,
        data={
            "csrf_token": csrf(client, "/business/apply"),
            "corporate_number": NUMBER,
            "login_id": login_id,
            "display_name": NAME,
            "password": password,
            "password_confirm": password if confirm is None else confirm,
        },
        files={"signed": ("gbizid-prime-application.signed.json", content, "application/json")},
    )


def test_the_representative_applies_on_the_web_and_logs_in(client: TestClient) -> None:
    form = client.get("/business/apply", headers=HTML)
    assert form.status_code == 200 and "gビズIDプライムの申請" in form.text
    details = step_one(client, "７０００－０１２０５０００２")  # as typed on a phone
    assert details.status_code == 200, details.text
    assert "つなぐ電力株式会社" in details.text and "申請書をダウンロード" in details.text
    assert "tsunagu business sign-application gbizid-prime-application.json --card card.json" in details.text
    created = submit(client, signed_file(client))
    assert created.status_code == 201, created.text
    assert "gビズIDプライムのアカウントを作成しました" in created.text and "<svg" in created.text
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", created.text)
    assert secret
    assert page_login(client, LOGIN_ID, secret.group(1)).status_code == 303
    assert "つなぐ電力株式会社" in client.get("/business", headers=HTML).text


@pytest.mark.parametrize(
    ("number", "status", "message"),
    [
        ("7000012050003", 404, "この法人番号の法人は見つかりませんでした。"),
        (CLOSED, 409, "この法人は閉鎖の登記がされているため、申請できません。"),
        ("70000120", 422, "法人番号は13桁の数字です。"),
    ],
)
def test_step_one_refuses_with_a_reason(client: TestClient, number: str, status: int, message: str) -> None:
    refused = step_one(client, number)
    assert refused.status_code == status and message in refused.text


def test_step_one_refuses_a_second_prime_account(client: TestClient) -> None:
    enrol_prime(client)
    client.cookies.clear()
    refused = step_one(client, login_id="other@power.example")
    assert refused.status_code == 409 and "すでにgビズIDプライムのアカウントがあります" in refused.text


def test_no_representative_on_record(
    client: TestClient, database: Database, representative: service.RepresentativeRecord
) -> None:
    with database.session() as db:
        service.end_representative(db, representative.id)  # 退任
    refused = submit(client, signed_file(client))
    assert refused.status_code == 409
    assert "この法人の代表者の記録がまだないため" in refused.text


def test_a_signer_who_is_not_the_representative(
    client: TestClient, database: Database, representative: service.RepresentativeRecord
) -> None:
    with database.session() as db:
        service.end_representative(db, representative.id)
        service.record_representative(
            db,
            corporate_number=NUMBER,
            name="後任 一郎",
            address="東京都港区芝公園4-2-8",
            title="代表取締役",
            source="登記事項証明書（テスト）",
            recorded_by="test",
        )
    refused = submit(client, signed_file(client))
    assert refused.status_code == 403
    assert "署名した方（代表 太郎）は、この法人の代表者として記録されていません。" in refused.text


def test_the_representatives_address_must_be_the_registered_one(
    client: TestClient, database: Database, representative: service.RepresentativeRecord
) -> None:
    with database.session() as db:
        service.end_representative(db, representative.id)
        service.record_representative(
            db,
            corporate_number=NUMBER,
            name="代表太郎",
            address="大阪府大阪市北区梅田1-1",
            title="代表取締役",
            source="登記事項証明書（テスト）",
            recorded_by="test",
        )
    refused = submit(client, signed_file(client))
    assert refused.status_code == 403
    assert "登記されている代表者の住所と一致しません" in refused.text


def test_a_signature_by_another_key_or_over_other_details(client: TestClient) -> None:
    forged = submit(client, signed_file(client, key=ec.generate_private_key(ec.SECP256R1())))
    assert forged.status_code == 401 and "申請書の署名を確認できませんでした" in forged.text
    other = submit(client, signed_file(client, login_id="other@power.example"))
    assert other.status_code == 422 and "署名済みの申請書ファイルを読み取れませんでした" in other.text


def test_unreadable_files_and_password_mistakes(client: TestClient) -> None:
    for content in (b"", b"not json", b'{"application": "something-else"}', b"x" * 70_000):
        refused = submit(client, content)
        assert refused.status_code == 422 and "署名済みの申請書ファイルを読み取れませんでした" in refused.text
    good = signed_file(client)
    differ = submit(client, good, confirm="another one!!")
    assert "確認のため入力したパスワードが一致しません。" in differ.text
    assert "パスワードは12文字以上にしてください。" in submit(client, good, password="short").text


def test_the_card_app_reads_only_an_untouched_document() -> None:
    document = service.application_document(NUMBER, LOGIN_ID, NAME)
    assert service.read_document(document) == (NUMBER, LOGIN_ID, NAME)
    with pytest.raises(service.SignedApplicationUnreadableError):
        service.read_document(document.replace(b"ceo", b"cfo").replace(b"{", b"{ "))
    with pytest.raises(service.SignedApplicationUnreadableError):
        service.read_document(b'{"application": "gbizid-prime"}')


def test_the_card_app_on_the_page_sends_the_signed_application_as_text(client: TestClient) -> None:
    """What card-sign.js puts into the form (no file chosen) is read like the uploaded file."""
    details = step_one(client)
    assert 'data-document="' in details.text and '<script src="/identity/card-sign.js">' in details.text
    created = client.post(
        "/business/apply/submit",
        headers=HTML,
        data={
            "csrf_token": csrf(client, "/business/apply"),
            "corporate_number": NUMBER,
            "login_id": LOGIN_ID,
            "display_name": NAME,
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "signed_text": signed_file(client).decode(),
        },
        files={"signed": ("", b"", "application/octet-stream")},
    )
    assert created.status_code == 201, created.text
    assert client.get("/identity/card-sign.js").headers["content-type"].startswith("text/javascript")
