"""Requirement sets are published: listed and served as JSON to anyone, listed in the data catalog,
and every column they demand linked from its data-dictionary entry."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.catalog import dictionary
from tsunagu.catalog import service as catalog
from tsunagu.conformance import published
from tsunagu.core.database import Database
from tsunagu.web import catalog_sources

from .test_web import STAFF

HTML = {"accept": "text/html"}


def test_the_requirement_sets_are_listed_and_served_as_json(client: TestClient, database: Database) -> None:
    listed = client.get("/api/v1/conformance/requirement-sets").json()["requirement_sets"]
    assert {(s["id"], s["version"]) for s in listed} == {("juminkiroku", "1.0")}
    found = client.get("/api/v1/conformance/requirement-sets/juminkiroku/1.0").json()
    persons = next(t for t in found["tables"] if t["name"] == "persons")
    columns = {c["name"]: c for c in persons["columns"]}
    assert columns["birth_date_wareki"]["format"] == "wareki"
    assert columns["family_name"]["charset"] == "jis-x-0213" and columns["family_name"]["personal"]
    assert columns["sex"]["code_list"] == "sex" and "sex" in found["code_lists"]
    assert persons["primary_key"] == ["person_id"]
    assert {"fields": ["household_id"], "table": "households", "reference": ["household_id"]} in persons[
        "foreign_keys"
    ]
    assert "one-head-per-household" in {r["id"] for r in found["rules"]}
    assert found["linkage"]["files"][0]["encoding"] == "cp932"


def test_an_unknown_set_is_a_404_with_its_own_message(client: TestClient, database: Database) -> None:
    for path in ("juminkiroku/9.9", "nothing/1.0", "..%2F..%2Fetc/1.0"):
        answer = client.get(f"/api/v1/conformance/requirement-sets/{path}")
        assert answer.status_code == 404, path
        if path != "..%2F..%2Fetc/1.0":  # not even routed: an encoded slash is no path segment
            assert answer.json()["code"] == "conformance-requirement-set-not-found"
    # a person reads the error in words of their own, not the developer's detail
    login_as(client, database, STAFF)
    page = client.get("/conformance/checks/no-such-check", headers=HTML)
    assert page.status_code == 404 and "この適合性確認の記録は見つかりませんでした" in page.text
    assert "no check" not in page.text


def test_the_catalog_lists_the_sets_and_links_every_column_to_the_dictionary(
    client: TestClient, database: Database
) -> None:
    with database.session() as db:
        catalog.register_shipped(db)  # the shipped catalog definitions, as the demo seed registers them
    dataset = client.get("/api/v1/catalog/datasets/conformance-requirements").json()
    urls = {d.get("url") or d.get("access_url") for d in dataset["distributions"]}
    assert any(u and u.endswith("/api/v1/conformance/requirement-sets/juminkiroku/1.0") for u in urls), urls
    found = dictionary.dictionary([catalog_sources.requirement_usages])
    assert not [u for u in found.unmapped if u.kind == "requirement"]
    demanded = {(t.name, c.name) for s in published.shipped_sets() for t in s.tables for c in t.columns}
    linked = {(u.where, u.name) for e in found.entries for u in e.uses_of("requirement")}
    assert linked == demanded
    assert found.require("resident_id").uses_of("requirement")  # 宛名番号 is the register's person id
    page = client.get("/catalog/dictionary/residence_date", headers=HTML)
    assert (
        page.status_code == 200
        and "標準準拠の要件の項目" in page.text
        and "persons.residence_date" in page.text
    )
