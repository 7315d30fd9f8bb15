"""The apply pages without JavaScript: form → review → submit → status; staff decide; verify."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import CHIYODA, World

from tsunagu.core.database import Database

FORM = {
    "destination_address": "神奈川県横須賀市小川町1-1",
    "moving_date": "2026-11-20",
    "movers": "whole-household",
    "phone": "090-1234-5678",
}


def hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def unescape(value: str) -> str:
    return (
        value.replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


def open_form(client: TestClient) -> tuple[str, dict[str, str]]:
    page = client.get("/procedures/tenshutsu/apply")
    assert page.status_code == 200, page.text
    return page.text, {k: unescape(v) for k, v in hidden(page.text).items()}


def test_the_form_asks_only_what_the_registry_does_not_know(resident_client: TestClient) -> None:
    html, _fields = open_form(resident_client)
    assert "佐藤 花子" in html and CHIYODA in html and "公共サービスメッシュ経由" in html
    assert 'name="applicant_name.family"' not in html and 'name="current_address"' not in html
    assert 'name="destination_address"' in html and 'name="phone"' in html


def test_errors_are_shown_next_to_the_fields_with_values_kept(resident_client: TestClient) -> None:
    _html, fields = open_form(resident_client)
    response = resident_client.post(
        "/procedures/tenshutsu/apply",
        data={**fields, "phone": "12", "moving_date": "", "destination_address": "横須賀市小川町1-1"},
    )
    assert response.status_code == 422
    assert 'id="e-phone"' in response.text and "電話番号の形式が正しくありません。" in response.text
    assert 'id="e-moving_date"' in response.text and 'value="横須賀市小川町1-1"' in response.text
    resident_client.cookies.set("tsunagu_lang", "en")
    english = resident_client.post("/procedures/tenshutsu/apply", data={**fields, "phone": "12"})
    assert "This is not a valid telephone number." in english.text


def test_review_then_submit_gives_a_receipt_once(resident_client: TestClient) -> None:
    _html, fields = open_form(resident_client)
    review = resident_client.post("/procedures/tenshutsu/apply", data={**fields, **FORM, "step": "review"})
    assert review.status_code == 200 and "この内容で送信する" in review.text and "佐藤 花子" in review.text
    confirmed = {k: unescape(v) for k, v in hidden(review.text).items()}
    first = resident_client.post(
        "/procedures/tenshutsu/apply", data={**confirmed, "step": "submit"}, follow_redirects=False
    )
    assert first.status_code == 303
    again = resident_client.post(
        "/procedures/tenshutsu/apply", data={**confirmed, "step": "submit"}, follow_redirects=False
    )
    assert again.headers["location"] == first.headers["location"]
    status = resident_client.get(first.headers["location"])
    assert re.search(r"2026-131016-\d{6}", status.text) and "申請を受け付けました。" in status.text
    inbox = resident_client.get("/inbox")
    assert "を受け付けました" in inbox.text


def test_a_changed_seal_is_refused(resident_client: TestClient) -> None:
    _html, fields = open_form(resident_client)
    mac, _, body = fields["prefill_seal"].partition(".")
    forged = body.replace("佐藤", "山田")
    response = resident_client.post(
        "/procedures/tenshutsu/apply",
        data={**fields, **FORM, "prefill_seal": f"{mac}.{forged}", "step": "submit"},
    )
    assert response.status_code == 403


def test_someone_who_moved_out_is_told_why_and_what_to_do(
    client: TestClient, database: Database, world: World
) -> None:
    world.move_out(database)
    login_as(client, database, world.resident())
    page = client.get("/procedures/tenshutsu/apply")
    assert page.status_code == 403
    assert "この手続は申請できません" in page.text and "窓口にご相談" in page.text


def test_staff_decide_on_pages_and_the_notice_verifies(
    client: TestClient, database: Database, world: World
) -> None:
    login_as(client, database, world.resident())
    _html, fields = open_form(client)
    review = client.post("/procedures/tenshutsu/apply", data={**fields, **FORM})
    confirmed = {k: unescape(v) for k, v in hidden(review.text).items()}
    location = client.post(
        "/procedures/tenshutsu/apply", data={**confirmed, "step": "submit"}, follow_redirects=False
    ).headers["location"]
    application_id = location.split("/")[-1].split("?")[0]

    login_as(client, database, World.staff())
    inbox = client.get("/staff/applications?status=submitted")
    assert inbox.status_code == 200 and application_id in inbox.text
    detail = client.get(f"/staff/applications/{application_id}")
    assert "審査を開始する" in detail.text and "台帳から自動入力 · 提供元: 東京都千代田区" in detail.text
    token = hidden(detail.text)["csrf_token"]
    decide = f"/staff/applications/{application_id}/decide"
    started = client.post(
        decide, data={"action": "start_review", "csrf_token": token}, follow_redirects=False
    )
    assert started.status_code == 303 and started.headers["location"].endswith("?done=start_review")
    assert "審査を開始しました。" in client.get(started.headers["location"]).text
    # a decision is shown for confirmation first; nothing happens until it is confirmed
    confirm = client.post(decide, data={"action": "approve", "csrf_token": token})
    assert confirm.status_code == 200 and "処理の確認" in confirm.text
    assert "審査中 → <strong>承認" in confirm.text
    assert "審査中" in client.get(f"/staff/applications/{application_id}").text
    done = client.post(
        decide, data={"action": "approve", "confirmed": "true", "csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    assert "承認しました。" in client.get(done.headers["location"]).text
    # a second clerk's late click on the same decision is explained, not a bare 409
    late = client.post(decide, data={"action": "approve", "confirmed": "true", "csrf_token": token})
    assert late.status_code == 409 and "ほかの職員が処理したため" in late.text

    login_as(client, database, world.resident())
    listing = client.get("/inbox").text
    message_id = re.findall(r'href="/inbox/(\d+)"', listing)[0]
    message = client.get(f"/inbox/{message_id}").text
    assert "転出届の受理について" in message
    document = hidden(message)["document"]
    verified = client.post(
        "/notices/verify", data={"document": document, "csrf_token": hidden(message)["csrf_token"]}
    )
    assert verified.status_code == 200 and "有効な文書です" in verified.text, verified.text[-3000:]
    assert "発行元: 東京都千代田区" in verified.text
