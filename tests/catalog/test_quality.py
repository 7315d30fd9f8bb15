"""Metadata quality in the MQA's dimensions and weights: what a description lacks costs its points,
the distribution URLs are checked against the running server (an address outside this deployment is
not requested and not counted), the score shows as a badge on the dataset page and is averaged per
publisher."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tsunagu.catalog import service
from tsunagu.catalog.definitions import Dataset
from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal

STAFF = Principal(
    kind="staff", subject_id="chiyoda.publisher", organization_code="131016", roles=frozenset({"公開"})
)


def test_the_weights_are_the_mqa_s() -> None:
    assert service.MAXIMUM == 405
    dimensions = dict.fromkeys(service.DIMENSIONS, 0)
    for dimension, weight, _label in service.quality.WEIGHTS.values():
        dimensions[dimension] += weight
    assert dimensions == {
        "findability": 100,
        "accessibility": 100,
        "interoperability": 110,
        "reusability": 75,
        "contextuality": 20,
    }
    assert [service.rating(p) for p in (405, 351, 350, 221, 220, 121, 120, 0)] == [
        "優良", "優良", "良好", "良好", "可", "可", "不十分", "不十分",
    ]  # fmt: skip


def test_what_a_description_lacks_costs_its_points() -> None:
    addresses = service.catalog().dataset("addresses")
    assert addresses is not None
    unchecked = service.score(addresses, {})
    assert unchecked.of("findability") == (80, 100)  # no temporal coverage given
    assert unchecked.of("accessibility") == (16, 100)  # 4 of 5 are downloads; nothing checked yet
    answered = service.score(addresses, {d.id: True for d in addresses.distributions})
    assert answered.score - unchecked.score == 50 + 24  # every URL answered: access 50, downloads 4/5 × 30
    bare = addresses.model_copy(update={"credit": None, "keywords": addresses.keywords})
    assert service.score(bare, {}).of("contextuality") == (5, 20)  # no rights, size or issue date


def _console_dataset(url: str) -> dict[str, object]:
    return {
        "id": "chiyoda-shelters",
        "title": {"ja": "指定緊急避難場所一覧", "en": "Emergency evacuation sites"},
        "description": {"ja": "千代田区の指定緊急避難場所です。", "en": "Chiyoda City's evacuation sites."},
        "publisher": "chiyoda",
        "legal_basis": [
            {"ja": "災害対策基本法第49条の4", "en": "Disaster Countermeasures Basic Act, Article 49-4"}
        ],
        "license": "cc-by-4.0",
        "frequency": "IRREG",
        "spatial": {"ja": "東京都千代田区", "en": "Chiyoda City"},
        "temporal": {"start": "2024-04-01"},
        "themes": ["GOVE"],
        "keywords": {"ja": ["避難場所"], "en": ["evacuation"]},
        "contact": {"name": {"ja": "防災課", "en": "Disaster prevention"}, "email": "bousai@example.lg.jp"},
        "access": "open",
        "distributions": [
            {"id": "csv", "title": {"ja": "CSV", "en": "CSV"}, "format": "CSV", "url": url},
            {
                "id": "outside",
                "title": {"ja": "区のサイト", "en": "City site"},
                "format": "CSV",
                "url": "https://www.city.chiyoda.lg.jp/opendata/shelters.csv",
            },
        ],
    }


def test_links_are_checked_against_our_own_server(server: str, database: Database) -> None:
    with database.session() as db:
        service.create_dataset(
            db, STAFF, _console_dataset(server + "/api/v1/catalog/datasets/nothing/files/x.csv")
        )
        service.publish_dataset(db, STAFF, "chiyoda-shelters")
    with database.session() as db:
        report = service.check_links(db, server)
    assert report.skipped == 1  # the city's own site: not requested from here
    assert report.failed == [("chiyoda-shelters", "csv", "HTTP 404")]
    assert report.checked == report.answered + 1  # every registry distribution answered
    with database.session() as db:
        checks = service.link_checks(db, "chiyoda-shelters")
        assert checks["csv"].status_code == 404 and not checks["csv"].ok
        assert checks["outside"].status_code is None and not checks["outside"].ok
        addresses = service.require_dataset(db, "addresses")
        # every URL answered; the API is no download (4 of 5): 50 + 16 + 24
        assert service.quality_of(db, addresses).of("accessibility") == (90, 100)
        shelters = service.quality_of(db, service.require_dataset(db, "chiyoda-shelters"))
        assert shelters.of("accessibility") == (20, 100)  # two download URLs written, neither answered here


def test_the_badge_and_the_publisher_table(client: TestClient, database: Database) -> None:
    page = client.get("/catalog/addresses").text
    badge = re.search(r'class="quality-badge">([^<]+)</span>\s*(\d+) 点（405 点満点）', page)
    assert badge is not None and badge.group(1) in ("優良", "良好", "可", "不十分")
    addresses = Dataset.model_validate(service.catalog().dataset("addresses"))
    assert int(badge.group(2)) == service.score(addresses, {}).score
    assert "まだ確認していません" in page
    listing = client.get("/catalog").text
    assert listing.count("メタデータの品質: ") == len(service.catalog().datasets)
    table = client.get("/catalog/quality").text
    assert "デジタル庁" in table and "国税庁" in table and "機関ごとの平均点と評価の内訳" in table


def test_the_api_gives_the_score(client: TestClient) -> None:
    body = client.get("/api/v1/catalog/datasets/corporations").json()
    quality = body["quality"]
    assert quality["maximum"] == 405 and quality["rating"] in ("優良", "良好", "可", "不十分")
    assert sum(points for points, _ in quality["dimensions"].values()) == quality["score"]
    assert quality["dimensions"]["interoperability"] == [110, 110]
