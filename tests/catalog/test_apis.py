"""The API catalog: the mesh directory's services with who may call them and why (read-only),
and the public REST API by group from the app's own OpenAPI document."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tests.catalog.test_pages import visible

from tsunagu.core.database import Database
from tsunagu.mesh import demo
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.node.embedded import endpoint_of


def _seed_mesh(database: Database) -> None:
    with database.session() as db:
        demo.register(db, "test-secret", lambda code: endpoint_of("http://127.0.0.1:8000", code))


def _audit_size(db: Session) -> int:
    return directory.audit_trail(db, limit=1, offset=0)[1]


def test_every_mesh_service_with_its_callers(database: Database, client: TestClient) -> None:
    _seed_mesh(database)
    with database.session() as db:
        before = _audit_size(db)
    found = client.get("/api/v1/catalog/apis").json()
    with database.session() as db:
        assert _audit_size(db) == before  # reading the catalog changes nothing in the directory
    keys = {(s["provider"]["code"], s["code"]) for s in found["mesh_services"]}
    assert keys == {(provider, service["code"]) for provider, service in demo.SERVICES}
    basic = next(
        s
        for s in found["mesh_services"]
        if (s["provider"]["code"], s["code"]) == ("131016", "resident-basic")
    )
    assert basic["provider"]["name"]["ja"] == "東京都千代田区"
    assert {i["name"]: i["dictionary_item"] for i in basic["items"]}["sex"] == "sex"
    pension = next(c for c in basic["callers"] if c["basis_id"] == "nenkin-jukyu-131016")
    assert (
        pension["consumer"]["name"]["ja"] == "日本年金機構"
        and pension["law"] == "国民年金法第108条（資料の提供等）"
    )
    assert pension["items"] == ["name", "birth_date", "sex", "address"] and not pension["by_consent"]
    power = next(c for c in basic["callers"] if c["consumer"]["code"] == "tsunagu-power")
    assert power["by_consent"] and power["items"] == ["address"]
    assert basic["response_schema"]["properties"]["sex"]["enum"] == ["0", "1", "2", "9"]
    tags = {a["tag"] for a in found["rest_apis"]}
    assert {"catalog", "registry: addresses"} <= tags
    catalog = next(a for a in found["rest_apis"] if a["tag"] == "catalog")
    assert {"method": "GET", "path": "/api/v1/catalog/apis", "summary": "Api Catalog"} in catalog[
        "operations"
    ]
    assert found["openapi"].endswith("/api/v1/openapi.json")


def test_pages_name_organizations_and_laws(database: Database, client: TestClient) -> None:
    _seed_mesh(database)
    listed = visible(client.get("/catalog/apis").text)
    assert "住民基本台帳" in listed and "registry: residents" not in listed  # groups named in Japanese
    assert "年金の受給状況" in listed and "日本年金機構" in listed and "OpenAPI 文書（JSON）" in listed
    page = visible(client.get("/catalog/apis/131016/resident-basic/v1").text)
    for expected in (
        "住民基本情報（基本4情報・世帯）",
        "東京都千代田区",
        "日本年金機構",
        "国民年金法第108条",
        "つなぐ電力",
        "本人の同意",
        "生年月日",
    ):
        assert expected in page, expected
    missing = client.get("/catalog/apis/131016/no-such/v1", headers={"accept": "text/html"})
    assert missing.status_code == 404


def test_an_empty_directory_says_so(client: TestClient) -> None:
    assert "メッシュのディレクトリにサービスがまだ登録されていません" in visible(
        client.get("/catalog/apis").text
    )
