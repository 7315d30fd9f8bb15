"""The publisher API: a municipality's publisher staff write a dataset as a draft, publish it (the
public then finds it, the catalog's modified date moves), edit it (the public keeps the
published one until the draft is published), withdraw it; every change is in the audit trail.
Bad input is refused with the code of what was wrong, and nothing is half-saved."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.catalog import shacl
from tsunagu.catalog.models import CatalogDataset, CatalogEvent, CatalogSearchGram
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal

MANAGE = "/api/v1/catalog/manage"
PUBLISHER = Principal(
    kind="staff",
    subject_id="chiyoda.publisher",
    display_name="千代田 公開担当",
    organization_code="131016",
    roles=frozenset({"公開"}),
)
# 千代田区の「AED設置場所一覧」: a dataset of the 自治体標準オープンデータセット (Digital Agency)
AED: dict[str, Any] = {
    "id": "chiyoda-aed",
    "title": {"ja": "AED設置場所一覧（千代田区）", "en": "AED locations (Chiyoda City)"},
    "description": {
        "ja": "区内の公共施設などに設置された自動体外式除細動器（AED）の場所です。",
        "en": "Where the automated external defibrillators in the city's public facilities are.",
    },
    "publisher": "chiyoda",
    "legal_basis": [
        {
            "ja": "官民データ活用推進基本法第11条",
            "en": "Basic Act on the Advancement of Utilizing Public and Private Sector Data, Article 11",
        }
    ],
    "license": "cc-by-4.0",
    "frequency": "IRREG",
    "spatial": {"ja": "東京都千代田区", "en": "Chiyoda City, Tokyo"},
    "temporal": {"start": "2024-04-01"},
    "themes": ["GOVE", "SOCI"],
    "keywords": {"ja": ["AED", "救急", "自動体外式除細動器"], "en": ["AED", "first aid"]},
    "readings": ["えーいーでぃー", "きゅうきゅう"],
    "contact": {
        "name": {"ja": "千代田区 防災課", "en": "Chiyoda City disaster prevention"},
        "email": "bousai@example.lg.jp",
    },
    "access": "open",
    "distributions": [
        {
            "id": "csv",
            "title": {"ja": "AED設置場所一覧（CSV）", "en": "AED locations (CSV)"},
            "format": "CSV",
            "url": "https://www.city.chiyoda.lg.jp/opendata/aed.csv",
        }
    ],
}


@pytest.fixture
def staff(client: TestClient, database: Database) -> TestClient:
    login_as(client, database, PUBLISHER)
    return client


def _aed(**changes: Any) -> dict[str, Any]:
    found = copy.deepcopy(AED)
    found.update(changes)
    return found


def _public(client: TestClient, q: str) -> list[str]:
    return [d["id"] for d in client.get("/api/v1/catalog/datasets", params={"q": q}).json()["items"]]


def test_draft_publish_edit_withdraw_with_an_audit_trail(client: TestClient, database: Database) -> None:
    before = client.get("/api/v1/catalog/dcat.jsonld").json()["dct:modified"]["@value"]
    later = clock.now() + timedelta(days=3)  # the registries registered their datasets "today"
    previous = clock.set_clock(clock.FixedClock(later))
    try:
        login_as(client, database, PUBLISHER)
        created = client.post(f"{MANAGE}/datasets", json=_aed())
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "draft"
        assert _public(client, "えーいーでぃー") == []  # a draft is not public
        assert client.get("/api/v1/catalog/datasets/chiyoda-aed").status_code == 404

        published = client.post(f"{MANAGE}/datasets/chiyoda-aed/publish")
        assert published.json()["status"] == "published", published.text
        assert _public(client, "エーイーディー") == ["chiyoda-aed"]  # katakana finds the hiragana reading
        assert _public(client, "ＡＥＤ 救急") == ["chiyoda-aed"]  # full width folded
        today = later.astimezone(clock.JST).date().isoformat()
        after = client.get("/api/v1/catalog/dcat.jsonld").json()["dct:modified"]["@value"]
        assert before < after == today
        dcat = client.get("/api/v1/catalog/datasets/chiyoda-aed/dcat.jsonld").json()
        assert dcat["dct:temporal"]["dcat:startDate"]["@value"] == "2024-04-01"
        body = client.get("/api/v1/catalog/datasets/chiyoda-aed").json()
        assert body["modified"] == today and body["publisher"]["name"]["ja"] == "東京都千代田区"

        edited = client.put(
            f"{MANAGE}/datasets/chiyoda-aed", json=_aed(title={"ja": "AED一覧", "en": "AEDs"})
        )
        assert edited.json()["has_draft"] and edited.json()["dataset"]["title"]["ja"] == "AED一覧"
        public = client.get("/api/v1/catalog/datasets/chiyoda-aed").json()
        assert public["title"]["ja"] == "AED設置場所一覧（千代田区）"  # until the draft is published
        client.post(f"{MANAGE}/datasets/chiyoda-aed/publish")
        assert client.get("/api/v1/catalog/datasets/chiyoda-aed").json()["title"]["ja"] == "AED一覧"

        withdrawn = client.post(f"{MANAGE}/datasets/chiyoda-aed/withdraw")
        assert withdrawn.json()["status"] == "withdrawn"
        assert _public(client, "AED") == []
        assert client.get("/api/v1/catalog/datasets/chiyoda-aed").status_code == 404
        history = client.get(f"{MANAGE}/datasets/chiyoda-aed/history").json()
    finally:
        clock.set_clock(previous)
    assert [e["action"] for e in history] == ["withdrawn", "published", "updated", "published", "created"]
    assert {e["actor"] for e in history} == {"chiyoda.publisher"}
    with database.session() as db:  # out of the search: no grams left behind
        assert db.query(CatalogSearchGram).filter_by(dataset_id="chiyoda-aed").count() == 0


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"title": None}, "catalog-dataset-incomplete", "title"),
        ({"contact": None}, "catalog-dataset-incomplete", "contact"),
        ({"themes": []}, "catalog-dataset-incomplete", "themes"),
        ({"license": "cc-by-sa-9.9"}, "catalog-unknown-term", "license"),
        ({"themes": ["GOVE", "SPACE"]}, "catalog-unknown-term", "themes"),
        ({"frequency": "HOURLY"}, "catalog-unknown-term", "frequency"),
        (
            {"distributions": [{**AED["distributions"][0], "url": "htps//city.chiyoda.lg.jp/aed.csv"}]},
            "catalog-distribution-url-invalid",
            "distributions.0.url",
        ),
        (
            {
                "distributions": [
                    {**AED["distributions"][0], "url": "https://www.city.chiyoda.lg.jp/a ed.csv"}
                ]
            },
            "catalog-distribution-url-invalid",
            "distributions.0.url",
        ),
        (
            {"distributions": [{**AED["distributions"][0], "url": None, "table": "procedures"}]},
            "catalog-distribution-url-invalid",
            "distributions.0",
        ),
    ],
)
def test_bad_input_is_refused_specifically_and_nothing_is_saved(
    staff: TestClient, database: Database, change: dict[str, Any], code: str, field: str
) -> None:
    payload = {k: v for k, v in _aed(**change).items() if v is not None}
    answer = staff.post(f"{MANAGE}/datasets", json=payload)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == code
    assert field in {e["field"] for e in problem["errors"]}
    with database.session() as db:
        assert db.get(CatalogDataset, "chiyoda-aed") is None
        assert db.query(CatalogEvent).filter_by(subject_id="chiyoda-aed").count() == 0


def test_a_missing_property_is_named_by_its_dcat_term(staff: TestClient) -> None:
    payload = _aed()
    del payload["description"], payload["license"]
    problem = staff.post(f"{MANAGE}/datasets", json=payload).json()
    assert problem["code"] == "catalog-dataset-incomplete"
    assert {e["property"] for e in problem["errors"]} == {"dct:description", "dct:license"}


def test_staff_write_only_for_their_own_publisher(client: TestClient, database: Database) -> None:
    login_as(client, database, PUBLISHER)
    assert client.post(f"{MANAGE}/datasets", json=_aed(publisher="yokosuka")).status_code == 403
    assert client.post(f"{MANAGE}/datasets", json=_aed()).status_code == 201
    clerk = Principal(
        kind="staff", subject_id="yokosuka.admin", organization_code="142018", roles=frozenset({"管理"})
    )
    login_as(client, database, clerk)
    assert client.post(f"{MANAGE}/datasets/chiyoda-aed/publish").status_code == 403
    viewer = Principal(
        kind="staff", subject_id="chiyoda.viewer", organization_code="131016", roles=frozenset({"閲覧"})
    )
    login_as(client, database, viewer)
    assert client.get(f"{MANAGE}/datasets").status_code == 403


def test_a_registry_dataset_is_not_edited_in_the_console(client: TestClient, database: Database) -> None:
    login_as(
        client,
        database,
        Principal(
            kind="staff", subject_id="da.admin", organization_code="digital-agency", roles=frozenset({"管理"})
        ),
    )
    answer = client.put(f"{MANAGE}/datasets/addresses", json=_aed(id="addresses", publisher="digital-agency"))
    assert answer.status_code == 409 and answer.json()["code"] == "catalog-dataset-registered"
    assert (
        client.post(f"{MANAGE}/datasets", json=_aed(id="addresses", publisher="digital-agency")).json()[
            "code"
        ]
        == "catalog-dataset-exists"
    )


CODES = {
    "id": "chiyoda-facility-kind",
    "title": {"ja": "施設種別コード（千代田区）", "en": "Facility kinds (Chiyoda City)"},
    "description": {"ja": "区の施設の種別。", "en": "Kinds of the city's facilities."},
    "publisher": "chiyoda",
    "version": "2026年版",
    "valid_from": "2026-04-01",
    "codes": [
        {"code": "01", "label": {"ja": "区役所", "en": "City office"}},
        {"code": "02", "label": {"ja": "出張所", "en": "Branch office"}, "valid_to": "2026-12-31"},
        {"code": "02", "label": {"ja": "地域事務所", "en": "Area office"}, "valid_from": "2027-01-01"},
    ],
}


def test_a_code_list_is_drafted_published_and_found(staff: TestClient) -> None:
    created = staff.post(f"{MANAGE}/codelists", json=CODES)
    assert created.status_code == 201, created.text
    assert staff.get("/api/v1/catalog/codelists/chiyoda-facility-kind").status_code == 404  # a draft
    staff.post(f"{MANAGE}/codelists/chiyoda-facility-kind/publish")
    found = staff.get("/api/v1/catalog/codelists/chiyoda-facility-kind").json()
    assert [c["code"] for c in found["codes"]] == ["01", "02", "02"]
    staff.post(f"{MANAGE}/codelists/chiyoda-facility-kind/withdraw")
    assert staff.get("/api/v1/catalog/codelists/chiyoda-facility-kind").status_code == 404


@pytest.mark.parametrize(
    "codes",
    [
        [{"code": "01", "label": {"ja": "区役所", "en": "City office"}}] * 2,  # the same code twice
        [
            {"code": "02", "label": {"ja": "出張所", "en": "Branch"}, "valid_to": "2027-03-31"},
            {"code": "02", "label": {"ja": "地域事務所", "en": "Area"}, "valid_from": "2027-01-01"},
        ],  # overlapping validity
        [
            {
                "code": "03",
                "label": {"ja": "図書館", "en": "Library"},
                "valid_from": "2027-01-01",
                "valid_to": "2026-01-01",
            }
        ],
        [],
    ],
    ids=["duplicate", "overlap", "ends-before-start", "empty"],
)
def test_a_bad_code_list_is_refused(staff: TestClient, codes: list[dict[str, Any]]) -> None:
    answer = staff.post(f"{MANAGE}/codelists", json={**CODES, "codes": codes})
    assert answer.status_code == 422 and answer.json()["code"] == "catalog-code-list-invalid", answer.text
    assert staff.get(f"{MANAGE}/codelists").json() == []


def test_a_published_console_dataset_conforms_to_dcat_ap(staff: TestClient) -> None:
    """What a publisher writes is checked by pySHACL against the DCAT-AP 3.0.0 shapes, as published."""
    staff.post(f"{MANAGE}/datasets", json=_aed())
    staff.post(f"{MANAGE}/datasets/chiyoda-aed/publish")
    document = staff.get("/api/v1/catalog/datasets/chiyoda-aed/dcat.jsonld").json()
    assert document["dct:temporal"]["@type"] == "dct:PeriodOfTime"
    assert shacl.validate(document) == []
