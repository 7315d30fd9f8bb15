"""Operations endpoints and the app-wide error contract."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import text
from tests.conftest import login_as

from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.core.settings import Settings
from tsunagu.web.app import create_app


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


def test_readyz_at_head(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["migrations"] == "at head"


def test_readyz_reports_an_older_migration(client: TestClient, database: Database) -> None:
    with database.engine.begin() as connection:
        versions = [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]
        connection.execute(text("DELETE FROM alembic_version"))
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert "tsunagu db upgrade" in response.json()["migrations"]
    finally:
        with database.engine.begin() as connection:
            for version in versions:
                connection.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": version})


def test_readiness_reads_in_words_for_a_person(client: TestClient, database: Database) -> None:
    """The staff console's 稼働状況 opened raw JSON ({"status":"ok","database":"reachable"…}); a
    browser now gets the same state in words, a probe still the JSON."""
    page = client.get("/readyz", headers={"accept": "text/html"})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "正常に稼働しています。" in page.text and "最新です" in page.text
    assert '{"status"' not in page.text
    with database.engine.begin() as connection:
        versions = [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]
        connection.execute(text("DELETE FROM alembic_version"))
    try:
        behind = client.get("/readyz", headers={"accept": "text/html"})
        assert behind.status_code == 503 and "更新が必要です" in behind.text
    finally:
        with database.engine.begin() as connection:
            for version in versions:
                connection.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": version})


def test_metrics_count_requests_per_route(client: TestClient, database: Database) -> None:
    client.get("/healthz")
    login_as(client, database, OPERATOR_ADMIN)
    body = client.get("/metrics").text
    assert 'tsunagu_http_requests_total{method="GET",route="/healthz",status="200"}' in body
    assert "tsunagu_http_request_duration_seconds_bucket" in body


def test_openapi_is_3_1_under_api_v1(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert client.get("/api/v1/docs").status_code == 200


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "not-found"
    assert body["status"] == 404
    assert body["instance"] == "/api/v1/no-such-thing"


def test_unknown_page_is_html_for_people(client: TestClient) -> None:
    response = client.get("/no-such-page", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "ページが見つかりません" in response.text


class Echo(BaseModel):
    name: str


def _with_echo_route(app: FastAPI) -> TestClient:
    @app.post("/api/v1/echo")
    def echo(body: Echo) -> Echo:
        return body

    return TestClient(app, raise_server_exceptions=False)


def test_malformed_json_is_400_problem(app: FastAPI) -> None:
    client = _with_echo_route(app)
    response = client.post("/api/v1/echo", content=b'{"name": ', headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "malformed-json"


def test_invalid_field_is_422_problem(app: FastAPI) -> None:
    client = _with_echo_route(app)
    response = client.post("/api/v1/echo", json={"name": 3})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation-failed"
    assert body["errors"][0]["location"] == ["body", "name"]


def test_oversized_body_is_413(app: FastAPI) -> None:
    client = _with_echo_route(app)
    limit = app.state.settings.max_body_bytes
    response = client.post(
        "/api/v1/echo", content=b"x" * (limit + 1), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["limit"] == limit


def test_unexpected_error_is_500_problem_without_traceback(app: FastAPI) -> None:
    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    response = TestClient(app, raise_server_exceptions=False).get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json()["code"] == "internal-error"
    assert "secret internals" not in response.text


OPERATOR_ADMIN = sessions.Principal(
    kind="staff", subject_id="op-1", organization_code="digital-agency", roles=frozenset({"管理"})
)


def test_metrics_need_the_operator_or_the_scraper_token(settings: Settings, database: Database) -> None:
    app = create_app(settings.model_copy(update={"metrics_token": "scrape-token-for-tests"}), database)
    with TestClient(app) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"authorization": "Bearer wrong"}).status_code == 401
        scraper = {"authorization": "Bearer scrape-token-for-tests"}
        assert client.get("/metrics", headers=scraper).status_code == 200
        login_as(
            client,
            database,
            sessions.Principal(
                kind="staff", subject_id="clerk", organization_code="131016", roles=frozenset({"管理"})
            ),
        )
        assert client.get("/metrics").status_code == 403  # a municipality's admin is not the operator
        login_as(client, database, OPERATOR_ADMIN)
        assert client.get("/metrics").status_code == 200
