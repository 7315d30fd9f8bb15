"""Our own catalog API (/api/v1/catalog): search with facets, one dataset with live counts,
problem+json errors."""

from __future__ import annotations

from collections import Counter

from fastapi.testclient import TestClient

from tsunagu.catalog import service
from tsunagu.core.database import Database


def test_search_folds_kana_and_width(client: TestClient) -> None:
    for q in ("じゅうしょ", "ジュウショ", "ｼﾞｭｳｼｮ", "住所"):
        found = client.get("/api/v1/catalog/datasets", params={"q": q}).json()
        assert [d["id"] for d in found["items"]][:1] == ["addresses"], q
    assert client.get("/api/v1/catalog/datasets", params={"q": "ＣＳＶ 住所"}).json()["total"] == 1


def test_facets_filter_and_count(client: TestClient) -> None:
    everything = client.get("/api/v1/catalog/datasets").json()
    registered = service.catalog().datasets  # what the registries registered at seed time
    assert everything["total"] == len(registered) and everything["limit"] == 50 and everything["offset"] == 0
    publishers = {f["value"]: f["count"] for f in everything["facets"]["publisher"]}
    assert publishers == dict(Counter(d.publisher for d in registered))
    assert publishers["national-tax-agency"] == 1 and publishers["municipalities"] == 2
    csv = client.get("/api/v1/catalog/datasets", params={"format": "CSV"}).json()
    assert sorted(d["id"] for d in csv["items"]) == ["addresses", "corporations", "population", "procedures"]
    both = client.get("/api/v1/catalog/datasets", params=[("theme", "REGI"), ("theme", "ECON")]).json()
    assert sorted(d["id"] for d in both["items"]) == ["addresses", "corporations", "population"]
    narrowed = client.get(
        "/api/v1/catalog/datasets", params={"theme": "GOVE", "publisher": "national-tax-agency"}
    )
    assert [d["id"] for d in narrowed.json()["items"]] == ["corporations"]
    page = client.get("/api/v1/catalog/datasets", params={"limit": 2, "offset": len(registered) - 1}).json()
    assert len(page["items"]) == 1 and page["total"] == len(registered)


def test_an_unknown_filter_value_is_a_problem(client: TestClient) -> None:
    answer = client.get("/api/v1/catalog/datasets", params={"theme": "SPACE"})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert body["code"] == "catalog-unknown-filter"
    assert body["errors"] == [{"field": "theme", "value": "SPACE", "message": "unknown theme 'SPACE'"}]
    assert client.get("/api/v1/catalog/datasets", params={"limit": 0}).status_code == 422


def test_a_dataset_has_its_metadata_and_live_counts(loaded: Database, client: TestClient) -> None:
    body = client.get("/api/v1/catalog/datasets/addresses").json()
    assert body["publisher"] == {"id": "digital-agency", "name": {"ja": "デジタル庁", "en": "Digital Agency"}}
    assert body["license"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert body["frequency"]["name"]["ja"] == "毎月"
    assert body["record_counts"]["address-municipalities"] > 0
    assert body["record_counts"]["address-towns"] > 100
    assert {d["format"] for d in body["distributions"]} == {"CSV", "JSON", "JSON-LD", "API"}
    procedures = client.get("/api/v1/catalog/datasets/procedures").json()
    assert procedures["record_counts"]["procedures"] >= 5
    missing = client.get("/api/v1/catalog/datasets/no-such-data")
    assert missing.status_code == 404 and missing.json()["code"] == "catalog-dataset-not-found"


def test_the_openapi_document_lists_the_catalog(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/catalog/datasets",
        "/api/v1/catalog/datasets/{dataset_id}",
        "/api/v1/catalog/datasets/{dataset_id}/files/{filename}",
        "/api/v1/catalog/dcat.jsonld",
        "/api/3/action/{action}",
    ):
        assert path in paths, path
    assert set(paths["/api/3/action/{action}"]) == {"get", "post"}
