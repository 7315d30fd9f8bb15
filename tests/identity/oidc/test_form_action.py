"""The pages whose forms end at a relying party allow exactly its registered origin in
``form-action`` (Chromium checks every redirect after a form against it); no other page does."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.identity.oidc.conftest import LOGOUT_REDIRECT, REDIRECT, pkce
from tests.identity.oidc.test_oidc_flow import HTML, authorize_url, consent, exchange

from tsunagu.core.database import Database
from tsunagu.identity.oidc import service
from tsunagu.identity.organizations import service as organizations

SELF_ONLY = "form-action 'self'"


def _form_action(response: httpx.Response) -> str:
    policy: str = response.headers["content-security-policy"]
    return policy.rsplit("; ", maxsplit=1)[-1]


def test_the_consent_page_allows_the_clients_redirect_origin_only(
    resident_client: TestClient, registered: service.RegisteredClient, database: Database
) -> None:
    with database.session() as db:
        organizations.seed_demo_organizations(db)
    _verifier, challenge = pkce()
    page = resident_client.get(authorize_url(registered.client.client_id, challenge), headers=HTML)
    assert page.status_code == 200
    assert _form_action(page) == "form-action 'self' https://shop.example"
    assert "運営組織: つなぐ電力" in page.text and "tsunagu-power" not in page.text  # by name, not code
    assert _form_action(resident_client.get("/oidc/consents", headers=HTML)) == SELF_ONLY


def test_the_login_page_allows_the_relying_party_only_when_it_resumes_a_registered_request(
    client: TestClient, registered: service.RegisteredClient
) -> None:
    _verifier, challenge = pkce()
    resume = authorize_url(registered.client.client_id, challenge)
    login = client.get("/identity/login?" + urlencode({"next": resume}), headers=HTML)
    assert _form_action(login) == "form-action 'self' https://shop.example"
    for other in (
        authorize_url(registered.client.client_id, challenge, redirect_uri="https://evil.example/cb"),
        authorize_url("nobody", challenge),
        "/procedures",
        "https://evil.example/oidc/authorize",
    ):
        page = client.get("/identity/login?" + urlencode({"next": other}), headers=HTML)
        assert _form_action(page) == SELF_ONLY, other


def test_the_logout_page_allows_the_registered_post_logout_origin(
    resident_client: TestClient, registered: service.RegisteredClient
) -> None:
    verifier, challenge = pkce()
    code = consent(resident_client, authorize_url(registered.client.client_id, challenge))["code"][0]
    id_token = str(exchange(resident_client, registered, code, verifier)["id_token"])
    page = resident_client.get(
        "/oidc/logout?" + urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": LOGOUT_REDIRECT}),
        headers=HTML,
    )
    assert page.status_code == 200
    assert _form_action(page) == "form-action 'self' https://shop.example"
    assert _form_action(resident_client.get("/oidc/logout", headers=HTML)) == SELF_ONLY


@pytest.mark.parametrize(
    ("uri", "origin"),
    [
        (REDIRECT, "https://shop.example"),
        ("http://127.0.0.1:8001/callback?x=1", "http://127.0.0.1:8001"),
        ("http://[::1]:9000/cb", "http://[::1]:9000"),
    ],
)
def test_origin_of(uri: str, origin: str) -> None:
    assert service.origin_of(uri) == origin


def test_return_origin_needs_an_on_site_request_of_a_registered_client(
    database: Database, registered: service.RegisteredClient
) -> None:
    _verifier, challenge = pkce()
    with database.session() as db:
        assert (
            service.return_origin(db, authorize_url(registered.client.client_id, challenge))
            == "https://shop.example"
        )
        assert (
            service.return_origin(
                db, "//evil.example" + authorize_url(registered.client.client_id, challenge)
            )
            is None
        )
        assert service.return_origin(db, authorize_url("nobody", challenge)) is None
