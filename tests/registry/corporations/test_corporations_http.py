"""Public API and pages of the corporate registry, including bad input as problem+json."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tsunagu.core.database import Database
from tsunagu.registry.corporations import service

DATA = Path(__file__).parent / "data"


@pytest.fixture
def loaded(database: Database) -> Database:
    with database.session() as db:
        service.import_file(db, DATA / "full_13_tokyo.csv")
        service.import_file(db, DATA / "diff_20261120.csv")
    return database


def test_search_by_name_with_pagination(client: TestClient, loaded: Database) -> None:
    response = client.get("/api/v1/registry/corporations", params={"name": "株式会社", "limit": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert len(body["items"]) == 1
    second = client.get(
        "/api/v1/registry/corporations", params={"name": "株式会社", "limit": 1, "offset": 1}
    ).json()
    assert {body["items"][0]["number"], second["items"][0]["number"]} == {"6010001000001", "7010001000009"}


def test_search_by_kana_prefecture_and_closed(client: TestClient, loaded: Database) -> None:
    by_kana = client.get("/api/v1/registry/corporations", params={"kana": "つなぐ"}).json()
    assert [item["name"] for item in by_kana["items"]] == ["つなぐホールディングス株式会社"]
    in_kanagawa = client.get("/api/v1/registry/corporations", params={"prefecture": "神奈川県"}).json()
    assert [item["number"] for item in in_kanagawa["items"]] == ["5020001000001"]
    by_code = client.get("/api/v1/registry/corporations", params={"prefecture": "14"}).json()
    assert by_code["total"] == 1
    closed = client.get("/api/v1/registry/corporations", params={"closed": "true"}).json()
    assert [item["status"] for item in closed["items"]] == ["closed"]
    active = client.get("/api/v1/registry/corporations", params={"closed": "false"}).json()
    assert active["total"] == 4


def test_like_wildcards_are_literal(client: TestClient, loaded: Database) -> None:
    assert client.get("/api/v1/registry/corporations", params={"name": "%"}).json()["total"] == 0


def test_get_one_with_history(client: TestClient, loaded: Database) -> None:
    response = client.get("/api/v1/registry/corporations/7010001000009")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "closed"
    assert body["successor_number"] == "6010001000001"
    assert [change["process"] for change in body["history"]] == ["01", "71"]


def test_wrong_check_digit_is_422_problem(client: TestClient, loaded: Database) -> None:
    response = client.get("/api/v1/registry/corporations/7010001000008")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "corporate-number-check-digit"
    assert "check digit" in body["detail"]


def test_unknown_corporation_is_404_problem(client: TestClient, loaded: Database) -> None:
    response = client.get("/api/v1/registry/corporations/1000011000013")
    assert response.status_code == 404
    assert response.json()["code"] == "corporation-not-found"


def test_search_page_without_javascript(client: TestClient, loaded: Database) -> None:
    empty = client.get("/registry/corporations")
    assert empty.status_code == 200
    assert '<label for="name">' in empty.text
    page = client.get("/registry/corporations", params={"name": "横須賀"})
    assert "合同会社横須賀みなと" in page.text
    assert "/registry/corporations/5020001000001" in page.text
    assert "国税庁法人番号公表サイト" in page.text


def test_detail_page_shows_closure_and_history(client: TestClient, loaded: Database) -> None:
    page = client.get("/registry/corporations/7010001000009")
    assert page.status_code == 200
    assert "閉鎖されています" in page.text
    assert "吸収合併" in page.text
    english = client.get("/lang/en?next=/registry/corporations/7010001000009")
    assert english.status_code == 200
    assert "History of changes" in english.text


def test_detail_page_for_unknown_number_is_an_html_error(client: TestClient, loaded: Database) -> None:
    page = client.get("/registry/corporations/1000011000013", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "text/html" in page.headers["content-type"]
