"""Corporations linked to the 全国地方公共団体コード of their municipality (address registry)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.corporations import service

DATA = Path(__file__).parent / "data"
FULL, DIFF = DATA / "full_13_tokyo.csv", DATA / "diff_20261120.csv"
# 千代田区, 横須賀市 and a few others; neither 港区 nor 大阪市中央区.
TOWNS = Path(__file__).parents[1] / "addresses" / "data" / "towns_sample.csv.gz"
CHIYODA, YOKOSUKA = "131016", "142018"


@pytest.fixture
def towns(database: Database) -> Database:
    with database.session() as db:
        addresses.load(db, SilentProgress(), towns_file=TOWNS)
    return database


@pytest.fixture
def linked(towns: Database) -> Database:
    with towns.session() as db:
        service.import_file(db, FULL)
        service.import_file(db, DIFF)
    return towns


def test_import_links_known_municipalities_and_reports_unknown_codes_by_line(towns: Database) -> None:
    with towns.session() as db:
        full = service.import_file(db, FULL)
        diff = service.import_file(db, DIFF)
    assert (full.linked, full.unknown_municipality_lines) == (3, 1)
    assert [(error.line, error.reason[:19]) for error in full.unknown_municipalities] == [
        (4, "municipality 271284")
    ]
    assert "prefectureCode 27 + cityCode 128" in full.unknown_municipalities[0].reason
    assert {error.line for error in diff.unknown_municipalities} == {3, 4}  # 大阪市中央区, 港区
    with towns.session() as db:
        assert service.require_corporation(db, "1000011000005").municipality_code == CHIYODA
        assert service.require_corporation(db, "5020001000001").municipality_code == YOKOSUKA
        assert service.require_corporation(db, "9010401000003").municipality_code == ""


def test_linking_again_after_the_address_registry_is_loaded(database: Database) -> None:
    with database.session() as db:
        report = service.import_file(db, FULL)
    assert (report.linked, report.unknown_municipality_lines) == (0, 4)
    with database.session() as db:
        addresses.load(db, SilentProgress(), towns_file=TOWNS)
        assert service.link_municipalities(db) == 3
    with database.session() as db:
        assert service.require_corporation(db, "6010001000001").municipality_code == CHIYODA


def test_search_by_municipality_code(client: TestClient, linked: Database) -> None:
    response = client.get("/api/v1/registry/corporations", params={"municipality": CHIYODA})
    assert response.status_code == 200
    body = response.json()
    assert {item["number"] for item in body["items"]} == {"1000011000005", "6010001000001"}
    assert {item["municipality_code"] for item in body["items"]} == {CHIYODA}
    yokosuka = client.get("/api/v1/registry/corporations", params={"municipality": YOKOSUKA}).json()
    assert [item["number"] for item in yokosuka["items"]] == ["5020001000001"]


def test_a_municipality_code_with_a_wrong_check_digit_is_a_422_problem(
    client: TestClient, linked: Database
) -> None:
    response = client.get("/api/v1/registry/corporations", params={"municipality": "131017"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid-local-government-code"


def test_detail_names_the_municipality(client: TestClient, linked: Database) -> None:
    body = client.get("/api/v1/registry/corporations/1000011000005").json()
    assert (body["municipality_code"], body["municipality_name"]) == (CHIYODA, "千代田区")
    unlinked = client.get("/api/v1/registry/corporations/9010401000003").json()
    assert (unlinked["municipality_code"], unlinked["municipality_name"]) == ("", None)
    page = client.get("/registry/corporations/1000011000005")
    assert page.status_code == 200
    assert "東京都千代田区" in page.text and CHIYODA in page.text


def test_search_page_filters_by_municipality_without_javascript(client: TestClient, linked: Database) -> None:
    page = client.get("/registry/corporations", params={"municipality": YOKOSUKA})
    assert page.status_code == 200
    assert 'name="municipality"' in page.text and f'value="{YOKOSUKA}"' in page.text
    assert "5020001000001" in page.text and "1000011000005" not in page.text
