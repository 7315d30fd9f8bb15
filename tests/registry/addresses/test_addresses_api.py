import json

from fastapi.testclient import TestClient

from tsunagu.core.database import Database
from tsunagu.registry.addresses.service import ATTRIBUTION

BASE = "/api/v1/registry/addresses"


def test_search_towns_with_filters_and_pages(client: TestClient, loaded: Database) -> None:
    body = client.get(f"{BASE}/towns", params={"municipality_code": "131016", "limit": 2, "offset": 2}).json()
    assert (body["total"], body["limit"], body["offset"], len(body["items"])) == (115, 2, 2, 2)
    assert body["attribution"] == ATTRIBUTION
    named = client.get(f"{BASE}/towns", params={"name": "霞が関"}).json()
    assert [t["town"] for t in named["items"]] == ["霞が関一丁目", "霞が関二丁目", "霞が関三丁目"]
    by_postcode = client.get(f"{BASE}/towns", params={"postcode": "100-0013"}).json()
    assert by_postcode["total"] == 3
    in_hokkaido = client.get(f"{BASE}/towns", params={"prefecture_code": "01", "limit": 1}).json()
    assert in_hokkaido["items"][0]["municipality"] in ("札幌市中央区", "石狩郡当別町")


def test_get_town(client: TestClient, loaded: Database) -> None:
    first = client.get(f"{BASE}/towns", params={"name": "霞が関二丁目"}).json()["items"][0]
    town = client.get(f"{BASE}/towns/{first['id']}").json()
    assert town == first and town["postcodes"] == ["1000013"]
    missing = client.get(f"{BASE}/towns/999999")
    assert missing.status_code == 404 and missing.json()["code"] == "unknown-town"


def test_municipality(client: TestClient, loaded: Database) -> None:
    ward = client.get(f"{BASE}/municipalities/011011").json()
    assert (ward["name"], ward["designated_city_code"], ward["prefecture"]) == (
        "札幌市中央区",
        "011002",
        "北海道",
    )
    assert client.get(f"{BASE}/municipalities/011002").json()["name"] == "札幌市"


def test_municipality_errors(client: TestClient, loaded: Database) -> None:
    wrong_digit = client.get(f"{BASE}/municipalities/131017")
    assert wrong_digit.status_code == 422
    assert wrong_digit.headers["content-type"] == "application/problem+json"
    assert wrong_digit.json()["code"] == "invalid-local-government-code"
    unknown = client.get(f"{BASE}/municipalities/472018")  # 那覇市: valid, not in the sample
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown-municipality")
    filtered = client.get(f"{BASE}/towns", params={"municipality_code": "472018"})
    assert filtered.status_code == 404
    assert client.get(f"{BASE}/towns", params={"prefecture_code": "1"}).status_code == 422


def test_normalize_get_and_post(client: TestClient, loaded: Database) -> None:
    got = client.get(f"{BASE}/normalize", params={"address": "千代田区霞が関２－１－１ 合同庁舎"}).json()
    assert got["level"] == "block" and got["attribution"] == ATTRIBUTION
    assert got["address"]["municipality_code"] == "131016"
    assert (got["address"]["town"], got["address"]["building"]) == ("霞が関二丁目", "合同庁舎")
    assert got["address"]["postcode"] == "1000013"
    posted = client.post(f"{BASE}/normalize", json={"address": "千代田区霞が関２－１－１ 合同庁舎"}).json()
    assert posted == got
    garbage = client.post(f"{BASE}/normalize", json={"address": "xyz"}).json()
    assert (garbage["level"], garbage["address"]) == ("unmatched", None)
    assert client.post(f"{BASE}/normalize", json={"address": ""}).status_code == 422
    assert client.post(f"{BASE}/normalize", json={}).status_code == 422


def test_postcode_lookup(client: TestClient, loaded: Database) -> None:
    body = client.get(f"{BASE}/postcodes/〒100-0013").json()
    assert body["postcode"] == "1000013" and body["attribution"] == ATTRIBUTION
    assert {t["town"] for t in body["towns"]} == {"霞が関一丁目", "霞が関二丁目", "霞が関三丁目"}
    malformed = client.get(f"{BASE}/postcodes/12-34")
    assert (malformed.status_code, malformed.json()["code"]) == (422, "invalid-postcode")
    unknown = client.get(f"{BASE}/postcodes/0000000")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown-postcode")


def test_public_page(client: TestClient, loaded: Database) -> None:
    page = client.get("/registry/addresses", params={"address": "千代田区霞が関2-1-1", "postcode": "1000013"})
    assert page.status_code == 200
    assert "霞が関二丁目" in page.text and "131016" in page.text and ATTRIBUTION in page.text
    bad = client.get("/registry/addresses", params={"postcode": "12"})
    assert bad.status_code == 200 and 'role="alert"' in bad.text
    empty = client.get("/registry/addresses")
    assert empty.status_code == 200 and '<label for="address">' in empty.text


def test_normalize_explains_and_lists_candidates(client: TestClient, loaded: Database) -> None:
    # the sample has 中央区 of 東京都, 札幌市 and 浜松市: without a town the text cannot say which
    body = client.get(f"{BASE}/normalize", params={"address": "中央区"}).json()
    assert body["level"] == "unmatched" and body["address"] is None
    assert {c["municipality_code"] for c in body["candidates"]} >= {"131024", "011011"}
    one = client.get(f"{BASE}/normalize", params={"address": "千代田区霞が関2-1-1 合同庁舎"}).json()
    assert one["remainder"] == "合同庁舎" and one["candidates"] == []
    assert any(line.startswith("町字: 霞が関二丁目") for line in one["explanation"])


def test_normalize_batch_streams_ndjson(client: TestClient, loaded: Database) -> None:
    lines = "千代田区霞が関2-1-1\n\nでたらめ\n横須賀市小川町11\n"
    response = client.post(
        f"{BASE}/normalize/batch",
        content=lines.encode(),
        headers={"content-type": "text/plain; charset=utf-8"},
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-ndjson")
    items = [json.loads(line) for line in response.text.splitlines()]
    assert [i["level"] for i in items] == ["block", "unmatched", "block"]
    as_json = client.post(f"{BASE}/normalize/batch", json={"addresses": ["横須賀市小川町11"]})
    assert json.loads(as_json.text.splitlines()[0])["address"]["town"] == "小川町"
    for bad in ({"addresses": []}, {"addresses": ["x" * 501]}, {"nothing": 1}):
        refused = client.post(f"{BASE}/normalize/batch", json=bad)
        assert (refused.status_code, refused.json()["code"]) == (422, "validation-failed")
    binary = client.post(
        f"{BASE}/normalize/batch", content=b"\xff\xfe\x00", headers={"content-type": "text/plain"}
    )
    assert binary.status_code == 422
