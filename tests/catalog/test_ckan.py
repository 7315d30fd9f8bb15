"""The CKAN-compatible Action API, read by the real ``ckanapi`` client over HTTP against a
uvicorn server on a loopback port (not a test client): list, search, show, iterate."""

from __future__ import annotations

from collections import Counter

import ckanapi
import httpx
import pytest

from tsunagu.catalog import service


@pytest.mark.parametrize("get_only", [False, True], ids=["post", "get"])
def test_ckanapi_lists_searches_and_shows(server: str, get_only: bool) -> None:
    ckan = ckanapi.RemoteCKAN(server, get_only=get_only, user_agent="tsunagu-test")
    names = ckan.action.package_list()
    assert names == sorted(d.id for d in service.catalog().datasets)

    found = ckan.action.package_search(q="じゅうしょ")
    assert found["count"] == 1 and found["results"][0]["name"] == "addresses"
    assert ckan.action.package_search(q="ジュウショ")["count"] == 1  # kana-insensitive
    csv = ckan.action.package_search(
        fq="res_format:CSV", rows=1, start=0, **{"facet.field": '["organization", "res_format", "groups"]'}
    )
    assert csv["count"] == 4 and len(csv["results"]) == 1
    assert csv["facets"]["res_format"]["CSV"] == 4
    assert csv["search_facets"]["organization"]["items"] == [
        {"name": "digital-agency", "display_name": "デジタル庁", "count": 2},
        {"name": "municipalities", "display_name": "市区町村", "count": 1},
        {"name": "national-tax-agency", "display_name": "国税庁", "count": 1},
    ]
    pages = [
        ckan.action.package_search(fq="res_format:CSV", rows=1, start=n)["results"][0]["name"]
        for n in (1, 2, 3)
    ]
    assert {csv["results"][0]["name"], *pages} == {"addresses", "corporations", "population", "procedures"}
    tax = ckan.action.package_search(fq='organization:"national-tax-agency" AND groups:ECON')
    assert [p["name"] for p in tax["results"]] == ["corporations"]
    assert ckan.action.package_search(fq="organization:nobody")["count"] == 0
    assert ckan.action.package_search(fq="tags:郵便番号")["count"] == 1

    addresses = ckan.action.package_show(id="addresses")
    assert addresses["title"] == "住所（アドレス・ベース・レジストリ）"
    assert addresses["organization"]["title"] == "デジタル庁"
    assert addresses["license_id"] == "cc-by-4.0" and addresses["isopen"] is True
    formats = {r["format"] for r in addresses["resources"]}
    assert formats == {"CSV", "JSON", "JSON-LD", "API"}
    towns = next(r for r in addresses["resources"] if r["url"].endswith("/towns.csv"))
    assert ckan.action.resource_show(id=towns["id"])["url"] == towns["url"]

    assert ckan.action.organization_list() == [  # CKAN lists every organization, with datasets or not
        "chiyoda",
        "digital-agency",
        "municipalities",
        "national-tax-agency",
        "yokosuka",
    ]
    organizations = ckan.action.organization_list(all_fields=True)
    registered = Counter(d.publisher for d in service.catalog().datasets)
    assert {o["name"]: o["package_count"] for o in organizations} == {
        key: registered.get(key, 0) for key in service.catalog().vocabularies.publishers
    }
    assert registered["national-tax-agency"] == 1 and registered["chiyoda"] == 0
    assert ckan.action.organization_show(id="national-tax-agency")["display_name"] == "国税庁"
    assert "REGI" in ckan.action.group_list()
    assert "住所" in ckan.action.tag_list()
    assert ckan.action.status_show()["ckan_version"].startswith("2.")

    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(rows="many")
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="colour:blue")


def test_iterating_every_package_as_harvesters_do(server: str) -> None:
    """Harvesters page through package_search with rows/start until the count is reached."""
    ckan = ckanapi.RemoteCKAN(server)
    seen: list[str] = []
    start = 0
    while True:
        page = ckan.action.package_search(q="*:*", rows=2, start=start)
        seen += [p["name"] for p in page["results"]]
        start += 2
        if start >= page["count"]:
            break
    assert sorted(seen) == ckan.action.package_list()
    assert [ckan.action.package_show(id=name)["name"] for name in seen] == seen


def test_the_envelope_and_the_older_path(server: str) -> None:
    answer = httpx.get(f"{server}/api/action/package_show", params={"id": "procedures"})
    body = answer.json()
    assert answer.status_code == 200 and body["success"] is True
    assert body["help"].endswith("/api/3/action/help_show?name=package_show")
    unknown = httpx.get(f"{server}/api/3/action/package_create")
    assert unknown.status_code == 400 and unknown.json()["success"] is False
    missing = httpx.get(f"{server}/api/3/action/package_show", params={"id": "x"})
    assert missing.status_code == 404
    assert missing.json()["error"] == {"__type": "Not Found Error", "message": "Dataset not found"}
    broken = httpx.post(
        f"{server}/api/3/action/package_search",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert broken.status_code == 400 and broken.json()["success"] is False
