"""The request boundary under attack: body size by streamed bytes, request ids, CSRF on the API.

Each test here failed on the main of 2026-12-04 (30f2d71): a chunked body was read whole, a
client's ``X-Request-ID`` was echoed verbatim, and a cookie-authenticated API call went through
without any token or from another origin.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.conftest import login_as, send_csrf_header

from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import SESSION_COOKIE
from tsunagu.core.settings import Settings
from tsunagu.identity.organizations import service as organizations
from tsunagu.web.app import create_app

LIMIT = 4096
HTML = {"accept": "text/html"}
ADMIN = sessions.Principal(
    kind="staff",
    subject_id="admin-1",
    display_name="管理者",
    organization_code="131016",
    roles=frozenset({"管理"}),
)
NEW_STAFF = {
    "login_id": "attacker-made",
    "display_name": "作られた職員",
    "roles": ["閲覧"],
    "password": "a-long-password-for-tests-2026",
}


@pytest.fixture
def small_app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings.model_copy(update={"max_body_bytes": LIMIT}), database)


@pytest.fixture
def small(small_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(small_app) as client:
        yield client


def _chunks(total: int, size: int = 1024) -> Iterator[bytes]:
    """A body sent without Content-Length (chunked on the wire)."""
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


def test_a_chunked_body_past_the_limit_is_refused_as_problem_json(small: TestClient) -> None:
    response = small.post(
        "/api/v1/identity/staff/login",
        content=_chunks(LIMIT * 4),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "payload-too-large" and body["limit"] == LIMIT


def test_a_chunked_form_past_the_limit_is_a_page_in_words(small: TestClient) -> None:
    response = small.post(
        "/identity/staff/login",
        content=_chunks(LIMIT * 4),
        headers={**HTML, "content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert "送信できるデータは合計" in response.text


def test_a_body_within_the_limit_still_reaches_the_route(small: TestClient) -> None:
    body = iter([b'{"login_id": "x", ', b'"password": "y"}'])
    response = small.post(
        "/api/v1/identity/staff/login", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 401  # parsed and refused as a wrong login, not as too large


@pytest.mark.parametrize(
    "given", [b"x" * 129, b"id with spaces", "a\u3042b".encode(), b"<script>", b"id;evil=1"]
)
def test_an_unsafe_request_id_is_replaced(client: TestClient, given: bytes) -> None:
    echoed = client.get("/healthz", headers={"x-request-id": given})
    assert echoed.headers["x-request-id"].encode() != given
    assert len(echoed.headers["x-request-id"]) == 32


def test_a_safe_request_id_is_kept(client: TestClient) -> None:
    given = "req-2026-12-04.0001:abc"
    assert client.get("/healthz", headers={"x-request-id": given}).headers["x-request-id"] == given


# --- CSRF on the JSON API with a cookie session ---


@pytest.fixture
def admin(client: TestClient, database: Database) -> TestClient:
    with database.session() as db:
        organizations.seed_demo_organizations(db)
    login_as(client, database, ADMIN)
    return client


def test_the_api_refuses_a_cookie_session_without_the_token(admin: TestClient) -> None:
    del admin.headers[csrf.HEADER]
    bodies: list[dict[str, Any]] = [{"json": NEW_STAFF}, {"data": {}}, {"content": b""}]
    for body in bodies:
        response = admin.post("/api/v1/identity/staff", **body)
        assert response.status_code == 403 and response.json()["code"] == "csrf-failed"
    assert admin.post("/api/v1/identity/logout").status_code == 403


def test_the_api_refuses_another_origin_even_with_the_token(admin: TestClient) -> None:
    for headers in (
        {"origin": "https://evil.example"},
        {"origin": "http://testserver:8443"},
        {"sec-fetch-site": "same-site"},
        {"sec-fetch-site": "cross-site"},
    ):
        response = admin.post("/api/v1/identity/staff", json=NEW_STAFF, headers=headers)
        assert response.status_code == 403, headers
        assert response.json()["code"] == "csrf-failed"


def test_a_page_form_from_another_origin_is_refused_with_its_token(admin: TestClient) -> None:
    token = csrf.token_for(
        admin.app.state.secret_key,  # type: ignore[attr-defined]
        _only(admin, csrf.COOKIE),
        _only(admin, SESSION_COOKIE),
    )
    del admin.headers[csrf.HEADER]
    response = admin.post(
        "/logout",
        data={csrf.FIELD: token},
        headers={**HTML, "origin": "http://127.0.0.1:9999", "sec-fetch-site": "same-site"},
    )
    assert response.status_code == 403
    assert admin.get("/staff", headers=HTML).status_code == 200  # still logged in


def test_the_token_of_another_session_is_refused(admin: TestClient, database: Database) -> None:
    """An attacker's own cookie and token pair does not work with the victim's session."""
    secret: str = admin.app.state.secret_key  # type: ignore[attr-defined]
    attacker_cookie = csrf.new_cookie_value()
    with database.session() as db:
        attacker_session = sessions.start(db, sessions.Principal(kind="resident", subject_id="attacker"))
    admin.cookies.set(csrf.COOKIE, attacker_cookie)
    for stolen in (
        csrf.token_for(secret, attacker_cookie, attacker_session),
        csrf.token_for(secret, attacker_cookie),
    ):
        admin.headers[csrf.HEADER] = stolen
        assert admin.post("/api/v1/identity/staff", json=NEW_STAFF).status_code == 403


def test_the_api_accepts_the_session_token_from_this_origin(admin: TestClient) -> None:
    response = admin.post(
        "/api/v1/identity/staff",
        json=NEW_STAFF,
        headers={"origin": "http://testserver", "sec-fetch-site": "same-origin"},
    )
    assert response.status_code == 201, response.text


def test_the_token_an_api_client_fetches_works(client: TestClient, database: Database) -> None:
    with database.session() as db:
        organizations.seed_demo_organizations(db)
    login_as(client, database, ADMIN)
    del client.headers[csrf.HEADER]
    fetched = client.get("/api/v1/csrf-token")
    assert fetched.status_code == 200 and fetched.headers["cache-control"] == "no-store"
    response = client.post(
        "/api/v1/identity/staff", json=NEW_STAFF, headers={csrf.HEADER: fetched.json()["token"]}
    )
    assert response.status_code == 201, response.text


def test_a_login_renews_the_token(client: TestClient, database: Database) -> None:
    """A token from before login is not the token of the new session."""
    send_csrf_header(client)
    before = client.headers[csrf.HEADER]
    login_as(client, database, ADMIN)
    assert client.headers[csrf.HEADER] != before


def _only(client: TestClient, name: str) -> str:
    return next(cookie.value or "" for cookie in client.cookies.jar if cookie.name == name)


# --- secure defaults that follow the base URL, and nothing personal in a cache ---


def test_an_https_base_url_makes_cookies_secure_and_sends_hsts(
    settings: Settings, database: Database
) -> None:
    values = settings.model_dump(exclude={"secure_cookies", "base_url"})
    app = create_app(Settings(**values, base_url="https://tsunagu.example", _env_file=None), database)
    assert Settings(base_url="https://tsunagu.example", _env_file=None).secure_cookies
    assert not Settings(base_url="http://127.0.0.1:8000", _env_file=None).secure_cookies
    with TestClient(app, base_url="https://tsunagu.example") as client:
        page = client.get("/identity/staff/login", headers=HTML)
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert "; secure" in page.headers["set-cookie"].lower()


def test_every_response_to_a_session_is_no_store(client: TestClient, database: Database) -> None:
    login_as(client, database, sessions.Principal(kind="resident", subject_id="someone"))
    for path in ("/api/v1/registry/residents/me", "/mypage", "/applications", "/api/v1/identity/me"):
        response = client.get(path, headers=HTML if not path.startswith("/api/") else {})
        assert response.headers.get("cache-control") == "no-store", path
    anonymous = TestClient(client.app)
    assert "no-store" not in anonymous.get("/healthz").headers.get("cache-control", "")
