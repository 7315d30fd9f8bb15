"""A database that cannot be reached is a 503 with Retry-After on every route, as the OpenAPI
document says, never a 500 (issue 19: on 30f2d71 a request while PostgreSQL was down was a 500
``internal-error``)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tsunagu.core.database import Database
from tsunagu.core.settings import Settings
from tsunagu.web.app import create_app


def _closed_port() -> int:
    with socket.socket() as sock:  # bound, then released: nothing listens there afterwards
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def unreachable(tmp_path: Path) -> TestClient:
    url = f"postgresql+psycopg://tsunagu@127.0.0.1:{_closed_port()}/tsunagu?connect_timeout=2"
    settings = Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=url,
        secret_key="test-secret-not-for-production",
        _env_file=None,
    )  # type: ignore[call-arg]
    return TestClient(create_app(settings, Database(url, secret_key=settings.secret_key)))


def test_the_api_answers_503_with_retry_after(unreachable: TestClient) -> None:
    response = unreachable.get("/api/v1/registry/corporations")
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "database-unavailable"
    assert "127.0.0.1" not in response.text  # the address stays in the log


def test_a_page_says_so_in_words(unreachable: TestClient) -> None:
    response = unreachable.get("/registry/corporations?name=つなぐ", headers={"accept": "text/html"})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "text/html" in response.headers["content-type"]
    assert "database" not in response.text.lower().split("<main", 1)[-1]
