"""The data dictionary: every item the platform uses has an entry (standard types, registry
columns, mesh service items, procedure fields), read from the code and the definitions so that it
cannot drift; served as pages, JSON and CSV without any loaded data (ckan/ckan#9001)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.catalog.test_pages import visible

from tsunagu.catalog import codelists, dictionary
from tsunagu.catalog.definitions import CatalogDefinitionInvalid
from tsunagu.mesh import demo
from tsunagu.procedures import service as procedures
from tsunagu.web import catalog_sources


@pytest.fixture(scope="module")
def found() -> dictionary.Dictionary:
    return dictionary.dictionary(catalog_sources.usage_sources(None))


def test_every_item_used_anywhere_has_an_entry(found: dictionary.Dictionary) -> None:
    assert found.unmapped == (), "data items used without a dictionary entry: " + ", ".join(
        f"{u.kind} {u.key}" for u in found.unmapped
    )


def test_lineage_covers_each_kind_of_use(found: dictionary.Dictionary) -> None:
    uses = {(u.kind, u.key) for e in found.entries for u in e.uses}
    # every shipped procedure field and mesh service item, read from the definitions themselves
    for procedure in procedures.registry_for(None).snapshot().procedures.values():
        for field in procedure.fields:
            assert ("procedure", f"{procedure.id}.{field.name}") in uses
    for provider, service in demo.SERVICES:
        for item in service["items"]:
            assert ("mesh", f"{provider}:{service['code']}.{item['name']}") in uses
    assert ("type", "postcode.Postcode") in uses and ("column", "residents_people.birth_date") in uses
    name = found.require("name")
    assert {u.kind for u in name.uses} == {"type", "mesh", "procedure"}
    assert ("procedure", "tenshutsu.applicant_name") in {(u.kind, u.key) for u in name.uses}


def test_the_same_word_in_different_tables_means_different_items(found: dictionary.Dictionary) -> None:
    where = {u.key: e.id for e in found.entries for u in e.uses}
    assert where["corporations_corporations.name"] == "corporation_name"
    assert where["addresses_municipalities.name"] == "municipality_name"
    assert where["131016:resident-basic.name"] == "name"
    assert where["residents_accesses.purpose"] == "access_purpose"
    assert where["juminhyo-utsushi.purpose"] == "certificate_purpose"


def test_a_new_column_without_an_entry_is_reported_not_dropped() -> None:
    items = dictionary.shipped_items()
    built = dictionary.build(items, [dictionary.Usage("column", "residents_people", "favourite_colour")])
    assert [u.key for u in built.unmapped] == ["residents_people.favourite_colour"]


def test_code_lists_named_by_items_exist(found: dictionary.Dictionary) -> None:
    known = {c.id for c in codelists.code_lists(extra=catalog_sources.platform_code_lists)}
    known |= set(codelists.REGISTRY_LISTS)
    assert {e.item.code_list for e in found.entries if e.item.code_list} <= known


def test_an_alias_naming_two_items_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dictionary.yaml"
    text = """items:
  a: {name: {ja: あ, en: A}, definition: {ja: あ, en: A}, type: string, aliases: [x]}
  b: {name: {ja: い, en: B}, definition: {ja: い, en: B}, type: string, aliases: [x]}
"""
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogDefinitionInvalid, match="'x' names both 'a' and 'b'"):
        dictionary.load_items(path)
    path.write_text("items:\n  a: {name: {ja: あ, en: A}, type: string}\n", encoding="utf-8")
    with pytest.raises(CatalogDefinitionInvalid, match=r"items\.a\.definition: Field required"):
        dictionary.load_items(path)


def test_api_search_and_one_item(client: TestClient) -> None:
    page = client.get("/api/v1/catalog/dictionary", params={"q": "郵便番号 ７桁"}).json()  # width folded
    assert [i["id"] for i in page["items"]] == ["postcode"]
    kana = client.get("/api/v1/catalog/dictionary", params={"q": "かたかな", "limit": 200}).json()
    assert {"family_kana", "given_kana", "furigana"} <= {i["id"] for i in kana["items"]}
    postcode = page["items"][0]
    assert postcode["name"] == {"ja": "郵便番号", "en": "Postcode"}
    assert {"scheme": "imi-core", "term": "ic:郵便番号"} in postcode["terms"]
    mesh = client.get("/api/v1/catalog/dictionary", params={"kind": "mesh", "limit": 200}).json()
    assert "total_income" in {i["id"] for i in mesh["items"]} and "lat" not in {
        i["id"] for i in mesh["items"]
    }
    sex = client.get("/api/v1/catalog/dictionary/sex").json()
    assert sex["code_list"] == "sex" and sex["personal"] is True
    missing = client.get("/api/v1/catalog/dictionary/shoe_size")
    assert missing.status_code == 404 and missing.json()["code"] == "catalog-item-not-found"
    wrong = client.get("/api/v1/catalog/dictionary", params={"kind": "spreadsheet"})
    assert wrong.status_code == 422 and wrong.headers["content-type"].startswith("application/problem+json")


def test_csv_is_one_table_with_a_header(client: TestClient, found: dictionary.Dictionary) -> None:
    response = client.get("/api/v1/catalog/dictionary.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0][:3] == ["項目ID", "項目名", "項目名（英語）"]
    assert len(rows) == 1 + len(found.entries) and all(len(r) == len(rows[0]) for r in rows)
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["local_government_code"][7] == "local-government"
    assert "JIS X 0402" in by_id["local_government_code"][10]


def test_pages_without_loaded_data(client: TestClient) -> None:
    """The dictionary needs no registry data (the database here is empty)."""
    text = visible(client.get("/catalog/dictionary", params={"q": "生年月日"}).text)
    assert "生年月日" in text and re.search(
        r"\b[12] 件", text
    )  # 生年月日, and 生年月日（和暦） of the standards
    item = visible(client.get("/catalog/dictionary/birth_date").text)
    for expected in (
        "人が生まれた日",
        "行政基本情報データ連携モデル",
        "住民基本台帳",
        "手続の入力項目",
        "児童手当",
        "住民基本情報（基本4情報・世帯）",
    ):
        assert expected in item, expected
    code_item = visible(client.get("/catalog/dictionary/local_government_code").text)
    assert "アドレス・ベース・レジストリの読み込み後に表示します" in code_item
    assert client.get("/catalog/dictionary/nothing", headers={"accept": "text/html"}).status_code == 404


def test_english_pages(client: TestClient) -> None:
    client.cookies.set("tsunagu_lang", "en")
    text = visible(client.get("/catalog/dictionary/sex").text)
    assert "Sex as the resident register records it." in text and "Where it is used" in text


def test_the_search_form_with_every_kind_and_with_one(client: TestClient) -> None:
    every = visible(client.get("/catalog/dictionary", params={"q": "性別", "kind": ""}).text)
    assert "性別" in every and "検索結果" in every
    mesh_only = visible(client.get("/catalog/dictionary", params={"q": "課税", "kind": "mesh"}).text)
    assert "課税年度" in mesh_only and "1 件" in mesh_only
    assert client.get("/catalog/dictionary", params={"kind": "spreadsheet"}).status_code == 422
