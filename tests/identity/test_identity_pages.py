"""People's identity pages: proxies, history, logout, demo cards, CRL and the card app, all via forms."""

from __future__ import annotations

import json
from datetime import timedelta

from cryptography import x509
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.identity.conftest import AUTH_PIN, SIGN_PIN, World

from tsunagu.core.database import Database
from tsunagu.core.http.auth import SESSION_COOKIE
from tsunagu.core.sessions import Principal
from tsunagu.core.settings import Settings
from tsunagu.identity.cards.virtualcard import VirtualCard
from tsunagu.registry.residents import service as residents
from tsunagu.web.app import create_app

HTML = {"accept": "text/html"}


def _csrf(client: TestClient, path: str) -> str:
    return client.get(path, headers=HTML).text.split('name="csrf_token" value="')[1].split('"')[0]


def test_proxy_forms_history_and_logout(world: World, client: TestClient) -> None:
    login_as(
        client, world.database, Principal(kind="resident", subject_id=world.hanako, display_name="佐藤 花子")
    )
    token = _csrf(client, "/identity/proxies")
    # the proxy is found as a person (full kana and date of birth), never typed as an id
    with world.database.session() as db:
        taro = residents.require_resident(db, world.taro)
    other_day = (taro.birth_date + timedelta(days=1)).isoformat()
    search = client.get(
        "/identity/proxies", params={"kana": "すずき たろう", "birth_date": other_day}, headers=HTML
    ).text
    assert "見つかりませんでした" in search and "鈴木 太郎" not in search
    found = client.get(
        "/identity/proxies",
        headers=HTML,
        params={"kana": "ｽｽﾞｷ ﾀﾛｳ", "birth_date": taro.birth_date.isoformat()},
    ).text
    assert "鈴木 太郎" in found and f'value="{world.taro}"' in found
    born = taro.birth_date.isoformat()
    part = client.get("/identity/proxies", params={"kana": "スズキ", "birth_date": born}, headers=HTML)
    assert "鈴木 太郎" not in part.text  # a part of a name finds nobody
    added = client.post(
        "/identity/proxies",
        data={
            "proxy_id": world.taro,
            "scope": "some",
            "procedures": ["tenshutsu", "juminhyo-utsushi"],
            "ends_on": "2027-02-01",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = client.get("/identity/proxies", headers=HTML).text
    assert "鈴木 太郎" in page and "転出届" in page and "住民票の写し交付請求" in page
    assert world.taro not in page.split("<main", 1)[1].split('name="proxy_id"')[0]
    grant_id = page.split('action="/identity/proxies/')[1].split("/withdraw")[0]
    client.post(f"/identity/proxies/{grant_id}/withdraw", data={"csrf_token": token})
    assert "解除済み" in client.get("/identity/proxies", headers=HTML).text
    history = client.get("/identity/history", headers=HTML).text
    assert "代理人の登録" in history and "代理人の解除" in history
    bad = client.post(
        "/identity/proxies",
        data={"proxy_id": world.hanako, "ends_on": "2027-02-01", "csrf_token": token},
        headers=HTML,
    )
    assert bad.status_code == 422 and "ご自身を代理人にすることはできません。" in bad.text
    client.post("/identity/logout", data={"csrf_token": token}, follow_redirects=False)
    assert client.get("/api/v1/identity/me").status_code == 401


def test_forms_without_csrf_are_refused(world: World, client: TestClient) -> None:
    login_as(client, world.database, Principal(kind="resident", subject_id=world.hanako))
    del client.headers["x-csrf-token"]  # a form without its token
    response = client.post("/identity/logout", headers=HTML)
    assert response.status_code == 403
    assert client.get("/api/v1/identity/me").status_code == 200


def test_demo_card_download_and_crl(world: World, client: TestClient) -> None:
    token = _csrf(client, "/identity/cards/demo")
    response = client.post(
        "/identity/cards/demo",
        data={
            "resident_id": world.kenji,
            "authentication_pin": AUTH_PIN,
            "signature_pin": SIGN_PIN,
            "csrf_token": token,
        },
    )
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    card = VirtualCard.loads(response.content)
    assert json.loads(response.content)["format"] == "tsunagu-virtual-card/1"
    assert card.sign("authentication", AUTH_PIN, b"x")
    crl = x509.load_der_x509_crl(client.get("/identity/crl.der").content)
    root = x509.load_pem_x509_certificate(client.get("/identity/ca.pem").content)
    assert crl.is_signature_valid(root.public_key())  # type: ignore[arg-type]
    script = client.get("/identity/card-app.js")
    assert script.headers["content-type"].startswith("text/javascript") and "crypto.subtle" in script.text
    core = client.get("/identity/card-core.js")  # the card kept in the browser, shared by both apps
    assert core.status_code == 200 and "PBKDF2" in core.text
    assert client.get("/identity/card-other.js").status_code == 404


def test_demo_card_refusals_are_named_at_their_fields(world: World, client: TestClient) -> None:
    """A mistyped resident ID or PIN showed a bare 「入力に誤りがあります」 page with nothing kept; the
    form comes back with each field's reason and the resident ID as typed."""
    page = client.get(f"/identity/cards/demo?resident_id={world.kenji}", headers=HTML)
    assert f'value="{world.kenji}"' in page.text  # the staff record links here with the resident
    token = _csrf(client, "/identity/cards/demo")
    data = {
        "resident_id": "nobody",
        "authentication_pin": "１２３４",
        "signature_pin": "demo",
        "csrf_token": token,
    }
    refused = client.post("/identity/cards/demo", data=data, headers=HTML)
    assert refused.status_code == 422
    assert "利用者証明用暗証番号は半角数字4桁で入力してください。" in refused.text
    assert "署名用暗証番号は半角の英大文字と数字で6〜16文字で入力してください。" in refused.text
    assert (
        'id="signature_pin" name="signature_pin"' in refused.text
        and 'aria-describedby="e-signature_pin"' in refused.text
    )
    assert 'value="nobody"' in refused.text
    data |= {"authentication_pin": AUTH_PIN, "signature_pin": SIGN_PIN}
    unknown = client.post("/identity/cards/demo", data=data, headers=HTML)
    assert unknown.status_code == 422
    assert (
        "この住民IDの住民は見つかりません。" in unknown.text
        and 'aria-describedby="e-resident_id"' in unknown.text
    )


def test_demo_cards_are_not_offered_in_production(
    world: World, database: Database, settings: Settings
) -> None:
    production = create_app(settings.model_copy(update={"environment": "production"}), database)
    response = TestClient(production).get("/identity/cards/demo", headers=HTML)
    assert response.status_code == 404


def test_only_the_card_office_issues_cards_by_api(world: World, client: TestClient) -> None:
    body = {"resident_id": world.kenji, "authentication_pin": AUTH_PIN, "signature_pin": SIGN_PIN}
    login_as(
        client,
        world.database,
        Principal(kind="staff", subject_id="s1", organization_code="131016", roles=frozenset({"住基"})),
    )
    other_town = client.post("/api/v1/identity/cards", json=body)
    assert (other_town.status_code, other_town.json()["code"]) == (403, "forbidden")
    login_as(
        client,
        world.database,
        Principal(kind="staff", subject_id="s2", organization_code="142018", roles=frozenset({"住基"})),
    )
    issued = client.post("/api/v1/identity/cards", json=body)
    assert issued.status_code == 201
    card_id = issued.json()["card_id"]
    login_as(client, world.database, Principal(kind="resident", subject_id=world.kenji))
    revoked = client.post(f"/api/v1/identity/cards/{card_id}/revoke", json={"reason": "lost"})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]


def test_secure_cookie_behind_https(world: World, database: Database, settings: Settings) -> None:
    app: FastAPI = create_app(settings.model_copy(update={"secure_cookies": True}), database)
    with TestClient(app, base_url="https://testserver") as client:
        response = client.post("/api/v1/identity/card-login/challenge")
    assert "secure" in response.headers["set-cookie"].lower()
    assert SESSION_COOKIE not in response.headers["set-cookie"]
