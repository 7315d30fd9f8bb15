"""Authorization code flow with PKCE, consent, tokens, userinfo and pairwise subjects."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet
from tests.identity.oidc.conftest import REDIRECT, csrf_token, hidden_fields, pkce

from tsunagu.core.clock import FixedClock
from tsunagu.core.database import Database
from tsunagu.identity.oidc import service

HTML = {"accept": "text/html"}


def authorize_url(
    client_id: str,
    challenge: str,
    scope: str = "openid profile address",
    redirect_uri: str = REDIRECT,
    **extra: str,
) -> str:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": "st-1",
        "nonce": "n-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    return "/oidc/authorize?" + urlencode(params)


def consent(client: TestClient, url: str, *, remember: bool = False) -> dict[str, list[str]]:
    page = client.get(url, headers=HTML)
    assert page.status_code == 200, page.text
    form = hidden_fields(page.text)
    form.update({"decision": "approve", "csrf_token": csrf_token(page.text)})
    if remember:
        form["remember"] = "true"
    answer = client.post("/oidc/authorize", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return parse_qs(urlsplit(location).query)


def exchange(
    client: TestClient,
    registered: service.RegisteredClient,
    code: str,
    verifier: str,
    secret: str | None = None,
) -> dict[str, object]:
    response = client.post(
        "/oidc/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        auth=(registered.client.client_id, secret or registered.client_secret),
    )
    return {"status": response.status_code, **response.json()}


def test_discovery_and_jwks(client: TestClient) -> None:
    document = client.get("/.well-known/openid-configuration").json()
    assert document["issuer"] == "http://127.0.0.1:8000"
    assert document["subject_types_supported"] == ["pairwise"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    keys = client.get(document["jwks_uri"].removeprefix(document["issuer"])).json()["keys"]
    assert keys and all("d" not in key for key in keys)


def test_full_flow_releases_exactly_the_consented_attributes(
    resident_client: TestClient, registered: service.RegisteredClient
) -> None:
    verifier, challenge = pkce()
    page = resident_client.get(authorize_url(registered.client.client_id, challenge), headers=HTML)
    assert "つなぐショップ" in page.text
    assert "山田 花子" in page.text and "東京都千代田区丸の内一丁目1-1" in page.text
    assert "生年月日" not in page.text  # not requested, not listed

    answer = consent(resident_client, authorize_url(registered.client.client_id, challenge))
    assert answer["state"] == ["st-1"] and answer["iss"] == ["http://127.0.0.1:8000"]
    tokens = exchange(resident_client, registered, answer["code"][0], verifier)
    assert tokens["status"] == 200, tokens

    key_set = KeySet.import_key_set(resident_client.get("/oidc/jwks").json())
    id_token = jwt.decode(str(tokens["id_token"]), key_set, algorithms=["ES256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": "http://127.0.0.1:8000"},
        aud={"essential": True, "value": registered.client.client_id},
        nonce={"essential": True, "value": "n-1"},
    ).validate(id_token.claims)

    info = resident_client.get(
        "/oidc/userinfo", headers={"authorization": f"Bearer {tokens['access_token']}"}
    ).json()
    assert info["sub"] == id_token.claims["sub"]
    assert info["name"] == "山田 花子" and info["name#ja-Kana-JP"] == "ヤマダ ハナコ"
    assert info["address"]["formatted"] == "東京都千代田区丸の内一丁目1-1"
    assert "birthdate" not in info and "gender" not in info
    assert "0123456789abcdef" not in str(info)  # the resident id never leaves


def test_subjects_are_pairwise_per_sector(database: Database) -> None:
    with database.session() as db:
        shop = service.register_client(
            db, "s", name="A", organization_code="x", redirect_uris=["https://a.example/cb"]
        ).client
        bank = service.register_client(
            db, "s", name="B", organization_code="y", redirect_uris=["https://b.example/cb"]
        ).client
        shop_again = service.register_client(
            db, "s", name="A2", organization_code="x", redirect_uris=["https://a.example/other"]
        ).client
    op = service.Provider(issuer="https://idp.example", secret="s")
    assert service.pairwise_subject(op, shop, "r1") != service.pairwise_subject(op, bank, "r1")
    assert service.pairwise_subject(op, shop, "r1") == service.pairwise_subject(op, shop_again, "r1")
    assert service.pairwise_subject(op, shop, "r1") != service.pairwise_subject(op, shop, "r2")


def test_invalid_redirect_uri_shows_an_error_page_and_never_redirects(
    resident_client: TestClient, registered: service.RegisteredClient
) -> None:
    _verifier, challenge = pkce()
    response = resident_client.get(
        authorize_url(registered.client.client_id, challenge, redirect_uri="https://evil.example/cb"),
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "text/html" in response.headers["content-type"]
    assert "このサービスにはログインできません" in response.text
    assert "つなぐに登録されている内容と一致しません" in response.text
    assert "evil.example" not in response.text  # nothing to click through to
    api = resident_client.get(
        authorize_url(registered.client.client_id, challenge, redirect_uri="https://evil.example/cb"),
        follow_redirects=False,
    )
    assert api.json()["code"] == "oidc-invalid-redirect-uri"


def test_unknown_client_is_an_error_page(resident_client: TestClient) -> None:
    _verifier, challenge = pkce()
    response = resident_client.get(authorize_url("nobody", challenge), follow_redirects=False)
    assert response.status_code == 401 and response.json()["code"] == "oidc-unknown-client"


def test_missing_pkce_is_returned_to_the_client(
    resident_client: TestClient, registered: service.RegisteredClient
) -> None:
    url = authorize_url(registered.client.client_id, "short", code_challenge_method="plain")
    response = resident_client.get(url, follow_redirects=False)
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["st-1"]


def test_pkce_mismatch(resident_client: TestClient, registered: service.RegisteredClient) -> None:
    _verifier, challenge = pkce()
    answer = consent(resident_client, authorize_url(registered.client.client_id, challenge))
    other_verifier, _ = pkce()
    tokens = exchange(resident_client, registered, answer["code"][0], other_verifier)
    assert tokens["status"] == 400 and tokens["code"] == "oidc-pkce-mismatch"
    assert tokens["error"] == "invalid_grant"


def test_reused_code_is_refused_and_revokes_its_token(
    resident_client: TestClient, registered: service.RegisteredClient
) -> None:
    verifier, challenge = pkce()
    answer = consent(resident_client, authorize_url(registered.client.client_id, challenge))
    first = exchange(resident_client, registered, answer["code"][0], verifier)
    assert first["status"] == 200
    second = exchange(resident_client, registered, answer["code"][0], verifier)
    assert second["status"] == 400 and second["code"] == "oidc-code-reused"
    info = resident_client.get("/oidc/userinfo", headers={"authorization": f"Bearer {first['access_token']}"})
    assert info.status_code == 401 and info.json()["code"] == "oidc-invalid-token"


def test_expired_code(
    resident_client: TestClient, registered: service.RegisteredClient, fixed_clock: FixedClock
) -> None:
    verifier, challenge = pkce()
    answer = consent(resident_client, authorize_url(registered.client.client_id, challenge))
    fixed_clock.advance(service.CODE_TTL + timedelta(seconds=1))
    tokens = exchange(resident_client, registered, answer["code"][0], verifier)
    assert tokens["status"] == 400 and tokens["code"] == "oidc-code-expired"


@pytest.mark.parametrize("field", ["secret", "client"])
def test_wrong_client_credentials(
    resident_client: TestClient, registered: service.RegisteredClient, field: str
) -> None:
    verifier, challenge = pkce()
    answer = consent(resident_client, authorize_url(registered.client.client_id, challenge))
    data = {
        "grant_type": "authorization_code",
        "code": answer["code"][0],
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    auth = (registered.client.client_id, "wrong") if field == "secret" else ("nobody", "x")
    response = resident_client.post("/oidc/token", data=data, auth=auth)
    assert response.status_code == 401
    expected = "oidc-client-authentication-failed" if field == "secret" else "oidc-unknown-client"
    assert response.json()["code"] == expected and response.json()["error"] == "invalid_client"


def test_denied_consent_returns_access_denied(
    resident_client: TestClient, registered: service.RegisteredClient
) -> None:
    _verifier, challenge = pkce()
    page = resident_client.get(authorize_url(registered.client.client_id, challenge), headers=HTML)
    form = {**hidden_fields(page.text), "decision": "deny", "csrf_token": csrf_token(page.text)}
    answer = resident_client.post("/oidc/authorize", data=form, follow_redirects=False)
    assert parse_qs(urlsplit(answer.headers["location"]).query)["error"] == ["access_denied"]


def test_consent_form_needs_the_csrf_token(
    resident_client: TestClient, registered: service.RegisteredClient
) -> None:
    _verifier, challenge = pkce()
    page = resident_client.get(authorize_url(registered.client.client_id, challenge), headers=HTML)
    resident_client.headers.pop("x-csrf-token", None)  # a form without its token
    answer = resident_client.post(
        "/oidc/authorize", data={**hidden_fields(page.text), "decision": "approve"}, follow_redirects=False
    )
    assert answer.status_code == 403 and answer.json()["code"] == "csrf-failed"


def test_a_visitor_is_sent_to_the_resident_login_and_back(
    client: TestClient, registered: service.RegisteredClient
) -> None:
    _verifier, challenge = pkce()
    response = client.get(authorize_url(registered.client.client_id, challenge), follow_redirects=False)
    assert response.status_code == 303
    target = urlsplit(response.headers["location"])
    assert target.path == "/identity/login" and not target.netloc
    back = parse_qs(target.query)["next"][0]
    assert back.startswith("/oidc/authorize?")
    assert parse_qs(urlsplit(back).query)["client_id"] == [registered.client.client_id]


def test_prompt_none_without_a_login_answers_login_required(
    client: TestClient, registered: service.RegisteredClient
) -> None:
    _verifier, challenge = pkce()
    response = client.get(
        authorize_url(registered.client.client_id, challenge, prompt="none"), follow_redirects=False
    )
    answer = parse_qs(urlsplit(response.headers["location"]).query)
    assert response.headers["location"].startswith(REDIRECT)
    assert answer["error"] == ["login_required"] and answer["state"] == ["st-1"]


def test_prompt_login_and_an_old_login_ask_to_log_in_again(
    fixed_clock: FixedClock, resident_client: TestClient, registered: service.RegisteredClient
) -> None:
    _verifier, challenge = pkce()
    fresh = resident_client.get(
        authorize_url(registered.client.client_id, challenge, max_age="600"),
        headers=HTML,
        follow_redirects=False,
    )
    assert fresh.status_code == 200  # logged in just now: the consent screen

    again = resident_client.get(
        authorize_url(registered.client.client_id, challenge, prompt="login"), follow_redirects=False
    )
    back = parse_qs(urlsplit(again.headers["location"]).query)["next"][0]
    assert again.status_code == 303 and "prompt" not in parse_qs(urlsplit(back).query)

    fixed_clock.advance(timedelta(minutes=11))
    stale = resident_client.get(
        authorize_url(registered.client.client_id, challenge, max_age="600"), follow_redirects=False
    )
    assert stale.status_code == 303 and stale.headers["location"].startswith("/identity/login?next=")


def test_the_id_token_says_when_the_resident_logged_in(
    fixed_clock: FixedClock, resident_client: TestClient, registered: service.RegisteredClient
) -> None:
    logged_in_at = int(fixed_clock.now().timestamp())
    fixed_clock.advance(timedelta(minutes=3))
    verifier, challenge = pkce()
    answer = consent(resident_client, authorize_url(registered.client.client_id, challenge))
    tokens = exchange(resident_client, registered, answer["code"][0], verifier)
    claims = jwt.decode(
        str(tokens["id_token"]),
        KeySet.import_key_set(resident_client.get("/oidc/jwks").json()),
        algorithms=["ES256"],
    ).claims
    assert claims["auth_time"] == logged_in_at
    assert claims["iat"] == logged_in_at + 180
