"""The open corporate information API: look-up by 法人番号 with what is public, pages, bulk files in
the catalog's formats (validated by frictionless), and each bad input refused by name."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import frictionless
from fastapi.testclient import TestClient
from tests.procedures.corpinfo.conftest import CLOSED, COMPANY, UNKNOWN

from tsunagu.core.database import Database

BASE = "/api/v1/corporate-info"


def _get(client: TestClient, path: str, key: str, **params: object) -> object:
    return client.get(BASE + path, headers={"X-API-Key": key}, params=params)


def test_a_corporation_by_number_with_its_registered_and_recorded_activity(
    client: TestClient, key: str
) -> None:
    answer = client.get(f"{BASE}/corporations/{COMPANY}", headers={"X-API-Key": key})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    basic = body["basic"]
    assert (basic["name"], basic["status"], basic["kind"]) == (
        "つなぐホールディングス株式会社",
        "active",
        "株式会社",
    )
    assert basic["capital_yen"] == 10_000_000 and basic["date_of_establishment"] == "2009-04-01"
    assert basic["representatives"] == ["代表取締役 商事　花子"]
    assert "address" not in json.dumps(basic["representatives"])  # names only, never an address
    assert [s["date"] for s in body["subsidies"]] == ["2026-02-03", "2025-07-15", "2024-11-20"]
    assert body["subsidies"][1]["amount_yen"] == 8_000_000 and body["subsidies"][2]["amount_yen"] is None
    assert body["subsidies_total"] == 3 and body["procurements_total"] == 1
    assert body["procurements"][0]["government_department"] == "横須賀市"
    assert body["filings"] == []  # nothing public was approved for it


def test_records_are_paged(client: TestClient, key: str) -> None:
    first = client.get(f"{BASE}/corporations/{COMPANY}/subsidies?limit=2", headers={"X-API-Key": key}).json()
    assert (first["total"], first["limit"], len(first["items"])) == (3, 2, 2)
    rest = client.get(
        f"{BASE}/corporations/{COMPANY}/subsidies?limit=2&offset=2", headers={"X-API-Key": key}
    ).json()
    assert [r["title"] for r in rest["items"]] == ["事業再構築補助金"]
    found = client.get(f"{BASE}/corporations?name=株式会社&limit=1", headers={"X-API-Key": key}).json()
    assert found["total"] >= 2 and len(found["items"]) == 1


def test_a_closed_corporation_is_shown_closed_not_refused(client: TestClient, key: str) -> None:
    body = client.get(f"{BASE}/corporations/{CLOSED}", headers={"X-API-Key": key}).json()
    assert body["basic"]["status"] == "closed" and body["basic"]["close_date"]
    assert body["basic"]["close_cause"]  # 清算の結了等, in words


def test_bad_numbers_are_refused_by_name(client: TestClient, key: str) -> None:
    wrong_digit = str((int(COMPANY[0]) + 1) % 10) + COMPANY[1:]
    for path in ("", "/subsidies", "/procurements", "/filings"):
        refused = client.get(f"{BASE}/corporations/{wrong_digit}{path}", headers={"X-API-Key": key})
        assert refused.status_code == 422, path
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "corporate-number-check-digit"
        assert f"expected {COMPANY[0]}" in refused.json()["detail"]
    short = client.get(f"{BASE}/corporations/12345", headers={"X-API-Key": key})
    assert (short.status_code, short.json()["code"]) == (422, "invalid-corporate-number")
    unknown = client.get(f"{BASE}/corporations/{UNKNOWN}", headers={"X-API-Key": key})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "corporation-not-found")


def test_bulk_files_are_the_catalogs_csv_and_valid_frictionless(
    client: TestClient, key: str, tmp_path: Path
) -> None:
    package = client.get(f"{BASE}/files/datapackage.json", headers={"X-API-Key": key})
    assert package.status_code == 200
    (tmp_path / "datapackage.json").write_text(package.text, encoding="utf-8")
    for resource in package.json()["resources"]:
        answer = client.get(f"{BASE}/files/{resource['path']}", headers={"X-API-Key": key})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        (tmp_path / resource["path"]).write_bytes(answer.content)
    report = frictionless.Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    rows = list(csv.DictReader(io.StringIO((tmp_path / "subsidies.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 4 and rows[0]["法人番号"] == "5020001000001"
    corporations = (tmp_path / "corporations.csv").read_text(encoding="utf-8").splitlines()
    assert corporations[0].startswith("法人番号,商号又は名称") and len(corporations) == 1 + 5
    missing = client.get(f"{BASE}/files/secret.csv", headers={"X-API-Key": key})
    assert (missing.status_code, missing.json()["code"]) == (404, "corpinfo-file-not-found")


def test_the_pages_for_people(client: TestClient, loaded: Database) -> None:
    page = client.get(f"/corporate-info/{COMPANY}", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "<h1>つなぐホールディングス株式会社</h1>" in page.text and "1,000万円" in page.text
    # 資本金 in 万円 as a 登記事項証明書 writes it; awards in whole yen, every one alike (a mix of
    # 264万円 and 19,925,000円 in one list read badly on a phone)
    assert "交付決定額: 8,000,000円" in page.text and "令和8年2月3日" in page.text
    assert "10000000" not in page.text and "800万円" not in page.text
    closed = client.get(f"/corporate-info/{CLOSED}", headers={"accept": "text/html"})
    assert "この法人の登記記録は閉鎖されています。" in closed.text
    bad = client.get("/corporate-info/7010001000001", headers={"accept": "text/html"})
    assert bad.status_code == 422 and "Traceback" not in bad.text
    found = client.get("/corporate-info?name=つなぐ", headers={"accept": "text/html"})
    assert f'href="/corporate-info/{COMPANY}"' in found.text
