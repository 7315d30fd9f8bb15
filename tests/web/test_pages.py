"""People's pages: Japanese first, the English switch, CSRF on forms, security headers."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.core.http import csrf
from tsunagu.core.http.templating import render

HTML = {"accept": "text/html"}


def test_portal_top_is_japanese_first(client: TestClient) -> None:
    response = client.get("/", headers=HTML)
    assert response.status_code == 200
    assert '<html lang="ja">' in response.text
    assert "手続を、一度で、スマートフォンから。" in response.text
    assert 'name="viewport"' in response.text


def test_english_switch_without_javascript(client: TestClient) -> None:
    response = client.get("/lang/en?next=/procedures", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/procedures"
    page = client.get("/", headers=HTML)
    assert '<html lang="en">' in page.text
    assert "For staff" in page.text
    assert "日本語" in page.text


def test_anonymous_visitors_to_staff_pages_are_sent_to_the_staff_login(client: TestClient) -> None:
    for path in ("/staff", "/staff/applications", "/staff/registry/residents"):
        response = client.get(path, headers=HTML, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/identity/staff/login"
    # the API still answers problem+json, not a redirect
    assert client.get("/staff/applications", headers={"accept": "application/json"}).status_code == 401


def test_language_switch_never_redirects_off_site(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/x"):
        response = client.get("/lang/en", params={"next": target}, follow_redirects=False)
        assert response.headers["location"] == "/"


def test_unknown_language_is_404(client: TestClient) -> None:
    assert client.get("/lang/fr").status_code == 404


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/", headers=HTML).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_logged_in_principal_is_shown(client: TestClient, database: Database) -> None:
    login_as(
        client,
        database,
        sessions.Principal(
            kind="staff",
            subject_id="s-9",
            display_name="住基 花子",
            organization_code="131016",
            roles=frozenset({"住基"}),
        ),
    )
    assert "住基 花子" in client.get("/", headers=HTML).text


def _form_app(app: FastAPI) -> TestClient:
    router = APIRouter(dependencies=[Depends(csrf.protect)])

    @router.get("/form-test", response_class=HTMLResponse)
    def form(request: Request) -> HTMLResponse:
        return render(request, "error.html", {"status": 200, "title": "form", "detail": "form"})

    @router.post("/form-test")
    def submit(name: str = Form()) -> dict[str, str]:
        return {"name": name}

    app.include_router(router)
    return TestClient(app)


def _token_from(client: TestClient) -> str:
    client.get("/form-test", headers=HTML)
    cookie = client.cookies[csrf.COOKIE]
    return csrf.token_for(client.app.state.secret_key, cookie)  # type: ignore[attr-defined]


def test_form_with_csrf_token_is_accepted(app: FastAPI) -> None:
    client = _form_app(app)
    token = _token_from(client)
    response = client.post("/form-test", data={"name": "x", csrf.FIELD: token})
    assert response.status_code == 200
    assert response.json() == {"name": "x"}


def test_form_without_or_with_a_forged_token_is_refused(app: FastAPI) -> None:
    client = _form_app(app)
    _token_from(client)
    for data in ({"name": "x"}, {"name": "x", csrf.FIELD: "forged"}):
        response = client.post("/form-test", data=data)
        assert response.status_code == 403
        assert response.json()["code"] == "csrf-failed"
