"""個人事業主のアカウント: a resident logged in with the card opens a business account tied to their own
identity (no 法人番号, no 個人番号 in the record), switches between acting as themselves and as the
business, and records 廃業; a second account, acting as someone else's business, and the wrong
kind of login are each refused by name (problem+json, and inline on the page in Japanese)."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import login_as, send_csrf_header
from tests.identity.conftest import World, card_login, issue

from tsunagu.core.sessions import Principal
from tsunagu.identity.business.models import SoleProprietorship

SOLE = "/api/v1/identity/business/sole-proprietors"
SHOP = {"trade_name": "はなこ商店", "office_address": "東京都千代田区飯田橋三丁目3-5", "industry": "小売業"}
HTML = {"accept": "text/html"}


def _card(client: TestClient, world: World, resident_id: str) -> None:
    assert card_login(client, issue(world, resident_id))["status"] == 200


def test_open_switch_and_back_with_the_card_login(client: TestClient, world: World) -> None:
    _card(client, world, world.hanako)
    opened = client.post(SOLE, json=SHOP)
    assert opened.status_code == 201, opened.text
    account = opened.json()
    assert account["owner_name"] == "佐藤 花子" and account["trade_name"] == "はなこ商店"
    with world.database.session() as db:
        row = db.scalars(select(SoleProprietorship)).one()
    # the person's own registry reference, never the 個人番号
    assert row.resident_id == world.hanako and "123456789018" not in repr(row.__dict__)
    assert client.get(f"{SOLE}/mine").json()["id"] == account["id"]

    switched = client.post(f"{SOLE}/{account['id']}/act")
    assert switched.json() == {"acting_as": "sole_proprietor", "display_name": "はなこ商店"}
    send_csrf_header(client)
    header = client.get("/business/office", headers=HTML).text
    assert "個人事業主として操作中：はなこ商店" in header
    assert 'action="/business/sole-proprietor/act-as-self"' in header
    back = client.post(f"{SOLE}/act-as-self")
    assert back.json() == {"acting_as": "self", "display_name": "佐藤 花子"}
    send_csrf_header(client)
    assert "個人事業主として操作中" not in client.get("/mypage").text

    history = client.get("/identity/history").text
    assert "個人事業主のアカウントの開設" in history and "個人事業主としての操作に切替え" in history


def test_a_second_account_for_the_same_person_is_refused(client: TestClient, world: World) -> None:
    _card(client, world, world.hanako)
    assert client.post(SOLE, json=SHOP).status_code == 201
    again = client.post(SOLE, json={**SHOP, "trade_name": "別の屋号"})
    assert (again.status_code, again.json()["code"]) == (409, "business-sole-proprietor-exists")

    page = client.post("/business/sole-proprietor", data={**SHOP, "trade_name": "別の屋号"}, headers=HTML)
    assert page.status_code == 409
    assert "個人事業主のアカウントはすでにお持ちです" in html.unescape(page.text)


def test_acting_as_a_business_one_does_not_hold_is_refused(client: TestClient, world: World) -> None:
    _card(client, world, world.hanako)
    hanako_shop = client.post(SOLE, json=SHOP).json()["id"]
    client.cookies.clear()
    _card(client, world, world.taro)
    refused = client.post(f"{SOLE}/{hanako_shop}/act")
    assert (refused.status_code, refused.json()["code"]) == (403, "business-not-yours")
    page = client.post("/business/sole-proprietor/act", data={"account": hanako_shop}, headers=HTML)
    assert page.status_code == 403
    assert "この事業者として操作することはできません" in html.unescape(page.text)
    closing = client.post(f"{SOLE}/{hanako_shop}/close", json={"closed_on": "2026-11-22"})
    assert (closing.status_code, closing.json()["code"]) == (403, "business-not-yours")


def test_the_page_marks_missing_fields_and_keeps_values(client: TestClient, world: World) -> None:
    _card(client, world, world.hanako)
    form = client.get("/business/sole-proprietor", headers=HTML).text
    assert "飯田橋三丁目" in form  # the 事業所 defaults to the registered address
    page = client.post(
        "/business/sole-proprietor", data={"trade_name": "はなこ商店", "office_address": "", "industry": ""}
    )
    assert page.status_code == 422
    text = html.unescape(page.text)
    assert "事業所の所在地を入力してください" in text and "業種を入力してください" in text
    assert 'value="はなこ商店"' in text
    assert len(re.findall(r'aria-invalid="true"', text)) == 2
    control = client.post(SOLE, json={**SHOP, "trade_name": "はなこ\x00商店"})
    assert (control.status_code, control.json()["code"]) == (422, "validation-failed")
    assert control.json()["errors"][0]["location"] == ["body", "trade_name"]


def test_closing_records_the_day_and_ends_acting_as_it(client: TestClient, world: World) -> None:
    _card(client, world, world.hanako)
    account = client.post(SOLE, json=SHOP).json()["id"]
    future = client.post(f"{SOLE}/{account}/close", json={"closed_on": "2026-12-31"})
    assert (future.status_code, future.json()["code"]) == (422, "validation-failed")
    client.post(f"{SOLE}/{account}/act")
    send_csrf_header(client)
    closed = client.post(
        "/business/sole-proprietor/close",
        data={"account": account, "closed_on": "2026-11-22"},
        follow_redirects=False,
    )
    assert closed.status_code == 303 and closed.headers["location"].endswith("closed=1")
    send_csrf_header(client)
    assert client.get(f"{SOLE}/mine").json()["code"] == "business-no-sole-proprietorship"
    with world.database.session() as db:
        row = db.scalars(select(SoleProprietorship)).one()
    assert row.closed_on is not None and row.closed_on.isoformat() == "2026-11-22"
    history = html.unescape(client.get("/identity/history").text)
    assert "個人事業主のアカウントの廃業" in history and "令和8年11月22日" in history
    # the business is gone: acting as it is refused, and a new account may be opened
    again = client.post(f"{SOLE}/{account}/act")
    assert (again.status_code, again.json()["code"]) == (403, "business-not-yours")
    assert client.post(SOLE, json={**SHOP, "trade_name": "はなこ商店 二号店"}).status_code == 201


def test_only_a_resident_opens_one(client: TestClient, world: World) -> None:
    login_as(
        client,
        world.database,
        Principal(
            kind="business", subject_id="member-1", organization_code="6010001000001", roles=frozenset()
        ),
    )
    refused = client.post(SOLE, json=SHOP)
    assert (refused.status_code, refused.json()["code"]) == (403, "business-card-login-required")
    client.cookies.clear()
    assert (
        client.get("/business/sole-proprietor", follow_redirects=False)
        .headers["location"]
        .startswith("/identity/login")
    )
