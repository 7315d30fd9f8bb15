"""お知らせの受け取り方: the person's page and API for e-mail, SMS and app channels."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import login_as

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.notify import dispatch, service
from tsunagu.notify.models import NotifyConfirmation, NotifyTestSms
from tsunagu.notify.senders import TestSmsProvider

PAGE = "/notify/preferences"
API = "/api/v1/notify/channels"


@pytest.fixture
def person(app: FastAPI, database: Database) -> Iterator[TestClient]:
    with TestClient(app) as client:
        login_as(
            client, database, Principal(kind="resident", subject_id="resident-1", display_name="佐藤 花子")
        )
        yield client


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(PAGE).text)
    assert found
    return found.group(1)


def test_adding_an_email_and_changing_what_it_receives(person: TestClient) -> None:
    token = _csrf(person)
    added = person.post(
        f"{PAGE}/channels",
        data={
            "csrf_token": token,
            "kind": "email",
            "address": "hanako@example.jp",
            "kinds": ["notice", "info"],
        },
    )
    assert added.status_code == 200 and "受け取り先を追加しました" in added.text
    assert "ha…@example.jp" in added.text and "hanako@example.jp" not in added.text
    channel_id = person.get(API).json()[0]["id"]
    changed = person.post(
        f"{PAGE}/channels/{channel_id}/kinds", data={"csrf_token": token, "kinds": ["status"]}
    )
    assert "種類を変更しました" in changed.text
    assert person.get(API).json()[0]["kinds"] == ["status"]
    refused = person.post(f"{PAGE}/channels/{channel_id}/kinds", data={"csrf_token": token})
    assert refused.status_code == 422 and "一つ以上選んでください" in refused.text


def test_a_wrong_number_is_marked_with_the_values_kept(person: TestClient) -> None:
    response = person.post(
        f"{PAGE}/channels",
        data={"csrf_token": _csrf(person), "kind": "sms", "address": "03-1234-5678", "kinds": ["notice"]},
    )
    assert response.status_code == 422
    assert "携帯電話番号" in response.text and 'value="03-1234-5678"' in response.text


def test_an_app_needs_consent_and_shows_its_signing_key(person: TestClient) -> None:
    token = _csrf(person)
    data = {
        "csrf_token": token,
        "kind": "webhook",
        "address": "https://kakeibo.example/hooks/tsunagu",
        "label": "家計簿アプリ",
        "kinds": ["notice"],
    }
    refused = person.post(f"{PAGE}/channels", data=data)
    assert refused.status_code == 422 and "同意が必要です" in refused.text
    added = person.post(f"{PAGE}/channels", data={**data, "consent": "on"})
    assert "家計簿アプリ" in added.text and "kakeibo.example" in added.text and "署名の鍵" in added.text
    channel_id = person.get(API).json()[0]["id"]
    removed = person.post(f"{PAGE}/channels/{channel_id}/delete", data={"csrf_token": token})
    assert "受け取り先を削除しました" in removed.text and person.get(API).json() == []


def test_the_api_and_delivery_status(person: TestClient, database: Database) -> None:
    created = person.post(API, json={"kind": "sms", "address": "09012345678"})
    assert created.status_code == 201 and created.json()["address"] == "090-****-5678"
    assert created.json()["status"] == "unconfirmed"  # the number is confirmed with a code first
    page = person.get(PAGE).text
    assert "6桁の確認コードを入力してください" in page and 'autocomplete="one-time-code"' in page
    code = _sms_code(database)
    channel_id = created.json()["id"]
    wrong = "000000" if code != "000000" else "111111"
    refused = person.post(
        f"{PAGE}/channels/{channel_id}/code", data={"csrf_token": _csrf(person), "code": wrong}
    )
    assert refused.status_code == 422 and "確認コードが違います" in refused.text and "あと4回" in refused.text
    assert f'value="{wrong}"' in refused.text and 'aria-invalid="true"' in refused.text
    done = person.post(f"{PAGE}/channels/{channel_id}/code", data={"csrf_token": _csrf(person), "code": code})
    assert "携帯電話番号を確認しました" in done.text
    with database.session() as db:
        message = service.deliver(db, "resident-1", sender="131016", kind="notice", title="通知", body="本文")
    states = person.get(f"/api/v1/notify/messages/{message.id}/deliveries").json()
    assert states == [{"channel_kind": "sms", "status": "pending", "attempts": 0, "sent_at": None}]
    assert "SMS（ショートメッセージ）: 送信待ち" in person.get(PAGE).text
    assert person.post(API, json={"kind": "webhook", "address": "https://a.example/"}).status_code == 422
    assert person.delete(f"{API}/999").json()["code"] == "notify-channel-not-found"


def _sms_code(database: Database) -> str:
    """The code the test SMS provider delivered for the confirmation (what the phone shows)."""
    dispatch.run_once(
        database, {"sms": TestSmsProvider(database)}, lambda code, locale: "", dispatch.Links("")
    )
    with database.session() as db:
        body = db.scalars(select(NotifyTestSms.body).order_by(NotifyTestSms.id.desc())).first()
    found = re.search(r"確認コード (\d{6})", body or "")
    assert found, body
    return found.group(1)


def test_the_page_in_english(person: TestClient) -> None:
    person.cookies.set("tsunagu_lang", "en")
    page = person.get(PAGE).text
    assert "How you receive messages" in page and "受け取り" not in page


def test_an_address_is_confirmed_from_the_link_without_logging_in(
    person: TestClient, app: FastAPI, database: Database
) -> None:
    token = _csrf(person)
    added = person.post(
        f"{PAGE}/channels",
        data={"csrf_token": token, "kind": "email", "address": "hanako@example.jp", "kinds": ["notice"]},
    )
    assert "確認待ち" in added.text and "確認のメールをもう一度送る" in added.text
    with database.session() as db:
        link = db.scalars(select(NotifyConfirmation.token)).one()
    with TestClient(app) as stranger:  # the mail was opened on another device, not logged in
        page = stranger.get(f"{PAGE}/confirm", params={"token": link})
        assert page.status_code == 200 and "ha…@example.jp" in page.text and "佐藤" not in page.text
        assert person.get(API).json()[0]["status"] == "unconfirmed"  # opening the page is not enough
        form_token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert form_token
        done = stranger.post(f"{PAGE}/confirm", data={"csrf_token": form_token.group(1), "token": link})
        assert done.status_code == 200 and "メールアドレスを確認しました" in done.text
        again = stranger.get(f"{PAGE}/confirm", params={"token": link})
        assert again.status_code == 404 and "この確認のリンクは使えません" in again.text
    assert person.get(API).json()[0]["status"] == "active"
    assert "確認待ち" not in person.get(PAGE).text


def test_the_code_through_the_api_counts_wrong_tries(person: TestClient, database: Database) -> None:
    created = person.post(API, json={"kind": "sms", "address": "070-5555-6666"}).json()
    code = _sms_code(database)
    wrong = person.post(f"{API}/{created['id']}/code", json={"code": "12345"})
    assert wrong.status_code == 422 and wrong.headers["content-type"] == "application/problem+json"
    assert (wrong.json()["code"], wrong.json()["remaining"]) == ("notify-code-invalid", 4)
    again = person.post(f"{API}/{created['id']}/code", json={"code": "abcdef"}).json()
    assert again["remaining"] == 3  # the count was kept although the answer was an error
    done = person.post(f"{API}/{created['id']}/code", json={"code": code})
    assert done.status_code == 200 and done.json()["status"] == "active"
